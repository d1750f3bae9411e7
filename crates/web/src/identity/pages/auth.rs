//! Signing in, the second factor, and signing out.

use crate::extract::Fields;
use crate::guard::Identity;
use crate::pages::{cookie_header, form_errors, render, see_other, PageError, PageResult};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::Response;
use minijinja::context;
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::identity::{NewSession, Stage};
use preventkit_services::ServiceError;

pub async fn root(id: Identity) -> Response {
    match id.session.map(|s| s.stage) {
        Some(Stage::Complete) => see_other("/home"),
        Some(Stage::MfaChallenge) => see_other("/sign-in/mfa"),
        Some(Stage::MfaEnrol) => see_other("/sign-in/mfa/set-up"),
        None => see_other("/sign-in"),
    }
}

pub async fn sign_in_form(State(state): State<AppState>, id: Identity) -> PageResult {
    if id.session.is_some() {
        return Ok(root(id).await);
    }
    render(
        &state,
        &id,
        "identity/sign-in.html",
        StatusCode::OK,
        context! { title => "Sign in" },
    )
    .map_err(PageError::from)
}

/// Set the new session cookie, clear the pre-sign-in cookie, and go to the next step.
fn start_session(state: &AppState, new: &NewSession, to: &str) -> Response {
    let mut res = see_other(to);
    let cfg = &state.cfg;
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(cfg, cfg.session_cookie(), &new.token, None),
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(cfg, cfg.pre_session_cookie(), "", Some(0)),
    );
    res
}

fn next_step(stage: Stage) -> &'static str {
    match stage {
        Stage::Complete => "/home",
        Stage::MfaChallenge => "/sign-in/mfa",
        Stage::MfaEnrol => "/sign-in/mfa/set-up",
    }
}

pub async fn sign_in(State(state): State<AppState>, id: Identity, form: Fields) -> PageResult {
    let email = form.get("email");
    let password = form.get("password");
    let mut errors = ValidationErrors::new();
    if email.trim().is_empty() {
        errors.add("email", "Enter your email address");
    }
    if password.is_empty() {
        errors.add("password", "Enter your password");
    }
    let (status, errors) = if errors.is_empty() {
        match state.app.sign_in(&email, &password, &id.ctx).await {
            Ok(new) => return Ok(start_session(&state, &new, next_step(new.stage))),
            Err(ServiceError::InvalidCredentials) => (
                StatusCode::UNAUTHORIZED,
                ValidationErrors::single("email", "The email address or password is not right"),
            ),
            Err(ServiceError::Throttled) => (
                StatusCode::TOO_MANY_REQUESTS,
                ValidationErrors::single(
                    "email",
                    "There have been too many attempts to sign in. Wait 15 minutes and try again",
                ),
            ),
            Err(e) => return Err(PageError::from(e)),
        }
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, errors)
    };
    render(
        &state,
        &id,
        "identity/sign-in.html",
        status,
        context! { title => "Sign in", errors => form_errors(&errors), email => email.trim() },
    )
    .map_err(PageError::from)
}

pub async fn mfa_form(State(state): State<AppState>, id: Identity) -> PageResult {
    if id.session.as_ref().map(|s| s.stage) == Some(Stage::MfaEnrol) {
        return Ok(see_other("/sign-in/mfa/set-up"));
    }
    render(
        &state,
        &id,
        "identity/mfa.html",
        StatusCode::OK,
        context! { title => "Enter your security code" },
    )
    .map_err(PageError::from)
}

