//! The case list, the case page (every opening audited by the services), exceptional access
//! with a reason, assigning a case officer, and adding a referral to an existing case of the
//! same person.

use super::{case_path, listing_value, ms};
use crate::assessment::pages::pid_of;
use crate::extract::{Fields, Granted, PageIds};
use crate::guard::Identity;
use crate::pages::{
    form_errors, render, render_with_flash, see_other, see_other_with, PageError, PageResult,
};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use minijinja::{context, Value};
use preventkit_services::channel::{CaseView, OfficerChoice, TimelineEntry, TimelineKind};
use preventkit_services::domain::channel::{CaseListing, CasePart};
use preventkit_services::domain::dates::long_date;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{CaseId, PartnershipId, Permission, Scope, UserId};
use preventkit_services::{Grant, ServiceError};

/// A grant for `p` in the partnership, for the person whose request was granted something
/// else (the chair's assign form on the case page).
pub(crate) fn grant_for(id: &Identity, p: Permission, pid: PartnershipId) -> Option<Grant> {
    id.session
        .as_ref()
        .and_then(|s| decide(&s.actor, p, Scope::Partnership(pid)).ok())
}

/// The case officer's name for a list: from the officers the chair chooses among, otherwise
/// "You" for the reader's own cases.
fn officer_text(l: &CaseListing, me: UserId, officers: &[OfficerChoice]) -> Option<String> {
    let officer = l.case_officer?;
    Some(
        officers
            .iter()
            .find(|o| o.user == officer)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| {
                if officer == me {
                    "You".to_owned()
                } else {
                    "Assigned".to_owned()
                }
            }),
    )
}

/// The case list: no personal data, so reading it opens no case.
pub async fn cases(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    headers: HeaderMap,
) -> PageResult {
    let pid = pid_of(&g)?;
    let list = state.app.cases(&g).await?;
    let officers = match grant_for(&id, Permission::CaseAssign, pid) {
        Some(assign) => state.app.case_officers(&assign).await?,
        None => Vec::new(),
    };
    let me = g.user_id();
    let rows: Vec<Value> = list
        .iter()
        .map(|l| listing_value(l, officer_text(l, me, &officers)))
        .collect();
    render_with_flash(
        &state,
        &id,
        &headers,
        "channel/cases.html",
        context! {
            title => "Cases",
            partnership_id => pid.to_string(),
            cases => rows,
        },
    )
    .map_err(PageError::from)
}

/// One entry of the timeline: a heading with the date and who, and what was recorded.
fn timeline_value(e: &TimelineEntry) -> Value {
    let row = |key: &str, value: String| context! { key => key, value => value };
    let (heading, rows, text): (String, Vec<Value>, String) = match &e.kind {
        TimelineKind::Referred => ("Referred".into(), vec![], String::new()),
        TimelineKind::Assigned { officer_name } => (
            "Case officer assigned".into(),
            vec![row("Case officer", officer_name.clone())],
            String::new(),
        ),
        TimelineKind::Deconfliction(d) => (
            "Police deconfliction".into(),
            vec![
                row("Date", long_date(d.on)),
                row("With", d.with_whom.clone()),
                row("Result", d.result.label().into()),
            ],
            String::new(),
        ),
        TimelineKind::Information(i) => (
            "Information gathered".into(),
            vec![
                row("From", i.source.clone()),
                row("Received", long_date(i.received)),
            ],
            i.narrative.clone(),
        ),
        TimelineKind::Outcome(o) => {
            let mut rows = vec![row("Outcome", o.outcome.label().into())];
            if !o.services.is_empty() {
                let mut names: Vec<String> =
                    o.services.iter().map(|s| s.label().to_owned()).collect();
                if !o.other_service.is_empty() {
                    names.push(o.other_service.clone());
                }
                rows.push(row("Signposted to", names.join(", ")));
            }
            ("Outcome of screening".into(), rows, o.reasons.clone())
        }
        TimelineKind::Attached { reference } => (
            format!("Referral {reference} added to this case"),
            vec![],
            String::new(),
        ),
        TimelineKind::Decision(d) => {
            let mut rows = vec![row("Decision", d.decision.label().into())];
            if !d.services.is_empty() {
                let mut names: Vec<String> =
                    d.services.iter().map(|s| s.label().to_owned()).collect();
                if !d.other_service.is_empty() {
                    names.push(d.other_service.clone());
                }
                rows.push(row("Signposted to", names.join(", ")));
            }
            ("Panel decision".into(), rows, d.reasons.clone())
        }
    };
    context! { at => ms(e.at), by => e.by_name, heading => heading, rows => rows, text => text }
}

