use crate::assessment::tables::Actions as A;
use crate::records::ActionRow;
use crate::{StorageError, Tx};
use sea_query::{Expr, Order, Query};

pub async fn insert(tx: &mut Tx, a: &ActionRow) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        A::Table,
        [
            (A::Id, a.id.clone().into()),
            (A::PartnershipId, a.partnership_id.clone().into()),
            (A::AssessmentId, a.assessment_id.clone().into()),
            (A::QuestionId, a.question_id.clone().into()),
            (A::Title, a.title.clone().into()),
            (A::OwnerId, a.owner_id.clone().into()),
            (A::DueDate, a.due_date.clone().into()),
            (A::Status, a.status.clone().into()),
            (A::CreatedBy, a.created_by.clone().into()),
            (A::CreatedAt, a.created_at.into()),
        ],
    )?)
    .await?;
    Ok(())
}

/// A partnership's actions, soonest due first; only those raised from `assessment` if given.
pub async fn for_partnership(
    tx: &mut Tx,
    partnership_id: &str,
    assessment: Option<&str>,
) -> Result<Vec<ActionRow>, StorageError> {
    let mut q = Query::select()
        .columns([
            A::Id,
            A::PartnershipId,
            A::AssessmentId,
            A::QuestionId,
            A::Title,
            A::OwnerId,
            A::DueDate,
            A::Status,
            A::CreatedBy,
            A::CreatedAt,
        ])
        .from(A::Table)
        .and_where(Expr::col(A::PartnershipId).eq(partnership_id))
        .to_owned();
    if let Some(a) = assessment {
        q.and_where(Expr::col(A::AssessmentId).eq(a));
    }
    tx.fetch_all(&q.order_by(A::DueDate, Order::Asc).to_owned())
        .await
}
