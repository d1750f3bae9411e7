//! Platform administration: organisations, partnerships, regions and accounts.

use crate::extract::{Fields, Granted, PageIds};
use crate::guard::Identity;
use crate::pages::{form_errors, render, render_with_flash, see_other_with, PageError, PageResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use minijinja::{context, Value};
use preventkit_services::administration::{NewOrganisation, NewPartnership, NewUser};
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{OrganisationType, PartnershipId, Permission, Scope, UserId};
use preventkit_services::{Grant, ServiceError};

/// Render an administration page: 200 with any one-time message, or the form's errors.
fn page(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    template: &str,
    errors: Option<&ValidationErrors>,
    ctx: Value,
) -> PageResult {
    match errors {
        None => render_with_flash(state, id, headers, template, ctx),
        Some(e) => render(
            state,
            id,
            template,
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { errors => form_errors(e), ..ctx },
        ),
    }
    .map_err(PageError::from)
}

/// A platform grant for another permission, for pages that show what a neighbouring
/// permission covers (for example organisation choices on the partnership page).
fn platform_grant(id: &Identity, p: Permission) -> Option<Grant> {
    id.session
        .as_ref()
        .and_then(|s| decide(&s.actor, p, Scope::Platform).ok())
}

fn org_types() -> Vec<Value> {
    OrganisationType::ALL
        .iter()
        .map(|t| context! { value => t.key(), text => t.label() })
        .collect()
}

// ----- organisations -----

async fn organisations_page(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    errors: Option<&ValidationErrors>,
    values: Value,
) -> PageResult {
    let orgs = match platform_grant(id, Permission::OrganisationRead) {
        Some(read) => state.app.list_organisations(&read).await?,
        None => Vec::new(),
    };
    let rows: Vec<Value> = orgs
        .into_iter()
        .map(|o| {
            let kind = o.org_type.label();
            context! { name => o.name, kind => kind }
        })
        .collect();
    page(
        state,
        id,
        headers,
        "administration/organisations.html",
        errors,
        context! { title => "Organisations", organisations => rows, org_types => org_types(), values => values },
    )
}

pub async fn organisations(
    State(state): State<AppState>,
    id: Identity,
    Granted(_): Granted,
    headers: HeaderMap,
) -> PageResult {
    organisations_page(&state, &id, &headers, None, context! {}).await
}

pub async fn create_organisation(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let input = NewOrganisation {
        name: form.get("name"),
        org_type: form.get("org_type"),
    };
    match state.app.create_organisation(&g, &input, &id.ctx).await {
        Ok(_) => Ok(see_other_with(
            &state.cfg,
            "/admin/organisations",
            "organisation-created",
        )),
        Err(ServiceError::Validation(e)) => {
            let values = context! { name => input.name, org_type => input.org_type };
            organisations_page(&state, &id, &headers, Some(&e), values).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

// ----- partnerships and regions -----

async fn partnerships_page(
    state: &AppState,
    id: &Identity,
    grant: &Grant,
    headers: &HeaderMap,
    errors: Option<&ValidationErrors>,
    values: Value,
) -> PageResult {
    let partnerships = state.app.list_all_partnerships(grant).await?;
    let regions = state.app.list_regions(grant).await?;
    let orgs = match platform_grant(id, Permission::OrganisationRead) {
        Some(g) => state.app.list_organisations(&g).await?,
        None => Vec::new(),
    };
    let org_name = |oid: &preventkit_services::domain::OrganisationId| {
        orgs.iter()
            .find(|o| &o.id == oid)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let region_name = |rid: &Option<preventkit_services::domain::RegionId>| {
        rid.as_ref()
            .and_then(|r| regions.iter().find(|x| &x.id == r))
            .map(|x| x.name.clone())
    };
    let rows: Vec<Value> = partnerships
        .iter()
        .map(|p| {
            let parent = p.parent_id.as_ref().and_then(|pp| partnerships.iter().find(|x| &x.id == pp)).map(|x| x.name.clone());
            context! { id => p.id, name => p.name, lead => org_name(&p.lead_organisation_id), region => region_name(&p.region_id), parent => parent }
        })
        .collect();
    let leads: Vec<Value> = orgs
        .iter()
        .filter(|o| o.org_type.is_local_authority())
        .map(|o| context! { value => o.id, text => o.name })
        .collect();
    let all_orgs: Vec<Value> = orgs
        .iter()
        .map(|o| context! { value => o.id, text => o.name })
        .collect();
    let parents: Vec<Value> = partnerships
        .iter()
        .map(|p| context! { value => p.id, text => p.name })
        .collect();
    let region_opts: Vec<Value> = regions
        .iter()
        .map(|r| context! { value => r.id, text => r.name })
        .collect();
    page(
        state,
        id,
        headers,
        "administration/partnerships.html",
        errors,
        context! {
            title => "Partnerships",
            partnerships => rows,
            leads => leads,
            organisations => all_orgs,
            parents => parents,
            regions => region_opts,
            values => values,
        },
    )
}

pub async fn partnerships(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    headers: HeaderMap,
) -> PageResult {
    partnerships_page(&state, &id, &g, &headers, None, context! {}).await
}

pub async fn create_partnership(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let input = NewPartnership {
        name: form.get("name"),
        lead_organisation_id: form.get("lead_organisation_id"),
        parent_id: form.get("parent_id"),
        region_id: form.get("region_id"),
    };
    match state.app.create_partnership(&g, &input, &id.ctx).await {
        Ok(_) => Ok(see_other_with(
            &state.cfg,
            "/admin/partnerships",
            "partnership-created",
        )),
        Err(ServiceError::Validation(e)) => {
            let values = context! {
                name => input.name, lead_organisation_id => input.lead_organisation_id,
                parent_id => input.parent_id, region_id => input.region_id,
            };
            partnerships_page(&state, &id, &g, &headers, Some(&e), values).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn add_partnership_organisation(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path(pid): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let pid: PartnershipId = pid
        .parse()
        .map_err(|_| PageError::from(crate::WebError::NotFound))?;
    match state
        .app
        .add_partnership_organisation(&g, pid, &form.get("organisation_id"), &id.ctx)
        .await
    {
        Ok(()) => Ok(see_other_with(
            &state.cfg,
            "/admin/partnerships",
            "partnership-updated",
        )),
        Err(ServiceError::Validation(e)) => {
            partnerships_page(&state, &id, &g, &headers, Some(&e), context! {}).await
        }
        Err(ServiceError::Conflict(m)) => {
            let e = ValidationErrors::single("organisation_id", m);
            partnerships_page(&state, &id, &g, &headers, Some(&e), context! {}).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn create_region(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    match state
        .app
        .create_region(&g, &form.get("region_name"), &id.ctx)
        .await
    {
        Ok(_) => Ok(see_other_with(
            &state.cfg,
            "/admin/partnerships",
            "region-created",
        )),
        Err(ServiceError::Validation(mut e)) => {
            for fe in &mut e.0 {
                fe.field = "region_name".into();
            }
            partnerships_page(
                &state,
                &id,
                &g,
                &headers,
                Some(&e),
                context! { region_name => form.get("region_name") },
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

// ----- accounts -----

async fn users_page(
    state: &AppState,
    id: &Identity,
    grant: &Grant,
    headers: &HeaderMap,
    errors: Option<&ValidationErrors>,
    values: Value,
) -> PageResult {
    let users = state.app.list_users(grant).await?;
    let orgs = match platform_grant(id, Permission::OrganisationRead) {
        Some(g) => state.app.list_organisations(&g).await?,
        None => Vec::new(),
    };
    let org_opts: Vec<Value> = orgs
        .iter()
        .map(|o| context! { value => o.id, text => o.name })
        .collect();
    let me = id.session.as_ref().map(|s| s.user.id.to_string());
    page(
        state,
        id,
        headers,
        "administration/users.html",
        errors,
        context! { title => "Accounts", users => users, organisations => org_opts, values => values, me => me },
    )
}

pub async fn users(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    headers: HeaderMap,
) -> PageResult {
    users_page(&state, &id, &g, &headers, None, context! {}).await
}

pub async fn create_user(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let input = NewUser {
        email: form.get("email"),
        display_name: form.get("display_name"),
        organisation_id: form.get("organisation_id"),
        password: form.get("password"),
        clearance: form.get("clearance"),
        system_admin: form.get("system_admin") == "yes",
    };
    match state.app.create_user(&g, &input, &id.ctx).await {
        Ok(_) => Ok(see_other_with(&state.cfg, "/admin/users", "user-created")),
        Err(ServiceError::Validation(e)) => {
            let values = context! {
                email => input.email, display_name => input.display_name,
                organisation_id => input.organisation_id, clearance => input.clearance,
            };
            users_page(&state, &id, &g, &headers, Some(&e), values).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

async fn user_action(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    headers: &HeaderMap,
    result: Result<(), ServiceError>,
) -> PageResult {
    match result {
        Ok(()) => Ok(see_other_with(&state.cfg, "/admin/users", "user-updated")),
        Err(ServiceError::Conflict(m)) => {
            let e = ValidationErrors::single("users", m);
            users_page(state, id, g, headers, Some(&e), context! {}).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// The page that asks "Are you sure you want to disable ...?", with what disabling does.
async fn disable_user_page(state: &AppState, id: &Identity, g: &Grant, uid: UserId) -> PageResult {
    let account = state
        .app
        .list_users(g)
        .await?
        .into_iter()
        .find(|u| u.id == uid.to_string())
        .ok_or_else(|| PageError::from(crate::WebError::NotFound))?;
    render(
        state,
        id,
        "administration/user-disable.html",
        StatusCode::OK,
        context! {
            title => format!("Are you sure you want to disable the account of {}?", account.display_name),
            account => account,
        },
    )
    .map_err(PageError::from)
}

/// `GET /admin/users/{user}/disable`: the confirmation page.
pub async fn confirm_disable_user(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds(uid): PageIds<UserId>,
) -> PageResult {
    disable_user_page(&state, &id, &g, uid).await
}

/// `POST /admin/users/{user}/disable`. Disabling is asked for first: the accounts page links to
/// the confirmation page (`GET` of this path), whose form posts here with `confirm=yes`. A
/// post without it disables nothing and shows the confirmation page. A refusal (such as
/// disabling your own account, which would leave the platform without you as its
/// administrator) is shown on the accounts page in its error summary and changes nothing.
pub async fn disable_user(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds(uid): PageIds<UserId>,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    if form.get("confirm") != "yes" {
        return disable_user_page(&state, &id, &g, uid).await;
    }
    match state.app.set_user_disabled(&g, uid, true, &id.ctx).await {
        Ok(()) => Ok(see_other_with(&state.cfg, "/admin/users", "user-disabled")),
        r => user_action(&state, &id, &g, &headers, r).await,
    }
}

pub async fn enable_user(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds(uid): PageIds<UserId>,
    headers: HeaderMap,
) -> PageResult {
    let r = state.app.set_user_disabled(&g, uid, false, &id.ctx).await;
    user_action(&state, &id, &g, &headers, r).await
}

pub async fn reset_mfa(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds(uid): PageIds<UserId>,
    headers: HeaderMap,
) -> PageResult {
    let r = state.app.reset_mfa(&g, uid, &id.ctx).await;
    user_action(&state, &id, &g, &headers, r).await
}
