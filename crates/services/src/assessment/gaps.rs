//! Gaps (questions short of the top of their scale) and the actions raised from them.

use super::*;
use preventkit_domain::actions::AssessmentAction;

/// A question not yet at the top of its scale, or not yet assessed.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Gap {
    pub question_id: String,
    pub number: String,
    pub title: String,
    /// The kind's label, such as "Expectation of compliance".
    pub kind: String,
    pub rating: String,
    /// The supporting details as saved (empty when there are none).
    pub details: String,
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

/// How many gaps there are of one kind of question.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KindCount {
    pub kind: String,
    pub count: usize,
}

/// The gaps of an assessment, and apart from them the questions nobody has rated yet: a blank
/// question is not known to fall short, so it is never counted as a gap.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct GapList {
    /// Rated below the top of their scale, most urgent first.
    pub gaps: Vec<Gap>,
    /// How many gaps of each kind, in the order the framework declares its kinds.
    pub by_kind: Vec<KindCount>,
    /// No rating yet, in framework order.
    pub not_assessed: Vec<Gap>,
}

/// Sort the questions of `f` into gaps and questions not assessed, given each question's
/// saved rating and details (none when never answered).
pub fn gap_list<'a>(f: &Framework, answer: impl Fn(&str) -> Option<(&'a str, &'a str)>) -> GapList {
    let mut gaps: Vec<(usize, usize, usize, Gap)> = Vec::new();
    let mut not_assessed = Vec::new();
    for (pos, (_, q)) in f.questions().into_iter().enumerate() {
        let Some(scale) = f.scale(&q.scale) else {
            continue;
        };
        let (rating, details) = answer(&q.id).unwrap_or_default();
        let gap = Gap {
            question_id: q.id.clone(),
            number: q.number.clone(),
            title: q.title.clone(),
            kind: f.kind_label(&q.kind).unwrap_or(&q.kind).to_owned(),
            rating: rating.to_owned(),
            details: details.to_owned(),
        };
        let level = match Rating::from_stored(rating) {
            Rating::NotApplicable => continue,
            Rating::NotAssessed => {
                not_assessed.push(gap);
                continue;
            }
            Rating::Level(k) => scale.levels.iter().position(|l| l.key == k),
        };
        // A stored rating the scale no longer has cannot be placed on it: not assessed.
        let Some(level) = level else {
            not_assessed.push(gap);
            continue;
        };
        if level + 1 >= scale.levels.len() {
            continue;
        }
        let kind_order = f
            .envelope
            .kinds
            .iter()
            .position(|k| k.key == q.kind)
            .unwrap_or(usize::MAX);
        gaps.push((kind_order, level, pos, gap));
    }
    gaps.sort_by_key(|(k, l, p, _)| (*k, *l, *p));
    let gaps: Vec<Gap> = gaps.into_iter().map(|(_, _, _, g)| g).collect();
    let mut by_kind: Vec<KindCount> = Vec::new();
    for g in &gaps {
        match by_kind.iter_mut().find(|c| c.kind == g.kind) {
            Some(c) => c.count += 1,
            None => by_kind.push(KindCount {
                kind: g.kind.clone(),
                count: 1,
            }),
        }
    }
    GapList {
        gaps,
        by_kind,
        not_assessed,
    }
}

impl AssessmentView {
    /// Questions rated short of the top level, most urgent first (kinds in the order the
    /// framework declares them, expectations of compliance before good practice in the Prevent
    /// duty framework, then the lowest ratings), and apart from them the questions not assessed.
    pub fn gaps(&self) -> GapList {
        gap_list(&self.framework, |q| {
            self.responses
                .get(q)
                .map(|r| (r.rating.as_str(), r.details.as_str()))
        })
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
                version: 1,
                closing_note: None,
                closed_at: None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use preventkit_domain::framework::parse;

    #[test]
    fn a_blank_question_is_not_assessed_and_never_a_gap() {
        let (name, text) = preventkit_domain::shipped::FRAMEWORKS[2];
        let f = parse(name, text).expect("parse");
        let all = f.questions();
        let (_, first) = all.first().expect("a question");
        let (_, second) = all.get(1).expect("a second question");
        let top = f
            .scale(&first.scale)
            .and_then(|s| s.levels.last())
            .map(|l| l.key.clone())
            .expect("a top level");
        let low = f
            .scale(&second.scale)
            .and_then(|s| s.levels.first())
            .map(|l| l.key.clone())
            .expect("a lowest level");
        let (first_id, second_id) = (first.id.clone(), second.id.clone());
        let list = gap_list(&f, |q| {
            if q == first_id {
                Some((top.as_str(), ""))
            } else if q == second_id {
                Some((low.as_str(), "Only the leaflet is in place"))
            } else {
                None
            }
        });
        // Only the question rated low is a gap; every other question is not assessed.
        assert_eq!(list.gaps.len(), 1, "{:?}", list.gaps);
        let gap = list.gaps.first().expect("the gap");
        assert_eq!(gap.question_id, second_id);
        assert_eq!(gap.details, "Only the leaflet is in place");
        assert_eq!(list.not_assessed.len(), all.len() - 2);
        assert!(list.not_assessed.iter().all(|g| g.rating.is_empty()));
        assert_eq!(
            list.by_kind.iter().map(|k| k.count).sum::<usize>(),
            list.gaps.len()
        );
    }
}
