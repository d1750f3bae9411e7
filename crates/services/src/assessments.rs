//! The partnership self-assessment: creating one for a period, answering its questions with
//! history and stale-edit protection, and moving it through its life cycle.

use crate::answer_writer::{AnswerEdit, EditOutcome};
use crate::audit::{event, new_event, Subject};
use crate::frameworks::StoredFramework;
use crate::{now_ms, App, RequestContext, ServiceError};
use preventkit_domain::assessment::{edit_is_current, next_state, Rating, State, Transition};
use preventkit_domain::audit::Outcome;
use preventkit_domain::framework::Framework;
use preventkit_domain::validate::{self, ValidationErrors};
use preventkit_domain::{Grant, Permission, UserId};
use preventkit_storage::{repo, TransitionRow};
pub use preventkit_storage::{AssessmentRow, ResponseHistoryRow, ResponseRow};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

/// A new assessment, as typed.
#[derive(Clone, Debug, Default)]
pub struct NewAssessment {
    pub title: String,
    /// The framework's id; its newest version is used.
    pub framework: String,
    pub period_start: String,
    pub period_end: String,
    /// Start from this earlier assessment's answers (same partnership).
    pub previous_id: String,
    /// Empty for the whole partnership, or one member organisation's id to assess only it.
    pub organisation_id: String,
}

/// An assessment with its framework and answers.
#[derive(Clone, Debug)]
pub struct AssessmentView {
    pub row: AssessmentRow,
    /// The framework version it is answered against (shared: parsed once per server).
    pub framework: Arc<StoredFramework>,
    pub framework_key: String,
    pub framework_version: i64,
    pub responses: HashMap<String, ResponseRow>,
}

/// Progress on one top-level section: answered of total, by question kind.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SectionProgress {
    pub id: String,
    pub number: String,
    pub title: String,
    pub answered: usize,
    pub total: usize,
    /// (kind label, answered, total)
    pub by_kind: Vec<(String, usize, usize)>,
}

/// A saved answer and the framework it belongs to.
#[derive(Clone, Debug)]
pub struct Answer {
    pub response: ResponseRow,
    pub framework: Arc<StoredFramework>,
}

/// Why `respond` did not save: a stale edit or another error.
enum Refused {
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
    pub current: ResponseRow,
    /// The framework the answer belongs to, to describe its question.
    pub framework: Arc<StoredFramework>,
    pub yours_rating: String,
    pub yours_details: String,
}

impl App {
    fn assessment_scope(&self, grant: &Grant, p: Permission) -> Result<String, ServiceError> {
        Ok(grant.require_partnership(p)?.to_string())
    }