pub async fn mfa(State(state): State<AppState>, id: Identity, form: Fields) -> PageResult {
    let Some(session) = id.session.clone() else {
        return Ok(see_other("/sign-in"));
    };
    let code = form.get("code");
    let errors = if code.trim().is_empty() {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ValidationErrors::single(
                "code",
                "Enter the code from your authenticator app, or a recovery code",
            ),
        )
    } else {
        match state.app.verify_mfa(&session, &code, &id.ctx).await {
            Ok(new) => return Ok(start_session(&state, &new, "/home")),
            Err(ServiceError::Validation(e)) => (StatusCode::UNPROCESSABLE_ENTITY, e),
            Err(ServiceError::Throttled) => (
                StatusCode::TOO_MANY_REQUESTS,
                ValidationErrors::single(
                    "code",
                    "There have been too many wrong codes. Wait 15 minutes and try again",
                ),
            ),
            Err(e) => return Err(PageError::from(e)),
        }
    };
    render(
        &state,
        &id,
        "identity/mfa.html",
        errors.0,
        context! { title => "Enter your security code", errors => form_errors(&errors.1) },
    )
    .map_err(PageError::from)
}

fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn enrol_page(
    state: &AppState,
    id: &Identity,
    status: StatusCode,
    errors: Option<ValidationErrors>,
) -> PageResult {
    let Some(session) = id.session.as_ref() else {
        return Ok(see_other("/sign-in"));
    };
    if session.stage == Stage::MfaChallenge {
        return Ok(see_other("/sign-in/mfa"));
    }
    let (secret, url) = state.app.begin_enrolment(session).await?;
    // The SVG is generated here from the otpauth address; it contains no user input except
    // the account email, which the QR encoder turns into modules, not markup.
    let svg = qr_svg(&url);
    render(
        state,
        id,
        "identity/mfa-set-up.html",
        status,
        context! {
            title => "Set up two-factor authentication",
            qr_svg => minijinja::Value::from_safe_string(svg),
            secret => grouped(&secret),
            errors => errors.as_ref().map(form_errors),
        },
    )
    .map_err(PageError::from)
}

pub async fn enrol_form(State(state): State<AppState>, id: Identity) -> PageResult {
    enrol_page(&state, &id, StatusCode::OK, None).await
}

pub async fn enrol(State(state): State<AppState>, id: Identity, form: Fields) -> PageResult {
    let Some(session) = id.session.clone() else {
        return Ok(see_other("/sign-in"));
    };
    let code = form.get("code");
    if code.trim().is_empty() {
        let e =
            ValidationErrors::single("code", "Enter the 6-digit code from your authenticator app");
        return enrol_page(&state, &id, StatusCode::UNPROCESSABLE_ENTITY, Some(e)).await;
    }
    match state.app.finish_enrolment(&session, &code, &id.ctx).await {
        Ok((new, codes)) => {
            let ctx = context! { title => "Save your recovery codes", codes => codes, continue_to => "/home" };
            // The new session is not in `id` yet: render without a signed-in header, with the
            // new session's CSRF token for the download form.
            let bare = Identity {
                session: None,
                csrf: state.app.new_session_csrf_token(&new)?,
                ..id.clone()
            };
            let mut res = render(
                &state,
                &bare,
                "identity/recovery-codes.html",
                StatusCode::OK,
                ctx,
            )?;
            let cfg = &state.cfg;
            res.headers_mut().append(
                header::SET_COOKIE,
                cookie_header(cfg, cfg.session_cookie(), &new.token, None),
            );
            Ok(res)
        }
        Err(ServiceError::Validation(e)) => {
            enrol_page(&state, &id, StatusCode::UNPROCESSABLE_ENTITY, Some(e)).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// Abandon a half-finished sign-in.
pub async fn cancel(State(state): State<AppState>, id: Identity) -> PageResult {
    if let Some(s) = &id.session {
        state.app.sign_out(s, &id.ctx).await?;
    }
    Ok(signed_out(&state))
}

pub async fn sign_out(State(state): State<AppState>, id: Identity) -> PageResult {
    if let Some(s) = &id.session {
        state.app.sign_out(s, &id.ctx).await?;
    }
    Ok(signed_out(&state))
}

fn signed_out(state: &AppState) -> Response {
    let mut res = see_other("/sign-in");
    let cfg = &state.cfg;
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(cfg, cfg.session_cookie(), "", Some(0)),
    );
    res
}
