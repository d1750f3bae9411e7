use crate::assessment::decode;
use crate::assessment::rows::ActionRow;
use crate::assessment::tables::Actions as A;
use crate::{StorageError, Tx};
use preventkit_domain::assessment::{date_text, Action};
use preventkit_domain::{AssessmentId, PartnershipId};
use sea_query::{Expr, Order, Query};

pub async fn insert(tx: &mut Tx, a: &Action) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        A::Table,
        [
            (A::Id, a.id.to_string().into()),
            (A::PartnershipId, a.partnership.to_string().into()),
            (A::AssessmentId, a.assessment.map(|x| x.to_string()).into()),
            (
                A::QuestionId,
                a.question.as_ref().map(|q| q.to_string()).into(),
            ),
            (A::Title, a.title.clone().into()),
            (A::OwnerId, a.owner.to_string().into()),
            (A::DueDate, date_text(a.due).into()),
            (A::Status, a.status.key().into()),
            (A::CreatedBy, a.created_by.to_string().into()),
            (A::CreatedAt, a.created_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

/// A partnership's actions, soonest due first; only those raised from `assessment` if given.
pub async fn for_partnership(
    tx: &mut Tx,
    partnership_id: PartnershipId,
    assessment: Option<AssessmentId>,
) -> Result<Vec<Action>, StorageError> {
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
        .and_where(Expr::col(A::PartnershipId).eq(partnership_id.to_string()))
        .to_owned();
    if let Some(a) = assessment {
        q.and_where(Expr::col(A::AssessmentId).eq(a.to_string()));
    }
    let rows: Vec<ActionRow> = tx
        .fetch_all(&q.order_by(A::DueDate, Order::Asc).to_owned())
        .await?;
    decode::all(rows)
}
