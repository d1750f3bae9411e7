//! The API of the token holder: who they are and their tokens.

use crate::api::parse;
use crate::api::types::*;
use crate::api::{no_content, ApiError, ApiResult};
use crate::guard::Identity;
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use preventkit_services::domain::TokenId;
use preventkit_services::identity::TokenActor;

/// This capability's part of the API description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(me, list_tokens, revoke_token))]
pub(crate) struct Doc;

fn token(id: &Identity) -> Result<&TokenActor, ApiError> {
    id.token
        .as_ref()
        .ok_or_else(|| ApiError(WebError::Internal("API route without a token".into())))
}

/// Who the token acts for.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me)))]
pub async fn me(State(state): State<AppState>, id: Identity) -> ApiResult<Json<Me>> {
    let t = token(&id)?;
    let tokens = state.app.list_tokens(t.actor.user_id()).await?;
    let role = tokens
        .into_iter()
        .find(|x| x.id == t.token_id.to_string())
        .map(|x| x.role)
        .unwrap_or_default();
    let (email, display_name) = state.app.user_names(t.actor.user_id()).await?;
    Ok(Json(Me {
        user_id: t.actor.user_id().to_string(),
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
    let list = state.app.list_tokens(t.actor.user_id()).await?;
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
        .revoke_token(t.actor.user_id(), tid, &id.ctx)
        .await?;
    Ok(no_content())
}
