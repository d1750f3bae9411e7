//! The self-assessment's life cycle and its rules, without storage.
//!
//! An assessment moves draft → submitted → approved → locked. Reopening returns it to draft and
//! needs a reason. Nobody approves an assessment they submitted. Answers change only in draft,
//! and every change names the version of the answer it was based on, so that two people never
//! silently overwrite each other.

mod records;
pub mod summary;

pub use records::{
    date_text, parse_date, Action, ActionStatus, AnswerContext, Assessment, Assignment, Comment,
    Response, ResponseVersion, TransitionRecord, DATE_FORMAT,
};

use crate::UserId;
use serde::{Deserialize, Serialize};

crate::keyed_enum! {
    pub enum State {
        Draft: "draft", "Draft";
        Submitted: "submitted", "Submitted";
        Approved: "approved", "Approved by the board";
        Locked: "locked", "Locked";
    }
}

impl State {
    /// Whether answers, evidence links and comments may change.
    pub fn editable(self) -> bool {
        self == State::Draft
    }

    /// The state as words that follow "is" in a sentence: "is a draft", "is submitted".
    pub fn after_is(self) -> &'static str {
        match self {
            State::Draft => "a draft",
            State::Submitted => "submitted",
            State::Approved => "approved by the board",
            State::Locked => "locked",
        }
    }
}

/// A request to move an assessment on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transition {
    /// Submit a draft for the board's approval. A draft with unanswered questions is submitted
    /// only when the lead has been told and confirms (`unanswered_confirmed`).
    Submit {
        unanswered_confirmed: bool,
    },
    /// The board approves a submitted assessment, optionally naming the minute or meeting.
    Approve {
        reference: Option<String>,
    },
    /// The board sends a submitted assessment back to the lead as a draft, with comments.
    SendBack {
        comments: String,
    },
    Lock,
    Reopen {
        reason: String,
    },
}

/// Why a transition is refused, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransitionError {
    NotAllowedFrom {
        state: State,
        transition: &'static str,
    },
    OwnSubmission,
    ReasonRequired,
    CommentsRequired,
}

impl std::fmt::Display for TransitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransitionError::NotAllowedFrom { state, transition } => {
                write!(
                    f,
                    "An assessment that is {} cannot be {transition}",
                    state.after_is()
                )
            }
            TransitionError::OwnSubmission => f.write_str(
                "You submitted this assessment, so someone else on the board must approve it",
            ),
            TransitionError::ReasonRequired => {
                f.write_str("Give a reason for reopening the assessment")
            }
            TransitionError::CommentsRequired => {
                f.write_str("Say what the lead should change before it comes back")
            }
        }
    }
}

/// The state after `t`, or why not. `submitted_by` is who submitted the current submission.
pub fn next_state(
    state: State,
    t: &Transition,
    actor: UserId,
    submitted_by: Option<UserId>,
) -> Result<State, TransitionError> {
    match (state, t) {
        (State::Draft, Transition::Submit { .. }) => Ok(State::Submitted),
        (State::Submitted, Transition::SendBack { comments }) => {
            if comments.trim().is_empty() {
                Err(TransitionError::CommentsRequired)
            } else {
                Ok(State::Draft)
            }
        }
        (State::Submitted, Transition::Approve { .. }) => {
            if submitted_by == Some(actor) {
                Err(TransitionError::OwnSubmission)
            } else {
                Ok(State::Approved)
            }
        }
        (State::Approved, Transition::Lock) => Ok(State::Locked),
        (State::Submitted | State::Approved | State::Locked, Transition::Reopen { reason }) => {
            if reason.trim().is_empty() {
                Err(TransitionError::ReasonRequired)
            } else {
                Ok(State::Draft)
            }
        }
        (state, t) => Err(TransitionError::NotAllowedFrom {
            state,
            transition: match t {
                Transition::Submit { .. } => "submitted",
                Transition::Approve { .. } => "approved",
                Transition::SendBack { .. } => "sent back",
                Transition::Lock => "locked",
                Transition::Reopen { .. } => "reopened",
            },
        }),
    }
}

