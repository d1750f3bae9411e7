//! Extractors that hand handlers what the guard established.

use crate::guard::Identity;
use crate::WebError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use preventkit_services::identity::SessionView;
use preventkit_services::Grant;

/// The policy's grant for this route. Only routes declared with a permission have one; asking
/// for it anywhere else is a programming error and fails closed.
pub struct Granted(pub Grant);

impl<S: Send + Sync> FromRequestParts<S> for Granted {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Grant>()
            .cloned()
            .map(Granted)
            .ok_or_else(|| WebError::Internal("route declared no permission".into()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .cloned()
            .ok_or_else(|| WebError::Internal("request did not pass the guard".into()))
    }
}

/// A fully signed-in browser session (for routes that act on the user's own account).
pub struct Signed(pub SessionView, pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let id = Identity::from_request_parts(parts, s).await?;
        match id.session.clone() {
            Some(sess) => Ok(Signed(sess, id)),
            None => Err(WebError::Internal("route needs a session".into())),
        }
    }
}

/// The fields of a posted form (`application/x-www-form-urlencoded`). Missing fields read as
/// empty; the services validate.
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// A date entered with the GOV.UK date input named `name`: its boxes are posted as
    /// `name-day`, `name-month` and `name-year` (see `templates/_date.html`).
    pub fn date(&self, name: &str) -> preventkit_domain::dates::DateEntry {
        preventkit_domain::dates::DateEntry::Parts(preventkit_domain::dates::DateParts {
            day: self.get(&format!("{name}-day")),
            month: self.get(&format!("{name}-month")),
            year: self.get(&format!("{name}-year")),
        })
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for Fields {
    type Rejection = WebError;
    async fn from_request(req: axum::extract::Request, s: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, s)
            .await
            .map_err(|_| WebError::BadRequest("The form could not be read.".into()))?;
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map(Fields)
            .map_err(|_| WebError::BadRequest("The form could not be read.".into()))
    }
}

/// Identifiers from the path, typed (`PageIds<(PartnershipId, AssessmentId)>`). An identifier
/// that is not well formed names nothing, so a page answers exactly as it does for an unknown
/// one: page not found.
pub struct PageIds<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for PageIds<T> {
    type Rejection = crate::pages::PageError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, s)
            .await
            .map(|axum::extract::Path(ids)| PageIds(ids))
            .map_err(|r| path_error(r).into())
    }
}

/// Identifiers from the path, typed, for the API: one that is not well formed is answered with
/// the same structured `not_found` as an unknown one.
pub struct ApiIds<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ApiIds<T> {
    type Rejection = crate::api::ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, s)
            .await
            .map(|axum::extract::Path(ids)| ApiIds(ids))
            .map_err(|r| crate::api::ApiError(path_error(r)))
    }
}

/// Why the path's identifiers could not be read: an address that is not even text (a segment
/// that is not UTF-8) is a bad request, as it is on every other route; anything else names
/// nothing, so it is not found.
fn path_error(rejection: axum::extract::rejection::PathRejection) -> WebError {
    use axum::extract::path::ErrorKind;
    use axum::extract::rejection::PathRejection;
    match rejection {
        PathRejection::FailedToDeserializePathParams(e)
            if matches!(e.kind(), ErrorKind::InvalidUtf8InPathParam { .. }) =>
        {
            WebError::BadRequest(e.body_text())
        }
        _ => WebError::NotFound,
    }
}