    pub async fn create_assessment(
        &self,
        grant: &Grant,
        input: &NewAssessment,
        ctx: &RequestContext,
    ) -> Result<String, ServiceError> {
        let pid = self.assessment_scope(grant, Permission::AssessmentManage)?;
        let mut errors = ValidationErrors::new();
        let title = validate::required_text("title", "a title", &input.title, 200, &mut errors);
        let start = parse_date("period_start", &input.period_start, &mut errors);
        let end = parse_date("period_end", &input.period_end, &mut errors);
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                errors.add(
                    "period_end",
                    "The end of the period must be on or after its start",
                );
            }
        }
        let mut tx = self.db().write().await?;
        let versions = repo::frameworks::versions_of(&mut tx, input.framework.trim()).await?;
        let Some(fv) = versions.last().cloned() else {
            errors.add("framework", "Choose a framework");
            return Err(ServiceError::Validation(errors));
        };
        let previous = if input.previous_id.trim().is_empty() {
            None
        } else {
            let prev = repo::assessments::get(&mut tx, input.previous_id.trim(), &pid).await?;
            if prev.is_none() {
                errors.add(
                    "previous_id",
                    "Choose an earlier assessment of this partnership",
                );
            }
            prev
        };
        let organisation = Some(input.organisation_id.trim().to_owned()).filter(|o| !o.is_empty());
        if let Some(o) = &organisation {
            let members = repo::partnerships::organisations_of(&mut tx, &pid).await?;
            if !members.iter().any(|m| &m.id == o) {
                errors.add(
                    "organisation_id",
                    "Choose one of the partnership's organisations, or the whole partnership",
                );
            }
        }
        errors.into_result()?;
        let framework = self.stored_framework(&mut tx, &fv.id).await?;
        let now = now_ms();
        let id = uuid::Uuid::new_v4().to_string();
        repo::assessments::insert(
            &mut tx,
            &AssessmentRow {
                id: id.clone(),
                partnership_id: pid.clone(),
                organisation_id: organisation,
                framework_version_id: fv.id.clone(),
                title,
                period_start: input.period_start.trim().to_owned(),
                period_end: input.period_end.trim().to_owned(),
                state: State::Draft.key().to_owned(),
                submitted_by: None,
                previous_id: previous.as_ref().map(|p| p.id.clone()),
                created_by: grant.user_id().to_string(),
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        // Answers carry across question by question where the ids still match.
        let carried: HashMap<String, ResponseRow> = match &previous {
            Some(p) => repo::assessments::responses(&mut tx, &p.id)
                .await?
                .into_iter()
                .map(|r| (r.question_id.clone(), r))
                .collect(),
            None => HashMap::new(),
        };
        if let Some(p) = &previous {
            let question_ids: std::collections::HashSet<String> = framework
                .questions()
                .into_iter()
                .map(|(_, q)| q.id.clone())
                .collect();
            for (evidence, question) in repo::evidence::links(&mut tx, &p.id).await? {
                if question_ids.contains(&question) {
                    repo::evidence::link(&mut tx, &evidence, &id, &question).await?;
                }
            }
        }
        for (_, q) in framework.questions() {
            let (rating, details) = match carry(&framework, &q.id, carried.get(&q.id)) {
                Carry::Whole(r) => (r.rating.clone(), r.details.clone()),
                Carry::DetailsOnly(r) => (String::new(), r.details.clone()),
                Carry::Unanswered => (String::new(), String::new()),
            };
            repo::assessments::insert_response(
                &mut tx,
                &ResponseRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    assessment_id: id.clone(),
                    question_id: q.id.clone(),
                    rating,
                    details,
                    version: 1,
                    updated_by: Some(grant.user_id().to_string()),
                    updated_at: now,
                },
            )
            .await?;
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            "assessment.create",
            Subject::Assessment {
                id: id.clone(),
                partnership: pid,
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn list_assessments(
        &self,
        grant: &Grant,
    ) -> Result<Vec<AssessmentRow>, ServiceError> {
        let pid = self.assessment_scope(grant, Permission::AssessmentRead)?;
        let mut tx = self.db().read().await?;
        let rows = repo::assessments::for_partnership(&mut tx, &pid).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// The partnership of the grant, for reading an assessment. Any assessment permission lets
    /// its holder read the assessment it acts on.
    fn assessment_reader(&self, grant: &Grant) -> Result<String, ServiceError> {
        Ok([
            Permission::AssessmentRead,
            Permission::AssessmentManage,
            Permission::AssessmentRespond,
            Permission::AssessmentApprove,
            Permission::ActionManage,
            Permission::AssessmentComment,
        ]
        .into_iter()
        .find_map(|p| grant.require_partnership(p).ok())
        .ok_or(ServiceError::Denied(
            preventkit_domain::Denial::NotPermitted,
        ))?
        .to_string())
    }

    /// An assessment row of partnership `pid` and its parsed framework.
    async fn assessment_head(
        &self,
        tx: &mut preventkit_storage::Tx,
        pid: &str,
        id: &str,
    ) -> Result<(AssessmentRow, Arc<StoredFramework>), ServiceError> {
        let row = repo::assessments::get(tx, id, pid)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let framework = self.stored_framework(tx, &row.framework_version_id).await?;
        Ok((row, framework))
    }

    /// One assessment of the grant's partnership, with every answer.
    pub async fn assessment(
        &self,
        grant: &Grant,
        id: &str,
    ) -> Result<AssessmentView, ServiceError> {
        let pid = self.assessment_reader(grant)?;
        let mut tx = self.db().read().await?;
        let (row, framework) = self.assessment_head(&mut tx, &pid, id).await?;
        let responses = repo::assessments::responses(&mut tx, id).await?;
        tx.commit().await?;
        Ok(AssessmentView {
            framework_key: framework.key.clone(),
            framework_version: framework.version,
            framework,
            row,
            responses: responses
                .into_iter()
                .map(|r| (r.question_id.clone(), r))
                .collect(),
        })
    }

    /// One answer with its earlier versions (newest first), read in one transaction. The
    /// view holds only that answer.
    pub async fn response_with_history(
        &self,
        grant: &Grant,
        id: &str,
        question: &str,
    ) -> Result<(AssessmentView, Vec<ResponseHistoryRow>), ServiceError> {
        let pid = self.assessment_reader(grant)?;
        let mut tx = self.db().read().await?;
        let (row, framework) = self.assessment_head(&mut tx, &pid, id).await?;
        let response = repo::assessments::response(&mut tx, id, question)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let history = repo::assessments::history(&mut tx, &response.id).await?;
        tx.commit().await?;
        Ok((
            AssessmentView {
                framework_key: framework.key.clone(),
                framework_version: framework.version,
                framework,
                row,
                responses: HashMap::from([(response.question_id.clone(), response)]),
            },
            history,
        ))
    }

    /// Rate one question and write its supporting details. `based_on` is the version of the
    /// answer the user saw; if someone changed it since, nothing is written and both versions
    /// come back. Answers the saved answer.
    ///
    /// Everything that can be checked before writing (the assessment, its state, the
    /// question, the rating, who may answer and the answer's version) is read in one
    /// statement; the write itself goes through the answer writer (group commit, see
    /// `answer_writer`), which applies it only if nothing changed meanwhile.
    #[allow(clippy::too_many_arguments)]
    pub async fn respond(
        &self,
        grant: &Grant,
        id: &str,
        question: &str,
        based_on: i64,
        rating: &str,
        details: &str,
        ctx: &RequestContext,
    ) -> Result<Answer, Result<StaleEdit, ServiceError>> {
        self.respond_checked(grant, id, question, based_on, rating, details, ctx)
            .await
            .map_err(|e| match e {
                Refused::Stale(s) => Ok(*s),
                Refused::Error(e) => Err(e),
            })
    }

    #[allow(clippy::too_many_arguments)]
    async fn respond_checked(
        &self,
        grant: &Grant,
        id: &str,
        question: &str,
        based_on: i64,
        rating: &str,
        details: &str,
        ctx: &RequestContext,
    ) -> Result<Answer, Refused> {
        let pid = self.assessment_scope(grant, Permission::AssessmentRespond)?;
        let user = grant.user_id();
        let by = user.to_string();
        // Everything the checks need, in one statement.
        let found = self
            .answer_context(&pid, id, question, user)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let framework = self.framework_by_id(&found.framework_version_id).await?;
        if framework.question(question).is_none() {
            return Err(ServiceError::NotFound.into());
        }
        if !answer_permitted(&found, user) {
            return Err(ServiceError::Conflict(ASSIGNED_ELSEWHERE.into()).into());
        }
        let state = State::from_key(&found.assessment_state).unwrap_or(State::Locked);
        if !state.editable() {
            return Err(ServiceError::Conflict(format!(
                "This assessment is {} and cannot be changed. Reopen it first",
                state.label().to_lowercase()
            ))
            .into());
        }
        let mut errors = ValidationErrors::new();
        let rating = rating.trim();
        if !rating_is_valid(&framework, question, rating) {
            errors.add("rating", "Choose a rating from the list");
        }
        validate::free_text(
            "details",
            "supporting details",
            details,
            DETAILS_MAX_CHARS,
            &mut errors,
        );
        errors.into_result().map_err(ServiceError::from)?;
        let seen = found.response;
        let stale = |current: ResponseRow, framework: Arc<StoredFramework>| {
            Refused::Stale(Box::new(StaleEdit {
                current,
                framework,
                yours_rating: rating.to_owned(),
                yours_details: details.to_owned(),
            }))
        };
        // Versions only grow, so an edit based on another version than the one just read is
        // stale whatever happens next: refuse it without writing anything.
        if !edit_is_current(seen.version, based_on) {
            return Err(stale(seen, framework));
        }
        let now = now_ms();
        let edit = AnswerEdit {
            seen: seen.clone(),
            rating: rating.to_owned(),
            details: details.to_owned(),
            by: by.clone(),
            now,
            event: new_event(
                Some(user),
                ctx,
                "assessment.respond",
                Subject::Assessment {
                    id: id.to_owned(),
                    partnership: pid.clone(),
                },
                Outcome::Success,
            ),
        };
        // The write is conditional on the version and on the assessment still being a draft.
        // If it lands, the answer it replaced is exactly the one read above (same version),
        // which goes to the history; if not, read again to say why.
        match self.answers().write(edit).await? {
            EditOutcome::Saved => Ok(Answer {
                response: ResponseRow {
                    rating: rating.to_owned(),
                    details: details.to_owned(),
                    version: based_on + 1,
                    updated_by: Some(by),
                    updated_at: now,
                    ..seen
                },
                framework,
            }),
            EditOutcome::NotApplied => {
                let mut tx = self.db().read().await?;
                let current = repo::assessments::response(&mut tx, id, question)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                tx.commit().await?;
                if !edit_is_current(current.version, based_on) {
                    return Err(stale(current, framework));
                }
                Err(ServiceError::Conflict(
                    "This assessment changed state while you were editing. Nothing was saved; reload it"
                        .into(),
                )
                .into())
            }
        }
    }

    /// Earlier versions of one answer, newest first.
    pub async fn response_history(
        &self,
        grant: &Grant,
        id: &str,
        question: &str,
    ) -> Result<Vec<ResponseHistoryRow>, ServiceError> {
        Ok(self.response_with_history(grant, id, question).await?.1)
    }

    /// Move an assessment on: submit, approve, lock or reopen.
    pub async fn transition(
        &self,
        grant: &Grant,
        id: &str,
        t: &Transition,
        ctx: &RequestContext,
    ) -> Result<State, ServiceError> {
        let needed = match t {
            Transition::Approve => Permission::AssessmentApprove,
            _ => Permission::AssessmentManage,
        };
        let pid = self.assessment_scope(grant, needed)?;
        if let Transition::Reopen { reason } = t {
            let mut errors = ValidationErrors::new();
            validate::free_text("reason", "the reason", reason, 2_000, &mut errors);
            errors.into_result()?;
        }
        let now = now_ms();
        let mut tx = self.db().write().await?;
        let row = repo::assessments::get(&mut tx, id, &pid)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let from = State::from_key(&row.state)
            .ok_or_else(|| ServiceError::Internal("unknown assessment state".into()))?;
        let submitted_by = row
            .submitted_by
            .as_deref()
            .and_then(|u| UserId::from_str(u).ok());
        let to = next_state(from, t, grant.user_id(), submitted_by)
            .map_err(|e| ServiceError::Conflict(e.to_string()))?;
        let submitter = match t {
            Transition::Submit => Some(grant.user_id().to_string()),
            Transition::Reopen { .. } => None,
            _ => row.submitted_by.clone(),
        };
        if !repo::assessments::set_state(&mut tx, id, from.key(), to.key(), submitter, now).await? {
            return Err(ServiceError::Conflict(
                "The assessment changed while you were looking at it. Reload and try again".into(),
            ));
        }
        let reason = match t {
            Transition::Reopen { reason } => Some(reason.trim().to_owned()),
            _ => None,
        };
        repo::assessments::insert_transition(
            &mut tx,
            &TransitionRow {
                id: uuid::Uuid::new_v4().to_string(),
                assessment_id: id.to_owned(),
                from_state: from.key().to_owned(),
                to_state: to.key().to_owned(),
                reason,
                actor_id: grant.user_id().to_string(),
                at: now,
            },
        )
        .await?;
        let action = match t {
            Transition::Submit => "assessment.submit",
            Transition::Approve => "assessment.approve",
            Transition::Lock => "assessment.lock",
            Transition::Reopen { .. } => "assessment.reopen",
        };
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            action,
            Subject::Assessment {
                id: id.to_owned(),
                partnership: pid,
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }
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
                let mut kinds: Vec<(String, usize, usize)> = Vec::new();
                for k in &f.envelope.kinds {
                    let of_kind: Vec<_> = qs.iter().filter(|q| q.kind == k.key).collect();
                    if !of_kind.is_empty() {
                        kinds.push((
                            k.label.clone(),
                            of_kind.iter().filter(|q| answered(q)).count(),
                            of_kind.len(),
                        ));
                    }
                }
                SectionProgress {
                    id: s.id.clone(),
                    number: s.number.clone(),
                    title: s.title.clone(),
                    answered: qs.iter().filter(|q| answered(q)).count(),
                    total: qs.len(),
                    by_kind: kinds,
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

/// A stored rating is valid for a question: empty, "n/a" where the scale allows it, or a level.
/// The policy's rule for who answers a question, fed from one [`answer_context`] row: the
/// editor's lead and contributor memberships, organisation and the question's assignment.
///
/// [`answer_context`]: repo::assessments::answer_context
fn answer_permitted(found: &preventkit_storage::AnswerContextRow, user: UserId) -> bool {
    use preventkit_domain::Role;
    let roles: Vec<Role> = [
        found.lead_membership.as_ref().map(|_| Role::PreventLead),
        found
            .contributor_membership
            .as_ref()
            .map(|_| Role::Contributor),
    ]
    .into_iter()
    .flatten()
    .collect();
    preventkit_domain::policy::may_answer(
        &roles,
        user,
        found.user_organisation.parse().ok(),
        found.assigned_user.as_deref().and_then(|u| u.parse().ok()),
        found
            .assigned_organisation
            .as_deref()
            .and_then(|o| o.parse().ok()),
    )
}

/// How an earlier answer carries into a framework version (the next period's, or a newer
/// version of the same framework): question by question where the ids match. The one rule for
/// both, so that nothing typed is dropped: a rating the scale no longer has is cleared, but the
/// supporting details always come across.
enum Carry<'a> {
    /// No earlier answer to this question: it starts unanswered.
    Unanswered,
    /// The rating and the details come across as they are.
    Whole(&'a ResponseRow),
    /// The details come across; the rating is not on this version's scale.
    DetailsOnly(&'a ResponseRow),
}

fn carry<'a>(to: &Framework, question: &str, earlier: Option<&'a ResponseRow>) -> Carry<'a> {
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

fn parse_date(field: &str, value: &str, errors: &mut ValidationErrors) -> Option<time::Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(value.trim(), fmt) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, "Enter a date like 2026-04-01");
            None
        }
    }
}

/// A question not yet at the top of its scale.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Gap {
    pub question_id: String,
    pub number: String,
    pub title: String,
    pub kind: String,
    pub rating: String,
}

/// Periods side by side: oldest first.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub assessments: Vec<AssessmentRow>,
    /// (question number, title, ratings per assessment in column order)
    pub rows: Vec<(String, String, String, Vec<String>)>,
}

