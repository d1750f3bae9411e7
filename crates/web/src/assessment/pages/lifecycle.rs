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
            conflict_page(
                &state,
                &id,
                format!("{} could not be changed", view.assessment.title),
                m,
            )
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
        Err(ServiceError::Conflict(m)) => {
            conflict_page(&state, &id, "The assessment was not moved", m)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// Check your answers: what the board will see, the questions not answered, reviewed or
/// explained, and the declaration, before a draft is submitted.
pub async fn submit_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    submit_page(
        &state,
        &id,
        &g,
        aid,
        StatusCode::OK,
        &ValidationErrors::new(),
    )
    .await
}

async fn submit_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: AssessmentId,
    status: StatusCode,
    errors: &ValidationErrors,
) -> PageResult {
    let pid = pid_of(g)?;
    let (view, summary) = state.app.submission_summary(g, aid).await?;
    if !view.assessment.state.editable() {
        // Only a draft is submitted; anything else goes back to its page, which says where it
        // stands.
        return Ok(crate::pages::see_other(&format!(
            "/p/{pid}/assessments/{aid}"
        )));
    }
    render(
        state,
        id,
        "assessment/submit.html",
        status,
        context! {
            title => "Check your answers before submitting to the board",
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
            summary => summary,
            errors => form_errors(errors),
        },
    )
    .map_err(PageError::from)
}

pub async fn submit(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let t = Transition::Submit {
        unanswered_confirmed: form.get("confirm_unanswered") == "yes",
    };
    match state.app.transition(&g, aid, &t, &id.ctx).await {
        Ok(_) => Ok(crate::pages::see_other(&format!(
            "/p/{pid}/assessments/{aid}/submitted"
        ))),
        Err(ServiceError::Validation(e)) => {
            submit_page(&state, &id, &g, aid, StatusCode::UNPROCESSABLE_ENTITY, &e).await
        }
        Err(ServiceError::Conflict(m)) => {
            conflict_page(&state, &id, "The assessment could not be submitted", m)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// The confirmation after submitting: what happens next.
pub async fn submitted(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.assessment(&g, aid).await?;
    render(
        &state,
        &id,
        "assessment/submitted.html",
        StatusCode::OK,
        context! {
            title => "Self-assessment submitted",
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
        },
    )
    .map_err(PageError::from)
}

/// The board's decision: what is being approved (the same summary as "check your answers"),
/// then approve with the minute or meeting reference, or send it back to the lead with
/// comments.
pub async fn approve_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    approve_page(
        &state,
        &id,
        &g,
        aid,
        StatusCode::OK,
        &ValidationErrors::new(),
        &Fields(Vec::new()),
    )
    .await
}

async fn approve_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: AssessmentId,
    status: StatusCode,
    errors: &ValidationErrors,
    form: &Fields,
) -> PageResult {
    let pid = pid_of(g)?;
    let (view, summary) = state.app.submission_summary(g, aid).await?;
    if view.assessment.state != preventkit_services::domain::assessment::State::Submitted {
        return Ok(crate::pages::see_other(&format!(
            "/p/{pid}/assessments/{aid}"
        )));
    }
    render(
        state,
        id,
        "assessment/approve.html",
        status,
        context! {
            title => "Approve or send back",
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
            summary => summary,
            errors => form_errors(errors),
            values => context! {
                decision => form.get("decision"),
                reference => form.get("reference"),
                comments => form.get("comments"),
            },
        },
    )
    .map_err(PageError::from)
}

pub async fn approve(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    form: Fields,
) -> PageResult {
    let (t, flash) = match form.get("decision").as_str() {
        "approve" => {
            let reference = form.get("reference");
            if reference.trim().is_empty() {
                let e = ValidationErrors::single(
                    "reference",
                    "Enter the minute or meeting reference of the board's decision",
                );
                return approve_page(
                    &state,
                    &id,
                    &g,
                    aid,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &e,
                    &form,
                )
                .await;
            }
            (
                Transition::Approve {
                    reference: Some(reference),
                },
                "assessment-approved",
            )
        }
        "send-back" => (
            Transition::SendBack {
                comments: form.get("comments"),
            },
            "assessment-sent-back",
        ),
        _ => {
            let e = ValidationErrors::single(
                "decision",
                "Choose whether to approve the assessment or send it back to the lead",
            );
            return approve_page(
                &state,
                &id,
                &g,
                aid,
                StatusCode::UNPROCESSABLE_ENTITY,
                &e,
                &form,
            )
            .await;
        }
    };
    let pid = pid_of(&g)?;
    match state.app.transition(&g, aid, &t, &id.ctx).await {
        Ok(_) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}"),
            flash,
        )),
        Err(ServiceError::Validation(e)) => {
            approve_page(
                &state,
                &id,
                &g,
                aid,
                StatusCode::UNPROCESSABLE_ENTITY,
                &e,
                &form,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            conflict_page(&state, &id, "The assessment could not be changed", m)
        }
        Err(e) => Err(PageError::from(e)),
    }
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
