//! The one gate every request passes: identity, CSRF, policy, audit of refusals.

use crate::routes::{RouteSpec, Surface};
use crate::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use preventkit_services::audit::DeniedRequest;
use preventkit_services::domain::actions::AccessAction;
use preventkit_services::domain::policy::{decide, ScopeKind};
use preventkit_services::domain::{Access, Denial, PartnershipId, Scope};
use preventkit_services::identity::TokenActor;
use preventkit_services::identity::{SessionView, Stage};
use preventkit_services::RequestContext;
use std::net::SocketAddr;

/// Who is asking, as the guard found them. Present on every request.
#[derive(Clone)]
pub struct Identity {
    pub session: Option<SessionView>,
    pub token: Option<TokenActor>,
    pub ctx: RequestContext,
    /// The CSRF token to put in this page's forms.
    pub csrf: String,
}

/// The state the guard layer of one route holds.
#[derive(Clone)]
pub struct GuardState {
    pub state: AppState,
    pub spec: RouteSpec,
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn source_address(req: &Request, trust_forwarded: bool) -> Option<String> {
    if trust_forwarded {
        if let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            return Some(first.trim().to_owned());
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

enum Refusal {
    /// Nobody signed in (or a bad token).
    NotSignedIn,
    /// Signed in but the second factor is still to do.
    MfaPending,
    /// Fully signed in, but on a page that is only for the sign-in steps.
    AlreadySignedIn,
    /// The policy said no.
    Forbidden(Denial),
    /// The form's CSRF token is missing or wrong.
    BadCsrf,
}

pub async fn guard(State(gs): State<GuardState>, req: Request, next: Next) -> Response {
    let GuardState { state, spec } = gs;
    let ctx = RequestContext {
        source: source_address(&req, state.cfg.trust_forwarded_for),
    };
    let headers = req.headers().clone();

    // Who is asking.
    let mut session = None;
    let mut token = None;
    match spec.surface {
        Surface::Page => {
            if let Some(value) = cookie(&headers, state.cfg.session_cookie()) {
                match state.app.session(value).await {
                    Ok(s) => session = s,
                    Err(e) => return crate::pages::error_page(&state, None, e.into()),
                }
            }
        }
        Surface::Api => {
            if let Some(secret) = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
            {
                match state.app.token_actor(secret.trim()).await {
                    Ok(t) => token = t,
                    Err(e) => return crate::api::error_response(e.into()),
                }
            }
        }
    }

    // The CSRF binding: the session, or a cookie given out before sign-in.
    let mut new_pre_cookie = None;
    let binding = match (&session, cookie(&headers, state.cfg.pre_session_cookie())) {
        (Some(s), _) => s.key.clone(),
        (None, Some(pre)) if state.app.pre_session_valid(pre) => pre.to_owned(),
        (None, _) => match state.app.new_pre_session_value() {
            Ok(v) => {
                new_pre_cookie = Some(v.clone());
                v
            }
            Err(e) => return crate::pages::error_page(&state, None, e.into()),
        },
    };
    let csrf = state.app.csrf_token(&binding).unwrap_or_default();

    // What the route needs.
    let actor = match spec.surface {
        Surface::Page => session
            .as_ref()
            .filter(|s| s.stage == Stage::Complete)
            .map(|s| s.actor.clone()),
        Surface::Api => token.as_ref().map(|t| t.actor.clone()),
    };
    let mut grant = None;
    let mut partnership: Option<PartnershipId> = None;
    let refusal = match spec.access {
        Access::Public => None,
        Access::MfaPending => match &session {
            None => Some(Refusal::NotSignedIn),
            Some(s) if s.stage == Stage::Complete => Some(Refusal::AlreadySignedIn),
            Some(_) => None,
        },
        Access::SignedIn | Access::Permission(_) if actor.is_none() => {
            if session.is_some() {
                Some(Refusal::MfaPending)
            } else {
                Some(Refusal::NotSignedIn)
            }
        }
        Access::SignedIn => None,
        Access::Permission(p) => {
            let scope = match p.scope_kind() {
                ScopeKind::Platform => Some(Scope::Platform),
                ScopeKind::Partnership => {
                    partnership_param(req.uri().path(), spec.path).map(|pid| {
                        partnership = Some(pid);
                        Scope::Partnership(pid)
                    })
                }
            };
            match (scope, &actor) {
                (None, _) => {
                    return not_found(&state, &spec, session.as_ref());
                }
                (Some(scope), Some(actor)) => match decide(actor, p, scope) {
                    Ok(g) => {
                        grant = Some(g);
                        None
                    }
                    Err(d) => Some(Refusal::Forbidden(d)),
                },
                (Some(_), None) => Some(Refusal::NotSignedIn),
            }
        }
    };

    // Forms must carry the CSRF token bound to this browser.
    let mut req = req;
    let refusal = match refusal {
        None if spec.surface == Surface::Page && req.method() == Method::POST => {
            match buffer_and_check_csrf(&state, req, &binding).await {
                Ok(r) => {
                    req = r;
                    None
                }
                Err(r) => match r {
                    CsrfFailure::Refused => {
                        req = Request::new(Body::empty());
                        Some(Refusal::BadCsrf)
                    }
                    CsrfFailure::TooLarge => {
                        return (StatusCode::PAYLOAD_TOO_LARGE, "request too large").into_response()
                    }
                },
            }
        }
        other => other,
    };

    if let Some(refusal) = refusal {
        let reason = match &refusal {
            Refusal::NotSignedIn => Some(AccessAction::NotSignedIn),
            Refusal::MfaPending => Some(AccessAction::MfaPending),
            // Redirects within the sign-in steps are navigation, not refusals worth a record.
            Refusal::AlreadySignedIn => None,
            Refusal::Forbidden(d) => Some(AccessAction::of(*d)),
            Refusal::BadCsrf => Some(AccessAction::BadCsrfToken),
        };
        if let Some(reason) = reason {
            let denied = DeniedRequest {
                actor: actor
                    .as_ref()
                    .map(|a| a.user_id())
                    .or(session.as_ref().map(|s| s.user.id)),
                partnership,
                route: format!("{} {}", spec.method, spec.path),
                reason,
            };
            if let Err(e) = state.app.record_denied(&denied, &ctx).await {
                tracing::error!(error = %e, "could not record a refused request");
                return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
            }
        }
        return refusal_response(&state, &spec, refusal, session.as_ref());
    }

    // Someone signed in who is answered "not found" on a route that needs them may have
    // tried an id of another partnership: that is a refusal and is recorded as one. The record
    // names the route pattern and the partnership asked for, never where the id belongs, so
    // it reads the same for an id that exists nowhere.
    let audit_not_found = match (&actor, spec.access) {
        (Some(a), Access::Permission(_) | Access::SignedIn) => Some(DeniedRequest {
            actor: Some(a.user_id()),
            partnership,
            route: format!("{} {}", spec.method, spec.path),
            reason: AccessAction::NotFound,
        }),
        _ => None,
    };
    let refusal_ctx = ctx.clone();
    req.extensions_mut().insert(Identity {
        session,
        token,
        ctx,
        csrf,
    });
    if let Some(g) = grant {
        req.extensions_mut().insert(g);
    }
    let mut res = next.run(req).await;
    if res.status() == StatusCode::NOT_FOUND {
        if let Some(denied) = audit_not_found {
            if let Err(e) = state.app.record_denied(&denied, &refusal_ctx).await {
                tracing::error!(error = %e, "could not record a refused request");
                return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
            }
        }
    }
    if let Some(pre) = new_pre_cookie {
        if spec.surface == Surface::Page {
            let c =
                crate::pages::cookie_header(&state.cfg, state.cfg.pre_session_cookie(), &pre, None);
            res.headers_mut().append(header::SET_COOKIE, c);
        }
    }
    res
}

fn not_found(state: &AppState, spec: &RouteSpec, session: Option<&SessionView>) -> Response {
    match spec.surface {
        Surface::Api => crate::api::json_error(StatusCode::NOT_FOUND, "not_found", "Not found"),
        Surface::Page => crate::pages::error_page(state, session, crate::WebError::NotFound),
    }
}

fn refusal_response(
    state: &AppState,
    spec: &RouteSpec,
    refusal: Refusal,
    session: Option<&SessionView>,
) -> Response {
    match (spec.surface, refusal) {
        (Surface::Api, Refusal::NotSignedIn) => crate::api::json_error(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Give a valid API token as 'Authorization: Bearer <token>'",
        ),
        (Surface::Api, _) => crate::api::json_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Your token does not allow this",
        ),
        (Surface::Page, Refusal::NotSignedIn) => Redirect::to("/sign-in").into_response(),
        (Surface::Page, Refusal::MfaPending) => {
            let to = match session.map(|s| s.stage) {
                Some(Stage::MfaEnrol) => "/sign-in/mfa/set-up",
                _ => "/sign-in/mfa",
            };
            Redirect::to(to).into_response()
        }
        (Surface::Page, Refusal::AlreadySignedIn) => Redirect::to("/home").into_response(),
        (Surface::Page, Refusal::Forbidden(_)) => crate::pages::error_page(
            state,
            session,
            crate::WebError::Service(preventkit_services::ServiceError::Denied(
                preventkit_services::domain::Denial::NotPermitted,
            )),
        ),
        (Surface::Page, Refusal::BadCsrf) => crate::pages::error_page(
            state,
            session,
            crate::WebError::BadRequest(
                "This form has expired or was not sent from this service. Go back, reload the page and try again.".into(),
            ),
        ),
    }
}

enum CsrfFailure {
    Refused,
    TooLarge,
}

/// Read the form body, check its `csrf_token`, and give the request back with the body.
async fn buffer_and_check_csrf(
    state: &AppState,
    req: Request,
    binding: &str,
) -> Result<Request, CsrfFailure> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, state.cfg.max_body_bytes)
        .await
        .map_err(|_| CsrfFailure::TooLarge)?;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let token = if content_type.starts_with("multipart/form-data") {
        multipart_field(content_type, bytes.clone(), "csrf_token").await
    } else {
        form_urlencoded_field(&bytes, "csrf_token")
    };
    match token {
        Some(t) if state.app.csrf_valid(binding, &t) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(CsrfFailure::Refused),
    }
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// A text field of a multipart form (file uploads), read from the buffered body.
async fn multipart_field(
    content_type: &str,
    body: axum::body::Bytes,
    name: &str,
) -> Option<String> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// The `{partnership}` segment of a concrete path, by the route's pattern.
fn partnership_param(path: &str, pattern: &str) -> Option<PartnershipId> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let pats: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    pats.iter()
        .position(|p| *p == "{partnership}")
        .and_then(|i| segs.get(i))
        .and_then(|s| s.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partnership_segment_is_found_by_pattern() {
        let id = PartnershipId::new();
        let path = format!("/api/v1/partnerships/{id}/memberships");
        assert_eq!(
            partnership_param(&path, "/api/v1/partnerships/{partnership}/memberships"),
            Some(id)
        );
        assert_eq!(partnership_param("/p/not-a-uuid", "/p/{partnership}"), None);
    }

    #[test]
    fn form_field_is_read() {
        assert_eq!(
            form_urlencoded_field(b"a=1&csrf_token=x%2By", "csrf_token").as_deref(),
            Some("x+y")
        );
        assert_eq!(form_urlencoded_field(b"a=1", "csrf_token"), None);
    }
}