/// A new action, as typed.
#[derive(Clone, Debug, Default)]
pub struct NewAction {
    pub assessment_id: String,
    pub question_id: String,
    pub title: String,
    pub owner_id: String,
    pub due_date: String,
}

impl AssessmentView {
    /// Questions short of the top level, most urgent first: kinds in the order the framework
    /// declares them (expectations of compliance before good practice in the Prevent duty
    /// framework), then the lowest ratings, with unanswered questions first.
    pub fn gaps(&self) -> Vec<Gap> {
        let f = &self.framework;
        let mut gaps: Vec<(usize, i64, usize, Gap)> = Vec::new();
        for (pos, (_, q)) in f.questions().into_iter().enumerate() {
            let Some(scale) = f.scale(&q.scale) else {
                continue;
            };
            let rating = self
                .responses
                .get(&q.id)
                .map(|r| r.rating.clone())
                .unwrap_or_default();
            let level = match Rating::from_stored(&rating) {
                Rating::NotApplicable => continue,
                Rating::NotAssessed => -1,
                Rating::Level(k) => scale
                    .levels
                    .iter()
                    .position(|l| l.key == k)
                    .map(|i| i as i64)
                    .unwrap_or(-1),
            };
            if level + 1 >= scale.levels.len() as i64 {
                continue;
            }
            let kind_order = f
                .envelope
                .kinds
                .iter()
                .position(|k| k.key == q.kind)
                .unwrap_or(usize::MAX);
            gaps.push((
                kind_order,
                level,
                pos,
                Gap {
                    question_id: q.id.clone(),
                    number: q.number.clone(),
                    title: q.title.clone(),
                    kind: f.kind_label(&q.kind).unwrap_or(&q.kind).to_owned(),
                    rating,
                },
            ));
        }
        gaps.sort_by_key(|(k, l, p, _)| (*k, *l, *p));
        gaps.into_iter().map(|(_, _, _, g)| g).collect()
    }
}

