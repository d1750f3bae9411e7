//! The API of organisations, partnerships, people and memberships.

use crate::api::parse;
use crate::api::types::*;
use crate::api::{no_content, ApiJson, ApiResult};
use crate::extract::{ApiIds, Granted};
use crate::guard::Identity;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use preventkit_services::administration::NewInvitation;
use preventkit_services::domain::{MembershipId, OrganisationId};

/// This capability's part of the API description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_organisations,
    get_organisation,
    get_partnership,
    list_users,
    list_memberships,
    create_membership,
    get_membership,
    update_membership,
    delete_membership
))]
pub(crate) struct Doc;

fn org(o: preventkit_services::administration::Organisation) -> Organisation {
    Organisation {
        id: o.id.to_string(),
        name: o.name,
        org_type: o.org_type.key().to_owned(),
        created_at: rfc3339(o.created_at.millis()),
    }
}

fn membership(m: preventkit_services::administration::Member) -> Membership {
    Membership {
        id: m.id.to_string(),
        partnership_id: m.partnership_id.to_string(),
        user_id: m.user_id.to_string(),
        role: m.role.key().to_owned(),
        display_name: m.display_name,
        email: m.email,
        account_disabled: m.disabled_at.is_some(),
        created_at: rfc3339(m.created_at.millis()),
    }
}

/// Every organisation (names and types only).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = [Organisation]), (status = 403, body = ErrorBody)))]
pub async fn list_organisations(
    State(state): State<AppState>,
    Granted(g): Granted,
) -> ApiResult<Json<Vec<Organisation>>> {
    Ok(Json(
        state
            .app
            .list_organisations(&g)
            .await?
            .into_iter()
            .map(org)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/organisations/{organisation}", tag = "organisations",
    params(("organisation" = String, Path, description = "Organisation id")),
    responses((status = 200, body = Organisation), (status = 404, body = ErrorBody)))]
pub async fn get_organisation(
    State(state): State<AppState>,
    Granted(g): Granted,
    ApiIds(oid): ApiIds<OrganisationId>,
) -> ApiResult<Json<Organisation>> {
    Ok(Json(org(state.app.get_organisation(&g, oid).await?)))
}

/// The partnership and its member organisations.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}", tag = "partnerships",
    params(("partnership" = String, Path, description = "Partnership id")),
    responses((status = 200, body = Partnership), (status = 403, body = ErrorBody)))]
pub async fn get_partnership(
    State(state): State<AppState>,
    Granted(g): Granted,
) -> ApiResult<Json<Partnership>> {
    let (p, orgs) = state.app.get_partnership(&g).await?;
    Ok(Json(Partnership {
        id: p.id.to_string(),
        name: p.name,
        lead_organisation_id: p.lead_organisation_id.to_string(),
        parent_id: p.parent_id.map(|x| x.to_string()),
        region_id: p.region_id.map(|x| x.to_string()),
        organisations: orgs.into_iter().map(org).collect(),
        created_at: rfc3339(p.created_at.millis()),
    }))
}

/// People with a role in the partnership.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/users", tag = "partnerships",
    params(("partnership" = String, Path, description = "Partnership id")),
    responses((status = 200, body = [User]), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    Granted(g): Granted,
) -> ApiResult<Json<Vec<User>>> {
    let members = state.app.list_members(&g).await?;
    let mut users: Vec<User> = Vec::new();
    for m in members {
        let user_id = m.user_id.to_string();
        let role = m.role.key().to_owned();
        match users.iter_mut().find(|u| u.id == user_id) {
            Some(u) => u.roles.push(role),
            None => users.push(User {
                id: user_id,
                email: m.email,
                display_name: m.display_name,
                roles: vec![role],
                disabled: m.disabled_at.is_some(),
            }),
        }
    }
    Ok(Json(users))
}

#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/memberships", tag = "memberships",
    params(("partnership" = String, Path, description = "Partnership id")),
    responses((status = 200, body = [Membership]), (status = 403, body = ErrorBody)))]
pub async fn list_memberships(
    State(state): State<AppState>,
    Granted(g): Granted,
) -> ApiResult<Json<Vec<Membership>>> {
    Ok(Json(
        state
            .app
            .list_members(&g)
            .await?
            .into_iter()
            .map(membership)
            .collect(),
    ))
}

/// Invite a person to a role. The role is given when the person accepts the invitation after
/// signing in to the service; the answer (202 with the invitation's id) is the same whether or
/// not an account with that email address exists. Inviting oneself is refused (403).
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/memberships", tag = "memberships",
    params(("partnership" = String, Path, description = "Partnership id")),
    request_body = NewMembership,
    responses((status = 202, body = Created, description = "The invitation was recorded"), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_membership(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiJson(body): ApiJson<NewMembership>,
) -> ApiResult<Response> {
    let input = NewInvitation {
        email: body.email,
        role: body.role,
    };
    let invitation = state.app.invite_member(&g, &input, &id.ctx).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Created {
            id: invitation.to_string(),
        }),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/memberships/{membership}", tag = "memberships",
    params(("partnership" = String, Path, description = "Partnership id"), ("membership" = String, Path, description = "Membership id")),
    responses((status = 200, body = Membership), (status = 404, body = ErrorBody)))]
pub async fn get_membership(
    State(state): State<AppState>,
    Granted(g): Granted,
    Path((_, raw)): Path<(String, String)>,
) -> ApiResult<Json<Membership>> {
    let mid: MembershipId = parse(&raw)?;
    Ok(Json(membership(state.app.get_member(&g, mid).await?)))
}

/// Change the role of a membership. A partnership always keeps an administrator.
#[utoipa::path(patch, path = "/api/v1/partnerships/{partnership}/memberships/{membership}", tag = "memberships",
    params(("partnership" = String, Path, description = "Partnership id"), ("membership" = String, Path, description = "Membership id")),
    request_body = UpdateMembership,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_membership(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, raw)): Path<(String, String)>,
    ApiJson(body): ApiJson<UpdateMembership>,
) -> ApiResult<Response> {
    let mid: MembershipId = parse(&raw)?;
    state
        .app
        .change_member_role(&g, mid, &body.role, &id.ctx)
        .await?;
    Ok(no_content())
}

#[utoipa::path(delete, path = "/api/v1/partnerships/{partnership}/memberships/{membership}", tag = "memberships",
    params(("partnership" = String, Path, description = "Partnership id"), ("membership" = String, Path, description = "Membership id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_membership(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, raw)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mid: MembershipId = parse(&raw)?;
    state.app.remove_member(&g, mid, &id.ctx).await?;
    Ok(no_content())
}
