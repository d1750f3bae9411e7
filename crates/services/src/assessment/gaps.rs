//! Gaps (questions short of the top of their scale) and the actions raised from them.

use super::*;
use preventkit_domain::actions::AssessmentAction;

/// A question not yet at the top of its scale.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Gap {
    pub question_id: String,
    pub number: String,
    pub title: String,
    pub kind: String,
    pub rating: String,
}

/// A new action, as typed.
#[derive(Clone, Debug, Default)]
pub struct NewAction {
    pub assessment_id: String,
    pub question_id: String,
    pub title: String,
    pub owner_id: String,
    pub due_date: DateEntry,
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
    /// Raise an action, usually from a gap in an assessment.
    pub async fn create_action(
        &self,
        grant: &Grant,
        input: &NewAction,
        ctx: &RequestContext,
    ) -> Result<ActionId, ServiceError> {
        let pid = grant.require_partnership(Permission::ActionManage)?;
        let mut errors = ValidationErrors::new();
        let title =
            validate::required_text("title", "what needs doing", &input.title, 300, &mut errors);
        let due = validate::date("due_date", "due date", &input.due_date, true, &mut errors);
        let mut tx = self.db().write().await?;
        let members = store::administration::memberships::members_of(&mut tx, pid).await?;
        if !members
            .iter()
            .any(|m| m.user_id.to_string() == input.owner_id.trim())
        {
            errors.add("owner_id", "Choose an owner from the partnership's members");
        }
        let assessment_text = Some(input.assessment_id.trim()).filter(|s| !s.is_empty());
        let question_id = Some(input.question_id.trim())
            .filter(|s| !s.is_empty())
            .map(QuestionId::from);
        // An assessment id that is not well formed names nothing, like an unknown one.
        let assessment_id = assessment_text
            .map(str::parse::<AssessmentId>)
            .transpose()
            .map_err(|_| ServiceError::NotFound)?;
        if let Some(a) = assessment_id {
            match store::assessment::assessments::get(&mut tx, a, pid).await? {
                None => return Err(ServiceError::NotFound),
                Some(_) => {
                    if let Some(q) = &question_id {
                        if store::assessment::assessments::response(&mut tx, a, q)
                            .await?
                            .is_none()
                        {
                            return Err(ServiceError::NotFound);
                        }
                    }
                }
            }
        }
        errors.into_result()?;
        // The owner was found among the partnership's members and the date was checked.
        let (Ok(owner), Some(due)) = (input.owner_id.trim().parse::<UserId>(), due) else {
            return Err(ServiceError::field(
                "owner_id",
                "Choose an owner from the partnership's members",
            ));
        };
        let id = ActionId::new();
        store::assessment::actions::insert(
            &mut tx,
            &Action {
                id,
                partnership: pid,
                assessment: assessment_id,
                question: question_id,
                title,
                owner,
                due,
                status: ActionStatus::Open,
                created_by: grant.user_id(),
                created_at: now(),
            },
        )
        .await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            AssessmentAction::ActionRaised,
            Subject::Action {
                id: id.to_string(),
                partnership: pid.to_string(),
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
        id: AssessmentId,
    ) -> Result<Vec<Action>, ServiceError> {
        let view = self.assessment(grant, id).await?;
        let mut tx = self.db().read().await?;
        let rows = store::assessment::actions::for_partnership(
            &mut tx,
            view.assessment.partnership,
            Some(id),
        )
        .await?;
        tx.commit().await?;
        Ok(rows)
    }
}
