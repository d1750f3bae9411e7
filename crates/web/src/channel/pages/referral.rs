//! Making a referral: the form, "check your answers", sending it, the confirmation, and the
//! referrer's list of their referrals with each one's status (never anything others added).

use super::{choices, ms};
use crate::assessment::pages::{can, pid_of};
use crate::extract::{Fields, Granted, PageIds};
use crate::guard::Identity;
use crate::pages::{form_errors_in, render, see_other, PageError, PageResult};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use minijinja::{context, Value};
use preventkit_services::domain::channel::{
    Awareness, ConcernType, Gender, Referral, ReferralInput, ReferralSector, REFERRAL_FIELDS,
};
use preventkit_services::domain::dates::long_date;
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{CaseId, PartnershipId, Permission};
use preventkit_services::ServiceError;

/// The referral as posted by the form or carried by "check your answers".
fn referral_input(form: &Fields) -> ReferralInput {
    ReferralInput {
        person_name: form.get("person_name"),
        date_of_birth: form.date("date_of_birth"),
        approximate_age: form.get("approximate_age"),
        gender: form.get("gender"),
        address: form.get("address"),
        contact: form.get("contact"),
        professionals: form.get("professionals"),
        concern: form.get("concern"),
        concern_type: form.get("concern_type"),
        organisation: form.get("organisation"),
        sector: form.get("sector"),
        aware: form.get("aware"),
    }
}

/// What was typed, to fill the form or the hidden fields again.
fn referral_values(input: &ReferralInput) -> Value {
    context! {
        person_name => input.person_name,
        date_of_birth => input.date_of_birth.parts(),
        approximate_age => input.approximate_age,
        gender => input.gender,
        address => input.address,
        contact => input.contact,
        professionals => input.professionals,
        concern => input.concern,
        concern_type => input.concern_type,
        organisation => input.organisation,
        sector => input.sector,
        aware => input.aware,
    }
}

fn form_page(
    state: &AppState,
    id: &Identity,
    pid: PartnershipId,
    status: StatusCode,
    input: &ReferralInput,
    errors: &ValidationErrors,
) -> PageResult {
    render(
        state,
        id,
        "channel/referral-new.html",
        status,
        context! {
            title => "Make a Channel referral",
            partnership_id => pid.to_string(),
            genders => choices(Gender::ALL.iter().map(|g| (g.key(), g.label()))),
            concern_types => choices(ConcernType::ALL.iter().map(|c| (c.key(), c.label()))),
            sectors => choices(ReferralSector::ALL.iter().map(|s| (s.key(), s.label()))),
            awareness => choices(Awareness::ALL.iter().map(|a| (a.key(), a.label()))),
            values => referral_values(input),
            errors => form_errors_in(errors, REFERRAL_FIELDS),
        },
    )
    .map_err(PageError::from)
}

pub async fn referral_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
) -> PageResult {
    let pid = pid_of(&g)?;
    form_page(
        &state,
        &id,
        pid,
        StatusCode::OK,
        &ReferralInput::default(),
        &ValidationErrors::new(),
    )
}

/// The referral as "check your answers" shows it, in the form's order.
fn answers(r: &Referral) -> Vec<Value> {
    let row = |key: &str, value: String, field: &str| context! { key => key, value => value, field => field };
    let born = match (r.person.date_of_birth, r.person.approximate_age) {
        (Some(d), _) => row("Date of birth", long_date(d), "date_of_birth"),
        (None, Some(a)) => row("Approximate age", format!("{a} years"), "approximate_age"),
        (None, None) => row("Date of birth", "Not known".into(), "date_of_birth"),
    };
    let or_none = |s: &str| {
        if s.trim().is_empty() {
            "None given".to_owned()
        } else {
            s.to_owned()
        }
    };
    vec![
        row("Name", r.person.name.clone(), "person_name"),
        born,
        row("Gender", r.person.gender.label().into(), "gender"),
        row("Address or area", r.person.address.clone(), "address"),
        row("Contact details", or_none(&r.person.contact), "contact"),
        row(
            "Professionals already involved",
            or_none(&r.person.professionals),
            "professionals",
        ),
        row(
            "Type of concern",
            r.concern_type.label().into(),
            "concern_type",
        ),
        row("What was seen or heard", r.concern.clone(), "concern"),
        row("Your organisation", r.organisation.clone(), "organisation"),
        row("Your sector", r.sector.label().into(), "sector"),
        row(
            "Does the person know about this referral",
            r.aware.label().into(),
            "aware",
        ),
    ]
}

/// The form posted: "Change" from "check your answers" shows the form again with everything
/// kept; otherwise the referral is checked and either shown for checking or sent back with its
/// errors. Nothing is written.
pub async fn referral_check(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let input = referral_input(&form);
    if !form.get("change").is_empty() {
        return form_page(
            &state,
            &id,
            pid,
            StatusCode::OK,
            &input,
            &ValidationErrors::new(),
        );
    }
    match state.app.check_referral(&g, &input).await {
        Ok(referral) => render(
            &state,
            &id,
            "channel/referral-check.html",
            StatusCode::OK,
            context! {
                title => "Check your answers before sending the referral",
                partnership_id => pid.to_string(),
                answers => answers(&referral),
                values => referral_values(&input),
            },
        )
        .map_err(PageError::from),
        Err(ServiceError::Validation(e)) => form_page(
            &state,
            &id,
            pid,
            StatusCode::UNPROCESSABLE_ENTITY,
            &input,
            &e,
        ),
        Err(e) => Err(e.into()),
    }
}

/// Send the checked referral.
pub async fn referral_send(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let input = referral_input(&form);
    match state.app.refer(&g, &id.ctx, &input).await {
        Ok(referred) => Ok(see_other(&format!(
            "/p/{pid}/referrals/{}/sent",
            referred.id
        ))),
        Err(ServiceError::Validation(e)) => form_page(
            &state,
            &id,
            pid,
            StatusCode::UNPROCESSABLE_ENTITY,
            &input,
            &e,
        ),
        Err(e) => Err(e.into()),
    }
}

/// The confirmation: the reference and what happens next, nothing about the person.
pub async fn referral_sent(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    let reference = state.app.referral_sent(&g, case).await?;
    render(
        &state,
        &id,
        "channel/referral-sent.html",
        StatusCode::OK,
        context! {
            title => format!("Referral sent: {reference}"),
            partnership_id => pid.to_string(),
            reference => reference.as_str(),
        },
    )
    .map_err(PageError::from)
}

/// The referrer's referrals: reference, date and status.
pub async fn my_referrals(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
) -> PageResult {
    let pid = pid_of(&g)?;
    let list = state.app.my_referrals(&g, &id.ctx).await?;
    let rows: Vec<Value> = list
        .iter()
        .map(|r| {
            context! {
                id => r.id.to_string(),
                reference => r.reference.as_str(),
                referred_at => ms(r.referred_at),
                status => r.status,
            }
        })
        .collect();
    render(
        &state,
        &id,
        "channel/referrals.html",
        StatusCode::OK,
        context! {
            title => "Your referrals",
            partnership_id => pid.to_string(),
            referrals => rows,
            may_read_cases => can(&id, Permission::CaseRead, pid),
        },
    )
    .map_err(PageError::from)
}
