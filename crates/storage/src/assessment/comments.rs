//! Comments on questions, and assignments of questions to partners.

use crate::assessment::tables::{Assignments as S, Comments as C};
use crate::records::{AssignmentRow, CommentRow};
use crate::{StorageError, Tx};
use sea_query::{Expr, OnConflict, Order, Query};

pub async fn insert(tx: &mut Tx, c: &CommentRow) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        C::Table,
        [
            (C::Id, c.id.clone().into()),
            (C::AssessmentId, c.assessment_id.clone().into()),
            (C::QuestionId, c.question_id.clone().into()),
            (C::AuthorId, c.author_id.clone().into()),
            (C::Body, c.body.clone().into()),
            (C::CreatedAt, c.created_at.into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn for_question(
    tx: &mut Tx,
    assessment: &str,
    question: &str,
) -> Result<Vec<CommentRow>, StorageError> {
    tx.fetch_all(
        &Query::select()
            .columns([
                C::Id,
                C::AssessmentId,
                C::QuestionId,
                C::AuthorId,
                C::Body,
                C::CreatedAt,
            ])
            .from(C::Table)
            .and_where(Expr::col(C::AssessmentId).eq(assessment))
            .and_where(Expr::col(C::QuestionId).eq(question))
            .order_by(C::CreatedAt, Order::Asc)
            .to_owned(),
    )
    .await
}

/// Assign a question (replacing any earlier assignment).
pub async fn assign(tx: &mut Tx, a: &AssignmentRow) -> Result<(), StorageError> {
    let mut stmt = crate::insert(
        S::Table,
        [
            (S::AssessmentId, a.assessment_id.clone().into()),
            (S::QuestionId, a.question_id.clone().into()),
            (S::OrganisationId, a.organisation_id.clone().into()),
            (S::UserId, a.user_id.clone().into()),
        ],
    )?;
    stmt.on_conflict(
        OnConflict::columns([S::AssessmentId, S::QuestionId])
            .update_columns([S::OrganisationId, S::UserId])
            .to_owned(),
    );
    tx.execute(&stmt).await?;
    Ok(())
}

pub async fn assignments(
    tx: &mut Tx,
    assessment: &str,
) -> Result<Vec<AssignmentRow>, StorageError> {
    tx.fetch_all(
        &Query::select()
            .columns([S::AssessmentId, S::QuestionId, S::OrganisationId, S::UserId])
            .from(S::Table)
            .and_where(Expr::col(S::AssessmentId).eq(assessment))
            .to_owned(),
    )
    .await
}
