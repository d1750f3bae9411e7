//! Moving a draft assessment to a newer version of its framework.

use super::*;
use preventkit_domain::actions::AssessmentAction;

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
    pub(crate) async fn newest_framework(
        &self,
        tx: &mut preventkit_storage::Tx,
        key: &str,
    ) -> Result<Option<Arc<StoredFramework>>, ServiceError> {
        let versions = store::framework::versions_of(tx, key).await?;
        match versions.iter().max_by_key(|v| v.version) {
            Some(v) => Ok(Some(self.stored_framework(tx, v.id).await?)),
            None => Ok(None),
        }
    }

    /// If a newer version of this draft assessment's framework is stored, what moving to it
    /// would do. `None` when the assessment is on the newest version or is not a draft.
    pub async fn upgrade_plan(
        &self,
        grant: &Grant,
        id: AssessmentId,
    ) -> Result<Option<UpgradePlan>, ServiceError> {
        let pid = self.assessment_scope(grant, Permission::AssessmentManage)?;
        let mut tx = self.db().read().await?;
        let (assessment, from) = self.assessment_head(&mut tx, pid, id).await?;
        let to = self.newest_framework(&mut tx, &from.key).await?;
        let responses = store::assessment::assessments::responses(&mut tx, id).await?;
        tx.commit().await?;
        Ok(match to {
            Some(to) if to.version > from.version && assessment.state == State::Draft => {
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
        id: AssessmentId,
        to_version: i64,
        ctx: &RequestContext,
    ) -> Result<UpgradePlan, ServiceError> {
        let pid = self.assessment_scope(grant, Permission::AssessmentManage)?;
        let now = now();
        let by = grant.user_id();
        let mut tx = self.db().write().await?;
        let (assessment, from) = self.assessment_head(&mut tx, pid, id).await?;
        if assessment.state != State::Draft {
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
        let responses = store::assessment::assessments::responses(&mut tx, id).await?;
        let plan = plan_upgrade(&from, &to, &responses);
        let by_question: HashMap<&str, &Response> =
            responses.iter().map(|r| (r.question.as_str(), r)).collect();
        for (_, q) in to.questions() {
            match carry(&to, &q.id, by_question.get(q.id.as_str()).copied()) {
                Carry::DetailsOnly(r) => {
                    if !store::assessment::assessments::update_response(
                        &mut tx,
                        r,
                        State::Draft,
                        r.version,
                        "",
                        &r.details,
                        by,
                        now,
                    )
                    .await?
                    {
                        return Err(ServiceError::Busy);
                    }
                }
                Carry::Whole(_) => {}
                Carry::Unanswered => {
                    store::assessment::assessments::insert_response(
                        &mut tx,
                        &Response {
                            id: ResponseId::new(),
                            assessment: id,
                            question: QuestionId(q.id.clone()),
                            rating: String::new(),
                            details: String::new(),
                            version: 1,
                            updated_by: Some(by),
                            updated_at: now,
                        },
                    )
                    .await?;
                }
            }
        }
        if !store::assessment::assessments::set_framework_version(
            &mut tx,
            id,
            from.id,
            to.id,
            State::Draft,
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
            AssessmentAction::Upgraded,
            Subject::Assessment {
                id: id.to_string(),
                partnership: pid.to_string(),
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }
}

/// What moving from `from` to `to` does to these answers.
fn plan_upgrade(from: &StoredFramework, to: &StoredFramework, answers: &[Response]) -> UpgradePlan {
    let by_question: HashMap<&str, &Response> =
        answers.iter().map(|r| (r.question.as_str(), r)).collect();
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
