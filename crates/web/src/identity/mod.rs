//! Who someone is: signing in with two-factor authentication, their account, their API tokens and the invitations waiting for them.

pub mod api;
pub(crate) mod pages {
    pub(crate) mod account;
    pub(crate) mod auth;
}

use crate::capability::Capability;
use crate::pages::NavItem;
use crate::routes::{api, page, Route};
use axum::http::Method as M;
use axum::routing::{delete, get, post};
use preventkit_services::domain::Access::{MfaPending, Public, SignedIn};
use preventkit_services::domain::{Actor, PartnershipId};

/// What this capability gives the web layer (see [`crate::capability`]).
pub(crate) const CAPABILITY: Capability = Capability {
    routes,
    api: <api::Doc as utoipa::OpenApi>::openapi,
    messages: &[
        (
            "invitation-accepted",
            "You accepted the invitation. The role is yours now.",
        ),
        ("invitation-declined", "You declined the invitation."),
        (
            "password-changed",
            "Your password was changed. Your other sessions have been signed out.",
        ),
        (
            "token-revoked",
            "The token was revoked. Programs using it are refused from now on.",
        ),
    ],
    nav,
};

fn nav(_: &Actor, _: Option<PartnershipId>) -> Vec<NavItem> {
    vec![NavItem {
        order: 90,
        href: "/account".into(),
        text: "Your account",
    }]
}

/// This capability's routes, each with the access it needs.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        page(M::GET, "/sign-in", Public, get(pages::auth::sign_in_form)),
        page(M::POST, "/sign-in", Public, post(pages::auth::sign_in)),
        page(
            M::GET,
            "/sign-in/mfa",
            MfaPending,
            get(pages::auth::mfa_form),
        ),
        page(M::POST, "/sign-in/mfa", MfaPending, post(pages::auth::mfa)),
        page(
            M::GET,
            "/sign-in/mfa/set-up",
            MfaPending,
            get(pages::auth::enrol_form),
        ),
        page(
            M::POST,
            "/sign-in/mfa/set-up",
            MfaPending,
            post(pages::auth::enrol),
        ),
        page(
            M::POST,
            "/sign-in/cancel",
            MfaPending,
            post(pages::auth::cancel),
        ),
        page(M::POST, "/sign-out", SignedIn, post(pages::auth::sign_out)),
        page(M::GET, "/account", SignedIn, get(pages::account::account)),
        page(
            M::POST,
            "/account/password",
            SignedIn,
            post(pages::account::change_password),
        ),
        page(
            M::POST,
            "/account/recovery-codes",
            SignedIn,
            post(pages::account::recovery_codes),
        ),
        page(
            M::POST,
            "/account/recovery-codes/download",
            SignedIn,
            post(pages::account::download_recovery_codes),
        ),
        page(
            M::GET,
            "/account/tokens",
            SignedIn,
            get(pages::account::tokens),
        ),
        page(
            M::POST,
            "/account/tokens",
            SignedIn,
            post(pages::account::create_token),
        ),
        page(
            M::GET,
            "/account/tokens/{token}/revoke",
            SignedIn,
            get(pages::account::confirm_revoke_token),
        ),
        page(
            M::POST,
            "/account/tokens/{token}/revoke",
            SignedIn,
            post(pages::account::revoke_token),
        ),
        page(
            M::POST,
            "/invitations/{invitation}/{answer}",
            SignedIn,
            post(pages::account::answer_invitation),
        ),
        api(M::GET, "/api/v1/me", SignedIn, get(api::me)),
        api(M::GET, "/api/v1/tokens", SignedIn, get(api::list_tokens)),
        api(
            M::DELETE,
            "/api/v1/tokens/{token}",
            SignedIn,
            delete(api::revoke_token),
        ),
    ]
}
