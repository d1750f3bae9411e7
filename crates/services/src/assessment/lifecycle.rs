//! An assessment's life: creating one for a period, reading it, and moving it through submission, approval, locking and reopening.

use super::*;
use preventkit_domain::actions::AssessmentAction;
use preventkit_domain::submission::{self, SubmissionSummary};

/// What the lead is told when submitting a draft with questions not answered.
pub fn unanswered_message(blank: usize) -> String {
    if blank == 1 {
        "1 question is not answered. Answer it, or confirm that you want to submit it blank".into()
    } else {
        format!("{blank} questions are not answered. Answer them, or confirm that you want to submit them blank")
    }
}

const ORGANISATION_CHOICE: &str =
    "Choose one of the partnership's organisations, or the whole partnership";

impl App {
    pub(crate) fn assessment_scope(
        &self,
        grant: &Grant,
        p: Permission,
    ) -> Result<PartnershipId, ServiceError> {
        Ok(grant.require_partnership(p)?)
    }

    pub async fn create_assessment(
        &self,
        grant: &Grant,
        input: &NewAssessment,
        ctx: &RequestContext,
    ) -> Result<AssessmentId, ServiceError> {
        let pid = self.assessment_scope(grant, Permission::AssessmentManage)?;
        let mut errors = ValidationErrors::new();
        let title = validate::required_text("title", "a title", &input.title, 200, &mut errors);
        let start = validate::date(
            "period_start",
            "start of the period",
            &input.period_start,
            true,
            &mut errors,
        );
        let end = validate::date(
            "period_end",
            "end of the period",
            &input.period_end,
            true,
            &mut errors,
        );
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                errors.add(
                    "period_end",
                    "The end of the period must be on or after its start",
                );
            }
        }
        let mut tx = self.db().write().await?;
        let versions = store::framework::versions_of(&mut tx, input.framework.trim()).await?;
        let Some(fv) = versions.last().cloned() else {
            errors.add("framework", "Choose a framework");
            return Err(ServiceError::Validation(errors));
        };
        let previous = if input.previous_id.trim().is_empty() {
            None
        } else {
            // An id that is not well formed names no assessment, like an unknown one.
            let prev = match input.previous_id.trim().parse::<AssessmentId>() {
                Ok(prev_id) => store::assessment::assessments::get(&mut tx, prev_id, pid).await?,
                Err(_) => None,
            };
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
            let members =
                store::administration::partnerships::organisations_of(&mut tx, pid).await?;
            if !members.iter().any(|m| m.id.to_string() == *o) {
                errors.add("organisation_id", ORGANISATION_CHOICE);
            }
        }
        errors.into_result()?;
        let organisation = match organisation.as_deref().map(str::parse).transpose() {
            Ok(o) => o,
            Err(_) => return Err(ServiceError::field("organisation_id", ORGANISATION_CHOICE)),
        };
        let (Some(period_start), Some(period_end)) = (start, end) else {
            return Err(ServiceError::Internal(
                "a checked period went missing".into(),
            ));
        };
        let framework = self.stored_framework(&mut tx, fv.id).await?;
        let now = now();
        let id = AssessmentId::new();
        store::assessment::assessments::insert(
            &mut tx,
            &Assessment {
                id,
                partnership: pid,
                organisation,
                framework_version: fv.id,
                title,
                period_start,
                period_end,
                state: State::Draft,
                submitted_by: None,
                previous: previous.as_ref().map(|p| p.id),
                created_by: grant.user_id(),
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        // Answers carry across question by question where the ids still match.
        let carried: HashMap<String, Response> = match &previous {
            Some(p) => store::assessment::assessments::responses(&mut tx, p.id)
                .await?
                .into_iter()
                .map(|r| (r.question.0.clone(), r))
                .collect(),
            None => HashMap::new(),
        };
        if let Some(p) = &previous {
            let question_ids: std::collections::HashSet<String> = framework
                .questions()
                .into_iter()
                .map(|(_, q)| q.id.clone())
                .collect();
            for (evidence, question) in store::evidence::links(&mut tx, &p.id.to_string()).await? {
                if question_ids.contains(&question) {
                    store::evidence::link(&mut tx, &evidence, &id.to_string(), &question).await?;
                }
            }
        }
        for (_, q) in framework.questions() {
            let (rating, details) = match carry(&framework, &q.id, carried.get(&q.id)) {
                Carry::Whole(r) => (r.rating.clone(), r.details.clone()),
                Carry::DetailsOnly(r) => (String::new(), r.details.clone()),
                Carry::Unanswered => (String::new(), String::new()),
            };
            store::assessment::assessments::insert_response(
                &mut tx,
                &Response {
                    id: ResponseId::new(),
                    assessment: id,
                    question: QuestionId(q.id.clone()),
                    rating,
                    details,
                    version: 1,
                    updated_by: Some(grant.user_id()),
                    updated_at: now,
                },
            )
            .await?;
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            AssessmentAction::Created,
            Subject::Assessment {
                id: id.to_string(),
                partnership: pid.to_string(),
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn list_assessments(&self, grant: &Grant) -> Result<Vec<Assessment>, ServiceError> {
        let pid = self.assessment_scope(grant, Permission::AssessmentRead)?;
        let mut tx = self.db().read().await?;
        let rows = store::assessment::assessments::for_partnership(&mut tx, pid).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// The partnership of the grant, for reading an assessment (the policy says which
    /// permissions come with reading it).
    pub(crate) fn assessment_reader(&self, grant: &Grant) -> Result<PartnershipId, ServiceError> {
        Ok(grant.require_partnership_read(Permission::AssessmentRead)?)
    }

    /// An assessment of partnership `pid` and its parsed framework.
    pub(crate) async fn assessment_head(
        &self,
        tx: &mut preventkit_storage::Tx,
        pid: PartnershipId,
        id: AssessmentId,
    ) -> Result<(Assessment, Arc<StoredFramework>), ServiceError> {
        let assessment = store::assessment::assessments::get(tx, id, pid)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let framework = self
            .stored_framework(tx, assessment.framework_version)
            .await?;
        Ok((assessment, framework))
    }

    /// One assessment of the grant's partnership, with every answer.
    pub async fn assessment(
        &self,
        grant: &Grant,
        id: AssessmentId,
    ) -> Result<AssessmentView, ServiceError> {
        let pid = self.assessment_reader(grant)?;
        let mut tx = self.db().read().await?;
        let (assessment, framework) = self.assessment_head(&mut tx, pid, id).await?;
        let responses = store::assessment::assessments::responses(&mut tx, id).await?;
        tx.commit().await?;
        Ok(AssessmentView {
            framework_key: framework.key.clone(),
            framework_version: framework.version,
            framework,
            assessment,
            responses: responses
                .into_iter()
                .map(|r| (r.question.0.clone(), r))
                .collect(),
        })
    }

    /// What the lead checks before submitting, and the board before approving: counts by
    /// rating and by kind, the first kind's questions below the top of their scale, and the
    /// questions not answered, not reviewed this period or without supporting details.
    pub async fn submission_summary(
        &self,
        grant: &Grant,
        id: AssessmentId,
    ) -> Result<(AssessmentView, SubmissionSummary), ServiceError> {
        let view = self.assessment(grant, id).await?;
        let answers: HashMap<String, submission::AnswerFacts> = view
            .responses
            .iter()
            .map(|(q, r)| {
                (
                    q.clone(),
                    submission::AnswerFacts {
                        rating: r.rating.clone(),
                        details: r.details.clone(),
                        version: r.version,
                    },
                )
            })
            .collect();
        let summary = submission::summarise(&view.framework, &answers);
        Ok((view, summary))
    }

    /// How the assessment moved through its life, oldest first: each step with who took it
    /// (by name, while they are a member) and its reason, reference or comments.
    pub async fn assessment_history(
        &self,
        grant: &Grant,
        id: AssessmentId,
    ) -> Result<Vec<(TransitionRecord, Option<String>)>, ServiceError> {
        let pid = self.assessment_reader(grant)?;
        let mut tx = self.db().read().await?;
        self.assessment_head(&mut tx, pid, id).await?;
        let steps = store::assessment::assessments::transitions(&mut tx, id).await?;
        let members = store::administration::memberships::members_of(
            &mut tx,
            crate::administration::partnership_key(&pid.to_string())?,
        )
        .await?;
        tx.commit().await?;
        Ok(steps
            .into_iter()
            .map(|t| {
                let name = members
                    .iter()
                    .find(|m| m.user_id == t.actor)
                    .map(|m| m.display_name.clone());
                (t, name)
            })
            .collect())
    }

    /// Move an assessment on: submit, approve, lock or reopen.
    pub async fn transition(
        &self,
        grant: &Grant,
        id: AssessmentId,
        t: &Transition,
        ctx: &RequestContext,
    ) -> Result<State, ServiceError> {
        let needed = match t {
            Transition::Approve { .. } | Transition::SendBack { .. } => {
                Permission::AssessmentApprove
            }
            _ => Permission::AssessmentManage,
        };
        let pid = self.assessment_scope(grant, needed)?;
        let mut errors = ValidationErrors::new();
        match t {
            Transition::Reopen { reason } => {
                validate::free_text("reason", "the reason", reason, 2_000, &mut errors);
            }
            Transition::SendBack { comments } => {
                if comments.trim().is_empty() {
                    errors.add(
                        "comments",
                        "Say what the lead should change before it comes back",
                    );
                }
                validate::free_text("comments", "the comments", comments, 5_000, &mut errors);
            }
            Transition::Approve {
                reference: Some(reference),
            } => {
                validate::free_text("reference", "the reference", reference, 200, &mut errors);
            }
            _ => {}
        }
        errors.into_result()?;
        let now = now();
        let mut tx = self.db().write().await?;
        let assessment = store::assessment::assessments::get(&mut tx, id, pid)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let from = assessment.state;
        if let (
            State::Draft,
            Transition::Submit {
                unanswered_confirmed: false,
            },
        ) = (from, t)
        {
            // A blank question goes to the board only once the lead has been told so plainly
            // and confirms.
            let framework = self
                .stored_framework(&mut tx, assessment.framework_version)
                .await?;
            let answered: std::collections::HashSet<String> =
                store::assessment::assessments::responses(&mut tx, id)
                    .await?
                    .into_iter()
                    .filter(|r| Rating::from_stored(&r.rating) != Rating::NotAssessed)
                    .map(|r| r.question.0)
                    .collect();
            let blank = framework
                .questions()
                .into_iter()
                .filter(|(_, q)| !answered.contains(&q.id))
                .count();
            if blank > 0 {
                return Err(ServiceError::field(
                    "confirm_unanswered",
                    unanswered_message(blank),
                ));
            }
        }
        let to = next_state(from, t, grant.user_id(), assessment.submitted_by)
            .map_err(|e| ServiceError::Conflict(e.to_string()))?;
        let submitter: Option<UserId> = match t {
            Transition::Submit { .. } => Some(grant.user_id()),
            Transition::Reopen { .. } | Transition::SendBack { .. } => None,
            _ => assessment.submitted_by,
        };
        if !store::assessment::assessments::set_state(&mut tx, id, from, to, submitter, now).await?
        {
            return Err(ServiceError::Conflict(
                "The assessment changed while you were looking at it. Reload and try again".into(),
            ));
        }
        let reason = match t {
            Transition::Reopen { reason } => Some(reason.trim().to_owned()),
            Transition::SendBack { comments } => Some(comments.trim().to_owned()),
            Transition::Approve { reference } => reference
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
            _ => None,
        };
        store::assessment::assessments::insert_transition(
            &mut tx,
            &TransitionRecord {
                id: TransitionId::new(),
                assessment: id,
                from,
                to,
                reason,
                actor: grant.user_id(),
                at: now,
            },
        )
        .await?;
        let action = match t {
            Transition::Submit { .. } => AssessmentAction::Submitted,
            Transition::Approve { .. } => AssessmentAction::Approved,
            Transition::SendBack { .. } => AssessmentAction::SentBack,
            Transition::Lock => AssessmentAction::Locked,
            Transition::Reopen { .. } => AssessmentAction::Reopened,
        };
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            action,
            Subject::Assessment {
                id: id.to_string(),
                partnership: pid.to_string(),
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }
}
