use preventkit_domain::validate::ValidationErrors;
use preventkit_domain::Denial;
use preventkit_storage::StorageError;

/// Why a use case did not happen. Each becomes a proper response in the web layer and a clear
/// message on the command line; none carries personal data.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Validation(ValidationErrors),
    #[error("not found")]
    NotFound,
    #[error("not allowed ({})", .0.key())]
    Denied(Denial),
    #[error("{0}")]
    Conflict(String),
    #[error("the email address or password is not right")]
    InvalidCredentials,
    #[error("too many attempts: wait 15 minutes and try again")]
    Throttled,
    #[error("the database schema is not up to date: run `preventkit migrate`")]
    NotMigrated,
    #[error("the service is busy; try again")]
    Busy,
    #[error("storage: {0}")]
    Storage(StorageError),
    #[error("internal error: {0}")]
    Internal(String),
    #[error("case records need an encryption key; create one with `preventkit keys create --file PATH` and set PREVENTKIT_KEYS_FILE")]
    NoKeys,
    #[error("{0}")]
    Key(crate::keys::KeyError),
    /// The person has a Channel role but no relationship with the case: it opens only by
    /// exceptional access, with a reason.
    #[error("case {reference} opens only by exceptional access")]
    ExceptionalAccessNeeded {
        reference: preventkit_domain::channel::CaseReference,
    },
}

impl From<StorageError> for ServiceError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Busy => ServiceError::Busy,
            other => ServiceError::Storage(other),
        }
    }
}

impl From<Denial> for ServiceError {
    fn from(d: Denial) -> Self {
        ServiceError::Denied(d)
    }
}

impl From<ValidationErrors> for ServiceError {
    fn from(e: ValidationErrors) -> Self {
        ServiceError::Validation(e)
    }
}

impl ServiceError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Validation(ValidationErrors::single(field, message))
    }
}
