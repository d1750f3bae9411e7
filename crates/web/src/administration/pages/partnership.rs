//! One partnership: its overview and its members.

use crate::extract::{Fields, Granted};
use crate::guard::Identity;
use crate::pages::{form_errors, render, render_with_flash, see_other_with, PageError, PageResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use minijinja::{context, Value};
use preventkit_services::administration::NewInvitation;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{MembershipId, PartnershipId, Permission, Role, Scope};
use preventkit_services::ServiceError;

fn roles() -> Vec<Value> {
    Role::ALL
        .iter()
        .map(|r| context! { value => r.key(), text => r.label() })
        .collect()
}

fn can(id: &Identity, p: Permission, pid: PartnershipId) -> bool {
    id.session
        .as_ref()
        .is_some_and(|s| decide(&s.actor, p, Scope::Partnership(pid)).is_ok())
}

pub async fn overview(
    State(state): State<AppState>,
    id: Identity,
    Granted(grant): Granted,
    headers: HeaderMap,
) -> PageResult {
    let (p, orgs) = state.app.get_partnership(&grant).await?;
    let pid = grant
        .partnership()
        .ok_or_else(|| PageError::from(crate::WebError::NotFound))?;
    let orgs: Vec<Value> = orgs
        .into_iter()
        .map(|o| {
            let kind = o.org_type.label();
            context! { name => o.name, kind => kind, lead => o.id == p.lead_organisation_id }
        })
        .collect();
    render_with_flash(
        &state,
        &id,
        &headers,
        "administration/partnership.html",
        context! {
            title => p.name,
            partnership => context! { id => p.id, name => p.name },
            organisations => orgs,
            can_members => can(&id, Permission::MembershipRead, pid),
            can_audit => can(&id, Permission::AuditRead, pid),
        },
    )
    .map_err(PageError::from)
}

async fn members_page(
    state: &AppState,
    id: &Identity,
    grant: &preventkit_services::Grant,
    headers: &HeaderMap,
    status: StatusCode,
    message: Option<String>,
) -> PageResult {
    let members = state.app.list_members(grant).await?;
    let pid = grant
        .partnership()
        .ok_or_else(|| PageError::from(crate::WebError::NotFound))?;
    let can_manage = can(id, Permission::MembershipManage, pid);
    let me = id.session.as_ref().map(|s| s.user.id);
    let rows: Vec<Value> = members
        .into_iter()
        .map(|m| {
            let label = m.role.label();
            context! {
                id => m.id, name => m.display_name, email => m.email, role => m.role,
                role_label => label, disabled => m.disabled_at.is_some(),
                granted => m.created_at, is_me => me == Some(m.user_id),
            }
        })
        .collect();
    let invitations: Vec<Value> = state
        .app
        .partnership_invitations(grant)
        .await?
        .into_iter()
        .map(|i| {
            context! {
                email => i.email, role_label => i.role.label(), invited_by => i.invited_by_name,
                sent => i.created_at, status => i.status.label(),
            }
        })
        .collect();
    let ctx = context! {
        title => "Members",
        partnership_id => pid.to_string(),
        invitations => invitations,
        members => rows,
        roles => roles(),
        can_manage => can_manage,
        // A refused change (such as removing the last administrator) is shown in the error
        // summary at the top of the page, linked to the members table.
        errors => message.map(|m| form_errors(&ValidationErrors::single("members", m))),
    };
    if status == StatusCode::OK {
        render_with_flash(state, id, headers, "administration/members.html", ctx)
            .map_err(PageError::from)
    } else {
        render(state, id, "administration/members.html", status, ctx).map_err(PageError::from)
    }
}

pub async fn members(
    State(state): State<AppState>,
    id: Identity,
    Granted(grant): Granted,
    headers: HeaderMap,
) -> PageResult {
    members_page(&state, &id, &grant, &headers, StatusCode::OK, None).await
}

async fn new_member_page(
    state: &AppState,
    id: &Identity,
    grant: &preventkit_services::Grant,
    status: StatusCode,
    errors: Option<&preventkit_services::domain::validate::ValidationErrors>,
    values: Value,
) -> PageResult {
    let pid = grant
        .partnership()
        .map(|p| p.to_string())
        .unwrap_or_default();
    render(
        state,
        id,
        "administration/member-new.html",
        status,
        context! {
            title => "Invite someone to a role",
            partnership_id => pid,
            roles => roles(),
            errors => errors.map(form_errors),
            values => values,
        },
    )
    .map_err(PageError::from)
}

pub async fn new_member_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(grant): Granted,
) -> PageResult {
    new_member_page(&state, &id, &grant, StatusCode::OK, None, context! {}).await
}

