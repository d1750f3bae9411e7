use crate::assessment::tables::{
    AssessmentTransitions as T, Assessments as A, Assignments as G, ResponseHistory as H,
    Responses as R,
};
use crate::identity::tables::Users as U;
use crate::records::{
    AnswerContextRow, AssessmentRow, ResponseHistoryRow, ResponseRow, TransitionRow,
};
use crate::{Db, StorageError, Tx};
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

pub async fn insert(tx: &mut Tx, a: &AssessmentRow) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        A::Table,
        [
            (A::Id, a.id.clone().into()),
            (A::PartnershipId, a.partnership_id.clone().into()),
            (A::OrganisationId, a.organisation_id.clone().into()),
            (A::FrameworkVersionId, a.framework_version_id.clone().into()),
            (A::Title, a.title.clone().into()),
            (A::PeriodStart, a.period_start.clone().into()),
            (A::PeriodEnd, a.period_end.clone().into()),
            (A::State, a.state.clone().into()),
            (A::SubmittedBy, a.submitted_by.clone().into()),
            (A::PreviousId, a.previous_id.clone().into()),
            (A::CreatedBy, a.created_by.clone().into()),
            (A::CreatedAt, a.created_at.into()),
            (A::UpdatedAt, a.updated_at.into()),
        ],
    )?)
    .await?;
    Ok(())
}

/// One assessment, only if it belongs to the partnership.
pub async fn get(
    tx: &mut Tx,
    id: &str,
    partnership_id: &str,
) -> Result<Option<AssessmentRow>, StorageError> {
    tx.fetch_optional(
        &Query::select()
            .columns(A_COLS)
            .from(A::Table)
            .and_where(Expr::col(A::Id).eq(id))
            .and_where(Expr::col(A::PartnershipId).eq(partnership_id))
            .to_owned(),
    )
    .await
}

pub async fn for_partnership(
    tx: &mut Tx,
    partnership_id: &str,
) -> Result<Vec<AssessmentRow>, StorageError> {
    tx.fetch_all(
        &Query::select()
            .columns(A_COLS)
            .from(A::Table)
            .and_where(Expr::col(A::PartnershipId).eq(partnership_id))
            .order_by(A::PeriodStart, Order::Desc)
            .order_by(A::CreatedAt, Order::Desc)
            .to_owned(),
    )
    .await
}

