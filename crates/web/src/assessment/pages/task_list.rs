//! An assessment's task list: progress by section and kind, and the heat map.

#[allow(unused_imports)]
use super::*;

/// Counts of each rating per top-level section, for the heat map.
pub(crate) fn heat_map(view: &AssessmentView) -> (Vec<Value>, Vec<Value>) {
    let f = &view.framework;
    // Columns: the levels of the first scale, then not applicable and not assessed.
    let scale = f.scales.first();
    let mut columns: Vec<(String, String, String)> = scale
        .map(|s| {
            s.levels
                .iter()
                .map(|l| (l.key.clone(), l.label.clone(), l.colour.clone()))
                .collect()
        })
        .unwrap_or_default();
    columns.push(("n/a".into(), "Not applicable".into(), String::new()));
    columns.push((String::new(), "Not assessed".into(), String::new()));
    let head: Vec<Value> = columns
        .iter()
        .map(|(k, l, _)| context! { key => k, label => l })
        .collect();
    let mut rows = Vec::new();
    for s in &f.sections {
        let mut qs = Vec::new();
        fn walk<'a>(
            s: &'a preventkit_services::domain::framework::Section,
            out: &mut Vec<&'a str>,
        ) {
            out.extend(s.questions.iter().map(|q| q.id.as_str()));
            for c in &s.sections {
                walk(c, out);
            }
        }
        walk(s, &mut qs);
        let cells: Vec<Value> = columns
            .iter()
            .enumerate()
            .map(|(i, (key, _, _))| {
                let n = qs
                    .iter()
                    .filter(|q| {
                        view.responses
                            .get(**q)
                            .map(|r| r.rating.as_str())
                            .unwrap_or("")
                            == key
                    })
                    .count();
                context! { count => n, level => i, key => key }
            })
            .collect();
        rows.push(context! { number => s.number, title => s.title, cells => cells });
    }
    (head, rows)
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
    let (heat_head, heat_rows) = heat_map(&view);
    let st = view.assessment.state;
    let assignments = state.app.assignments(&g, aid).await?;
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
    let (org_options, people_options) = if let Some(m) = &manage {
        let orgs = state.app.partnership_organisations(m).await?;
        let people = state.app.partnership_people(m).await?;
        (
            orgs.into_iter()
                .map(|(v, t)| context! { value => v, text => t })
                .collect::<Vec<_>>(),
            people
                .into_iter()
                .map(|(v, t)| context! { value => v, text => t })
                .collect::<Vec<_>>(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let sections: Vec<Value> = view
        .framework
        .sections
        .iter()
        .zip(progress.iter())
        .map(|(s, p)| {
            let questions: Vec<Value> = s
                .questions
                .iter()
                .map(|q| {
                    let rating = view.responses.get(&q.id).map(|r| r.rating.clone()).unwrap_or_default();
                    let label = rating_label(&view, &q.id, &rating);
                    context! {
                        id => q.id, number => q.number, title => q.title,
                        kind => view.framework.kind_label(&q.kind).unwrap_or(&q.kind),
                        rating => label, answered => !rating.is_empty(),
                        assigned => assignments.get(&q.id),
                    }
                })
                .collect();
            context! { id => s.id, number => s.number, title => s.title, outcome => s.outcome, progress => p, questions => questions }
        })
        .collect();
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
            sections => sections,
            heat_head => heat_head,
            heat_rows => heat_rows,
            can_manage => can_manage,
            upgrade_to => upgrade,
            can_approve => can(&id, Permission::AssessmentApprove, pid),
            can_respond => can(&id, Permission::AssessmentRespond, pid),
            org_options => org_options,
            people_options => people_options,
        },
    )
    .map_err(PageError::from)
}
