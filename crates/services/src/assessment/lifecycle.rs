//! An assessment's life: creating one for a period, reading it, and moving it through submission, approval, locking and reopening.

use super::*;
use preventkit_domain::actions::AssessmentAction;

impl App {
    pub(crate) fn assessment_scope(
        &self,
        grant: &Grant,
        p: Permission,
    ) -> Result<String, ServiceError> {
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
        let versions = store::framework::versions_of(&mut tx, input.framework.trim()).await?;
        let Some(fv) = versions.last().cloned() else {
            errors.add("framework", "Choose a framework");
            return Err(ServiceError::Validation(errors));
        };
        let previous = if input.previous_id.trim().is_empty() {
            None
        } else {
            let prev = store::assessment::assessments::get(&mut tx, input.previous_id.trim(), &pid)
                .await?;
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
            let members = store::administration::partnerships::organisations_of(
                &mut tx,
                crate::administration::partnership_key(&pid)?,
            )
            .await?;
            if !members.iter().any(|m| &m.id.to_string() == o) {
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
        store::assessment::assessments::insert(
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
            Some(p) => store::assessment::assessments::responses(&mut tx, &p.id)
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
            for (evidence, question) in store::evidence::links(&mut tx, &p.id).await? {
                if question_ids.contains(&question) {
                    store::evidence::link(&mut tx, &evidence, &id, &question).await?;
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
            AssessmentAction::Created,
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
        let rows = store::assessment::assessments::for_partnership(&mut tx, &pid).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// The partnership of the grant, for reading an assessment (the policy says which
    /// permissions come with reading it).
    pub(crate) fn assessment_reader(&self, grant: &Grant) -> Result<String, ServiceError> {
        Ok(grant
            .require_partnership_read(Permission::AssessmentRead)?
            .to_string())
    }

    /// An assessment row of partnership `pid` and its parsed framework.
    pub(crate) async fn assessment_head(
        &self,
        tx: &mut preventkit_storage::Tx,
        pid: &str,
        id: &str,
    ) -> Result<(AssessmentRow, Arc<StoredFramework>), ServiceError> {
        let row = store::assessment::assessments::get(tx, id, pid)
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
        let responses = store::assessment::assessments::responses(&mut tx, id).await?;
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
        let row = store::assessment::assessments::get(&mut tx, id, &pid)
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
        if !store::assessment::assessments::set_state(
            &mut tx,
            id,
            from.key(),
            to.key(),
            submitter,
            now,
        )
        .await?
        {
            return Err(ServiceError::Conflict(
                "The assessment changed while you were looking at it. Reload and try again".into(),
            ));
        }
        let reason = match t {
            Transition::Reopen { reason } => Some(reason.trim().to_owned()),
            _ => None,
        };
        store::assessment::assessments::insert_transition(
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
            Transition::Submit => AssessmentAction::Submitted,
            Transition::Approve => AssessmentAction::Approved,
            Transition::Lock => AssessmentAction::Locked,
            Transition::Reopen { .. } => AssessmentAction::Reopened,
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
