//! Screening: the police deconfliction step, information gathered from partners, and the
//! outcome with its reasons ("check your answers", then recorded against the case's version).

use super::{case_path, choices, listing_value};
use crate::assessment::pages::pid_of;
use crate::extract::{Fields, Granted, PageIds};
use crate::guard::Identity;
use crate::pages::{form_errors_in, render, see_other_with, PageError, PageResult};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use minijinja::{context, Value};
use preventkit_services::channel::CaseHeading;
use preventkit_services::domain::channel::{
    DeconflictionInput, DeconflictionResult, InformationInput, Outcome, OutcomeInput,
    ScreeningOutcome, SignpostService, DECONFLICTION_FIELDS, INFORMATION_FIELDS, OUTCOME_FIELDS,
};
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{CaseId, PartnershipId};
use preventkit_services::{Grant, ServiceError};

/// The case as the step forms show it: reference and stage, no personal data.
fn heading_value(h: &CaseHeading) -> Value {
    context! {
        case => listing_value(&h.listing, None),
        latest_deconfliction => h.latest_deconfliction.map(|d| d.label()),
        latest_deconfliction_key => h.latest_deconfliction.map(|d| d.key()),
    }
}

// ----- Police deconfliction -----

fn deconfliction_input(form: &Fields) -> DeconflictionInput {
    DeconflictionInput {
        on: form.date("on"),
        with_whom: form.get("with_whom"),
        result: form.get("result"),
    }
}

async fn deconfliction_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    case: CaseId,
    status: StatusCode,
    input: &DeconflictionInput,
    errors: &ValidationErrors,
) -> PageResult {
    let pid = pid_of(g)?;
    let heading = state.app.case_heading(g, case).await?;
    render(
        state,
        id,
        "channel/deconfliction.html",
        status,
        context! {
            title => format!("Record the police deconfliction: case {}", heading.listing.reference),
            partnership_id => pid.to_string(),
            results => choices(DeconflictionResult::ALL.iter().map(|r| (r.key(), r.label()))),
            values => context! { on => input.on.parts(), with_whom => input.with_whom, result => input.result },
            errors => form_errors_in(errors, DECONFLICTION_FIELDS),
            ..heading_value(&heading)
        },
    )
    .map_err(PageError::from)
}

pub async fn deconfliction_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
) -> PageResult {
    deconfliction_page(
        &state,
        &id,
        &g,
        case,
        StatusCode::OK,
        &DeconflictionInput::default(),
        &ValidationErrors::new(),
    )
    .await
}

