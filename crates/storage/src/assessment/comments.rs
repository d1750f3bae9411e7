//! Comments on questions, and assignments of questions to partners.

use crate::assessment::decode;
use crate::assessment::rows::{AssignmentRow, CommentRow};
use crate::assessment::tables::{Assignments as S, Comments as C};
use crate::{StorageError, Tx};
use preventkit_domain::assessment::{Assignment, Comment};
use preventkit_domain::{AssessmentId, QuestionId};
use sea_query::{Expr, OnConflict, Order, Query};

pub async fn insert(tx: &mut Tx, c: &Comment) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        C::Table,
        [
            (C::Id, c.id.to_string().into()),
            (C::AssessmentId, c.assessment.to_string().into()),
            (C::QuestionId, c.question.to_string().into()),
            (C::AuthorId, c.author.to_string().into()),
            (C::Body, c.body.clone().into()),
            (C::CreatedAt, c.created_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn for_question(
    tx: &mut Tx,
    assessment: AssessmentId,
    question: &QuestionId,
) -> Result<Vec<Comment>, StorageError> {
    let rows: Vec<CommentRow> = tx
        .fetch_all(
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
                .and_where(Expr::col(C::AssessmentId).eq(assessment.to_string()))
                .and_where(Expr::col(C::QuestionId).eq(question.as_str()))
                .order_by(C::CreatedAt, Order::Asc)
                .to_owned(),
        )
        .await?;
    decode::all(rows)
}

/// Assign a question (replacing any earlier assignment).
pub async fn assign(tx: &mut Tx, a: &Assignment) -> Result<(), StorageError> {
    let mut stmt = crate::insert(
        S::Table,
        [
            (S::AssessmentId, a.assessment.to_string().into()),
            (S::QuestionId, a.question.to_string().into()),
            (
                S::OrganisationId,
                a.organisation.map(|o| o.to_string()).into(),
            ),
            (S::UserId, a.user.map(|u| u.to_string()).into()),
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
    assessment: AssessmentId,
) -> Result<Vec<Assignment>, StorageError> {
    let rows: Vec<AssignmentRow> = tx
        .fetch_all(
            &Query::select()
                .columns([S::AssessmentId, S::QuestionId, S::OrganisationId, S::UserId])
                .from(S::Table)
                .and_where(Expr::col(S::AssessmentId).eq(assessment.to_string()))
                .to_owned(),
        )
        .await?;
    decode::all(rows)
}
