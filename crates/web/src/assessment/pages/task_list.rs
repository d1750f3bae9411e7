//! An assessment's task list (progress first, the questions as tasks, submission last) and the
//! page that says who answers which questions.

#[allow(unused_imports)]
use super::*;
use preventkit_services::domain::assessment::State as AssessmentState;

/// One question as a task: its title links to it; the hint says its kind, who answers it and
/// its rating; the status says whether it was reviewed this period.
fn task(
    view: &AssessmentView,
    pid: PartnershipId,
    q: &preventkit_services::domain::framework::Question,
    assigned: Option<&preventkit_services::assessment::AssignmentView>,
) -> Value {
    let response = view.responses.get(&q.id);
    let rating = response.map(|r| r.rating.clone()).unwrap_or_default();
    let answered = Rating::from_stored(&rating) != Rating::NotAssessed;
    let reviewed = response.is_some_and(|r| reviewed_this_period(r.version));
    let status = if reviewed {
        context! { text => "Reviewed" }
    } else if answered {
        context! { tag => context! { text => "Carried over: to review", classes => "govuk-tag--blue" } }
    } else {
        context! { tag => context! { text => "Not started", classes => "govuk-tag--grey" } }
    };
    let kind = view.framework.kind_label(&q.kind).unwrap_or(&q.kind);
    let who = assigned
        .and_then(|a| a.person.clone().or_else(|| a.organisation.clone()))
        .map(|w| format!("; {w}"))
        .unwrap_or_default();
    let hint = format!(
        "{kind}{who}. Rating: {}",
        rating_label(view, &q.id, &rating)
    );
    context! {
        title => context! { text => format!("{} {}", q.number, q.title) },
        href => format!("/p/{pid}/assessments/{}/questions/{}", view.assessment.id, q.id),
        hint => context! { text => hint },
        status => status,
        classes => "pk-task",
    }
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    headers: HeaderMap,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.assessment(&g, aid).await?;
    let progress = view.progress();
    let st = view.assessment.state;
    let assignments = state.app.assignments(&g, aid).await?;
    let mine = state.app.assigned_to_me(&g, aid).await?;
    let manage = id.session.as_ref().and_then(|s| {
        decide(
            &s.actor,
            Permission::AssessmentManage,
            Scope::Partnership(pid),
        )
        .ok()
    });
    let can_manage = manage.is_some();
    let upgrade = match &manage {
        Some(m) => state.app.upgrade_plan(m, aid).await?.map(|p| p.to_version),
        None => None,
    };
    let questions = view.framework.questions();
    let your_questions: Vec<Value> = questions
        .iter()
        .filter(|(_, q)| mine.contains(&q.id))
        .map(|(_, q)| task(&view, pid, q, assignments.get(&q.id)))
        .collect();
    let sections: Vec<Value> = view
        .framework
        .sections
        .iter()
        .zip(progress.iter())
        .map(|(s, p)| {
            let mut qs = Vec::new();
            fn walk<'a>(
                s: &'a preventkit_services::domain::framework::Section,
                out: &mut Vec<&'a preventkit_services::domain::framework::Question>,
            ) {
                out.extend(s.questions.iter());
                for c in &s.sections {
                    walk(c, out);
                }
            }
            walk(s, &mut qs);
            let items: Vec<Value> = qs
                .into_iter()
                .map(|q| task(&view, pid, q, assignments.get(&q.id)))
                .collect();
            context! { id => s.id, number => s.number, title => s.title, progress => p, items => items }
        })
        .collect();
    let history: Vec<Value> = state
        .app
        .assessment_history(&g, aid)
        .await?
        .into_iter()
        .map(|(t, who)| {
            let what = match (t.from, t.to) {
                (_, AssessmentState::Submitted) => "Submitted",
                (_, AssessmentState::Approved) => "Approved",
                (_, AssessmentState::Locked) => "Locked",
                (AssessmentState::Submitted, AssessmentState::Draft) => "Sent back",
                _ => "Reopened",
            };
            context! { what => what, who => who, at => t.at.millis(), note => t.reason }
        })
        .collect();
    let reviewed: usize = progress.iter().map(|p| p.reviewed).sum();
    let total: usize = progress.iter().map(|p| p.total).sum();
    render_with_flash(
        &state,
        &id,
        &headers,
        "assessment/task-list.html",
        context! {
            title => view.assessment.title,
            partnership_id => pid.to_string(),
            assessment => context! {
                id => view.assessment.id, title => view.assessment.title, start => view.assessment.start_text(),
                end => view.assessment.end_text(), state => st.label(), state_key => st.key(),
            },
            framework => context! { title => view.framework.envelope.title, version => view.framework_version },
            reviewed => reviewed,
            total => total,
            your_questions => your_questions,
            history => history,
            sections => sections,
            can_manage => can_manage,
            upgrade_to => upgrade,
            can_approve => can(&id, Permission::AssessmentApprove, pid),
            can_respond => can(&id, Permission::AssessmentRespond, pid),
        },
    )
    .map_err(PageError::from)
}

/// Who answers what: each section's and question's current assignment, and a form per section
/// offering only the organisations of the partnership and the people who may answer.
pub async fn assign_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.assessment(&g, aid).await?;
    let assignments = state.app.assignments(&g, aid).await?;
    let option = |(v, t): (String, String)| context! { value => v, text => t };
    let org_options: Vec<Value> = state
        .app
        .partnership_organisations(&g)
        .await?
        .into_iter()
        .map(option)
        .collect();
    let people_options: Vec<Value> = state
        .app
        .partnership_people(&g)
        .await?
        .into_iter()
        .map(option)
        .collect();
    let sections: Vec<Value> = view
        .framework
        .sections
        .iter()
        .map(|s| {
            let questions: Vec<Value> = s
                .questions
                .iter()
                .map(|q| {
                    let a = assignments.get(&q.id);
                    context! {
                        id => q.id, number => q.number, title => q.title,
                        organisation => a.and_then(|a| a.organisation.clone()),
                        person => a.and_then(|a| a.person.clone()),
                    }
                })
                .collect();
            context! { id => s.id, number => s.number, title => s.title, questions => questions }
        })
        .collect();
    render(
        &state,
        &id,
        "assessment/assign.html",
        StatusCode::OK,
        context! {
            title => "Who answers which questions",
            partnership_id => pid.to_string(),
            assessment => context! {
                id => view.assessment.id, title => view.assessment.title,
                editable => view.assessment.state.editable(),
            },
            sections => sections,
            org_options => org_options,
            people_options => people_options,
        },
    )
    .map_err(PageError::from)
}
