//! Each row of the assessment tables decoded once into its domain type. A stored value that
//! does not decode is an error naming its table and column, never replaced with a default.

use super::rows::{
    ActionRow, AnswerContextRow, AssessmentRow, AssignmentRow, CommentRow, ResponseHistoryRow,
    ResponseRow, TransitionRow,
};
use crate::column::col;
use crate::StorageError;
use preventkit_domain::assessment::{
    Action, AnswerContext, Assessment, Assignment, Comment, Response, ResponseVersion,
    TransitionRecord,
};
use preventkit_domain::{QuestionId, Timestamp};

impl TryFrom<AssessmentRow> for Assessment {
    type Error = StorageError;

    fn try_from(r: AssessmentRow) -> Result<Self, StorageError> {
        let c = |name| col("assessments", name);
        Ok(Assessment {
            id: c("id").parse(&r.id)?,
            partnership: c("partnership_id").parse(&r.partnership_id)?,
            organisation: c("organisation_id").parse_opt(r.organisation_id.as_deref())?,
            framework_version: c("framework_version_id").parse(&r.framework_version_id)?,
            title: r.title,
            period_start: c("period_start").date(&r.period_start)?,
            period_end: c("period_end").date(&r.period_end)?,
            state: c("state").parse(&r.state)?,
            submitted_by: c("submitted_by").parse_opt(r.submitted_by.as_deref())?,
            previous: c("previous_id").parse_opt(r.previous_id.as_deref())?,
            created_by: c("created_by").parse(&r.created_by)?,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

impl TryFrom<ResponseRow> for Response {
    type Error = StorageError;

    fn try_from(r: ResponseRow) -> Result<Self, StorageError> {
        let c = |name| col("responses", name);
        Ok(Response {
            id: c("id").parse(&r.id)?,
            assessment: c("assessment_id").parse(&r.assessment_id)?,
            question: QuestionId(r.question_id),
            rating: r.rating,
            details: r.details,
            version: r.version,
            updated_by: c("updated_by").parse_opt(r.updated_by.as_deref())?,
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

impl TryFrom<AnswerContextRow> for AnswerContext {
    type Error = StorageError;

    fn try_from(r: AnswerContextRow) -> Result<Self, StorageError> {
        Ok(AnswerContext {
            state: col("assessments", "state").parse(&r.assessment_state)?,
            framework_version: col("assessments", "framework_version_id")
                .parse(&r.framework_version_id)?,
            response: Response::try_from(r.response)?,
            assigned_user: col("assignments", "user_id").parse_opt(r.assigned_user.as_deref())?,
            assigned_organisation: col("assignments", "organisation_id")
                .parse_opt(r.assigned_organisation.as_deref())?,
            user_organisation: col("users", "organisation_id").parse(&r.user_organisation)?,
        })
    }
}

impl TryFrom<ResponseHistoryRow> for ResponseVersion {
    type Error = StorageError;

    fn try_from(r: ResponseHistoryRow) -> Result<Self, StorageError> {
        let c = |name| col("response_history", name);
        Ok(ResponseVersion {
            id: c("id").parse(&r.id)?,
            response: c("response_id").parse(&r.response_id)?,
            version: r.version,
            rating: r.rating,
            details: r.details,
            changed_by: c("changed_by").parse_opt(r.changed_by.as_deref())?,
            changed_at: Timestamp::from_millis(r.changed_at),
        })
    }
}

impl TryFrom<TransitionRow> for TransitionRecord {
    type Error = StorageError;

    fn try_from(r: TransitionRow) -> Result<Self, StorageError> {
        let c = |name| col("assessment_transitions", name);
        Ok(TransitionRecord {
            id: c("id").parse(&r.id)?,
            assessment: c("assessment_id").parse(&r.assessment_id)?,
            from: c("from_state").parse(&r.from_state)?,
            to: c("to_state").parse(&r.to_state)?,
            reason: r.reason,
            actor: c("actor_id").parse(&r.actor_id)?,
            at: Timestamp::from_millis(r.at),
        })
    }
}

impl TryFrom<ActionRow> for Action {
    type Error = StorageError;

    fn try_from(r: ActionRow) -> Result<Self, StorageError> {
        let c = |name| col("actions", name);
        Ok(Action {
            id: c("id").parse(&r.id)?,
            partnership: c("partnership_id").parse(&r.partnership_id)?,
            assessment: c("assessment_id").parse_opt(r.assessment_id.as_deref())?,
            question: r.question_id.map(QuestionId),
            title: r.title,
            owner: c("owner_id").parse(&r.owner_id)?,
            due: c("due_date").date(&r.due_date)?,
            status: c("status").parse(&r.status)?,
            created_by: c("created_by").parse(&r.created_by)?,
            created_at: Timestamp::from_millis(r.created_at),
            version: r.version,
            closing_note: r.closing_note,
            closed_at: r.closed_at.map(Timestamp::from_millis),
        })
    }
}

impl TryFrom<CommentRow> for Comment {
    type Error = StorageError;

    fn try_from(r: CommentRow) -> Result<Self, StorageError> {
        let c = |name| col("comments", name);
        Ok(Comment {
            id: c("id").parse(&r.id)?,
            assessment: c("assessment_id").parse(&r.assessment_id)?,
            question: QuestionId(r.question_id),
            author: c("author_id").parse(&r.author_id)?,
            body: r.body,
            created_at: Timestamp::from_millis(r.created_at),
        })
    }
}

impl TryFrom<AssignmentRow> for Assignment {
    type Error = StorageError;

    fn try_from(r: AssignmentRow) -> Result<Self, StorageError> {
        let c = |name| col("assignments", name);
        Ok(Assignment {
            assessment: c("assessment_id").parse(&r.assessment_id)?,
            question: QuestionId(r.question_id),
            organisation: c("organisation_id").parse_opt(r.organisation_id.as_deref())?,
            user: c("user_id").parse_opt(r.user_id.as_deref())?,
        })
    }
}

/// Decode every row, failing on the first that does not decode.
pub(crate) fn all<R, T: TryFrom<R, Error = StorageError>>(
    rows: Vec<R>,
) -> Result<Vec<T>, StorageError> {
    rows.into_iter().map(T::try_from).collect()
}

/// Decode a row if there is one.
pub(crate) fn one<R, T: TryFrom<R, Error = StorageError>>(
    row: Option<R>,
) -> Result<Option<T>, StorageError> {
    row.map(T::try_from).transpose()
}
