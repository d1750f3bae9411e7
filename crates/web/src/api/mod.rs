//! The JSON API under `/api/v1`, with its OpenAPI 3.1 document generated from these types and
//! handlers. Authentication is by personal access token only (`Authorization: Bearer ...`), so
//! no cookie ever authorises an API call and CSRF cannot reach it.

pub mod assessments;
pub mod evidence;
pub mod handlers;
pub mod types;

use crate::WebError;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use preventkit_services::ServiceError;
use serde::de::DeserializeOwned;
use types::{ErrorBody, ErrorDetail, FieldProblem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Prevent Toolkit API",
        version = "1",
        description = "Partnership administration and audit for Prevent Toolkit. Every call needs a personal access token scoped to one partnership and one role."
    ),
    paths(
        handlers::me,
        handlers::list_tokens,
        handlers::revoke_token,
        handlers::list_organisations,
        handlers::get_organisation,
        handlers::get_partnership,
        handlers::list_users,
        handlers::list_memberships,
        handlers::create_membership,
        handlers::get_membership,
        handlers::update_membership,
        handlers::delete_membership,
        handlers::list_audit_events,
        assessments::list_frameworks,
        assessments::list_assessments,
        assessments::create_assessment,
        assessments::get_assessment,
        assessments::list_responses,
        assessments::get_response,
        assessments::put_response,
        assessments::transition,
        assessments::approve,
        evidence::list_evidence,
        evidence::add_evidence,
        evidence::evidence_file,
        evidence::list_comments,
        evidence::add_comment,
        evidence::upgrade_offer,
        evidence::upgrade,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn openapi_json() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(s) => ([(header::CONTENT_TYPE, "application/json")], s).into_response(),
        Err(e) => error_response(WebError::Internal(e.to_string())),
    }
}

/// A structured error response.
pub fn error_response(err: WebError) -> Response {
    err.log();
    let fields: Vec<FieldProblem> = match &err {
        WebError::Service(ServiceError::Validation(v)) => {
            v.0.iter()
                .map(|f| FieldProblem {
                    field: f.field.clone(),
                    message: f.message.clone(),
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let message = match &err {
        WebError::Service(ServiceError::Validation(_)) => {
            "The request has invalid fields".to_owned()
        }
        other => other.public_message(),
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code: err.code().to_owned(),
            message,
            field: fields.first().map(|f| f.field.clone()),
            fields,
        },
    };
    (err.status(), Json(body)).into_response()
}

/// A handler's error, as JSON.
pub struct ApiError(pub WebError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.0)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError(WebError::Service(e))
    }
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A JSON request body. Bodies that are not JSON, do not match the schema or carry fields the
/// schema does not know are refused with a structured error naming the field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, s: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(ApiError(WebError::BadRequest(
                "Send the body as JSON with 'Content-Type: application/json'".into(),
            )));
        }
        let bytes = axum::body::Bytes::from_request(req, s)
            .await
            .map_err(|_| ApiError(WebError::BadRequest("The body could not be read".into())))?;
        serde_json::from_slice::<T>(&bytes)
            .map(ApiJson)
            .map_err(|e| {
                let msg = e.to_string();
                let field = msg
                    .strip_prefix("unknown field `")
                    .and_then(|r| r.split('`').next())
                    .or_else(|| {
                        msg.strip_prefix("missing field `")
                            .and_then(|r| r.split('`').next())
                    })
                    .map(str::to_owned);
                let mut v = preventkit_services::domain::validate::ValidationErrors::new();
                match field {
                    Some(f) if msg.starts_with("unknown field") => {
                        v.add(&f, format!("'{f}' is not a field of this request"))
                    }
                    Some(f) => v.add(&f, format!("'{f}' is required")),
                    None => v.add("body", format!("The body is not valid: {msg}")),
                }
                ApiError(WebError::Service(ServiceError::Validation(v)))
            })
    }
}

pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