/// Move an assessment to `to` only if it is still in `from` (so two racing transitions
/// cannot both succeed). Answers whether it moved.
pub async fn set_state(
    tx: &mut Tx,
    id: &str,
    from: &str,
    to: &str,
    submitted_by: Option<String>,
    now: i64,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(A::Table)
                .value(A::State, to)
                .value(A::SubmittedBy, submitted_by)
                .value(A::UpdatedAt, now)
                .and_where(Expr::col(A::Id).eq(id))
                .and_where(Expr::col(A::State).eq(from))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// Move a draft assessment from one framework version to another, only if it is still a draft
/// on `from_version`. Answers whether it moved.
pub async fn set_framework_version(
    tx: &mut Tx,
    id: &str,
    from_version: &str,
    to_version: &str,
    draft: &str,
    now: i64,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(A::Table)
                .value(A::FrameworkVersionId, to_version)
                .value(A::UpdatedAt, now)
                .and_where(Expr::col(A::Id).eq(id))
                .and_where(Expr::col(A::FrameworkVersionId).eq(from_version))
                .and_where(Expr::col(A::State).eq(draft))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

pub async fn insert_transition(tx: &mut Tx, t: &TransitionRow) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        T::Table,
        [
            (T::Id, t.id.clone().into()),
            (T::AssessmentId, t.assessment_id.clone().into()),
            (T::FromState, t.from_state.clone().into()),
            (T::ToState, t.to_state.clone().into()),
            (T::Reason, t.reason.clone().into()),
            (T::ActorId, t.actor_id.clone().into()),
            (T::At, t.at.into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn transitions(
    tx: &mut Tx,
    assessment_id: &str,
) -> Result<Vec<TransitionRow>, StorageError> {
    tx.fetch_all(
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
            .and_where(Expr::col(T::AssessmentId).eq(assessment_id))
            .order_by(T::At, Order::Asc)
            .to_owned(),
    )
    .await
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

pub async fn insert_response(tx: &mut Tx, r: &ResponseRow) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        R::Table,
        [
            (R::Id, r.id.clone().into()),
            (R::AssessmentId, r.assessment_id.clone().into()),
            (R::QuestionId, r.question_id.clone().into()),
            (R::Rating, r.rating.clone().into()),
            (R::Details, r.details.clone().into()),
            (R::Version, r.version.into()),
            (R::UpdatedBy, r.updated_by.clone().into()),
            (R::UpdatedAt, r.updated_at.into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn responses(tx: &mut Tx, assessment_id: &str) -> Result<Vec<ResponseRow>, StorageError> {
    tx.fetch_all(
        &Query::select()
            .columns(R_COLS)
            .from(R::Table)
            .and_where(Expr::col(R::AssessmentId).eq(assessment_id))
            .to_owned(),
    )
    .await
}

pub async fn response(
    tx: &mut Tx,
    assessment_id: &str,
    question_id: &str,
) -> Result<Option<ResponseRow>, StorageError> {
    tx.fetch_optional(
        &Query::select()
            .columns(R_COLS)
            .from(R::Table)
            .and_where(Expr::col(R::AssessmentId).eq(assessment_id))
            .and_where(Expr::col(R::QuestionId).eq(question_id))
            .to_owned(),
    )
    .await
}

/// What deciding an edit of `question` in assessment `assessment` (of partnership
/// `partnership`) by `user` needs, in one statement and so without a transaction: facts for
/// the policy's relationship rule (the editor's organisation and the question's assignment),
/// never a decision. `None` when the assessment is not the partnership's, or has no such
/// question.
pub async fn answer_context(
    db: &Db,
    partnership: &str,
    assessment: &str,
    question: &str,
    user: &str,
) -> Result<Option<AnswerContextRow>, StorageError> {
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
        .inner_join(U::Table, Expr::col((U::Table, U::Id)).eq(user))
        .left_join(
            G::Table,
            Expr::col((G::Table, G::AssessmentId))
                .equals((A::Table, A::Id))
                .and(Expr::col((G::Table, G::QuestionId)).eq(question)),
        )
        .and_where(Expr::col((A::Table, A::Id)).eq(assessment))
        .and_where(Expr::col((A::Table, A::PartnershipId)).eq(partnership))
        .limit(1);
    db.fetch_optional(&select).await
}

/// Replace an answer only if it is still at `based_on` and its assessment is still in
/// `editable_state`; the old answer goes to the history. Answers whether the update happened.
#[allow(clippy::too_many_arguments)]
pub async fn update_response(
    tx: &mut Tx,
    current: &ResponseRow,
    editable_state: &str,
    based_on: i64,
    rating: &str,
    details: &str,
    by: &str,
    now: i64,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(R::Table)
                .value(R::Rating, rating)
                .value(R::Details, details)
                .value(R::Version, based_on + 1)
                .value(R::UpdatedBy, by)
                .value(R::UpdatedAt, now)
                .and_where(Expr::col(R::Id).eq(current.id.as_str()))
                .and_where(Expr::col(R::Version).eq(based_on))
                .and_where(
                    Expr::col(R::AssessmentId).in_subquery(
                        Query::select()
                            .column(A::Id)
                            .from(A::Table)
                            .and_where(Expr::col(A::Id).eq(current.assessment_id.as_str()))
                            .and_where(Expr::col(A::State).eq(editable_state))
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
            (H::Id, uuid::Uuid::new_v4().to_string().into()),
            (H::ResponseId, current.id.clone().into()),
            (H::Version, current.version.into()),
            (H::Rating, current.rating.clone().into()),
            (H::Details, current.details.clone().into()),
            (H::ChangedBy, current.updated_by.clone().into()),
            (H::ChangedAt, current.updated_at.into()),
        ],
    )?)
    .await?;
    Ok(true)
}

pub async fn history(
    tx: &mut Tx,
    response_id: &str,
) -> Result<Vec<ResponseHistoryRow>, StorageError> {
    tx.fetch_all(
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
            .and_where(Expr::col(H::ResponseId).eq(response_id))
            .order_by(H::Version, Order::Desc)
            .to_owned(),
    )
    .await
}
