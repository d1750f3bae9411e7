//! Who answers which question: assignment to organisations and people, and the check behind it.

use super::*;
use preventkit_domain::actions::AssessmentAction;

/// Who answers a question, by name.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct AssignmentView {
    pub organisation: Option<String>,
    pub person: Option<String>,
}

impl App {
    /// Whether the grant's holder may answer this question: the policy's relationship rule,
    /// fed with their roles, their organisation and the question's assignment.
    pub(crate) async fn may_answer(
        &self,
        tx: &mut preventkit_storage::Tx,
        grant: &Grant,
        assessment: AssessmentId,
        question: &QuestionId,
    ) -> Result<bool, ServiceError> {
        let organisation = store::identity::users::get(tx, &grant.user_id().to_string())
            .await?
            .map(|u| u.organisation_id);
        let assignment = store::assessment::comments::assignments(tx, assessment)
            .await?
            .into_iter()
            .find(|a| &a.question == question);
        let facts = AnswerFacts {
            organisation,
            assigned_user: assignment.as_ref().and_then(|a| a.user),
            assigned_organisation: assignment.as_ref().and_then(|a| a.organisation),
        };
        Ok(policy::may_answer(grant, &facts))
    }

    /// The questions of an assessment assigned to the grant's holder, by name or through their
    /// organisation: a contributor's "your questions".
    pub async fn assigned_to_me(
        &self,
        grant: &Grant,
        assessment: AssessmentId,
    ) -> Result<std::collections::HashSet<String>, ServiceError> {
        let pid = self.assessment_reader(grant)?;
        let mut tx = self.db().read().await?;
        // Only an assessment of the grant's partnership.
        self.assessment_head(&mut tx, pid, assessment).await?;
        let organisation = store::identity::users::get(&mut tx, &grant.user_id().to_string())
            .await?
            .map(|u| u.organisation_id);
        let assignments = store::assessment::comments::assignments(&mut tx, assessment).await?;
        tx.commit().await?;
        Ok(assignments
            .into_iter()
            .filter(|a| {
                policy::is_assigned_to(
                    grant,
                    &AnswerFacts {
                        organisation,
                        assigned_user: a.user,
                        assigned_organisation: a.organisation,
                    },
                )
            })
            .map(|a| a.question.0)
            .collect())
    }

    /// What deciding whether `user` may edit one answer needs, in one statement.
    pub(crate) async fn answer_context(
        &self,
        pid: PartnershipId,
        assessment: AssessmentId,
        question: &QuestionId,
        user: UserId,
    ) -> Result<Option<AnswerContext>, ServiceError> {
        Ok(store::assessment::assessments::answer_context(
            self.db(),
            pid,
            assessment,
            question,
            user,
        )
        .await?)
    }

    /// Refuse unless the grant's holder may answer this question.
    pub async fn ensure_may_answer(
        &self,
        grant: &Grant,
        assessment: AssessmentId,
        question: &QuestionId,
    ) -> Result<(), ServiceError> {
        let pid = grant.require_partnership(Permission::AssessmentRespond)?;
        let found = self
            .answer_context(pid, assessment, question, grant.user_id())
            .await?
            .ok_or(ServiceError::NotFound)?;
        if answer_permitted(&found, grant) {
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
        assessment: AssessmentId,
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
        let organisation_text = Some(organisation_id.trim().to_owned()).filter(|s| !s.is_empty());
        let user_text = Some(user_id.trim().to_owned()).filter(|s| !s.is_empty());
        let mut errors = ValidationErrors::new();
        let mut tx = self.db().write().await?;
        if organisation_text.is_none() && user_text.is_none() {
            errors.add("organisation_id", "Choose an organisation or a person");
        }
        if let Some(o) = &organisation_text {
            let key = crate::administration::partnership_key(&pid)?;
            let orgs = store::administration::partnerships::organisations_of(&mut tx, key).await?;
            if !orgs.iter().any(|x| x.id.to_string() == *o) {
                errors.add(
                    "organisation_id",
                    "Choose one of the partnership's organisations",
                );
            }
        }
        if let Some(u) = &user_text {
            let key = crate::administration::partnership_key(&pid)?;
            let members = store::administration::memberships::members_of(&mut tx, key).await?;
            if !members.iter().any(|m| {
                m.user_id.to_string() == *u
                    && m.disabled_at.is_none()
                    && policy::may_be_assigned_questions(m.role)
            }) {
                errors.add(
                    "user_id",
                    "Choose one of the partnership's members who answer questions",
                );
            }
        }
        errors.into_result()?;
        // Both were found among the partnership's own, so they are well formed.
        let organisation = organisation_text
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|_| {
                ServiceError::field(
                    "organisation_id",
                    "Choose one of the partnership's organisations",
                )
            })?;
        let user = user_text
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|_| {
                ServiceError::field("user_id", "Choose one of the partnership's members")
            })?;
        for q in &questions {
            store::assessment::comments::assign(
                &mut tx,
                &Assignment {
                    assessment,
                    question: QuestionId(q.clone()),
                    organisation,
                    user,
                },
            )
            .await?;
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            AssessmentAction::Assigned,
            Subject::Assessment {
                id: assessment.to_string(),
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
        assessment: AssessmentId,
    ) -> Result<HashMap<String, AssignmentView>, ServiceError> {
        let view = self.assessment(grant, assessment).await?;
        let pid = view.assessment.partnership.to_string();
        let mut tx = self.db().read().await?;
        let rows = store::assessment::comments::assignments(&mut tx, assessment).await?;
        let key = crate::administration::partnership_key(&pid)?;
        let orgs = store::administration::partnerships::organisations_of(&mut tx, key).await?;
        let members = store::administration::memberships::members_of(&mut tx, key).await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|a| {
                let organisation = a
                    .organisation
                    .and_then(|o| orgs.iter().find(|x| x.id == o))
                    .map(|x| x.name.clone());
                let person = a
                    .user
                    .and_then(|u| members.iter().find(|m| m.user_id == u))
                    .map(|m| m.display_name.clone());
                (
                    a.question.0,
                    AssignmentView {
                        organisation,
                        person,
                    },
                )
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
        let rows = store::administration::partnerships::organisations_of(
            &mut tx,
            crate::administration::partnership_key(&pid)?,
        )
        .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|o| (o.id.to_string(), o.name))
            .collect())
    }

    /// The partnership's people a question can be assigned to (those who answer questions and
    /// are not disabled) as (user id, name), once each.
    pub async fn partnership_people(
        &self,
        grant: &Grant,
    ) -> Result<Vec<(String, String)>, ServiceError> {
        let pid = grant
            .require_partnership(Permission::AssessmentManage)?
            .to_string();
        let mut tx = self.db().read().await?;
        let rows = store::administration::memberships::members_of(
            &mut tx,
            crate::administration::partnership_key(&pid)?,
        )
        .await?;
        tx.commit().await?;
        let mut seen = std::collections::BTreeMap::new();
        // Only people who may answer a question they are given.
        for m in rows
            .into_iter()
            .filter(|m| m.disabled_at.is_none() && policy::may_be_assigned_questions(m.role))
        {
            seen.insert(m.user_id.to_string(), m.display_name);
        }
        Ok(seen.into_iter().collect())
    }
}
