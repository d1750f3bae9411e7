//! What an assessment is made of, as the rest of the product reads it: the assessment, its
//! answers and their earlier versions, its moves through the life cycle, the comments and
//! assignments on its questions, and the actions raised from its gaps.

use super::State;
use crate::{
    ActionId, AssessmentId, CommentId, FrameworkVersionId, OrganisationId, PartnershipId,
    QuestionId, ResponseId, ResponseVersionId, Timestamp, TransitionId, UserId,
};
use time::Date;

/// How dates without a time (periods, due dates) are written: `2026-04-01`.
pub const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// A self-assessment of a partnership, or of one of its organisations, for a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub id: AssessmentId,
    pub partnership: PartnershipId,
    /// The member organisation assessed; `None` for the whole partnership.
    pub organisation: Option<OrganisationId>,
    /// The framework version it is answered against.
    pub framework_version: FrameworkVersionId,
    pub title: String,
    pub period_start: Date,
    pub period_end: Date,
    pub state: State,
    /// Who submitted the current submission.
    pub submitted_by: Option<UserId>,
    /// The earlier assessment whose answers it started from.
    pub previous: Option<AssessmentId>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Assessment {
    /// The first day of the period, written `2026-04-01`.
    pub fn start_text(&self) -> String {
        date_text(self.period_start)
    }

    /// The last day of the period, written `2026-04-01`.
    pub fn end_text(&self) -> String {
        date_text(self.period_end)
    }
}

/// A date written as `2026-04-01`.
pub fn date_text(d: Date) -> String {
    // Formatting a calendar date with a fixed description cannot fail; an empty text would
    // only show that it had.
    d.format(DATE_FORMAT).unwrap_or_default()
}

/// A date read from `2026-04-01`, if it is one.
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, DATE_FORMAT).ok()
}

/// The current answer to one question. `version` counts changes from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub id: ResponseId,
    pub assessment: AssessmentId,
    pub question: QuestionId,
    /// The rating as stored: a level key of the question's scale, `n/a` or empty (see
    /// [`super::Rating`]); the levels are the framework's data.
    pub rating: String,
    pub details: String,
    pub version: i64,
    pub updated_by: Option<UserId>,
    pub updated_at: Timestamp,
}

/// An earlier version of an answer, kept whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseVersion {
    pub id: ResponseVersionId,
    pub response: ResponseId,
    pub version: i64,
    pub rating: String,
    pub details: String,
    pub changed_by: Option<UserId>,
    pub changed_at: Timestamp,
}

/// One move of an assessment through its life cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitionRecord {
    pub id: TransitionId,
    pub assessment: AssessmentId,
    pub from: State,
    pub to: State,
    /// Why it was reopened.
    pub reason: Option<String>,
    pub actor: UserId,
    pub at: Timestamp,
}

crate::keyed_enum! {
    /// Where an action in the action plan stands.
    pub enum ActionStatus {
        Open: "open", "Open";
        InProgress: "in-progress", "In progress";
        Closed: "closed", "Closed";
    }
}

impl ActionStatus {
    /// The statuses an action may be given when edited; closing has its own confirmation.
    pub const EDITABLE: [ActionStatus; 2] = [ActionStatus::Open, ActionStatus::InProgress];

    /// Whether the action is still to be done.
    pub fn is_open(self) -> bool {
        self != ActionStatus::Closed
    }
}

/// An action in the partnership's action plan, optionally raised from a gap in an assessment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub id: ActionId,
    pub partnership: PartnershipId,
    pub assessment: Option<AssessmentId>,
    pub question: Option<QuestionId>,
    pub title: String,
    pub owner: UserId,
    pub due: Date,
    pub status: ActionStatus,
    pub created_by: UserId,
    pub created_at: Timestamp,
    /// Starts at 1 and grows with every change, for the stale-edit rule.
    pub version: i64,
    /// Why it was closed, when it was closed with a note.
    pub closing_note: Option<String>,
    pub closed_at: Option<Timestamp>,
}

impl Action {
    /// Whether it is still open after its due date, on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.status.is_open() && self.due < today
    }
}

/// A comment on a question of an assessment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub id: CommentId,
    pub assessment: AssessmentId,
    pub question: QuestionId,
    pub author: UserId,
    pub body: String,
    pub created_at: Timestamp,
}

/// Who answers a question: an organisation, a person, or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub assessment: AssessmentId,
    pub question: QuestionId,
    pub organisation: Option<OrganisationId>,
    pub user: Option<UserId>,
}

/// Everything deciding an edit of one answer needs: the assessment's state and framework
/// version, the answer as it stands, who the question is assigned to, and the editor's
/// organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerContext {
    pub state: State,
    pub framework_version: FrameworkVersionId,
    pub response: Response,
    pub assigned_user: Option<UserId>,
    pub assigned_organisation: Option<OrganisationId>,
    pub user_organisation: OrganisationId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_and_write_the_same_text() {
        let d = parse_date("2026-04-01").expect("a date");
        assert_eq!(date_text(d), "2026-04-01");
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("bogus"), None);
    }
}
