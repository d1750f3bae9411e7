use axum::http::StatusCode;
use preventkit_services::ServiceError;

/// Why a request failed. Pages turn it into an HTML page, the API into a JSON error.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            WebError::Service(e) => match e {
                ServiceError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
                ServiceError::NotFound => StatusCode::NOT_FOUND,
                ServiceError::Denied(_) | ServiceError::ExceptionalAccessNeeded { .. } => {
                    StatusCode::FORBIDDEN
                }
                ServiceError::Conflict(_) => StatusCode::CONFLICT,
                ServiceError::InvalidCredentials => StatusCode::UNAUTHORIZED,
                ServiceError::Throttled => StatusCode::TOO_MANY_REQUESTS,
                ServiceError::Busy | ServiceError::NoKeys => StatusCode::SERVICE_UNAVAILABLE,
                ServiceError::NotMigrated
                | ServiceError::Storage(_)
                | ServiceError::Key(_)
                | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::NotFound => "not_found",
            WebError::BadRequest(_) => "bad_request",
            WebError::Internal(_) => "internal",
            WebError::Service(e) => match e {
                ServiceError::Validation(_) => "validation_failed",
                ServiceError::NotFound => "not_found",
                ServiceError::Denied(_) => "forbidden",
                ServiceError::ExceptionalAccessNeeded { .. } => "exceptional_access_needed",
                ServiceError::Conflict(_) => "conflict",
                ServiceError::InvalidCredentials => "invalid_credentials",
                ServiceError::Throttled => "too_many_attempts",
                ServiceError::Busy => "busy",
                ServiceError::NoKeys => "case_records_unavailable",
                ServiceError::NotMigrated
                | ServiceError::Storage(_)
                | ServiceError::Key(_)
                | ServiceError::Internal(_) => "internal",
            },
        }
    }

    /// A message fit to show. Internal details are logged, never shown.
    pub fn public_message(&self) -> String {
        match self {
            WebError::Internal(_) => "Something went wrong on our side. Try again later.".into(),
            WebError::Service(
                ServiceError::Storage(_)
                | ServiceError::Internal(_)
                | ServiceError::NotMigrated
                | ServiceError::Key(_),
            ) => "Something went wrong on our side. Try again later.".into(),
            WebError::Service(ServiceError::NoKeys) => {
                "Case records are unavailable until the service is given its encryption key.".into()
            }
            WebError::Service(ServiceError::Denied(_)) => {
                "You do not have permission to do that.".into()
            }
            WebError::NotFound | WebError::Service(ServiceError::NotFound) => {
                "Page not found.".into()
            }
            other => other.to_string(),
        }
    }

    pub fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }
}

/// A plain response, for the rare failures outside a page or API handler (an unreadable form
/// body, a request that skipped the guard).
impl axum::response::IntoResponse for WebError {
    fn into_response(self) -> axum::response::Response {
        self.log();
        (self.status(), self.public_message()).into_response()
    }
}
