//! API handlers. Each receives the policy's grant from the guard and passes it to a service.

use super::types::*;
use super::{no_content, ApiError, ApiJson, ApiResult};
use crate::extract::Granted;
use crate::guard::Identity;
use crate::pages::audit::{to_query, Filter};
use crate::{AppState, WebError};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use preventkit_services::domain::{MembershipId, OrganisationId, TokenId};
use preventkit_services::invitations::NewInvitation;
use preventkit_services::tokens::TokenActor;
use preventkit_services::ServiceError;

fn token(id: &Identity) -> Result<&TokenActor, ApiError> {
    id.token
        .as_ref()
        .ok_or_else(|| ApiError(WebError::Internal("API route without a token".into())))
}

fn parse<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError(WebError::NotFound))
}

fn org(o: preventkit_services::admin::Organisation) -> Organisation {
    Organisation {
        id: o.id,
        name: o.name,
        org_type: o.org_type,
        created_at: rfc3339(o.created_at),
    }
}

fn membership(m: preventkit_services::admin::Member) -> Membership {
    Membership {
        id: m.id,
        partnership_id: m.partnership_id,
        user_id: m.user_id,
        role: m.role,
        display_name: m.display_name,
        email: m.email,
        account_disabled: m.disabled_at.is_some(),
        created_at: rfc3339(m.created_at),
    }
}

/// Who the token acts for.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me)))]
pub async fn me(State(state): State<AppState>, id: Identity) -> ApiResult<Json<Me>> {
    let t = token(&id)?;
    let tokens = state.app.list_tokens(t.actor.user_id).await?;
    let role = tokens
        .into_iter()
        .find(|x| x.id == t.token_id.to_string())
        .map(|x| x.role)
        .unwrap_or_default();
    let (email, display_name) = state.app.user_names(t.actor.user_id).await?;
    Ok(Json(Me {
        user_id: t.actor.user_id.to_string(),
        email,
        display_name,
        token_id: t.token_id.to_string(),
        partnership_id: t.partnership.to_string(),
        role,
    }))
}

/// The token owner's tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "account",
    responses((status = 200, body = [Token])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    id: Identity,
) -> ApiResult<Json<Vec<Token>>> {
    let t = token(&id)?;
    let list = state.app.list_tokens(t.actor.user_id).await?;
    Ok(Json(
        list.into_iter()
            .map(|x| Token {
                id: x.id,
                name: x.name,
                partnership_id: x.partnership_id,
                role: x.role,
                created_at: rfc3339(x.created_at),
                expires_at: rfc3339(x.expires_at),
                revoked_at: x.revoked_at.map(rfc3339),
                last_used_at: x.last_used_at.map(rfc3339),
            })
            .collect(),
    ))
}

/// Revoke one of the owner's tokens (including the one in use).
#[utoipa::path(delete, path = "/api/v1/tokens/{token}", tag = "account",
    params(("token" = String, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    id: Identity,
    Path(raw): Path<String>,
) -> ApiResult<Response> {
    let t = token(&id)?;
    let tid: TokenId = parse(&raw)?;
    state
        .app
        .revoke_token(t.actor.user_id, tid, &id.ctx)
        .await?;
    Ok(no_content())
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
    Path(raw): Path<String>,
) -> ApiResult<Json<Organisation>> {
    let oid: OrganisationId = parse(&raw)?;
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
        id: p.id,
        name: p.name,
        lead_organisation_id: p.lead_organisation_id,
        parent_id: p.parent_id,
        region_id: p.region_id,
        organisations: orgs.into_iter().map(org).collect(),
        created_at: rfc3339(p.created_at),
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
        match users.iter_mut().find(|u| u.id == m.user_id) {
            Some(u) => u.roles.push(m.role),
            None => users.push(User {
                id: m.user_id,
                email: m.email,
                display_name: m.display_name,
                roles: vec![m.role],
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

/// The partnership's audit log, newest first.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/audit-events", tag = "audit",
    params(("partnership" = String, Path, description = "Partnership id"), AuditParams),
    responses((status = 200, body = [AuditEvent]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_audit_events(
    State(state): State<AppState>,
    Granted(g): Granted,
    params: Result<Query<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Vec<AuditEvent>>> {
    let Query(p) = params.map_err(|e| {
        ApiError(WebError::Service(ServiceError::field(
            "query",
            e.body_text(),
        )))
    })?;
    let filter = Filter {
        action: p.action.unwrap_or_default(),
        outcome: p.outcome.unwrap_or_default(),
        actor: p.actor.unwrap_or_default(),
        from: p.from.unwrap_or_default(),
        to: p.to.unwrap_or_default(),
        before: p.before.map(|b| b.to_string()).unwrap_or_default(),
    };
    let mut q =
        to_query(&filter).map_err(|e| ApiError(WebError::Service(ServiceError::Validation(e))))?;
    q.limit = u64::try_from(p.limit.unwrap_or(50).clamp(1, 500)).unwrap_or(50);
    let rows = state.app.audit_events(&g, &q).await?;
    Ok(Json(
        rows.into_iter()
            .map(|e| AuditEvent {
                seq: e.seq,
                id: e.id,
                occurred_at: rfc3339(e.occurred_at),
                actor_id: e.actor_id,
                partnership_id: e.partnership_id,
                action: e.action,
                object_type: e.object_type,
                object_id: e.object_id,
                outcome: e.outcome,
                source: e.source,
                hash: e.hash,
            })
            .collect(),
    ))
}