impl App {
    /// This assessment and up to three earlier periods it was started from, oldest first.
    pub async fn compare(&self, grant: &Grant, id: &str) -> Result<Comparison, ServiceError> {
        let view = self.assessment(grant, id).await?;
        let pid = view.row.partnership_id.clone();
        let mut chain = vec![view.row.clone()];
        let mut answers = vec![view.responses.clone()];
        let mut tx = self.db().read().await?;
        while chain.len() < 4 {
            let Some(prev_id) = chain.last().and_then(|a| a.previous_id.clone()) else {
                break;
            };
            let Some(prev) = repo::assessments::get(&mut tx, &prev_id, &pid).await? else {
                break;
            };
            let responses = repo::assessments::responses(&mut tx, &prev.id).await?;
            answers.push(
                responses
                    .into_iter()
                    .map(|r| (r.question_id.clone(), r))
                    .collect(),
            );
            chain.push(prev);
        }
        tx.commit().await?;
        chain.reverse();
        answers.reverse();
        let rows = view
            .framework
            .questions()
            .into_iter()
            .map(|(_, q)| {
                let ratings = answers
                    .iter()
                    .map(|a| a.get(&q.id).map(|r| r.rating.clone()).unwrap_or_default())
                    .collect();
                (q.id.clone(), q.number.clone(), q.title.clone(), ratings)
            })
            .collect();
        Ok(Comparison {
            assessments: chain,
            rows,
        })
    }

