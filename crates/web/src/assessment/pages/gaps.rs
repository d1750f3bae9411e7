//! Gaps and the actions raised from them.

#[allow(unused_imports)]
use super::*;

pub(crate) async fn gaps_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: AssessmentId,
    status: StatusCode,
    errors: Option<(&str, &ValidationErrors)>,
    headers: &HeaderMap,
) -> PageResult {
    let pid = pid_of(g)?;
    let read = id
        .session
        .as_ref()
        .and_then(|s| {
            decide(
                &s.actor,
                Permission::AssessmentRead,
                Scope::Partnership(pid),
            )
            .ok()
        })
        .unwrap_or_else(|| g.clone());
    let view = state.app.assessment(&read, aid).await?;
    let actions = state.app.assessment_actions(&read, aid).await?;
    let can_act = can(id, Permission::ActionManage, pid);
    let owners: Vec<Value> = if can_act {
        let manage = id.session.as_ref().and_then(|s| {
            decide(
                &s.actor,
                Permission::MembershipRead,
                Scope::Partnership(pid),
            )
            .ok()
        });
        let mut seen = std::collections::BTreeMap::new();
        if let Some(m) = manage {
            for member in state.app.list_members(&m).await? {
                seen.insert(member.user_id, member.display_name.clone());
            }
        }
        seen.into_iter()
            .map(|(v, t)| context! { value => v, text => t })
            .collect()
    } else {
        Vec::new()
    };
    let gaps: Vec<Value> = view
        .gaps()
        .into_iter()
        .map(|gap| {
            let raised: Vec<Value> = actions
                .iter()
                .filter(|a| a.question.as_ref().map(QuestionId::as_str) == Some(gap.question_id.as_str()))
                .map(|a| context! { title => a.title, due => date_text(a.due), status => a.status })
                .collect();
            // Every gap's form is given its errors, none when it was not the one posted.
            let errs = errors
                .filter(|(q, _)| *q == gap.question_id)
                .map_or_else(|| form_errors(&ValidationErrors::new()), |(_, e)| form_errors(e));
            context! {
                id => gap.question_id, number => gap.number, title => gap.title, kind => gap.kind,
                rating => rating_display(&view, &gap.question_id, &gap.rating), actions => raised, errors => errs,
            }
        })
        .collect();
    let ctx = context! {
        title => format!("Gaps: {}", view.assessment.title),
        partnership_id => pid.to_string(),
        assessment => context! { id => view.assessment.id, title => view.assessment.title },
        gaps => gaps,
        owners => owners,
        can_act => can_act,
        // The summary links to the fields of the gap the form was for.
        errors => errors.map(|(q, e)| {
            let mut linked = e.clone();
            for f in &mut linked.0 {
                let prefix = match f.field.as_str() {
                    "owner_id" => "owner",
                    "due_date" => "due",
                    other => other,
                };
                f.field = format!("{prefix}-{q}");
            }
            form_errors(&linked)
        }),
    };
    if status == StatusCode::OK {
        render_with_flash(state, id, headers, "assessment/gaps.html", ctx).map_err(PageError::from)
    } else {
        render(state, id, "assessment/gaps.html", status, ctx).map_err(PageError::from)
    }
}

pub async fn gaps(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    headers: HeaderMap,
) -> PageResult {
    gaps_page(&state, &id, &g, aid, StatusCode::OK, None, &headers).await
}

pub async fn create_action(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let question = form.get("question_id");
    let input = preventkit_services::assessment::NewAction {
        assessment_id: aid.to_string(),
        question_id: question.clone(),
        title: form.get("title"),
        owner_id: form.get("owner_id"),
        due_date: form.date("due_date"),
    };
    match state.app.create_action(&g, &input, &id.ctx).await {
        Ok(_) => {
            let pid = pid_of(&g)?;
            Ok(see_other_with(
                &state.cfg,
                &format!("/p/{pid}/assessments/{aid}/gaps"),
                "action-created",
            ))
        }
        Err(ServiceError::Validation(e)) => {
            gaps_page(
                &state,
                &id,
                &g,
                aid,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((&question, &e)),
                &headers,
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
