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
        assessment: &str,
        question: &str,
    ) -> Result<bool, ServiceError> {
        let organisation = store::identity::users::get(tx, &grant.user_id().to_string())
            .await?
            .and_then(|u| u.organisation_id.parse().ok());
        let assignment = store::assessment::comments::assignments(tx, assessment)
            .await?
            .into_iter()
            .find(|a| a.question_id == question);
        let facts = AnswerFacts {
            organisation,
            assigned_user: assignment
                .as_ref()
                .and_then(|a| a.user_id.as_deref())
                .and_then(|u| u.parse().ok()),
            assigned_organisation: assignment
                .as_ref()
                .and_then(|a| a.organisation_id.as_deref())
                .and_then(|o| o.parse().ok()),
        };
        Ok(policy::may_answer(grant, &facts))
    }

    /// What deciding whether `user` may edit one answer needs, in one statement.
    pub(crate) async fn answer_context(
        &self,
        pid: &str,
        assessment: &str,
        question: &str,
        user: UserId,
    ) -> Result<Option<preventkit_storage::AnswerContextRow>, ServiceError> {
        Ok(store::assessment::assessments::answer_context(
            self.db(),
            pid,
            assessment,
            question,
            &user.to_string(),
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
            let orgs = store::administration::partnerships::organisations_of(
                &mut tx,
                crate::administration::partnership_key(&pid)?,
            )
            .await?;
            if !orgs.iter().any(|x| &x.id.to_string() == o) {
                errors.add(
                    "organisation_id",
                    "Choose one of the partnership's organisations",
                );
            }
        }
        if let Some(u) = &user {
            let members = store::administration::memberships::members_of(
                &mut tx,
                crate::administration::partnership_key(&pid)?,
            )
            .await?;
            if !members.iter().any(|m| &m.user_id.to_string() == u) {
                errors.add("user_id", "Choose one of the partnership's members");
            }
        }
        errors.into_result()?;
        for q in &questions {
            store::assessment::comments::assign(
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
            AssessmentAction::Assigned,
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
        let rows = store::assessment::comments::assignments(&mut tx, assessment).await?;
        let key = crate::administration::partnership_key(&pid)?;
        let orgs = store::administration::partnerships::organisations_of(&mut tx, key).await?;
        let members = store::administration::memberships::members_of(&mut tx, key).await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|a| {
                let organisation = a
                    .organisation_id
                    .as_ref()
                    .and_then(|o| orgs.iter().find(|x| &x.id.to_string() == o))
                    .map(|x| x.name.clone());
                let person = a
                    .user_id
                    .as_ref()
                    .and_then(|u| members.iter().find(|m| &m.user_id.to_string() == u))
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

    /// The partnership's people as (user id, name), once each, for assigning questions.
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
        for m in rows {
            seen.insert(m.user_id.to_string(), m.display_name);
        }
        Ok(seen.into_iter().collect())
    }
}
