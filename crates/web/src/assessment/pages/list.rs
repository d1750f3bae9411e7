//! The list of assessments and starting a new one.

#[allow(unused_imports)]
use super::*;

pub(crate) async fn list_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    headers: &HeaderMap,
) -> PageResult {
    let pid = pid_of(g)?;
    let rows = state.app.list_assessments(g).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|a| context! { id => a.id, title => a.title, start => a.start_text(), end => a.end_text(), state => a.state.label(), state_key => a.state.key() })
        .collect();
    render_with_flash(
        state,
        id,
        headers,
        "assessment/list.html",
        context! {
            title => "Self-assessments",
            partnership_id => pid.to_string(),
            assessments => items,
            can_manage => can(id, Permission::AssessmentManage, pid),
        },
    )
    .map_err(PageError::from)
}

pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    headers: HeaderMap,
) -> PageResult {
    list_page(&state, &id, &g, &headers).await
}

pub(crate) async fn new_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
    values: Value,
) -> PageResult {
    let pid = pid_of(g)?;
    let frameworks = match id
        .session
        .as_ref()
        .and_then(|s| decide(&s.actor, Permission::FrameworkRead, Scope::Platform).ok())
    {
        Some(fg) => state.app.list_frameworks(&fg).await?,
        None => Vec::new(),
    };
    let mut seen = std::collections::BTreeMap::new();
    for f in frameworks {
        seen.insert(f.key.clone(), f);
    }
    let options: Vec<Value> = seen
        .values()
        .map(|f| context! { value => f.key, text => format!("{} (version {}, {} questions)", f.title, f.version, f.questions) })
        .collect();
    let read = id.session.as_ref().and_then(|s| {
        decide(
            &s.actor,
            Permission::AssessmentRead,
            Scope::Partnership(pid),
        )
        .ok()
    });
    let previous: Vec<Value> = match read {
        Some(r) => state
            .app
            .list_assessments(&r)
            .await?
            .into_iter()
            .map(|a| context! { value => a.id, text => format!("{} ({} to {})", a.title, long_date(a.period_start), long_date(a.period_end)) })
            .collect(),
        None => Vec::new(),
    };
    let organisations: Vec<Value> = state
        .app
        .partnership_organisations(g)
        .await?
        .into_iter()
        .map(|(v, t)| context! { value => v, text => t })
        .collect();
    render(
        state,
        id,
        "assessment/new.html",
        status,
        context! {
            title => "Start a self-assessment",
            organisations => organisations,
            partnership_id => pid.to_string(),
            frameworks => options,
            previous => previous,
            errors => errors.map(|e| form_errors_in(e, &["title", "framework", "organisation_id", "period_start", "period_end", "previous_id"])),
            values => values,
        },
    )
    .map_err(PageError::from)
}

pub async fn new_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
) -> PageResult {
    new_page(
        &state,
        &id,
        &g,
        StatusCode::OK,
        None,
        context! { framework => "prevent-duty-benchmark" },
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    form: Fields,
) -> PageResult {
    let input = NewAssessment {
        title: form.get("title"),
        framework: form.get("framework"),
        period_start: form.date("period_start"),
        period_end: form.date("period_end"),
        previous_id: form.get("previous_id"),
        organisation_id: form.get("organisation_id"),
    };
    match state.app.create_assessment(&g, &input, &id.ctx).await {
        Ok(aid) => {
            let pid = pid_of(&g)?;
            Ok(see_other_with(
                &state.cfg,
                &format!("/p/{pid}/assessments/{aid}"),
                "assessment-created",
            ))
        }
        Err(ServiceError::Validation(e)) => {
            let values = context! {
                title => input.title, framework => input.framework, period_start => input.period_start.parts(),
                period_end => input.period_end.parts(), previous_id => input.previous_id,
                organisation_id => input.organisation_id,
            };
            new_page(
                &state,
                &id,
                &g,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                values,
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