/// A rating: a level of the question's scale, or one of the two answers outside the scale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "level", rename_all = "kebab-case")]
pub enum Rating {
    NotAssessed,
    NotApplicable,
    Level(String),
}

impl Rating {
    /// The stored form: a level key, `n/a` or empty.
    pub fn to_stored(&self) -> String {
        match self {
            Rating::NotAssessed => String::new(),
            Rating::NotApplicable => "n/a".into(),
            Rating::Level(k) => k.clone(),
        }
    }
    pub fn from_stored(s: &str) -> Self {
        match s {
            "" => Rating::NotAssessed,
            "n/a" => Rating::NotApplicable,
            k => Rating::Level(k.to_owned()),
        }
    }
}

/// Whether an edit based on `based_on` may replace the stored answer at `current`. An edit
/// based on an older version is refused so its author can see both and choose.
pub fn edit_is_current(current: i64, based_on: i64) -> bool {
    current == based_on
}

/// The version every answer of a new assessment starts at, whether it is blank or carried over
/// from the previous period.
pub const FIRST_VERSION: i64 = 1;

/// Whether an answer has been reviewed this period: someone changed it or confirmed it since
/// the assessment began. An answer carried over from last period is not reviewed until then,
/// so progress counts what people have looked at, not what was copied.
pub fn reviewed_this_period(version: i64) -> bool {
    version > FIRST_VERSION
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_is_a_draft() {
        let e = TransitionError::NotAllowedFrom {
            state: State::Draft,
            transition: "approved",
        };
        assert_eq!(
            e.to_string(),
            "An assessment that is a draft cannot be approved"
        );
        assert_eq!(State::Locked.after_is(), "locked");
    }

    #[test]
    fn the_happy_path() {
        let lead = UserId::new();
        let board = UserId::new();
        let s = next_state(
            State::Draft,
            &Transition::Submit {
                unanswered_confirmed: false,
            },
            lead,
            None,
        )
        .expect("submit");
        let s = next_state(
            s,
            &Transition::Approve { reference: None },
            board,
            Some(lead),
        )
        .expect("approve");
        let s = next_state(s, &Transition::Lock, lead, Some(lead)).expect("lock");
        assert_eq!(s, State::Locked);
        assert!(!s.editable());
    }

    #[test]
    fn nobody_approves_their_own_submission() {
        let lead = UserId::new();
        assert_eq!(
            next_state(
                State::Submitted,
                &Transition::Approve { reference: None },
                lead,
                Some(lead)
            ),
            Err(TransitionError::OwnSubmission)
        );
    }

    #[test]
    fn reopening_needs_a_reason_and_skipping_steps_is_refused() {
        let u = UserId::new();
        assert_eq!(
            next_state(
                State::Locked,
                &Transition::Reopen {
                    reason: "  ".into()
                },
                u,
                None
            ),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(
            next_state(
                State::Locked,
                &Transition::Reopen {
                    reason: "Error found".into()
                },
                u,
                None
            ),
            Ok(State::Draft)
        );
        assert!(next_state(
            State::Draft,
            &Transition::Approve { reference: None },
            u,
            None
        )
        .is_err());
        assert!(next_state(State::Draft, &Transition::Lock, u, None).is_err());
        assert!(next_state(State::Submitted, &Transition::Lock, u, None).is_err());
        assert!(next_state(
            State::Draft,
            &Transition::Reopen { reason: "x".into() },
            u,
            None
        )
        .is_err());
    }

    #[test]
    fn ratings_round_trip_and_stale_edits_are_detected() {
        for r in [
            Rating::NotAssessed,
            Rating::NotApplicable,
            Rating::Level("achieving".into()),
        ] {
            assert_eq!(Rating::from_stored(&r.to_stored()), r);
        }
        assert!(edit_is_current(3, 3));
        assert!(!edit_is_current(4, 3));
    }
}
