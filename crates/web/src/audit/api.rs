//! The API of the audit log.

use crate::api::types::*;
use crate::api::{ApiError, ApiResult};
use crate::audit::pages::{to_query, Filter};
use crate::extract::Granted;
use crate::{AppState, WebError};
use axum::extract::{Query, State};
use axum::Json;
use preventkit_services::domain::actions::AuditAction;
use preventkit_services::ServiceError;

/// This capability's part of the API description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_audit_events))]
pub(crate) struct Doc;

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
        person: String::new(),
        action: p.action.unwrap_or_default(),
        outcome: p.outcome.unwrap_or_default(),
        actor: p.actor.unwrap_or_default(),
        from: p.from.unwrap_or_default(),
        to: p.to.unwrap_or_default(),
        before: p.before.map(|b| b.to_string()).unwrap_or_default(),
        ..Filter::default()
    };
    let mut q =
        to_query(&filter).map_err(|e| ApiError(WebError::Service(ServiceError::Validation(e))))?;
    q.limit = u64::try_from(p.limit.unwrap_or(50).clamp(1, 500)).unwrap_or(50);
    let rows = state.app.audit_events(&g, &q).await?;
    Ok(Json(
        rows.into_iter()
            .map(|e| AuditEvent {
                position: e.position,
                chain: e.chain.key(),
                seq: e.seq,
                id: e.id.to_string(),
                occurred_at: rfc3339(e.occurred_at.millis()),
                actor_id: e.actor.map(|a| a.to_string()),
                partnership_id: e.partnership.map(|p| p.to_string()),
                action_label: AuditAction::describe(&e.action).to_owned(),
                action: e.action,
                object_type: e.object_type,
                object_id: e.object_id,
                outcome: e.outcome.key().to_owned(),
                source: e.source,
                hash: e.hash,
            })
            .collect(),
    ))
}