    /// Raise an action, usually from a gap in an assessment.
    pub async fn create_action(
        &self,
        grant: &Grant,
        input: &NewAction,
        ctx: &RequestContext,
    ) -> Result<String, ServiceError> {
        let pid = grant
            .require_partnership(Permission::ActionManage)?
            .to_string();
        let mut errors = ValidationErrors::new();
        let title =
            validate::required_text("title", "what needs doing", &input.title, 300, &mut errors);
        parse_date("due_date", &input.due_date, &mut errors);
        let mut tx = self.db().write().await?;
        let members = repo::memberships::members_of(&mut tx, &pid).await?;
        if !members.iter().any(|m| m.user_id == input.owner_id.trim()) {
            errors.add("owner_id", "Choose an owner from the partnership's members");
        }
        let assessment_id = Some(input.assessment_id.trim().to_owned()).filter(|s| !s.is_empty());
        let question_id = Some(input.question_id.trim().to_owned()).filter(|s| !s.is_empty());
        if let Some(a) = &assessment_id {
            match repo::assessments::get(&mut tx, a, &pid).await? {
                None => return Err(ServiceError::NotFound),
                Some(_) => {
                    if let Some(q) = &question_id {
                        if repo::assessments::response(&mut tx, a, q).await?.is_none() {
                            return Err(ServiceError::NotFound);
                        }
                    }
                }
            }
        }
        errors.into_result()?;
        let id = uuid::Uuid::new_v4().to_string();
        repo::actions::insert(
            &mut tx,
            &preventkit_storage::ActionRow {
                id: id.clone(),
                partnership_id: pid.clone(),
                assessment_id,
                question_id,
                title,
                owner_id: input.owner_id.trim().to_owned(),
                due_date: input.due_date.trim().to_owned(),
                status: "open".into(),
                created_by: grant.user_id().to_string(),
                created_at: now_ms(),
            },
        )
        .await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            "action.create",
            Subject::Action {
                id: id.clone(),
                partnership: pid,
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The actions raised from one assessment, soonest due first.
    pub async fn assessment_actions(
        &self,
        grant: &Grant,
        id: &str,
    ) -> Result<Vec<preventkit_storage::ActionRow>, ServiceError> {
        let view = self.assessment(grant, id).await?;
        let mut tx = self.db().read().await?;
        let rows =
            repo::actions::for_partnership(&mut tx, &view.row.partnership_id, Some(id)).await?;
        tx.commit().await?;
        Ok(rows)
    }
}

impl App {
    fn sheet_rows(
        view: &AssessmentView,
    ) -> HashMap<String, preventkit_reports::assessment_sheet::Row> {
        view.responses
            .values()
            .map(|r| {
                (
                    r.question_id.clone(),
                    preventkit_reports::assessment_sheet::Row {
                        question_id: r.question_id.clone(),
                        number: String::new(),
                        kind: String::new(),
                        question: String::new(),
                        rating: r.rating.clone(),
                        details: r.details.clone(),
                        evidence: Vec::new(),
                    },
                )
            })
            .collect()
    }

    /// Render the assessment with `render` (a spreadsheet or CSV writer).
    async fn export<T>(
        &self,
        grant: &Grant,
        id: &str,
        render: impl FnOnce(&preventkit_reports::assessment_sheet::Sheet<'_>) -> Result<T, String>,
    ) -> Result<T, ServiceError> {
        let view = self.assessment(grant, id).await?;
        let period = format!("{} to {}", view.row.period_start, view.row.period_end);
        let state = State::from_key(&view.row.state)
            .map(|s| s.label())
            .unwrap_or("");
        let sheet = preventkit_reports::assessment_sheet::Sheet {
            assessment_id: &view.row.id,
            title: &view.row.title,
            period: &period,
            state,
            framework: &view.framework,
            framework_version: view.framework_version,
            rows: Self::sheet_rows(&view),
        };
        render(&sheet).map_err(ServiceError::Internal)
    }

    /// The assessment as a spreadsheet laid out like the paper tool.
    pub async fn export_xlsx(&self, grant: &Grant, id: &str) -> Result<Vec<u8>, ServiceError> {
        self.export(grant, id, |s| {
            preventkit_reports::assessment_sheet::to_xlsx(s)
                .map_err(|e| format!("spreadsheet: {e}"))
        })
        .await
    }

    /// The assessment as CSV, with formula-like values neutralised.
    pub async fn export_csv(&self, grant: &Grant, id: &str) -> Result<String, ServiceError> {
        self.export(grant, id, |s| {
            preventkit_reports::assessment_sheet::to_csv(s).map_err(|e| format!("csv: {e}"))
        })
        .await
    }

    /// Bring answers back from a filled-in spreadsheet. Every bad row and column is reported
    /// and nothing changes unless the whole file is good. Answers the number of questions
    /// whose answer changed.
    pub async fn import_xlsx(
        &self,
        grant: &Grant,
        id: &str,
        bytes: &[u8],
        ctx: &RequestContext,
    ) -> Result<usize, ServiceError> {
        let pid = grant
            .require_partnership(Permission::AssessmentRespond)?
            .to_string();
        let view = self.assessment(grant, id).await?;
        let state = State::from_key(&view.row.state).unwrap_or(State::Locked);
        if !state.editable() {
            return Err(ServiceError::Conflict(format!(
                "This assessment is {} and cannot be changed. Reopen it first",
                state.label().to_lowercase()
            )));
        }
        // The assessment and the right to answer in it are checked above, before the file is
        // read. Reading is bounded by the reader's own limits (entries, sizes, cell positions,
        // time) and runs on a blocking thread, so a hostile file cannot hold up other requests.
        let file = bytes.to_vec();
        let framework = Arc::clone(&view.framework);
        let assessment_id = view.row.id.clone();
        let read = tokio::task::spawn_blocking(move || {
            preventkit_reports::assessment_sheet::from_xlsx(&file, &framework, &assessment_id)
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("spreadsheet reader stopped: {e}")))?;
        let answers = read.map_err(|problems| {
            let mut v = ValidationErrors::new();
            for p in problems {
                v.add("file", p.to_string());
            }
            ServiceError::Validation(v)
        })?;
        let mut invalid = ValidationErrors::new();
        for a in &answers {
            let mut e = ValidationErrors::new();
            validate::free_text(
                "file",
                "supporting details",
                &a.details,
                DETAILS_MAX_CHARS,
                &mut e,
            );
            for fe in e.0 {
                invalid.add(
                    "file",
                    format!("Question {}: {}", a.question_id, fe.message),
                );
            }
        }
        invalid.into_result()?;
        let now = now_ms();
        let by = grant.user_id().to_string();
        let mut tx = self.db().write().await?;
        let mut not_yours = ValidationErrors::new();
        for a in &answers {
            let Some(current) = repo::assessments::response(&mut tx, id, &a.question_id).await?
            else {
                continue;
            };
            let differs = current.rating != a.rating || current.details != a.details;
            if differs
                && !self
                    .may_answer(&mut tx, grant, &pid, id, &a.question_id)
                    .await?
            {
                not_yours.add(
                    "file",
                    format!(
                        "Question {} is assigned to another partner: leave its row as exported",
                        a.question_id
                    ),
                );
            }
        }
        if !not_yours.is_empty() {
            tx.rollback().await?;
            return Err(ServiceError::Validation(not_yours));
        }
        let mut changed = 0;
        for a in answers {
            let Some(current) = repo::assessments::response(&mut tx, id, &a.question_id).await?
            else {
                continue;
            };
            if current.rating == a.rating && current.details == a.details {
                continue;
            }
            if !repo::assessments::update_response(
                &mut tx,
                &current,
                State::Draft.key(),
                current.version,
                &a.rating,
                &a.details,
                &by,
                now,
            )
            .await?
            {
                return Err(ServiceError::Conflict(
                    "This assessment changed while the file was read. Nothing was imported; try again"
                        .into(),
                ));
            }
            changed += 1;
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            "assessment.import",
            Subject::Assessment {
                id: id.to_owned(),
                partnership: pid,
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(changed)
    }
}

/// A comment as shown.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CommentView {
    pub author: String,
    pub body: String,
    pub created_at: i64,
}

/// Who answers a question, by name.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct AssignmentView {
    pub organisation: Option<String>,
    pub person: Option<String>,
}

impl App {
    /// Whether the grant's holder may answer this question: the policy's relationship rule,
    /// fed with their roles, their organisation and the question's assignment.
    async fn may_answer(
        &self,
        tx: &mut preventkit_storage::Tx,
        grant: &Grant,
        pid: &str,
        assessment: &str,
        question: &str,
    ) -> Result<bool, ServiceError> {
        let user = grant.user_id();
        let roles: Vec<preventkit_domain::Role> =
            repo::memberships::for_user(tx, &user.to_string())
                .await?
                .into_iter()
                .filter(|m| m.partnership_id == pid)
                .filter_map(|m| preventkit_domain::Role::from_key(&m.role))
                .collect();
        let organisation = repo::users::get(tx, &user.to_string())
            .await?
            .and_then(|u| u.organisation_id.parse().ok());
        let assignment = repo::comments::assignments(tx, assessment)
            .await?
            .into_iter()
            .find(|a| a.question_id == question);
        let (au, ao) = match &assignment {
            Some(a) => (
                a.user_id.as_deref().and_then(|u| u.parse().ok()),
                a.organisation_id.as_deref().and_then(|o| o.parse().ok()),
            ),
            None => (None, None),
        };
        Ok(preventkit_domain::policy::may_answer(
            &roles,
            user,
            organisation,
            au,
            ao,
        ))
    }

    /// What deciding whether `user` may edit one answer needs, in one statement.
    async fn answer_context(
        &self,
        pid: &str,
        assessment: &str,
        question: &str,
        user: UserId,
    ) -> Result<Option<preventkit_storage::AnswerContextRow>, ServiceError> {
        Ok(repo::assessments::answer_context(
            self.db(),
            pid,
            assessment,
            question,
            &user.to_string(),
            (
                preventkit_domain::Role::PreventLead.key(),
                preventkit_domain::Role::Contributor.key(),
            ),
        )
        .await?)
    }

    /// Refuse unless the grant's holder may answer this question.
    pub async fn ensure_may_answer(
        &self,
        grant: &Grant,
        assessment: &str,
        question: &str,
    ) -> Result<(), ServiceError> {
        let pid = grant
            .require_partnership(Permission::AssessmentRespond)?
            .to_string();
        let found = self
            .answer_context(&pid, assessment, question, grant.user_id())
            .await?
            .ok_or(ServiceError::NotFound)?;
        if answer_permitted(&found, grant.user_id()) {
            Ok(())
        } else {
            Err(ServiceError::Conflict(ASSIGNED_ELSEWHERE.into()))
        }
    }

    /// Assign every question of a section (or one question) to an organisation of the
    /// partnership and, optionally, one of its members.
    pub async fn assign(
        &self,
        grant: &Grant,
        assessment: &str,
        target: &str,
        organisation_id: &str,
        user_id: &str,
        ctx: &RequestContext,
    ) -> Result<usize, ServiceError> {
        let pid = grant
            .require_partnership(Permission::AssessmentManage)?
            .to_string();
        let view = self.assessment(grant, assessment).await?;
        let mut questions: Vec<String> = Vec::new();
        fn walk(s: &preventkit_domain::framework::Section, out: &mut Vec<String>) {
            out.extend(s.questions.iter().map(|q| q.id.clone()));
            for c in &s.sections {
                walk(c, out);
            }
        }
        fn find<'a>(
            ss: &'a [preventkit_domain::framework::Section],
            id: &str,
        ) -> Option<&'a preventkit_domain::framework::Section> {
            ss.iter().find_map(|s| {
                if s.id == id {
                    Some(s)
                } else {
                    find(&s.sections, id)
                }
            })
        }
        match find(&view.framework.sections, target.trim()) {
            Some(s) => walk(s, &mut questions),
            None => {
                if view
                    .framework
                    .questions()
                    .iter()
                    .any(|(_, q)| q.id == target.trim())
                {
                    questions.push(target.trim().to_owned());
                } else {
                    return Err(ServiceError::field(
                        "target",
                        "Choose a section or question",
                    ));
                }
            }
        }
        let organisation = Some(organisation_id.trim().to_owned()).filter(|s| !s.is_empty());
        let user = Some(user_id.trim().to_owned()).filter(|s| !s.is_empty());
        let mut errors = ValidationErrors::new();
        let mut tx = self.db().write().await?;
        if organisation.is_none() && user.is_none() {
            errors.add("organisation_id", "Choose an organisation or a person");
        }
        if let Some(o) = &organisation {
            let orgs = repo::partnerships::organisations_of(&mut tx, &pid).await?;
            if !orgs.iter().any(|x| &x.id == o) {
                errors.add(
                    "organisation_id",
                    "Choose one of the partnership's organisations",
                );
            }
        }
        if let Some(u) = &user {
            let members = repo::memberships::members_of(&mut tx, &pid).await?;
            if !members.iter().any(|m| &m.user_id == u) {
                errors.add("user_id", "Choose one of the partnership's members");
            }
        }
        errors.into_result()?;
        for q in &questions {
            repo::comments::assign(
                &mut tx,
                &preventkit_storage::AssignmentRow {
                    assessment_id: assessment.to_owned(),
                    question_id: q.clone(),
                    organisation_id: organisation.clone(),
                    user_id: user.clone(),
                },
            )
            .await?;
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            "assessment.assign",
            Subject::Assessment {
                id: assessment.to_owned(),
                partnership: pid,
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(questions.len())
    }

    /// Who answers each question, by question id.
    pub async fn assignments(
        &self,
        grant: &Grant,
        assessment: &str,
    ) -> Result<HashMap<String, AssignmentView>, ServiceError> {
        let view = self.assessment(grant, assessment).await?;
        let pid = view.row.partnership_id.clone();
        let mut tx = self.db().read().await?;
        let rows = repo::comments::assignments(&mut tx, assessment).await?;
        let orgs = repo::partnerships::organisations_of(&mut tx, &pid).await?;
        let members = repo::memberships::members_of(&mut tx, &pid).await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|a| {
                let organisation = a
                    .organisation_id
                    .as_ref()
                    .and_then(|o| orgs.iter().find(|x| &x.id == o))
                    .map(|x| x.name.clone());
                let person = a
                    .user_id
                    .as_ref()
                    .and_then(|u| members.iter().find(|m| &m.user_id == u))
                    .map(|m| m.display_name.clone());
                (
                    a.question_id,
                    AssignmentView {
                        organisation,
                        person,
                    },
                )
            })
            .collect())
    }

    /// Comment on a question. Comments stay whatever the assessment's state.
    pub async fn add_comment(
        &self,
        grant: &Grant,
        assessment: &str,
        question: &str,
        body: &str,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let pid = grant
            .require_partnership(Permission::AssessmentComment)?
            .to_string();
        let view = self.assessment(grant, assessment).await?;
        if view
            .framework
            .questions()
            .iter()
            .all(|(_, q)| q.id != question)
        {
            return Err(ServiceError::NotFound);
        }
        let mut errors = ValidationErrors::new();
        let body = validate::required_lines(
            "comment",
            "a comment",
            &body.replace('\r', ""),
            5000,
            &mut errors,
        );
        errors.into_result()?;
        let mut tx = self.db().write().await?;
        repo::comments::insert(
            &mut tx,
            &preventkit_storage::CommentRow {
                id: uuid::Uuid::new_v4().to_string(),
                assessment_id: assessment.to_owned(),
                question_id: question.to_owned(),
                author_id: grant.user_id().to_string(),
                body,
                created_at: now_ms(),
            },
        )
        .await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            "assessment.comment",
            Subject::Assessment {
                id: assessment.to_owned(),
                partnership: pid,
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The comments on a question, oldest first.
    pub async fn comments(
        &self,
        grant: &Grant,
        assessment: &str,
        question: &str,
    ) -> Result<Vec<CommentView>, ServiceError> {
        let view = self.assessment(grant, assessment).await?;
        let mut tx = self.db().read().await?;
        let rows = repo::comments::for_question(&mut tx, assessment, question).await?;
        let members = repo::memberships::members_of(&mut tx, &view.row.partnership_id).await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|c| CommentView {
                author: members
                    .iter()
                    .find(|m| m.user_id == c.author_id)
                    .map(|m| m.display_name.clone())
                    .unwrap_or_else(|| "A former member".into()),
                body: c.body,
                created_at: c.created_at,
            })
            .collect())
    }
}

impl App {
    /// The partnership's organisations as (id, name), for assigning questions.
    pub async fn partnership_organisations(
        &self,
        grant: &Grant,
    ) -> Result<Vec<(String, String)>, ServiceError> {
        let pid = grant
            .require_partnership(Permission::AssessmentManage)?
            .to_string();
        let mut tx = self.db().read().await?;
        let rows = repo::partnerships::organisations_of(&mut tx, &pid).await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(|o| (o.id, o.name)).collect())
    }

