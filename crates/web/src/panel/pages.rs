//! The panel's pages. Agendas show case references only, so they can be printed; each links
//! to the case page, which opens (and audits) the case only for those the policy lets in.

use crate::extract::{Fields, Granted, PageIds};
use crate::guard::Identity;
use crate::pages::{
    allowed, form_errors_in, render, render_with_flash, see_other, see_other_with, PageError,
    PageResult,
};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use minijinja::{context, Value};
use preventkit_services::domain::assessment::date_text;
use preventkit_services::domain::channel::SignpostService;
use preventkit_services::domain::dates::DateParts;
use preventkit_services::domain::panel::{
    Attendance, DecisionInput, MeetingInput, Sector, DECISION_FIELDS, MEETING_FIELDS, MEMBER_FIELDS,
};
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{CaseId, MeetingId, PartnershipId, Permission, Scope, UserId};
use preventkit_services::panel::MeetingView;
use preventkit_services::{Grant, ServiceError};

fn pid_of(g: &Grant) -> Result<PartnershipId, PageError> {
    g.partnership()
        .ok_or_else(|| PageError::from(crate::WebError::NotFound))
}

/// Whether the person runs the panel here, for the forms a page offers.
fn manages(id: &Identity, pid: PartnershipId) -> bool {
    id.session
        .as_ref()
        .is_some_and(|s| allowed(&s.actor, Permission::PanelManage, Scope::Partnership(pid)))
}

/// The grant to run the panel, for pages reached with a read grant that offer its forms.
fn manage_grant(id: &Identity, pid: PartnershipId) -> Option<Grant> {
    id.session.as_ref().and_then(|s| {
        preventkit_services::domain::policy::decide(
            &s.actor,
            Permission::PanelManage,
            Scope::Partnership(pid),
        )
        .ok()
    })
}

fn sector_items() -> Vec<Value> {
    Sector::ALL
        .iter()
        .map(|s| context! { value => s.key(), text => s.label() })
        .collect()
}

// ----- The panel and its members -----

async fn panel_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    headers: Option<&HeaderMap>,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
    values: Value,
) -> PageResult {
    let pid = pid_of(g)?;
    let view = state.app.panel(g).await?;
    let choices = match manage_grant(id, pid) {
        Some(m) => state.app.panel_member_choices(&m).await?,
        None => Vec::new(),
    };
    let ctx = context! {
        title => "Channel panel",
        partnership_id => pid.to_string(),
        manages => manages(id, pid),
        members => view.members.iter().map(|m| context! {
            user => m.user.to_string(), name => m.name, sector => m.sector.label(),
        }).collect::<Vec<_>>(),
        missing => view.missing.iter().map(|s| s.label()).collect::<Vec<_>>(),
        choices => choices.iter().map(|c| context! { value => c.user.to_string(), text => c.name }).collect::<Vec<_>>(),
        sectors => sector_items(),
        values => values,
        errors => form_errors_in(errors.unwrap_or(&ValidationErrors::new()), MEMBER_FIELDS),
    };
    match headers {
        Some(h) => render_with_flash(state, id, h, "panel/panel.html", ctx),
        None => render(state, id, "panel/panel.html", status, ctx),
    }
    .map_err(PageError::from)
}

pub async fn panel(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    headers: HeaderMap,
) -> PageResult {
    panel_page(
        &state,
        &id,
        &g,
        Some(&headers),
        StatusCode::OK,
        None,
        context! {},
    )
    .await
}

pub async fn add_member(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let (user, sector) = (form.get("user"), form.get("sector"));
    match state
        .app
        .add_panel_member(&g, &id.ctx, &user, &sector)
        .await
    {
        Ok(()) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/panel"),
            "panel-member-added",
        )),
        Err(ServiceError::Validation(e)) => {
            panel_page(
                &state,
                &id,
                &g,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                context! { user => user, sector => sector },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_member_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, user)): PageIds<(PartnershipId, UserId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.panel(&g).await?;
    let member = view
        .members
        .iter()
        .find(|m| m.user == user)
        .ok_or(crate::WebError::NotFound)?;
    render(
        &state,
        &id,
        "panel/remove.html",
        StatusCode::OK,
        context! {
            title => "Take this member off the panel",
            partnership_id => pid.to_string(),
            member => context! { user => member.user.to_string(), name => member.name, sector => member.sector.label() },
        },
    )
    .map_err(PageError::from)
}

pub async fn remove_member(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, user)): PageIds<(PartnershipId, UserId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    state.app.remove_panel_member(&g, &id.ctx, user).await?;
    Ok(see_other_with(
        &state.cfg,
        &format!("/p/{pid}/panel"),
        "panel-member-removed",
    ))
}

