//! The partnership self-assessment: creating one for a period, answering its questions with
//! history and stale-edit protection, and moving it through its life cycle.

mod actions;
mod answer_writer;
mod answers;
mod assignment;
mod comments;
mod comparison;
mod gaps;
mod lifecycle;
mod summary;
mod transfer;
mod upgrade;

pub use actions::{ActionEdit, ActionOwner, ActionRefused, StaleAction};
pub use assignment::AssignmentView;
pub use comments::CommentView;
pub use comparison::{
    CapabilityCounts, ComparedQuestion, Comparison, MappedSummary, SectionChanges,
};
pub use gaps::{gap_list, Gap, GapList, KindCount, NewAction};
pub use preventkit_domain::dates::DateEntry;
pub use summary::rating_chart;
pub use transfer::ImportReport;
pub use upgrade::UpgradePlan;

use crate::audit::{event, new_event, Subject};
use crate::framework::StoredFramework;
use crate::{now_ms, App, RequestContext, ServiceError};
pub(crate) use answer_writer::AnswerWriter;
use answer_writer::{AnswerEdit, EditOutcome};
use preventkit_domain::assessment::{
    edit_is_current, next_state, reviewed_this_period, Action, ActionStatus, AnswerContext,
    Assessment, Assignment, Comment, Rating, Response, ResponseVersion, State, Transition,
    TransitionRecord,
};
use preventkit_domain::audit::Outcome;
use preventkit_domain::framework::Framework;
use preventkit_domain::policy::{self, AnswerFacts};
use preventkit_domain::validate::{self, ValidationErrors};
use preventkit_domain::{
    ActionId, AssessmentId, CommentId, Grant, PartnershipId, Permission, QuestionId, ResponseId,
    Timestamp, TransitionId, UserId,
};
use preventkit_storage as store;
use std::collections::HashMap;
use std::sync::Arc;

/// A new assessment, as typed.
#[derive(Clone, Debug, Default)]
pub struct NewAssessment {
    pub title: String,
    /// The framework's id; its newest version is used.
    pub framework: String,
    pub period_start: DateEntry,
    pub period_end: DateEntry,
    /// Start from this earlier assessment's answers (same partnership).
    pub previous_id: String,
    /// Empty for the whole partnership, or one member organisation's id to assess only it.
    pub organisation_id: String,
}

/// An assessment with its framework and answers.
#[derive(Clone, Debug)]
pub struct AssessmentView {
    pub assessment: Assessment,
    /// The framework version it is answered against (shared: parsed once per server).
    pub framework: Arc<StoredFramework>,
    pub framework_key: String,
    pub framework_version: i64,
    /// Answers by question id.
    pub responses: HashMap<String, Response>,
}

/// Progress on one top-level section: answered of total, by question kind.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SectionProgress {
    pub id: String,
    pub number: String,
    pub title: String,
    pub answered: usize,
    /// Answers reviewed this period (changed or confirmed since the assessment began).
    pub reviewed: usize,
    pub total: usize,
    /// (kind label, answered, total)
    pub by_kind: Vec<(String, usize, usize)>,
    /// (kind label, reviewed this period, total)
    pub reviewed_by_kind: Vec<(String, usize, usize)>,
}

/// A saved answer and the framework it belongs to.
#[derive(Clone, Debug)]
pub struct Answer {
    pub response: Response,
    pub framework: Arc<StoredFramework>,
}

