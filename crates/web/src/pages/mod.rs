//! HTML pages. Every page works without JavaScript; forms post back and, on bad input,
//! re-render with an error summary and changes nothing.

pub mod health;
pub mod home;

use crate::guard::Identity;
use crate::{AppState, WebConfig, WebError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Value};
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{Actor, Permission, Scope};
use preventkit_services::identity::{SessionView, Stage};
use preventkit_services::ServiceError;
use serde::Serialize;

/// A navigation link in the header. Each capability offers its own (see
/// [`crate::capability::Capability::nav`]); `order` places it among the others.
#[derive(Serialize)]
pub struct NavItem {
    #[serde(skip)]
    pub order: u8,
    pub href: String,
    pub text: &'static str,
}

/// Whether the actor may use `permission` in `scope`, for showing a link (the route still
/// decides for itself).
pub fn allowed(actor: &Actor, permission: Permission, scope: Scope) -> bool {
    decide(actor, permission, scope).is_ok()
}

fn nav(session: Option<&SessionView>) -> Vec<NavItem> {
    let Some(s) = session.filter(|s| s.stage == Stage::Complete) else {
        return Vec::new();
    };
    let mut items = vec![NavItem {
        order: 0,
        href: "/home".into(),
        text: "Home",
    }];
    for c in crate::capability::CAPABILITIES {
        items.extend((c.nav)(&s.actor, s.active_partnership));
    }
    items.sort_by_key(|i| i.order);
    items
}

/// The errors of a form, shaped for the error summary and the inline messages, in the order
/// the services found them. Pages whose fields come in another order use [`form_errors_in`].
pub fn form_errors(errors: &ValidationErrors) -> Value {
    let list: Vec<Value> = errors
        .0
        .iter()
        .map(|e| context! { text => e.message, href => format!("#{}", e.field) })
        .collect();
    let mut by_field = std::collections::BTreeMap::new();
    for e in &errors.0 {
        by_field
            .entry(e.field.clone())
            .or_insert_with(|| e.message.clone());
    }
    context! { list => list, field => by_field }
}

/// The errors of a form with the error summary in the order the fields appear on the page
/// (`fields`, top to bottom); a field not named keeps its place after them.
pub fn form_errors_in(errors: &ValidationErrors, fields: &[&str]) -> Value {
    let mut sorted = errors.clone();
    sorted.0.sort_by_key(|e| {
        fields
            .iter()
            .position(|f| *f == e.field)
            .unwrap_or(fields.len())
    });
    form_errors(&sorted)
}

/// Render a page with the shared layout context.
pub fn render(
    state: &AppState,
    id: &Identity,
    template: &str,
    status: StatusCode,
    ctx: Value,
) -> Result<Response, WebError> {
    render_for(state, id.session.as_ref(), &id.csrf, template, status, ctx)
}

fn render_for(
    state: &AppState,
    session: Option<&SessionView>,
    csrf: &str,
    template: &str,
    status: StatusCode,
    ctx: Value,
) -> Result<Response, WebError> {
    let user = session
        .filter(|s| s.stage == Stage::Complete)
        .map(|s| context! { name => s.user.display_name });
    // A form before anything was submitted has no errors and no values, and its template
    // looks into both (`errors.field.email`, `values.title`): always give them.
    let given = |name: &str| {
        ctx.get_attr(name)
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_none())
    };
    let errors = given("errors").unwrap_or_else(|| form_errors(&ValidationErrors::new()));
    let values = given("values").unwrap_or_else(|| context! {});
    // The first of merged contexts wins: the form's state, then the page's, then the layout's.
    let form = context! { errors => errors, values => values };
    let base = context! {
        csrf_token => csrf,
        user => user,
        nav => nav(session),
    };
    let html = state
        .templates
        .render(template, context! { ..form, ..ctx, ..base })?;
    Ok((status, Html(html)).into_response())
}

/// A page for an error. Never fails: if the template itself fails, a plain message is sent.
pub fn error_page(state: &AppState, session: Option<&SessionView>, err: WebError) -> Response {
    err.log();
    failure_page(state, session, err.status(), &err.public_message())
}

fn failure_page(
    state: &AppState,
    session: Option<&SessionView>,
    status: StatusCode,
    message: &str,
) -> Response {
    let ctx = context! {
        title => match status {
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::FORBIDDEN => "You do not have permission to see this page",
            s if s.is_server_error() => "Sorry, there is a problem with the service",
            _ => "There is a problem",
        },
        message => message,
        status => status.as_u16(),
    };
    match render_for(state, session, "", "error.html", status, ctx) {
        Ok(r) => r,
        Err(_) => (status, message.to_owned()).into_response(),
    }
}