// ----- Meetings -----

#[allow(clippy::too_many_arguments)]
async fn meetings_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    headers: Option<&HeaderMap>,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
    on: Option<DateParts>,
    invited: Option<Vec<String>>,
) -> PageResult {
    let pid = pid_of(g)?;
    let list = state.app.panel_meetings(g).await?;
    let manage = manage_grant(id, pid);
    let (suggested, members) = match &manage {
        Some(m) => (
            Some(state.app.suggested_meeting_date(m).await?),
            state.app.panel(m).await?.members,
        ),
        None => (None, Vec::new()),
    };
    let on = on.or_else(|| suggested.map(DateParts::of));
    let ctx = context! {
        title => "Panel meetings",
        partnership_id => pid.to_string(),
        manages => manage.is_some(),
        meetings => list.iter().map(|m| context! {
            id => m.meeting.id.to_string(),
            on => date_text(m.meeting.on),
            published => m.meeting.agenda_published_at.is_some(),
            items => m.items,
        }).collect::<Vec<_>>(),
        members => members.iter().map(|m| context! {
            value => m.user.to_string(),
            text => format!("{} ({})", m.name, m.sector.label()),
        }).collect::<Vec<_>>(),
        values => context! {
            on => on,
            invitees => invited.unwrap_or_else(|| members.iter().map(|m| m.user.to_string()).collect()),
        },
        errors => form_errors_in(errors.unwrap_or(&ValidationErrors::new()), MEETING_FIELDS),
    };
    match headers {
        Some(h) => render_with_flash(state, id, h, "panel/meetings.html", ctx),
        None => render(state, id, "panel/meetings.html", status, ctx),
    }
    .map_err(PageError::from)
}

pub async fn meetings(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    headers: HeaderMap,
) -> PageResult {
    meetings_page(
        &state,
        &id,
        &g,
        Some(&headers),
        StatusCode::OK,
        None,
        None,
        None,
    )
    .await
}

pub async fn create_meeting(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let on = form.date("on");
    let invitees: Vec<String> = form
        .0
        .iter()
        .filter(|(k, _)| k == "invitees")
        .map(|(_, v)| v.clone())
        .collect();
    let input = MeetingInput {
        on: on.clone(),
        invitees: Some(invitees.clone()),
    };
    match state.app.create_meeting(&g, &id.ctx, &input).await {
        Ok(meeting) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/panel/meetings/{meeting}"),
            "meeting-created",
        )),
        Err(ServiceError::Validation(e)) => {
            meetings_page(
                &state,
                &id,
                &g,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                Some(on.parts()),
                Some(invitees),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn meeting_value(view: &MeetingView) -> Value {
    let m = &view.meeting;
    context! {
        id => m.id.to_string(),
        on => date_text(m.on),
        published => m.agenda_published_at.is_some(),
        agenda_shown => view.agenda_shown,
        agenda => view.agenda.iter().map(|e| context! {
            case => e.item.case.to_string(),
            reference => e.item.reference.as_str(),
            kind => e.item.kind.label(),
            stage => e.stage.label(),
            decision => e.item.decision.map(|d| d.label()),
            decidable => e.decidable,
        }).collect::<Vec<_>>(),
        invitees => view.invitees.iter().map(|i| context! {
            user => i.user.to_string(),
            name => i.name,
            sector => i.sector.map_or("Not on the panel now", |s| s.label()),
            attendance => i.attendance.map(|a| a.key()),
            attendance_label => i.attendance.map_or("Not recorded", |a| a.label()),
        }).collect::<Vec<_>>(),
    }
}

pub async fn meeting(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, mid)): PageIds<(PartnershipId, MeetingId)>,
    headers: HeaderMap,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.panel_meeting(&g, mid).await?;
    render_with_flash(
        &state,
        &id,
        &headers,
        "panel/meeting.html",
        context! {
            title => format!("Panel meeting, {}", preventkit_services::domain::dates::long_date(view.meeting.on)),
            partnership_id => pid.to_string(),
            manages => manages(&id, pid),
            meeting => meeting_value(&view),
            attendance => Attendance::ALL.iter().map(|a| context! { value => a.key(), text => a.label() }).collect::<Vec<_>>(),
        },
    )
    .map_err(PageError::from)
}

pub async fn publish(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, mid)): PageIds<(PartnershipId, MeetingId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    state.app.publish_agenda(&g, &id.ctx, mid).await?;
    Ok(see_other_with(
        &state.cfg,
        &format!("/p/{pid}/panel/meetings/{mid}"),
        "agenda-published",
    ))
}