    /// The partnership's people as (user id, name), once each, for assigning questions.
    pub async fn partnership_people(
        &self,
        grant: &Grant,
    ) -> Result<Vec<(String, String)>, ServiceError> {
        let pid = grant
            .require_partnership(Permission::AssessmentManage)?
            .to_string();
        let mut tx = self.db().read().await?;
        let rows = repo::memberships::members_of(&mut tx, &pid).await?;
        tx.commit().await?;
        let mut seen = std::collections::BTreeMap::new();
        for m in rows {
            seen.insert(m.user_id, m.display_name);
        }
        Ok(seen.into_iter().collect())
    }
}

/// The answers of one assessment read under another framework through the mappings: for
/// each target question (an HMIC capability, say), how many mapped questions sit at each
/// rating.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MappedSummary {
    pub framework_title: String,
    /// Rating labels, in scale order, then "Not applicable" and "Not assessed".
    pub columns: Vec<String>,
    /// (target question title, mapped question numbers, counts per column)
    pub rows: Vec<(String, Vec<String>, Vec<usize>)>,
}

impl App {
    /// The assessment summarised under every framework its questions are mapped to.
    pub async fn mapped_summaries(
        &self,
        grant: &Grant,
        id: &str,
    ) -> Result<Vec<MappedSummary>, ServiceError> {
        let view = self.assessment(grant, id).await?;
        let f = &view.framework;
        let mut targets: Vec<String> = f
            .mappings
            .iter()
            .map(|m| m.target.framework.clone())
            .collect();
        targets.sort();
        targets.dedup();
        let mut tx = self.db().read().await?;
        let stored = repo::frameworks::list(&mut tx).await?;
        tx.commit().await?;
        let scale = f.scales.first();
        let mut columns: Vec<(String, String)> = scale
            .map(|s| {
                s.levels
                    .iter()
                    .map(|l| (l.key.clone(), l.label.clone()))
                    .collect()
            })
            .unwrap_or_default();
        columns.push(("n/a".into(), "Not applicable".into()));
        columns.push((String::new(), "Not assessed".into()));
        let mut out = Vec::new();
        for key in targets {
            let Some(row) = stored
                .iter()
                .filter(|r| r.framework_key == key)
                .max_by_key(|r| r.version)
            else {
                continue;
            };
            let target = self.framework_by_id(&row.id).await?;
            let mut rows = Vec::new();
            for (_, tq) in target.questions() {
                let mapped: Vec<&str> = f
                    .mappings
                    .iter()
                    .filter(|m| m.target.framework == key && m.target.question == tq.id)
                    .map(|m| m.question.as_str())
                    .collect();
                if mapped.is_empty() {
                    continue;
                }
                let counts = columns
                    .iter()
                    .map(|(k, _)| {
                        mapped
                            .iter()
                            .filter(|q| {
                                view.responses
                                    .get(**q)
                                    .map(|r| r.rating.as_str())
                                    .unwrap_or("")
                                    == k
                            })
                            .count()
                    })
                    .collect();
                let numbers = mapped
                    .iter()
                    .filter_map(|q| {
                        f.questions()
                            .into_iter()
                            .find(|(_, x)| x.id == *q)
                            .map(|(_, x)| x.number.clone())
                    })
                    .collect();
                rows.push((tq.title.clone(), numbers, counts));
            }
            out.push(MappedSummary {
                framework_title: target.envelope.title.clone(),
                columns: columns.iter().map(|(_, l)| l.clone()).collect(),
                rows,
            });
        }
        Ok(out)
    }
}

