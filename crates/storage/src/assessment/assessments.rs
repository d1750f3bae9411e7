use crate::assessment::decode;
use crate::assessment::rows::{
    AnswerContextRow, AssessmentRow, ResponseHistoryRow, ResponseRow, TransitionRow,
};
use crate::assessment::tables::{
    AssessmentTransitions as T, Assessments as A, Assignments as G, ResponseHistory as H,
    Responses as R,
};
use crate::identity::tables::Users as U;
use crate::{Db, StorageError, Tx};
use preventkit_domain::assessment::{
    date_text, AnswerContext, Assessment, Response, ResponseVersion, State, TransitionRecord,
};
use preventkit_domain::{
    AssessmentId, FrameworkVersionId, PartnershipId, QuestionId, ResponseId, ResponseVersionId,
    Timestamp, UserId,
};
use sea_query::{Alias, Expr, Order, Query};

const A_COLS: [A; 13] = [
    A::Id,
    A::PartnershipId,
    A::OrganisationId,
    A::FrameworkVersionId,
    A::Title,
    A::PeriodStart,
    A::PeriodEnd,
    A::State,
    A::SubmittedBy,
    A::PreviousId,
    A::CreatedBy,
    A::CreatedAt,
    A::UpdatedAt,
];

pub async fn insert(tx: &mut Tx, a: &Assessment) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        A::Table,
        [
            (A::Id, a.id.to_string().into()),
            (A::PartnershipId, a.partnership.to_string().into()),
            (
                A::OrganisationId,
                a.organisation.map(|o| o.to_string()).into(),
            ),
            (
                A::FrameworkVersionId,
                a.framework_version.to_string().into(),
            ),
            (A::Title, a.title.clone().into()),
            (A::PeriodStart, date_text(a.period_start).into()),
            (A::PeriodEnd, date_text(a.period_end).into()),
            (A::State, a.state.key().into()),
            (A::SubmittedBy, a.submitted_by.map(|u| u.to_string()).into()),
            (A::PreviousId, a.previous.map(|p| p.to_string()).into()),
            (A::CreatedBy, a.created_by.to_string().into()),
            (A::CreatedAt, a.created_at.millis().into()),
            (A::UpdatedAt, a.updated_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

/// One assessment, only if it belongs to the partnership.
pub async fn get(
    tx: &mut Tx,
    id: AssessmentId,
    partnership_id: PartnershipId,
) -> Result<Option<Assessment>, StorageError> {
    let row: Option<AssessmentRow> = tx
        .fetch_optional(
            &Query::select()
                .columns(A_COLS)
                .from(A::Table)
                .and_where(Expr::col(A::Id).eq(id.to_string()))
                .and_where(Expr::col(A::PartnershipId).eq(partnership_id.to_string()))
                .to_owned(),
        )
        .await?;
    decode::one(row)
}

pub async fn for_partnership(
    tx: &mut Tx,
    partnership_id: PartnershipId,
) -> Result<Vec<Assessment>, StorageError> {
    let rows: Vec<AssessmentRow> = tx
        .fetch_all(
            &Query::select()
                .columns(A_COLS)
                .from(A::Table)
                .and_where(Expr::col(A::PartnershipId).eq(partnership_id.to_string()))
                .order_by(A::PeriodStart, Order::Desc)
                .order_by(A::CreatedAt, Order::Desc)
                .to_owned(),
        )
        .await?;
    decode::all(rows)
}

/// Move an assessment to `to` only if it is still in `from` (so two racing transitions
/// cannot both succeed). Answers whether it moved.
pub async fn set_state(
    tx: &mut Tx,
    id: AssessmentId,
    from: State,
    to: State,
    submitted_by: Option<UserId>,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(A::Table)
                .value(A::State, to.key())
                .value(A::SubmittedBy, submitted_by.map(|u| u.to_string()))
                .value(A::UpdatedAt, now.millis())
                .and_where(Expr::col(A::Id).eq(id.to_string()))
                .and_where(Expr::col(A::State).eq(from.key()))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// Move a draft assessment from one framework version to another, only if it is still a draft
/// on `from_version`. Answers whether it moved.
pub async fn set_framework_version(
    tx: &mut Tx,
    id: AssessmentId,
    from_version: FrameworkVersionId,
    to_version: FrameworkVersionId,
    draft: State,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(A::Table)
                .value(A::FrameworkVersionId, to_version.to_string())
                .value(A::UpdatedAt, now.millis())
                .and_where(Expr::col(A::Id).eq(id.to_string()))
                .and_where(Expr::col(A::FrameworkVersionId).eq(from_version.to_string()))
                .and_where(Expr::col(A::State).eq(draft.key()))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

pub async fn insert_transition(tx: &mut Tx, t: &TransitionRecord) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        T::Table,
        [
            (T::Id, t.id.to_string().into()),
            (T::AssessmentId, t.assessment.to_string().into()),
            (T::FromState, t.from.key().into()),
            (T::ToState, t.to.key().into()),
            (T::Reason, t.reason.clone().into()),
            (T::ActorId, t.actor.to_string().into()),
            (T::At, t.at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn transitions(
    tx: &mut Tx,
    assessment_id: AssessmentId,
) -> Result<Vec<TransitionRecord>, StorageError> {
    let rows: Vec<TransitionRow> = tx
        .fetch_all(
            &Query::select()
                .columns([
                    T::Id,
                    T::AssessmentId,
                    T::FromState,
                    T::ToState,
                    T::Reason,
                    T::ActorId,
                    T::At,
                ])
                .from(T::Table)
                .and_where(Expr::col(T::AssessmentId).eq(assessment_id.to_string()))
                .order_by(T::At, Order::Asc)
                .to_owned(),
        )
        .await?;
    decode::all(rows)
}

const R_COLS: [R; 8] = [
    R::Id,
    R::AssessmentId,
    R::QuestionId,
    R::Rating,
    R::Details,
    R::Version,
    R::UpdatedBy,
    R::UpdatedAt,
];

pub async fn insert_response(tx: &mut Tx, r: &Response) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        R::Table,
        [
            (R::Id, r.id.to_string().into()),
            (R::AssessmentId, r.assessment.to_string().into()),
            (R::QuestionId, r.question.to_string().into()),
            (R::Rating, r.rating.clone().into()),
            (R::Details, r.details.clone().into()),
            (R::Version, r.version.into()),
            (R::UpdatedBy, r.updated_by.map(|u| u.to_string()).into()),
            (R::UpdatedAt, r.updated_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn responses(
    tx: &mut Tx,
    assessment_id: AssessmentId,
) -> Result<Vec<Response>, StorageError> {
    let rows: Vec<ResponseRow> = tx
        .fetch_all(
            &Query::select()
                .columns(R_COLS)
                .from(R::Table)
                .and_where(Expr::col(R::AssessmentId).eq(assessment_id.to_string()))
                .to_owned(),
        )
        .await?;
    decode::all(rows)
}

pub async fn response(
    tx: &mut Tx,
    assessment_id: AssessmentId,
    question_id: &QuestionId,
) -> Result<Option<Response>, StorageError> {
    let row: Option<ResponseRow> = tx
        .fetch_optional(
            &Query::select()
                .columns(R_COLS)
                .from(R::Table)
                .and_where(Expr::col(R::AssessmentId).eq(assessment_id.to_string()))
                .and_where(Expr::col(R::QuestionId).eq(question_id.as_str()))
                .to_owned(),
        )
        .await?;
    decode::one(row)
}

/// What deciding an edit of `question` in assessment `assessment` (of partnership
/// `partnership`) by `user` needs, in one statement and so without a transaction: facts for
/// the policy's relationship rule (the editor's organisation and the question's assignment),
/// never a decision. `None` when the assessment is not the partnership's, or has no such
/// question.
pub async fn answer_context(
    db: &Db,
    partnership: PartnershipId,
    assessment: AssessmentId,
    question: &QuestionId,
    user: UserId,
) -> Result<Option<AnswerContext>, StorageError> {
    let question = question.as_str();
    let mut select = Query::select();
    select
        .expr_as(
            Expr::col((A::Table, A::State)),
            Alias::new("assessment_state"),
        )
        .expr_as(
            Expr::col((A::Table, A::FrameworkVersionId)),
            Alias::new("framework_version_id"),
        );
    for (col, name) in [
        (R::Id, "id"),
        (R::AssessmentId, "assessment_id"),
        (R::QuestionId, "question_id"),
        (R::Rating, "rating"),
        (R::Details, "details"),
        (R::Version, "version"),
        (R::UpdatedBy, "updated_by"),
        (R::UpdatedAt, "updated_at"),
    ] {
        select.expr_as(Expr::col((R::Table, col)), Alias::new(name));
    }
    select
        .expr_as(
            Expr::col((G::Table, G::UserId)),
            Alias::new("assigned_user"),
        )
        .expr_as(
            Expr::col((G::Table, G::OrganisationId)),
            Alias::new("assigned_organisation"),
        )
        .expr_as(
            Expr::col((U::Table, U::OrganisationId)),
            Alias::new("user_organisation"),
        )
        .from(A::Table)
        .inner_join(
            R::Table,
            Expr::col((R::Table, R::AssessmentId))
                .equals((A::Table, A::Id))
                .and(Expr::col((R::Table, R::QuestionId)).eq(question)),
        )
        .inner_join(U::Table, Expr::col((U::Table, U::Id)).eq(user.to_string()))
        .left_join(
            G::Table,
            Expr::col((G::Table, G::AssessmentId))
                .equals((A::Table, A::Id))
                .and(Expr::col((G::Table, G::QuestionId)).eq(question)),
        )
        .and_where(Expr::col((A::Table, A::Id)).eq(assessment.to_string()))
        .and_where(Expr::col((A::Table, A::PartnershipId)).eq(partnership.to_string()))
        .limit(1);
    let row: Option<AnswerContextRow> = db.fetch_optional(&select).await?;
    decode::one(row)
}

/// Replace an answer only if it is still at `based_on` and its assessment is still in
/// `editable_state`; the old answer goes to the history. Answers whether the update happened.
#[allow(clippy::too_many_arguments)]
pub async fn update_response(
    tx: &mut Tx,
    current: &Response,
    editable_state: State,
    based_on: i64,
    rating: &str,
    details: &str,
    by: UserId,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(R::Table)
                .value(R::Rating, rating)
                .value(R::Details, details)
                .value(R::Version, based_on + 1)
                .value(R::UpdatedBy, by.to_string())
                .value(R::UpdatedAt, now.millis())
                .and_where(Expr::col(R::Id).eq(current.id.to_string()))
                .and_where(Expr::col(R::Version).eq(based_on))
                .and_where(
                    Expr::col(R::AssessmentId).in_subquery(
                        Query::select()
                            .column(A::Id)
                            .from(A::Table)
                            .and_where(Expr::col(A::Id).eq(current.assessment.to_string()))
                            .and_where(Expr::col(A::State).eq(editable_state.key()))
                            .to_owned(),
                    ),
                )
                .to_owned(),
        )
        .await?;
    if n != 1 {
        return Ok(false);
    }
    tx.execute(&crate::insert(
        H::Table,
        [
            (H::Id, ResponseVersionId::new().to_string().into()),
            (H::ResponseId, current.id.to_string().into()),
            (H::Version, current.version.into()),
            (H::Rating, current.rating.clone().into()),
            (H::Details, current.details.clone().into()),
            (
                H::ChangedBy,
                current.updated_by.map(|u| u.to_string()).into(),
            ),
            (H::ChangedAt, current.updated_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(true)
}

pub async fn history(
    tx: &mut Tx,
    response_id: ResponseId,
) -> Result<Vec<ResponseVersion>, StorageError> {
    let rows: Vec<ResponseHistoryRow> = tx
        .fetch_all(
            &Query::select()
                .columns([
                    H::Id,
                    H::ResponseId,
                    H::Version,
                    H::Rating,
                    H::Details,
                    H::ChangedBy,
                    H::ChangedAt,
                ])
                .from(H::Table)
                .and_where(Expr::col(H::ResponseId).eq(response_id.to_string()))
                .order_by(H::Version, Order::Desc)
                .to_owned(),
        )
        .await?;
    decode::all(rows)
}
