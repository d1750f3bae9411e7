//! The signed-in user's own account: password, recovery codes, API tokens.

use crate::extract::{Fields, Signed};
use crate::guard::Identity;
use crate::pages::{
    cookie_header, form_errors, render, render_with_flash, see_other_with, PageError, PageResult,
};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use minijinja::{context, Value};
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{InvitationId, TokenId};
use preventkit_services::identity::NewToken;
use preventkit_services::identity::SessionView;
use preventkit_services::ServiceError;

async fn account_page(
    state: &AppState,
    s: &SessionView,
    id: &Identity,
    headers: &HeaderMap,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
) -> PageResult {
    let left = state.app.recovery_codes_left(s).await?;
    let roles: Vec<Value> = state
        .app
        .my_roles(s)
        .await?
        .into_iter()
        .map(|r| {
            context! {
                partnership => r.partnership_name, role => r.role.label(), granted => r.granted_at,
                invited_by => r.invited_by_name,
            }
        })
        .collect();
    let invitations = invitation_rows(state, s).await?;
    let ctx = context! {
        title => "Your account",
        roles => roles,
        invitations => invitations,
        email => s.user.email,
        name => s.user.display_name,
        mfa_enrolled => s.user.mfa_enrolled,
        recovery_left => left,
        errors => errors.map(form_errors),
    };
    if status == StatusCode::OK {
        render_with_flash(state, id, headers, "identity/account.html", ctx).map_err(PageError::from)
    } else {
        render(state, id, "identity/account.html", status, ctx).map_err(PageError::from)
    }
}

pub async fn account(
    State(state): State<AppState>,
    Signed(s, id): Signed,
    headers: HeaderMap,
) -> PageResult {
    account_page(&state, &s, &id, &headers, StatusCode::OK, None).await
}