/// A page handler's error. Handlers return it with `?`; the response it makes carries only
/// the status and what may be shown, and [`render_page_errors`], the one layer that shows page
/// errors, turns that into the error page with the layout and the signed-in user.
pub struct PageError(WebError);

impl From<WebError> for PageError {
    fn from(e: WebError) -> Self {
        PageError(e)
    }
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        PageError(WebError::Service(e))
    }
}

impl From<preventkit_services::domain::Denial> for PageError {
    fn from(d: preventkit_services::domain::Denial) -> Self {
        PageError(WebError::Service(ServiceError::Denied(d)))
    }
}

/// What a failed page handler left for [`render_page_errors`]: the status and the message
/// that may be shown (the error itself was logged when the response was made).
#[derive(Clone, Debug)]
struct PageFailure {
    status: StatusCode,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let failure = PageFailure {
            status: self.0.status(),
            message: self.0.public_message(),
        };
        let mut res = failure.status.into_response();
        res.extensions_mut().insert(failure);
        res
    }
}

pub type PageResult = Result<Response, PageError>;

/// The layer around every page route that renders a failed handler's error as the error page,
/// for the person signed in.
pub(crate) async fn render_page_errors(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let session = req
        .extensions()
        .get::<Identity>()
        .and_then(|i| i.session.clone());
    let res = next.run(req).await;
    match res.extensions().get::<PageFailure>() {
        Some(f) => failure_page(&state, session.as_ref(), f.status, &f.message),
        None => res,
    }
}

pub async fn not_found(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    error_page(&state, None, WebError::NotFound)
}

pub async fn method_not_allowed() -> Response {
    (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response()
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path /, Secure and `__Host-` when served over
/// TLS. `max_age` of `Some(0)` deletes the cookie; `None` makes a browser-session cookie.
pub fn cookie_header(
    cfg: &WebConfig,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if cfg.secure_cookies {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// A redirect after a successful POST (303, so the browser follows with GET). Only to a path of
/// this service: a target with a control character (CR or LF could split the header) or that
/// is not a local path is refused with 400, never sent.
pub fn see_other(to: &str) -> Response {
    let local = to.starts_with('/') && !to.starts_with("//") && !to.starts_with("/\\");
    match HeaderValue::from_str(to) {
        Ok(v) if local && !to.chars().any(char::is_control) => {
            (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response()
        }
        _ => (
            StatusCode::BAD_REQUEST,
            "Bad request: the page to go to is not valid.",
        )
            .into_response(),
    }
}

/// The one-time message for this page, if the previous step left one (each capability lists
/// its own messages).
pub fn flash_message(headers: &axum::http::HeaderMap) -> Option<&'static str> {
    let key = crate::guard::cookie(headers, "pk_flash")?;
    crate::capability::CAPABILITIES
        .iter()
        .flat_map(|c| c.messages.iter())
        .find(|(k, _)| *k == key)
        .map(|(_, text)| *text)
}

/// Render a page that may show a one-time message, and clear the message.
pub fn render_with_flash(
    state: &AppState,
    id: &Identity,
    headers: &axum::http::HeaderMap,
    template: &str,
    ctx: Value,
) -> Result<Response, WebError> {
    let message = flash_message(headers);
    let mut res = render(
        state,
        id,
        template,
        StatusCode::OK,
        context! { flash => message, ..ctx },
    )?;
    if message.is_some() {
        res.headers_mut()
            .append(header::SET_COOKIE, clear_flash_cookie(&state.cfg));
    }
    Ok(res)
}

/// The cookie that clears a one-time message once shown.
pub fn clear_flash_cookie(cfg: &WebConfig) -> axum::http::HeaderValue {
    cookie_header(cfg, "pk_flash", "", Some(0))
}

/// Redirect after a successful POST, leaving a one-time message for the next page.
pub fn see_other_with(cfg: &WebConfig, to: &str, key: &str) -> Response {
    let mut res = see_other(to);
    if res.status() == StatusCode::SEE_OTHER {
        res.headers_mut().append(
            header::SET_COOKIE,
            cookie_header(cfg, "pk_flash", key, Some(60)),
        );
    }
    res
}
