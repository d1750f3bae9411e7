//! The web layer: HTML pages and the JSON API over one route table.
//!
//! Every route is declared in [`routes`] with its [`Access`](preventkit_services::domain::Access);
//! one guard in [`guard`] resolves who is asking, checks CSRF on form posts, asks the domain's
//! policy and records refusals in the audit log before any handler runs. Handlers then receive
//! the policy's [`Grant`](preventkit_services::Grant) and pass it to the services, which will not
//! touch partnership data without one.

#![forbid(unsafe_code)]

// The capabilities, each with its routes, pages and API (the same names as in the other
// crates).
pub mod administration;
pub mod assessment;
pub mod audit;
pub mod channel;
pub mod evidence;
pub mod identity;
pub mod panel;

// Machinery shared by the capabilities.
pub mod api;
mod assets;
mod capability;
mod error;
mod extract;
mod guard;
mod headers;
pub mod metrics;
mod pages;
pub mod routes;
mod templates;

use axum::Router;
use preventkit_services::App;
use std::net::SocketAddr;
use std::sync::Arc;

pub use error::WebError;

/// Settings of the web layer.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The public address is https (behind a TLS-terminating proxy or load balancer): mark
    /// cookies `Secure`, give the session cookie the `__Host-` prefix, and send
    /// `Strict-Transport-Security` on every response.
    pub secure_cookies: bool,
    /// Use the first address in `X-Forwarded-For` as the source address (only behind a proxy
    /// that sets it).
    pub trust_forwarded_for: bool,
    /// The largest form body accepted, in bytes (file uploads on the pages). API calls have
    /// their own limits (`api::MAX_JSON_BYTES`, and more for evidence files).
    pub max_body_bytes: usize,
    /// A template that uses a variable it was not given fails to render (the page answers
    /// 500) instead of rendering the variable as nothing. Off in production, so a page whose
    /// template missed an optional value still shows; on in every test and in `./dev run`
    /// (`PREVENTKIT_STRICT_TEMPLATES=1`), so such a template is found before it ships.
    pub strict_templates: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_forwarded_for: false,
            // Room for a 10 MB evidence file and its form fields.
            max_body_bytes: 11 * 1024 * 1024,
            strict_templates: false,
        }
    }
}

impl WebConfig {
    /// Whether the service is reached over https (so Strict-Transport-Security is sent).
    pub fn https(&self) -> bool {
        self.secure_cookies
    }
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-pk_session"
        } else {
            "pk_session"
        }
    }
    pub fn pre_session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-pk_pre"
        } else {
            "pk_pre"
        }
    }
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub cfg: Arc<WebConfig>,
    pub templates: Arc<templates::Templates>,
}

/// The whole HTTP application.
pub fn router(app: App, cfg: WebConfig) -> Result<Router, WebError> {
    let state = AppState {
        app,
        templates: Arc::new(templates::Templates::load(cfg.strict_templates)?),
        cfg: Arc::new(cfg),
    };
    Ok(routes::build(state))
}

/// Serve until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}
