//! Moving an assessment on: upgrade, submit, approve, lock and reopen.

#[allow(unused_imports)]
use super::*;

pub(crate) async fn move_on(
    state: AppState,
    id: Identity,
    g: Grant,
    aid: AssessmentId,
    t: Transition,
    flash: &str,
) -> PageResult {
    let pid = pid_of(&g)?;
    match state.app.transition(&g, aid, &t, &id.ctx).await {
        Ok(_) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}"),
            flash,
        )),
        Err(ServiceError::Conflict(m)) => {
            let view = state.app.assessment(&g, aid).await?;
            render(
                &state,
                &id,
                "error.html",
                StatusCode::CONFLICT,
                context! { title => format!("{} could not be changed", view.assessment.title), message => m },
            )
            .map_err(PageError::from)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// What moving this draft to the newest version of its framework would do, for the lead to
/// review before confirming.
pub async fn upgrade_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.assessment(&g, aid).await?;
    let plan = state.app.upgrade_plan(&g, aid).await?;
    render(
        &state,
        &id,
        "assessment/upgrade.html",
        StatusCode::OK,
        context! {
            title => "Move to the newer framework version",
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
            framework_title => view.framework.envelope.title,
            plan => plan,
        },
    )
    .map_err(PageError::from)
}

pub async fn upgrade(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let to_version: i64 = form.get("to_version").trim().parse().unwrap_or(-1);
    match state
        .app
        .upgrade_assessment(&g, aid, to_version, &id.ctx)
        .await
    {
        Ok(_) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}"),
            "assessment-upgraded",
        )),
        Err(ServiceError::Conflict(m)) => render(
            &state,
            &id,
            "error.html",
            StatusCode::CONFLICT,
            context! { title => "The assessment was not moved", message => m },
        )
        .map_err(PageError::from),
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    move_on(
        state,
        id,
        g,
        aid,
        Transition::Submit,
        "assessment-submitted",
    )
    .await
}

pub async fn approve(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    move_on(
        state,
        id,
        g,
        aid,
        Transition::Approve,
        "assessment-approved",
    )
    .await
}

pub async fn lock(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    move_on(state, id, g, aid, Transition::Lock, "assessment-locked").await
}

pub async fn reopen(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    form: Fields,
) -> PageResult {
    let reason = form.get("reason");
    if reason.trim().is_empty() {
        let pid = pid_of(&g)?;
        let e = ValidationErrors::single("reason", "Give a reason for reopening the assessment");
        return render(
            &state,
            &id,
            "assessment/reopen.html",
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { title => "Reopen the assessment", partnership_id => pid.to_string(), assessment_id => aid, errors => form_errors(&e) },
        )
        .map_err(PageError::from);
    }
    move_on(
        state,
        id,
        g,
        aid,
        Transition::Reopen { reason },
        "assessment-reopened",
    )
    .await
}
