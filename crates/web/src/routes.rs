//! The route table: every route of the application, each with the access it needs. Nothing
//! reaches the router except through this table, and the guard enforces each entry.

use crate::guard::{guard, GuardState};
use crate::{api, assets, headers, pages, AppState};
use axum::http::Method;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use preventkit_services::domain::Access;

/// Which face of the application a route belongs to. Pages use the session cookie and CSRF
/// tokens; the API uses bearer tokens only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    Page,
    Api,
}

/// One route's declaration.
#[derive(Clone, Debug)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub surface: Surface,
}

pub(crate) struct Route {
    spec: RouteSpec,
    handler: MethodRouter<AppState>,
}

pub(crate) fn page(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        spec: RouteSpec {
            method,
            path,
            access,
            surface: Surface::Page,
        },
        handler,
    }
}

pub(crate) fn api(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        spec: RouteSpec {
            method,
            path,
            access,
            surface: Surface::Api,
        },
        handler,
    }
}

/// Every route: the shared ones here, then each capability's own.
fn table() -> Vec<Route> {
    let mut all = shared();
    for c in crate::capability::CAPABILITIES {
        all.extend((c.routes)());
    }
    all
}

/// Infrastructure, the home page and the API description.
fn shared() -> Vec<Route> {
    use Access::{Public, SignedIn};
    use Method as M;
    vec![
        page(M::GET, "/healthz", Public, get(pages::health::healthz)),
        page(M::GET, "/readyz", Public, get(pages::health::readyz)),
        page(M::GET, "/assets/app.css", Public, get(assets::app_css)),
        page(M::GET, "/", Public, get(crate::identity::pages::auth::root)),
        page(M::GET, "/home", SignedIn, get(pages::home::home)),
        page(
            M::GET,
            "/partnerships",
            SignedIn,
            get(pages::home::switcher),
        ),
        page(
            M::POST,
            "/partnerships/switch",
            SignedIn,
            post(pages::home::switch),
        ),
        api(
            M::GET,
            "/api/v1/openapi.json",
            Public,
            get(api::openapi_json),
        ),
    ]
}

/// Every declared route (for tests, the OpenAPI check and documentation).
pub fn specs() -> Vec<RouteSpec> {
    table().into_iter().map(|r| r.spec).collect()
}

pub(crate) fn build(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for route in table() {
        let gs = GuardState {
            state: state.clone(),
            spec: route.spec.clone(),
        };
        let layer = axum::middleware::from_fn_with_state(gs, guard);
        let mut handler = route.handler;
        if route.spec.surface == Surface::Page {
            // Inside the guard, so the person signed in is known when an error page is shown.
            handler = handler.route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                pages::render_page_errors,
            ));
        }
        router = router.route(route.spec.path, handler.route_layer(layer));
    }
    router
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .layer(axum::middleware::from_fn(api::json_errors))
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(axum::middleware::from_fn_with_state(
            state.cfg.clone(),
            headers::security_headers,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.cfg.max_body_bytes,
        ))
        .with_state(state)
}