/// What moving a draft assessment to a newer version of its framework does, question by
/// question. Answers carry across where the question id is the same in both versions.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UpgradePlan {
    pub framework_key: String,
    pub from_version: i64,
    pub to_version: i64,
    /// Questions (numbers in the newer version) whose answer carries across unchanged.
    pub carried: Vec<String>,
    /// Questions whose details carry across but whose rating is not on the newer scale, so
    /// the rating is cleared (the old one stays in the answer's history).
    pub rating_cleared: Vec<String>,
    /// Questions new in the newer version; they start unanswered.
    pub added: Vec<String>,
    /// Question ids no longer in the newer version. Their answers are kept in the database
    /// with their history, but no longer shown in this assessment.
    pub retired: Vec<String>,
}

impl App {
    /// The newest stored version of a framework, parsed.
    async fn newest_framework(
        &self,
        tx: &mut preventkit_storage::Tx,
        key: &str,
    ) -> Result<Option<Arc<StoredFramework>>, ServiceError> {
        let versions = repo::frameworks::versions_of(tx, key).await?;
        match versions.iter().max_by_key(|v| v.version) {
            Some(v) => Ok(Some(self.stored_framework(tx, &v.id).await?)),
            None => Ok(None),
        }
    }

    /// If a newer version of this draft assessment's framework is stored, what moving to it
    /// would do. `None` when the assessment is on the newest version or is not a draft.
    pub async fn upgrade_plan(
        &self,
        grant: &Grant,
        id: &str,
    ) -> Result<Option<UpgradePlan>, ServiceError> {
        let pid = self.assessment_scope(grant, Permission::AssessmentManage)?;
        let mut tx = self.db().read().await?;
        let (row, from) = self.assessment_head(&mut tx, &pid, id).await?;
        let to = self.newest_framework(&mut tx, &from.key).await?;
        let responses = repo::assessments::responses(&mut tx, id).await?;
        tx.commit().await?;
        Ok(match to {
            Some(to) if to.version > from.version && row.state == State::Draft.key() => {
                Some(plan_upgrade(&from, &to, &responses))
            }
            _ => None,
        })
    }