/// The case page's context.
fn case_value(view: &CaseView) -> Value {
    let p = &view.person;
    let born = match (p.date_of_birth, p.approximate_age) {
        (Some(d), _) => long_date(d),
        (None, Some(a)) => format!("About {a} years old"),
        (None, None) => "Not known".into(),
    };
    let listing = |l: &CaseListing| listing_value(l, None);
    context! {
        case => listing_value(&view.listing, view.officer_name.clone()),
        relation => view.relation.key(),
        relation_label => view.relation.label(),
        may_change => view.may_change,
        may_assign => view.may_assign,
        screening_open => view.listing.stage.is_screening_open() && view.attached_to.is_none(),
        person => context! {
            name => p.name, born => born, gender => p.gender.label(), age_band => view.age_band.label(),
            address => p.address, contact => p.contact, professionals => p.professionals,
        },
        concern => view.concern,
        organisation => view.organisation,
        aware => view.aware.label(),
        referrer => view.referrer_name,
        latest_deconfliction => view.latest_deconfliction.map(|d| d.label()),
        timeline => view.timeline.iter().map(timeline_value).collect::<Vec<_>>(),
        same_person => view.same_person.iter().map(listing).collect::<Vec<_>>(),
        attached => view.attached.iter().map(listing).collect::<Vec<_>>(),
        attached_to => view.attached_to.as_ref().map(listing),
    }
}

/// Render the case page, or the exceptional access page when that is what opening it needs.
#[allow(clippy::too_many_arguments)]
async fn show_case(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    headers: &HeaderMap,
    case: CaseId,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
    values: Value,
) -> PageResult {
    let pid = pid_of(g)?;
    let view = match state
        .app
        .open_case(g, &id.ctx, case, CasePart::Record)
        .await
    {
        Ok(v) => v,
        Err(ServiceError::ExceptionalAccessNeeded { reference }) => {
            return exceptional_page(
                state,
                id,
                pid,
                case,
                reference.as_str(),
                StatusCode::OK,
                None,
                "",
            );
        }
        Err(e) => return Err(e.into()),
    };
    let officers = match (view.may_assign, grant_for(id, Permission::CaseAssign, pid)) {
        (true, Some(assign)) => state.app.case_officers(&assign).await?,
        _ => Vec::new(),
    };
    let officer_items: Vec<Value> = officers
        .iter()
        .map(|o| context! { value => o.user.to_string(), text => o.name })
        .collect();
    let ctx = context! {
        title => format!("Case {}", view.listing.reference),
        partnership_id => pid.to_string(),
        officers => officer_items,
        current_officer => view.listing.case_officer.map(|u| u.to_string()),
        values => values,
        errors => form_errors(errors.unwrap_or(&ValidationErrors::new())),
        ..case_value(&view)
    };
    if status == StatusCode::OK {
        render_with_flash(state, id, headers, "channel/case.html", ctx).map_err(PageError::from)
    } else {
        render(state, id, "channel/case.html", status, ctx).map_err(PageError::from)
    }
}

pub async fn case_page(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
    headers: HeaderMap,
) -> PageResult {
    show_case(
        &state,
        &id,
        &g,
        &headers,
        case,
        StatusCode::OK,
        None,
        context! {},
    )
    .await
}

