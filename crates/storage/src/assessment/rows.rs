//! The assessment tables' rows as stored. Identifiers are UUID strings, times are milliseconds
//! since the Unix epoch, so that one decoding serves both engines. Rows never leave storage:
//! `decode.rs` turns each into its domain type.

use sqlx::FromRow;

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub(crate) struct AssessmentRow {
    pub id: String,
    pub partnership_id: String,
    pub organisation_id: Option<String>,
    pub framework_version_id: String,
    pub title: String,
    pub period_start: String,
    pub period_end: String,
    pub state: String,
    pub submitted_by: Option<String>,
    pub previous_id: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The current answer to one question. `version` counts changes from 1.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub(crate) struct ResponseRow {
    pub id: String,
    pub assessment_id: String,
    pub question_id: String,
    pub rating: String,
    pub details: String,
    pub version: i64,
    pub updated_by: Option<String>,
    pub updated_at: i64,
}

/// Everything deciding an edit of one answer needs, read in one statement.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub(crate) struct AnswerContextRow {
    pub assessment_state: String,
    pub framework_version_id: String,
    #[sqlx(flatten)]
    pub response: ResponseRow,
    pub assigned_user: Option<String>,
    pub assigned_organisation: Option<String>,
    pub user_organisation: String,
}

/// An earlier answer, kept whole.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub(crate) struct ResponseHistoryRow {
    pub id: String,
    pub response_id: String,
    pub version: i64,
    pub rating: String,
    pub details: String,
    pub changed_by: Option<String>,
    pub changed_at: i64,
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub(crate) struct TransitionRow {
    pub id: String,
    pub assessment_id: String,
    pub from_state: String,
    pub to_state: String,
    pub reason: Option<String>,
    pub actor_id: String,
    pub at: i64,
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub(crate) struct ActionRow {
    pub id: String,
    pub partnership_id: String,
    pub assessment_id: Option<String>,
    pub question_id: Option<String>,
    pub title: String,
    pub owner_id: String,
    pub due_date: String,
    pub status: String,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
    pub closing_note: Option<String>,
    pub closed_at: Option<i64>,
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub(crate) struct CommentRow {
    pub id: String,
    pub assessment_id: String,
    pub question_id: String,
    pub author_id: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub(crate) struct AssignmentRow {
    pub assessment_id: String,
    pub question_id: String,
    pub organisation_id: Option<String>,
    pub user_id: Option<String>,
}