/// Why `respond` did not save: a stale edit or another error.
pub(crate) enum Refused {
    Stale(Box<StaleEdit>),
    Error(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for Refused {
    fn from(e: E) -> Self {
        Refused::Error(e.into())
    }
}

/// The longest supporting details an answer may have (the spreadsheet import uses the same).
pub const DETAILS_MAX_CHARS: usize = 20_000;

const ASSIGNED_ELSEWHERE: &str =
    "This question is assigned to another partner. Ask the Prevent lead to assign it to you";

/// Why an edit was refused: someone else changed the answer first. Both versions travel back
/// so nothing typed is lost.
#[derive(Clone, Debug)]
pub struct StaleEdit {
    pub current: Response,
    /// The framework the answer belongs to, to describe its question.
    pub framework: Arc<StoredFramework>,
    pub yours_rating: String,
    pub yours_details: String,
}

impl AssessmentView {
    /// Progress per top-level section (the benchmarks of the Prevent duty framework).
    pub fn progress(&self) -> Vec<SectionProgress> {
        let f = &self.framework;
        f.sections
            .iter()
            .map(|s| {
                let mut qs = Vec::new();
                collect(s, &mut qs);
                let answered = |q: &&preventkit_domain::framework::Question| {
                    self.responses
                        .get(&q.id)
                        .is_some_and(|r| Rating::from_stored(&r.rating) != Rating::NotAssessed)
                };
                let reviewed = |q: &&preventkit_domain::framework::Question| {
                    self.responses
                        .get(&q.id)
                        .is_some_and(|r| reviewed_this_period(r.version))
                };
                let mut kinds: Vec<(String, usize, usize)> = Vec::new();
                let mut reviewed_kinds: Vec<(String, usize, usize)> = Vec::new();
                for k in &f.envelope.kinds {
                    let of_kind: Vec<_> = qs.iter().filter(|q| q.kind == k.key).collect();
                    if !of_kind.is_empty() {
                        kinds.push((
                            k.label.clone(),
                            of_kind.iter().filter(|q| answered(q)).count(),
                            of_kind.len(),
                        ));
                        reviewed_kinds.push((
                            k.label.clone(),
                            of_kind.iter().filter(|q| reviewed(q)).count(),
                            of_kind.len(),
                        ));
                    }
                }
                SectionProgress {
                    id: s.id.clone(),
                    number: s.number.clone(),
                    title: s.title.clone(),
                    answered: qs.iter().filter(|q| answered(q)).count(),
                    reviewed: qs.iter().filter(|q| reviewed(q)).count(),
                    total: qs.len(),
                    by_kind: kinds,
                    reviewed_by_kind: reviewed_kinds,
                }
            })
            .collect()
    }
}

fn collect<'a>(
    s: &'a preventkit_domain::framework::Section,
    out: &mut Vec<&'a preventkit_domain::framework::Question>,
) {
    out.extend(s.questions.iter());
    for c in &s.sections {
        collect(c, out);
    }
}

/// The policy's rule for who answers a question, fed with the facts of one
/// [`answer_context`] read: the editor's organisation and the question's assignment.
///
/// [`answer_context`]: store::assessment::assessments::answer_context
fn answer_permitted(found: &AnswerContext, grant: &Grant) -> bool {
    let facts = AnswerFacts {
        organisation: Some(found.user_organisation),
        assigned_user: found.assigned_user,
        assigned_organisation: found.assigned_organisation,
    };
    policy::may_answer(grant, &facts)
}

/// How an earlier answer carries into a framework version (the next period's, or a newer
/// version of the same framework): question by question where the ids match. The one rule for
/// both, so that nothing typed is dropped: a rating the scale no longer has is cleared, but the
/// supporting details always come across.
enum Carry<'a> {
    /// No earlier answer to this question: it starts unanswered.
    Unanswered,
    /// The rating and the details come across as they are.
    Whole(&'a Response),
    /// The details come across; the rating is not on this version's scale.
    DetailsOnly(&'a Response),
}

fn carry<'a>(to: &Framework, question: &str, earlier: Option<&'a Response>) -> Carry<'a> {
    match earlier {
        None => Carry::Unanswered,
        Some(r) if rating_is_valid(to, question, &r.rating) => Carry::Whole(r),
        Some(r) => Carry::DetailsOnly(r),
    }
}

fn rating_is_valid(f: &Framework, question: &str, rating: &str) -> bool {
    let Some((_, q)) = f.questions().into_iter().find(|(_, q)| q.id == question) else {
        return false;
    };
    let Some(scale) = f.scale(&q.scale) else {
        return false;
    };
    match Rating::from_stored(rating) {
        Rating::NotAssessed => true,
        Rating::NotApplicable => scale.not_applicable.is_some(),
        Rating::Level(k) => scale.levels.iter().any(|l| l.key == k),
    }
}

/// Now, as stored.
fn now() -> Timestamp {
    Timestamp::from_millis(now_ms())
}