pub async fn attendance(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, mid)): PageIds<(PartnershipId, MeetingId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let entries: Vec<(String, String)> = form
        .0
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("attendance-")
                .map(|u| (u.to_owned(), v.clone()))
        })
        .collect();
    state
        .app
        .record_attendance(&g, &id.ctx, mid, &entries)
        .await?;
    Ok(see_other_with(
        &state.cfg,
        &format!("/p/{pid}/panel/meetings/{mid}"),
        "attendance-recorded",
    ))
}

// ----- The decision on a case: the form, check your answers, confirmation -----

fn decision_input(form: &Fields) -> DecisionInput {
    DecisionInput {
        decision: form.get("decision"),
        services: form
            .0
            .iter()
            .filter(|(k, _)| k == "services")
            .map(|(_, v)| v.clone())
            .collect(),
        other_service: form.get("other_service"),
        reasons: form.get("reasons"),
    }
}

fn decision_values(input: &DecisionInput) -> Value {
    context! {
        decision => input.decision,
        services => input.services,
        other_service => input.other_service,
        reasons => input.reasons,
    }
}

async fn decision_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    (mid, case): (MeetingId, CaseId),
    status: StatusCode,
    errors: Option<&ValidationErrors>,
    input: &DecisionInput,
) -> PageResult {
    let pid = pid_of(g)?;
    let heading = state.app.decision_heading(g, mid, case).await?;
    render(
        state,
        id,
        "panel/decision.html",
        status,
        context! {
            title => format!("Panel decision for {}", heading.reference),
            partnership_id => pid.to_string(),
            meeting => mid.to_string(),
            case => case.to_string(),
            reference => heading.reference.as_str(),
            services => SignpostService::ALL.iter().map(|s| context! { value => s.key(), text => s.label() }).collect::<Vec<_>>(),
            values => decision_values(input),
            errors => form_errors_in(errors.unwrap_or(&ValidationErrors::new()), DECISION_FIELDS),
        },
    )
    .map_err(PageError::from)
}

pub async fn decision_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, mid, case)): PageIds<(PartnershipId, MeetingId, CaseId)>,
) -> PageResult {
    decision_page(
        &state,
        &id,
        &g,
        (mid, case),
        StatusCode::OK,
        None,
        &DecisionInput::default(),
    )
    .await
}

pub async fn check_decision(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, mid, case)): PageIds<(PartnershipId, MeetingId, CaseId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let input = decision_input(&form);
    match state.app.check_decision(&g, mid, case, &input).await {
        Ok(d) => {
            let heading = state.app.decision_heading(&g, mid, case).await?;
            let mut services: Vec<String> =
                d.services.iter().map(|s| s.label().to_owned()).collect();
            if !d.other_service.is_empty() {
                services.push(d.other_service.clone());
            }
            render(
                &state,
                &id,
                "panel/check.html",
                StatusCode::OK,
                context! {
                    title => "Check the panel's decision",
                    partnership_id => pid.to_string(),
                    meeting => mid.to_string(),
                    case => case.to_string(),
                    reference => heading.reference.as_str(),
                    version => heading.version,
                    decision => d.decision.label(),
                    signposted => services,
                    reasons => d.reasons,
                    values => decision_values(&input),
                },
            )
            .map_err(PageError::from)
        }
        Err(ServiceError::Validation(e)) => {
            decision_page(
                &state,
                &id,
                &g,
                (mid, case),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                &input,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn record_decision(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, mid, case)): PageIds<(PartnershipId, MeetingId, CaseId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let input = decision_input(&form);
    let version: i64 = form.get("version").trim().parse().unwrap_or(-1);
    match state
        .app
        .record_decision(&g, &id.ctx, mid, case, version, &input)
        .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/p/{pid}/panel/meetings/{mid}/cases/{case}/decision/recorded"
        ))),
        Err(ServiceError::Validation(e)) => {
            decision_page(
                &state,
                &id,
                &g,
                (mid, case),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                &input,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn decision_recorded(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, mid, case)): PageIds<(PartnershipId, MeetingId, CaseId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    let heading = state.app.decision_heading(&g, mid, case).await?;
    render(
        &state,
        &id,
        "panel/recorded.html",
        StatusCode::OK,
        context! {
            title => "Decision recorded",
            partnership_id => pid.to_string(),
            meeting => mid.to_string(),
            reference => heading.reference.as_str(),
            stage => heading.stage.label(),
        },
    )
    .map_err(PageError::from)
}