pub async fn change_password(
    State(state): State<AppState>,
    Signed(s, id): Signed,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let result = state
        .app
        .change_password(
            &s,
            &form.get("current_password"),
            &form.get("new_password"),
            &form.get("confirm_password"),
            &id.ctx,
        )
        .await;
    match result {
        Ok(token) => {
            let mut res = see_other_with(&state.cfg, "/account", "password-changed");
            res.headers_mut().append(
                header::SET_COOKIE,
                cookie_header(&state.cfg, state.cfg.session_cookie(), &token, None),
            );
            Ok(res)
        }
        Err(ServiceError::Validation(e)) => {
            account_page(
                &state,
                &s,
                &id,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn recovery_codes(State(state): State<AppState>, Signed(s, id): Signed) -> PageResult {
    let codes = state.app.regenerate_recovery_codes(&s, &id.ctx).await?;
    render(
        &state,
        &id,
        "identity/recovery-codes.html",
        StatusCode::OK,
        context! { title => "Your new recovery codes", codes => codes, continue_to => "/account" },
    )
    .map_err(PageError::from)
}

/// `POST /account/recovery-codes/download`: the recovery codes as a text file to keep.
///
/// The server stores only the codes' hashes, so it cannot make this file later by itself. The
/// page that shows new codes posts them back from its form (in the body, never in an address,
/// with the CSRF token); they are given back as an attachment only if they are exactly the
/// signed-in person's current codes, none used, made in the last few minutes (see
/// `recovery_codes_for_download`). So the download works while the codes are being shown to
/// the person who has just made them, and for nobody else and never afterwards. The answer is
/// not stored by the browser or anything in between (`Cache-Control: no-store`).
pub async fn download_recovery_codes(
    State(state): State<AppState>,
    Signed(s, _): Signed,
    form: Fields,
) -> PageResult {
    let codes = state
        .app
        .recovery_codes_for_download(&s, &form.get("codes"))
        .await?;
    let mut text = String::from(
        "Prevent Toolkit recovery codes\r\n\r\nEach code signs you in once if you cannot use your authenticator app.\r\nKeep them somewhere safe, away from your device.\r\n\r\n",
    );
    for c in codes {
        text.push_str(&c);
        text.push_str("\r\n");
    }
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"prevent-toolkit-recovery-codes.txt\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response())
}

async fn tokens_page(
    state: &AppState,
    s: &SessionView,
    id: &Identity,
    headers: &HeaderMap,
    status: StatusCode,
    extra: Value,
) -> PageResult {
    let tokens = state.app.list_tokens(s.user.id).await?;
    let partnerships = state.app.my_partnerships(&s.actor).await?;
    let mut choices = Vec::new();
    for (p, roles) in &partnerships {
        for r in roles {
            choices.push(context! {
                value => format!("{}|{}", p.id, r.key()),
                text => format!("{} — {}", p.name, r.label()),
            });
        }
    }
    let names: std::collections::BTreeMap<String, String> = partnerships
        .iter()
        .map(|(p, _)| (p.id.to_string(), p.name.clone()))
        .collect();
    let tokens: Vec<Value> = tokens
        .into_iter()
        .map(|t| {
            let role = preventkit_services::domain::Role::from_key(&t.role)
                .map(|r| r.label())
                .unwrap_or("Unknown role");
            context! {
                id => t.id, name => t.name, partnership_id => t.partnership_id, role => role,
                expires_at => t.expires_at, revoked_at => t.revoked_at,
            }
        })
        .collect();
    let ctx = context! {
        title => "API tokens",
        tokens => tokens,
        names => names,
        choices => choices,
        ..extra
    };
    if status == StatusCode::OK {
        render_with_flash(state, id, headers, "identity/tokens.html", ctx).map_err(PageError::from)
    } else {
        render(state, id, "identity/tokens.html", status, ctx).map_err(PageError::from)
    }
}

pub async fn tokens(
    State(state): State<AppState>,
    Signed(s, id): Signed,
    headers: HeaderMap,
) -> PageResult {
    tokens_page(&state, &s, &id, &headers, StatusCode::OK, context! {}).await
}

pub async fn create_token(
    State(state): State<AppState>,
    Signed(s, id): Signed,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let scope = form.get("scope");
    let (partnership_id, role) = scope.split_once('|').unwrap_or(("", ""));
    let input = NewToken {
        name: form.get("name"),
        partnership_id: partnership_id.to_owned(),
        role: role.to_owned(),
        days: form.get("days"),
    };
    match state.app.create_token(&s, &input, &id.ctx).await {
        Ok((_, secret)) => {
            tokens_page(
                &state,
                &s,
                &id,
                &headers,
                StatusCode::OK,
                context! { new_token => secret },
            )
            .await
        }
        Err(ServiceError::Validation(mut e)) => {
            // The form has one "scope" field for partnership and role together.
            for fe in &mut e.0 {
                if fe.field == "partnership_id" || fe.field == "role" {
                    fe.field = "scope".into();
                }
            }
            tokens_page(
                &state,
                &s,
                &id,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                context! { errors => form_errors(&e), values => context! { name => input.name, days => input.days, scope => scope } },
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// The page that asks "Are you sure you want to revoke ...?", for one of the person's own
/// tokens that still works (anyone else's, or one already revoked, is not found).
async fn revoke_token_page(
    state: &AppState,
    s: &SessionView,
    id: &Identity,
    token: TokenId,
) -> PageResult {
    let t = state
        .app
        .list_tokens(s.user.id)
        .await?
        .into_iter()
        .find(|t| t.id == token.to_string() && t.revoked_at.is_none())
        .ok_or_else(|| PageError::from(crate::WebError::NotFound))?;
    let partnership = state
        .app
        .my_partnerships(&s.actor)
        .await?
        .into_iter()
        .find(|(p, _)| p.id.to_string() == t.partnership_id)
        .map(|(p, _)| p.name)
        .unwrap_or_else(|| "Former partnership".to_owned());
    let role = preventkit_services::domain::Role::from_key(&t.role)
        .map(|r| r.label())
        .unwrap_or("Unknown role");
    render(
        state,
        id,
        "identity/token-revoke.html",
        StatusCode::OK,
        context! {
            title => format!("Are you sure you want to revoke the token ‘{}’?", t.name),
            token => context! {
                id => t.id, name => t.name, scope => format!("{partnership} – {role}"),
                expires_at => t.expires_at,
            },
        },
    )
    .map_err(PageError::from)
}

fn token_id(raw: &str) -> Result<TokenId, PageError> {
    raw.parse()
        .map_err(|_| PageError::from(crate::WebError::NotFound))
}

/// `GET /account/tokens/{token}/revoke`: the confirmation page.
pub async fn confirm_revoke_token(
    State(state): State<AppState>,
    Signed(s, id): Signed,
    Path(token): Path<String>,
) -> PageResult {
    revoke_token_page(&state, &s, &id, token_id(&token)?).await
}

/// `POST /account/tokens/{token}/revoke`. Revoking is asked for first: the tokens page links
/// to the confirmation page (`GET` of this path), whose form posts here with `confirm=yes`.
/// A post without it revokes nothing and shows the confirmation page.
pub async fn revoke_token(
    State(state): State<AppState>,
    Signed(s, id): Signed,
    Path(token): Path<String>,
    form: Fields,
) -> PageResult {
    let token = token_id(&token)?;
    if form.get("confirm") != "yes" {
        return revoke_token_page(&state, &s, &id, token).await;
    }
    state.app.revoke_token(s.user.id, token, &id.ctx).await?;
    Ok(see_other_with(
        &state.cfg,
        "/account/tokens",
        "token-revoked",
    ))
}

/// The signed-in person's open invitations, for the account and home pages.
pub(crate) async fn invitation_rows(
    state: &AppState,
    s: &SessionView,
) -> Result<Vec<Value>, crate::pages::PageError> {
    Ok(state
        .app
        .my_invitations(s)
        .await?
        .into_iter()
        .map(|i| {
            context! {
                id => i.id.to_string(), partnership => i.partnership_name, role => i.role.label(),
                invited_by => i.invited_by_name, expires => i.expires_at,
            }
        })
        .collect())
}

/// Accept or decline an invitation (`/invitations/{invitation}/accept` or `/decline`).
pub async fn answer_invitation(
    State(state): State<AppState>,
    Signed(s, id): Signed,
    Path((invitation, answer)): Path<(String, String)>,
) -> PageResult {
    let invitation: InvitationId = invitation
        .parse()
        .map_err(|_| PageError::from(crate::WebError::NotFound))?;
    let accept = match answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return Err(PageError::from(crate::WebError::NotFound)),
    };
    state
        .app
        .answer_invitation(&s, invitation, accept, &id.ctx)
        .await?;
    let flash = if accept {
        "invitation-accepted"
    } else {
        "invitation-declined"
    };
    Ok(see_other_with(&state.cfg, "/account", flash))
}