/// The page that asks for a reason before a case opens by exceptional access.
#[allow(clippy::too_many_arguments)]
fn exceptional_page(
    state: &AppState,
    id: &Identity,
    pid: PartnershipId,
    case: CaseId,
    reference: &str,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
    reason: &str,
) -> PageResult {
    render(
        state,
        id,
        "channel/exceptional-access.html",
        status,
        context! {
            title => format!("Exceptional access to case {reference}"),
            partnership_id => pid.to_string(),
            case_id => case.to_string(),
            reference => reference,
            values => context! { reason => reason },
            errors => form_errors(errors.unwrap_or(&ValidationErrors::new())),
        },
    )
    .map_err(PageError::from)
}

pub async fn give_exceptional_access(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let reason = form.get("reason");
    match state
        .app
        .give_exceptional_access(&g, &id.ctx, case, &reason)
        .await
    {
        Ok(()) => Ok(see_other(&case_path(pid, case))),
        Err(ServiceError::Validation(e)) => {
            // The reference is shown again without opening the case: the list has it.
            let reference = state
                .app
                .cases(&g)
                .await?
                .into_iter()
                .find(|l| l.id == case)
                .map(|l| l.reference.to_string())
                .ok_or(crate::WebError::NotFound)?;
            exceptional_page(
                &state,
                &id,
                pid,
                case,
                &reference,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                &reason,
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn assign_officer(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let officer = form.get("officer");
    match state
        .app
        .assign_case_officer(&g, &id.ctx, case, &officer)
        .await
    {
        Ok(()) => Ok(see_other_with(
            &state.cfg,
            &case_path(pid, case),
            "case-officer-assigned",
        )),
        Err(ServiceError::Validation(e)) => {
            show_case(
                &state,
                &id,
                &g,
                &headers,
                case,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                context! { officer => officer },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The case a referral is to be added to, from the address.
#[derive(serde::Deserialize)]
pub struct AttachTo {
    #[serde(default)]
    to: String,
}

#[allow(clippy::too_many_arguments)]
async fn attach_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    case: CaseId,
    to: CaseId,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
) -> PageResult {
    let pid = pid_of(g)?;
    let this = state.app.case_heading(g, case).await?;
    let other = state.app.case_heading(g, to).await?;
    render(
        state,
        id,
        "channel/attach.html",
        status,
        context! {
            title => format!("Add referral {} to case {}", this.listing.reference, other.listing.reference),
            partnership_id => pid.to_string(),
            case => listing_value(&this.listing, None),
            to => listing_value(&other.listing, None),
            errors => form_errors(errors.unwrap_or(&ValidationErrors::new())),
        },
    )
    .map_err(PageError::from)
}

/// Confirm adding this referral to a case of the same person. Without a case to add it to,
/// back to the case page, which lists them.
pub async fn attach_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
    Query(q): Query<AttachTo>,
) -> PageResult {
    let pid = pid_of(&g)?;
    match q.to.parse::<CaseId>() {
        Ok(to) => attach_page(&state, &id, &g, case, to, StatusCode::OK, None).await,
        Err(_) => {
            // Only for a case the person may change; anything else is not found.
            state.app.case_heading(&g, case).await?;
            Ok(see_other(&case_path(pid, case)))
        }
    }
}

pub async fn attach(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let Ok(to) = form.get("to").parse::<CaseId>() else {
        return Err(ServiceError::field("to", "Choose the case to add this referral to").into());
    };
    match form.get("confirm").as_str() {
        "yes" => {
            state.app.attach_referral(&g, &id.ctx, case, to).await?;
            Ok(see_other_with(
                &state.cfg,
                &case_path(pid, to),
                "referral-attached",
            ))
        }
        "no" => Ok(see_other(&case_path(pid, case))),
        _ => {
            let e = ValidationErrors::single(
                "confirm",
                "Select yes if this referral is about the same person",
            );
            attach_page(
                &state,
                &id,
                &g,
                case,
                to,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
            )
            .await
        }
    }
}