pub async fn record_deconfliction(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let input = deconfliction_input(&form);
    match state
        .app
        .record_deconfliction(&g, &id.ctx, case, &input)
        .await
    {
        Ok(()) => Ok(see_other_with(
            &state.cfg,
            &case_path(pid, case),
            "deconfliction-recorded",
        )),
        Err(ServiceError::Validation(e)) => {
            deconfliction_page(
                &state,
                &id,
                &g,
                case,
                StatusCode::UNPROCESSABLE_ENTITY,
                &input,
                &e,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- Information gathered -----

fn information_input(form: &Fields) -> InformationInput {
    InformationInput {
        source: form.get("source"),
        received: form.date("received"),
        narrative: form.get("narrative"),
    }
}

async fn information_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    case: CaseId,
    status: StatusCode,
    input: &InformationInput,
    errors: &ValidationErrors,
) -> PageResult {
    let pid = pid_of(g)?;
    let heading = state.app.case_heading(g, case).await?;
    render(
        state,
        id,
        "channel/information.html",
        status,
        context! {
            title => format!("Add information gathered: case {}", heading.listing.reference),
            partnership_id => pid.to_string(),
            values => context! { source => input.source, received => input.received.parts(), narrative => input.narrative },
            errors => form_errors_in(errors, INFORMATION_FIELDS),
            ..heading_value(&heading)
        },
    )
    .map_err(PageError::from)
}

pub async fn information_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
) -> PageResult {
    information_page(
        &state,
        &id,
        &g,
        case,
        StatusCode::OK,
        &InformationInput::default(),
        &ValidationErrors::new(),
    )
    .await
}

pub async fn record_information(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let input = information_input(&form);
    match state
        .app
        .record_information(&g, &id.ctx, case, &input)
        .await
    {
        Ok(()) => Ok(see_other_with(
            &state.cfg,
            &case_path(pid, case),
            "information-recorded",
        )),
        Err(ServiceError::Validation(e)) => {
            information_page(
                &state,
                &id,
                &g,
                case,
                StatusCode::UNPROCESSABLE_ENTITY,
                &input,
                &e,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- The outcome -----

fn outcome_input(form: &Fields) -> OutcomeInput {
    OutcomeInput {
        outcome: form.get("outcome"),
        services: form
            .0
            .iter()
            .filter(|(k, v)| k == "services" && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect(),
        other_service: form.get("other_service"),
        reasons: form.get("reasons"),
    }
}

fn outcome_values(input: &OutcomeInput) -> Value {
    context! {
        outcome => input.outcome,
        services => input.services,
        other_service => input.other_service,
        reasons => input.reasons,
    }
}

/// The version the outcome is based on, as carried by the forms.
fn version_of(form: &Fields) -> Option<i64> {
    form.get("version").trim().parse().ok()
}

#[allow(clippy::too_many_arguments)]
async fn outcome_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    case: CaseId,
    status: StatusCode,
    input: &OutcomeInput,
    version: Option<i64>,
    errors: &ValidationErrors,
) -> PageResult {
    let pid = pid_of(g)?;
    let heading = state.app.case_heading(g, case).await?;
    render(
        state,
        id,
        "channel/outcome.html",
        status,
        context! {
            title => format!("Record the outcome of screening: case {}", heading.listing.reference),
            partnership_id => pid.to_string(),
            outcomes => choices(ScreeningOutcome::ALL.iter().map(|o| (o.key(), o.label()))),
            services => choices(SignpostService::ALL.iter().map(|s| (s.key(), s.label()))),
            version => version.unwrap_or(heading.listing.version),
            values => outcome_values(input),
            errors => form_errors_in(errors, OUTCOME_FIELDS),
            ..heading_value(&heading)
        },
    )
    .map_err(PageError::from)
}

pub async fn outcome_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
) -> PageResult {
    outcome_page(
        &state,
        &id,
        &g,
        case,
        StatusCode::OK,
        &OutcomeInput::default(),
        None,
        &ValidationErrors::new(),
    )
    .await
}

/// What a refusal of the outcome shows: the services' words in the error summary, against
/// the outcome.
fn refusal(message: String) -> ValidationErrors {
    ValidationErrors::single("outcome", message)
}

fn outcome_answers(o: &Outcome) -> Vec<Value> {
    let row = |key: &str, value: String| context! { key => key, value => value };
    let mut rows = vec![row("Outcome", o.outcome.label().into())];
    if !o.services.is_empty() {
        let mut names: Vec<String> = o.services.iter().map(|s| s.label().to_owned()).collect();
        if !o.other_service.is_empty() {
            names.push(o.other_service.clone());
        }
        rows.push(row("Signposted to", names.join(", ")));
    }
    rows.push(row("Reasons", o.reasons.clone()));
    rows
}

/// The outcome posted: checked against the rules and shown for checking, or the form again.
pub async fn outcome_check(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let input = outcome_input(&form);
    let version = version_of(&form);
    if !form.get("change").is_empty() {
        return outcome_page(
            &state,
            &id,
            &g,
            case,
            StatusCode::OK,
            &input,
            version,
            &ValidationErrors::new(),
        )
        .await;
    }
    match state.app.check_outcome(&g, case, &input).await {
        Ok(outcome) => {
            let heading = state.app.case_heading(&g, case).await?;
            render(
                &state,
                &id,
                "channel/outcome-check.html",
                StatusCode::OK,
                context! {
                    title => format!("Check the outcome before recording it: case {}", heading.listing.reference),
                    partnership_id => pid.to_string(),
                    answers => outcome_answers(&outcome),
                    version => version.unwrap_or(heading.listing.version),
                    values => outcome_values(&input),
                    ..heading_value(&heading)
                },
            )
            .map_err(PageError::from)
        }
        Err(ServiceError::Validation(e)) => {
            outcome_page(
                &state,
                &id,
                &g,
                case,
                StatusCode::UNPROCESSABLE_ENTITY,
                &input,
                version,
                &e,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            outcome_page(
                &state,
                &id,
                &g,
                case,
                StatusCode::CONFLICT,
                &input,
                version,
                &refusal(m),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Record the checked outcome, based on the version of the case it was decided on.
pub async fn outcome_confirm(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let input = outcome_input(&form);
    let version = version_of(&form);
    let result = match version {
        Some(v) => state.app.record_outcome(&g, &id.ctx, case, v, &input).await,
        // Without a version nothing says what the outcome was decided on: the answers are
        // checked first, so a form with mistakes says so, and anything else is refused.
        None => match state.app.check_outcome(&g, case, &input).await {
            Ok(_) => Err(ServiceError::Conflict(
                "The case changed while you were recording the outcome. Check it and record the outcome again".into(),
            )),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => Ok(see_other_with(
            &state.cfg,
            &case_path(pid, case),
            "outcome-recorded",
        )),
        Err(ServiceError::Validation(e)) => {
            outcome_page(
                &state,
                &id,
                &g,
                case,
                StatusCode::UNPROCESSABLE_ENTITY,
                &input,
                version,
                &e,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            // Shown on the form with what was chosen kept, based on the case as it is now.
            outcome_page(
                &state,
                &id,
                &g,
                case,
                StatusCode::CONFLICT,
                &input,
                None,
                &refusal(m),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