    /// Move a draft assessment to the newest version of its framework, carrying answers
    /// across question by question where the ids still match. `to_version` is the version
    /// the user reviewed; if a newer one arrived since, nothing changes and the user is asked
    /// to review again. Nothing is deleted: answers to retired questions stay stored, and a
    /// rating the newer scale does not have goes to the answer's history.
    pub async fn upgrade_assessment(
        &self,
        grant: &Grant,
        id: &str,
        to_version: i64,
        ctx: &RequestContext,
    ) -> Result<UpgradePlan, ServiceError> {
        let pid = self.assessment_scope(grant, Permission::AssessmentManage)?;
        let now = now_ms();
        let by = grant.user_id().to_string();
        let mut tx = self.db().write().await?;
        let (row, from) = self.assessment_head(&mut tx, &pid, id).await?;
        if row.state != State::Draft.key() {
            return Err(ServiceError::Conflict(
                "Only a draft assessment can move to a newer framework version. Reopen it first"
                    .into(),
            ));
        }
        let to = self
            .newest_framework(&mut tx, &from.key)
            .await?
            .filter(|to| to.version > from.version)
            .ok_or_else(|| {
                ServiceError::Conflict(
                    "This assessment already uses the newest version of its framework".into(),
                )
            })?;
        if to.version != to_version {
            return Err(ServiceError::Conflict(format!(
                "Version {} of the framework is now the newest. Nothing changed; review the move again",
                to.version
            )));
        }
        let responses = repo::assessments::responses(&mut tx, id).await?;
        let plan = plan_upgrade(&from, &to, &responses);
        let by_question: HashMap<&str, &ResponseRow> = responses
            .iter()
            .map(|r| (r.question_id.as_str(), r))
            .collect();
        for (_, q) in to.questions() {
            match carry(&to, &q.id, by_question.get(q.id.as_str()).copied()) {
                Carry::DetailsOnly(r) => {
                    if !repo::assessments::update_response(
                        &mut tx,
                        r,
                        State::Draft.key(),
                        r.version,
                        "",
                        &r.details,
                        &by,
                        now,
                    )
                    .await?
                    {
                        return Err(ServiceError::Busy);
                    }
                }
                Carry::Whole(_) => {}
                Carry::Unanswered => {
                    repo::assessments::insert_response(
                        &mut tx,
                        &ResponseRow {
                            id: uuid::Uuid::new_v4().to_string(),
                            assessment_id: id.to_owned(),
                            question_id: q.id.clone(),
                            rating: String::new(),
                            details: String::new(),
                            version: 1,
                            updated_by: Some(by.clone()),
                            updated_at: now,
                        },
                    )
                    .await?;
                }
            }
        }
        if !repo::assessments::set_framework_version(
            &mut tx,
            id,
            &from.id,
            &to.id,
            State::Draft.key(),
            now,
        )
        .await?
        {
            return Err(ServiceError::Busy);
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            "assessment.upgrade",
            Subject::Assessment {
                id: id.to_owned(),
                partnership: pid,
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }
}

/// What moving from `from` to `to` does to these answers.
fn plan_upgrade(
    from: &StoredFramework,
    to: &StoredFramework,
    answers: &[ResponseRow],
) -> UpgradePlan {
    let by_question: HashMap<&str, &ResponseRow> = answers
        .iter()
        .map(|r| (r.question_id.as_str(), r))
        .collect();
    let mut plan = UpgradePlan {
        framework_key: to.key.clone(),
        from_version: from.version,
        to_version: to.version,
        carried: Vec::new(),
        rating_cleared: Vec::new(),
        added: Vec::new(),
        retired: Vec::new(),
    };
    for (_, q) in to.questions() {
        match carry(to, &q.id, by_question.get(q.id.as_str()).copied()) {
            Carry::DetailsOnly(_) => plan.rating_cleared.push(q.number.clone()),
            Carry::Whole(_) => plan.carried.push(q.number.clone()),
            Carry::Unanswered => plan.added.push(q.number.clone()),
        }
    }
    for (_, q) in from.questions() {
        if to.question(&q.id).is_none() {
            plan.retired.push(q.id.clone());
        }
    }
    plan
}
