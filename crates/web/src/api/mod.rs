//! The JSON API under `/api/v1`, with its OpenAPI 3.1 document generated from these types and
//! handlers. Authentication is by personal access token only (`Authorization: Bearer ...`), so
//! no cookie ever authorises an API call and CSRF cannot reach it.

pub(crate) mod openapi;
pub mod types;

use crate::evidence::api::FileTypes;
use crate::WebError;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use openapi::ErrorResponses;
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
    components(schemas(types::ErrorCode, types::OutcomeFilter)),
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

/// The whole API description: the shared parts, then each capability's paths, then what applies to every operation (the bearer scheme, the error responses
/// and the file types).
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for c in crate::capability::CAPABILITIES {
        doc.merge((c.api)());
    }
    for m in [&BearerAuth as &dyn Modify, &ErrorResponses, &FileTypes] {
        m.modify(&mut doc);
    }
    doc
}

/// Look up an entity by the id in its path; an id that does not parse is simply not found.
pub(crate) fn parse<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError(WebError::NotFound))
}

pub async fn openapi_json() -> Response {
    match document().to_json() {
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

/// The largest JSON body an API call accepts, unless its handler says otherwise: 1 MiB, far
/// more than any of the fields allow. A larger body is refused with 413 `payload_too_large`.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// A JSON request body of at most `MAX` bytes. Bodies that are not JSON are refused with 400,
/// bodies over `MAX` bytes with 413, and bodies that do not match the schema or carry fields the
/// schema does not know with 422 naming the field. Every refusal is a structured error.
pub struct ApiJson<T, const MAX: usize = MAX_JSON_BYTES>(pub T);

impl<S: Send + Sync, T: DeserializeOwned, const MAX: usize> FromRequest<S> for ApiJson<T, MAX> {
    type Rejection = Response;
    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(error_response(WebError::BadRequest(
                "Send the body as JSON with 'Content-Type: application/json'".into(),
            )));
        }
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let mut stream = req.into_body().into_data_stream();
        if declared.is_some_and(|n| n > MAX as u64) {
            // Read (and drop) what a client is still sending, within reason, so that it gets
            // to read the answer instead of a closed connection.
            if declared.is_some_and(|n| n <= DRAIN_MAX as u64) {
                drain(&mut stream, 0).await;
            }
            return Err(too_large(MAX));
        }
        // Read the body ourselves, counting, so a body without a declared length is cut off
        // at the limit too.
        let mut bytes: Vec<u8> = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| {
                error_response(WebError::BadRequest("The body could not be read".into()))
            })?;
            if bytes.len() + chunk.len() > MAX {
                drain(&mut stream, bytes.len() + chunk.len()).await;
                return Err(too_large(MAX));
            }
            bytes.extend_from_slice(&chunk);
        }
        // Every request body is an object (serde would otherwise read `[]` as an empty one).
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(error_response(WebError::Service(ServiceError::field(
                "body",
                "The body must be a JSON object",
            ))));
        }
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
                error_response(WebError::Service(ServiceError::Validation(v)))
            })
    }
}

/// A body over the limit is still read and dropped up to this size (32 MiB) before the 413, so
/// that an ordinary client sees the answer; beyond it the connection is simply closed.
const DRAIN_MAX: usize = 32 * 1024 * 1024;

async fn drain(stream: &mut axum::body::BodyDataStream, mut seen: usize) {
    while seen <= DRAIN_MAX {
        match stream.next().await {
            Some(Ok(chunk)) => seen += chunk.len(),
            _ => return,
        }
    }
}

/// 413 with a structured error saying the limit.
fn too_large(max: usize) -> Response {
    json_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        &format!("The request body is larger than this call accepts ({max} bytes)"),
    )
}

/// A structured error with a given status, code and message.
pub(crate) fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message: message.to_owned(),
            field: None,
            fields: Vec::new(),
        },
    };
    let mut res = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    res
}

/// Every answer under `/api/` is JSON: an error that did not come from an API handler (an
/// unknown path, a method the path does not take, a path segment that is not UTF-8, a failure
/// before the handler) is turned into the structured error for its status, so a client never
/// has to parse an HTML page or plain text.
pub async fn json_errors(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return res;
    }
    let (code, message) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", "The request is not valid"),
        StatusCode::UNAUTHORIZED => (
            "unauthenticated",
            "Give a valid API token as 'Authorization: Bearer <token>'",
        ),
        StatusCode::FORBIDDEN => ("forbidden", "Your token does not allow this"),
        StatusCode::NOT_FOUND => ("not_found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "This path does not take that method")
        }
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            "The request body is larger than this call accepts",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ("validation_failed", "The request is not valid"),
        StatusCode::TOO_MANY_REQUESTS => ("too_many_attempts", "Too many requests"),
        StatusCode::SERVICE_UNAVAILABLE => ("busy", "The service is busy. Try again shortly."),
        s if s.is_server_error() => (
            "internal",
            "Something went wrong on our side. Try again later.",
        ),
        _ => ("bad_request", "The request is not valid"),
    };
    let mut out = json_error(status, code, message);
    // Keep what the inner answer said about the method or the wait.
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = res.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
