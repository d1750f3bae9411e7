//! HTML pages. Every page works without JavaScript; forms post back and, on bad input,
//! re-render with an error summary and changes nothing.

pub mod account;
pub mod admin;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod health;
pub mod home;
pub mod partnership;

use crate::guard::Identity;
use crate::{AppState, WebConfig, WebError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Value};
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{Permission, Scope};
use preventkit_services::sessions::{SessionView, Stage};
use preventkit_services::ServiceError;
use serde::Serialize;

/// A navigation link in the header.
#[derive(Serialize)]
struct NavItem {
    href: String,
    text: &'static str,
}

fn nav(session: Option<&SessionView>) -> Vec<NavItem> {
    let Some(s) = session.filter(|s| s.stage == Stage::Complete) else {
        return Vec::new();
    };
    let a = &s.actor;
    let mut items = vec![NavItem {
        href: "/home".into(),
        text: "Home",
    }];
    if let Some(p) = s.active_partnership {
        let scope = Scope::Partnership(p);
        if decide(a, Permission::PartnershipRead, scope).is_ok() {
            items.push(NavItem {
                href: format!("/p/{p}"),
                text: "Partnership",
            });
        }
        if decide(a, Permission::AssessmentRead, scope).is_ok() {
            items.push(NavItem {
                href: format!("/p/{p}/assessments"),
                text: "Self-assessment",
            });
        }
        if decide(a, Permission::MembershipRead, scope).is_ok() {
            items.push(NavItem {
                href: format!("/p/{p}/members"),
                text: "Members",
            });
        }
        if decide(a, Permission::AuditRead, scope).is_ok() {
            items.push(NavItem {
                href: format!("/p/{p}/audit"),
                text: "Audit log",
            });
        }
    }
    if decide(a, Permission::UserManage, Scope::Platform).is_ok() {
        items.push(NavItem {
            href: "/admin/users".into(),
            text: "Administration",
        });
    }
    items.push(NavItem {
        href: "/account".into(),
        text: "Your account",
    });
    items
}

/// The errors of a form, shaped for the error summary and the inline messages.
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
    let base = context! {
        csrf_token => csrf,
        user => user,
        nav => nav(session),
    };
    let html = state
        .templates
        .render(template, context! { ..ctx, ..base })?;
    Ok((status, Html(html)).into_response())
}

/// A page for an error. Never fails: if the template itself fails, a plain message is sent.
pub fn error_page(state: &AppState, session: Option<&SessionView>, err: WebError) -> Response {
    err.log();
    let status = err.status();
    let ctx = context! {
        title => match status {
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::FORBIDDEN => "You do not have permission to see this page",
            s if s.is_server_error() => "Sorry, there is a problem with the service",
            _ => "There is a problem",
        },
        message => err.public_message(),
    };
    match render_for(state, session, "", "error.html", status, ctx) {
        Ok(r) => r,
        Err(_) => (status, err.public_message()).into_response(),
    }
}

/// A page handler's error, shown as an error page.
pub struct PageError(Box<(WebError, Option<SessionView>, AppState)>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (err, session, state) = *self.0;
        error_page(&state, session.as_ref(), err)
    }
}

pub type PageResult = Result<Response, PageError>;

/// Turn an error into an error page for this request.
pub fn fail<'a>(state: &'a AppState, id: &'a Identity) -> impl Fn(WebError) -> PageError + 'a {
    move |e| PageError(Box::new((e, id.session.clone(), state.clone())))
}

pub fn svc<'a>(state: &'a AppState, id: &'a Identity) -> impl Fn(ServiceError) -> PageError + 'a {
    move |e| {
        PageError(Box::new((
            WebError::Service(e),
            id.session.clone(),
            state.clone(),
        )))
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

/// The one-time message for this page, if the previous step left one.
pub fn flash_message(headers: &axum::http::HeaderMap) -> Option<&'static str> {
    let key = crate::guard::cookie(headers, "pk_flash")?;
    Some(match key {
        "invitation-sent" => "The invitation was recorded. The role is given when the person accepts it after signing in.",
        "invitation-accepted" => "You accepted the invitation. The role is yours now.",
        "invitation-declined" => "You declined the invitation.",
        "member-updated" => "The role was changed.",
        "member-removed" => "The membership was removed.",
        "password-changed" => {
            "Your password was changed. Your other sessions have been signed out."
        }
        "organisation-created" => "The organisation was added.",
        "partnership-created" => "The partnership was created.",
        "partnership-updated" => "The partnership was updated.",
        "region-created" => "The region was added.",
        "user-created" => "The account was created.",
        "user-updated" => "The account was updated.",
        "token-revoked" => "The token was revoked.",
        "assessment-created" => "The self-assessment was started.",
        "answer-saved" => "The answer was saved.",
        "assessment-submitted" => "The self-assessment was submitted for the board's approval.",
        "assessment-approved" => "The self-assessment was approved.",
        "assessment-locked" => "The self-assessment was locked.",
        "assessment-upgraded" => "The self-assessment now uses the newest version of its framework. Answers were carried across where the questions match.",
        "assessment-reopened" => "The self-assessment was reopened.",
        "action-created" => "The action was added to the action plan.",
        "assessment-imported" => "The changed answers from the spreadsheet were imported.",
        "assessment-imported-unchanged" => {
            "The spreadsheet matches the stored answers: nothing needed to change."
        }
        "evidence-added" => "The evidence was added.",
        "evidence-linked" => "The evidence was linked to this question.",
        "questions-assigned" => "The questions were assigned.",
        "comment-added" => "Your comment was added.",
        _ => return None,
    })
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