/// Send an invitation (the form's answer is the same whether or not the address has an
/// account).
pub async fn add_member(
    State(state): State<AppState>,
    id: Identity,
    Granted(grant): Granted,
    form: Fields,
) -> PageResult {
    let input = NewInvitation {
        email: form.get("email"),
        role: form.get("role"),
    };
    match state.app.invite_member(&grant, &input, &id.ctx).await {
        Ok(_) => {
            let pid = grant
                .partnership()
                .map(|p| p.to_string())
                .unwrap_or_default();
            Ok(see_other_with(
                &state.cfg,
                &format!("/p/{pid}/members"),
                "invitation-sent",
            ))
        }
        Err(ServiceError::Validation(e)) => {
            let values = context! { email => input.email, role => input.role };
            new_member_page(
                &state,
                &id,
                &grant,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                values,
            )
            .await
        }
        Err(ServiceError::Denied(preventkit_services::domain::Denial::SelfGrant)) => {
            let mut e = preventkit_services::domain::validate::ValidationErrors::new();
            e.add(
                "email",
                "You cannot invite yourself. Ask another administrator of this partnership, or a system administrator",
            );
            let values = context! { email => input.email, role => input.role };
            new_member_page(&state, &id, &grant, StatusCode::FORBIDDEN, Some(&e), values).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

const OWN_ROLES: &str = "You cannot change or remove your own roles. Ask another administrator of this partnership, or a system administrator";

fn membership_id(raw: &str) -> Result<MembershipId, crate::pages::PageError> {
    raw.parse()
        .map_err(|_| PageError::from(crate::WebError::NotFound))
}

pub async fn change_role(
    State(state): State<AppState>,
    id: Identity,
    Granted(grant): Granted,
    Path((_, membership)): Path<(String, String)>,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let mid = membership_id(&membership)?;
    let pid = grant
        .partnership()
        .map(|p| p.to_string())
        .unwrap_or_default();
    match state
        .app
        .change_member_role(&grant, mid, &form.get("role"), &id.ctx)
        .await
    {
        Ok(()) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/members"),
            "member-updated",
        )),
        Err(e) => member_change_refused(&state, &id, &grant, &headers, e).await,
    }
}

/// The members page again, with why a change of a membership did not happen.
async fn member_change_refused(
    state: &AppState,
    id: &Identity,
    grant: &preventkit_services::Grant,
    headers: &HeaderMap,
    e: ServiceError,
) -> PageResult {
    let (status, message) = match e {
        ServiceError::Validation(e) => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        ServiceError::Conflict(m) => (StatusCode::CONFLICT, m),
        ServiceError::Denied(preventkit_services::domain::Denial::SelfGrant) => {
            (StatusCode::FORBIDDEN, OWN_ROLES.to_owned())
        }
        other => return Err(PageError::from(other)),
    };
    members_page(state, id, grant, headers, status, Some(message)).await
}

/// The partnership's name, for headings (empty if the person may not read the partnership).
async fn partnership_name(state: &AppState, id: &Identity, pid: PartnershipId) -> String {
    let Some(read) = id.session.as_ref().and_then(|s| {
        decide(
            &s.actor,
            Permission::PartnershipRead,
            Scope::Partnership(pid),
        )
        .ok()
    }) else {
        return String::new();
    };
    state
        .app
        .get_partnership(&read)
        .await
        .map(|(p, _)| p.name)
        .unwrap_or_default()
}

/// The page that asks "Are you sure you want to remove X from Y?", with what removing does.
/// Nobody removes their own role, so for one's own membership there is nothing to ask: the
/// members page says so in its error summary.
async fn remove_member_page(
    state: &AppState,
    id: &Identity,
    grant: &preventkit_services::Grant,
    headers: &HeaderMap,
    mid: MembershipId,
) -> PageResult {
    let pid = grant
        .partnership()
        .ok_or_else(|| PageError::from(crate::WebError::NotFound))?;
    let m = state.app.get_member(grant, mid).await?;
    if id.session.as_ref().map(|s| s.user.id) == Some(m.user_id) {
        let own = ServiceError::Denied(preventkit_services::domain::Denial::SelfGrant);
        return member_change_refused(state, id, grant, headers, own).await;
    }
    let name = partnership_name(state, id, pid).await;
    let label = m.role.label();
    render(
        state,
        id,
        "administration/member-remove.html",
        StatusCode::OK,
        context! {
            title => format!("Are you sure you want to remove {} from {}?", m.display_name, name),
            partnership_id => pid.to_string(),
            partnership_name => name,
            member => context! {
                id => m.id, name => m.display_name, email => m.email, role_label => label,
                granted => m.created_at,
            },
        },
    )
    .map_err(PageError::from)
}

/// `GET .../members/{membership}/remove`: the confirmation page.
pub async fn confirm_remove_member(
    State(state): State<AppState>,
    id: Identity,
    Granted(grant): Granted,
    Path((_, membership)): Path<(String, String)>,
    headers: HeaderMap,
) -> PageResult {
    let mid = membership_id(&membership)?;
    remove_member_page(&state, &id, &grant, &headers, mid).await
}

/// `POST .../members/{membership}/remove`. Removing a member is asked for first: the members
/// page links to the confirmation page (`GET` of this path), whose form posts here with
/// `confirm=yes`. A post without `confirm=yes` (a form from an older page, a script that
/// skipped the question) removes nothing: it shows the confirmation page instead. A refusal,
/// such as removing the partnership's last administrator, is shown on the members page in its
/// error summary and changes nothing.
pub async fn remove_member(
    State(state): State<AppState>,
    id: Identity,
    Granted(grant): Granted,
    Path((_, membership)): Path<(String, String)>,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let mid = membership_id(&membership)?;
    if form.get("confirm") != "yes" {
        return remove_member_page(&state, &id, &grant, &headers, mid).await;
    }
    let pid = grant
        .partnership()
        .map(|p| p.to_string())
        .unwrap_or_default();
    match state.app.remove_member(&grant, mid, &id.ctx).await {
        Ok(()) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/members"),
            "member-removed",
        )),
        Err(e) => member_change_refused(&state, &id, &grant, &headers, e).await,
    }
}
