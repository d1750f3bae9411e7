use crate::assessment::decode;
use crate::assessment::rows::ActionRow;
use crate::assessment::tables::Actions as A;
use crate::{StorageError, Tx};
use preventkit_domain::assessment::{date_text, Action, ActionStatus};
use preventkit_domain::{ActionId, AssessmentId, PartnershipId, Timestamp, UserId};
use sea_query::{Expr, Order, Query, SelectStatement};
use time::Date;

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
            (A::Version, a.version.into()),
            (A::ClosingNote, a.closing_note.clone().into()),
            (A::ClosedAt, a.closed_at.map(|t| t.millis()).into()),
        ],
    )?)
    .await?;
    Ok(())
}

fn select() -> SelectStatement {
    Query::select()
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
            A::Version,
            A::ClosingNote,
            A::ClosedAt,
        ])
        .from(A::Table)
        .to_owned()
}

/// A partnership's actions, soonest due first; only those raised from `assessment` if given.
pub async fn for_partnership(
    tx: &mut Tx,
    partnership_id: PartnershipId,
    assessment: Option<AssessmentId>,
) -> Result<Vec<Action>, StorageError> {
    let mut q = select()
        .and_where(Expr::col(A::PartnershipId).eq(partnership_id.to_string()))
        .to_owned();
    if let Some(a) = assessment {
        q.and_where(Expr::col(A::AssessmentId).eq(a.to_string()));
    }
    let rows: Vec<ActionRow> = tx
        .fetch_all(
            &q.order_by(A::DueDate, Order::Asc)
                .order_by(A::CreatedAt, Order::Asc)
                .to_owned(),
        )
        .await?;
    decode::all(rows)
}

/// One action of a partnership; none when it belongs to another partnership.
pub async fn get(
    tx: &mut Tx,
    id: ActionId,
    partnership_id: PartnershipId,
) -> Result<Option<Action>, StorageError> {
    let row: Option<ActionRow> = tx
        .fetch_optional(
            &select()
                .and_where(Expr::col(A::Id).eq(id.to_string()))
                .and_where(Expr::col(A::PartnershipId).eq(partnership_id.to_string()))
                .to_owned(),
        )
        .await?;
    decode::one(row)
}

/// What an edit changes.
#[derive(Clone, Debug)]
pub struct ActionChange {
    pub title: String,
    pub owner: UserId,
    pub due: Date,
    pub status: ActionStatus,
    pub closing_note: Option<String>,
    pub closed_at: Option<Timestamp>,
}

/// Change an action only if it is still at version `based_on`. Answers whether it changed.
pub async fn update(
    tx: &mut Tx,
    id: ActionId,
    based_on: i64,
    change: &ActionChange,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(A::Table)
                .value(A::Title, change.title.clone())
                .value(A::OwnerId, change.owner.to_string())
                .value(A::DueDate, date_text(change.due))
                .value(A::Status, change.status.key())
                .value(A::ClosingNote, change.closing_note.clone())
                .value(A::ClosedAt, change.closed_at.map(|t| t.millis()))
                .value(A::Version, based_on + 1)
                .and_where(Expr::col(A::Id).eq(id.to_string()))
                .and_where(Expr::col(A::Version).eq(based_on))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}
