//! The route table: every route of the application, each with the access it needs. Nothing
//! reaches the router except through this table, and the guard enforces each entry.

use crate::guard::{guard, GuardState};
use crate::{api, assets, headers, pages, AppState};
use axum::http::Method;
use axum::routing::{delete, get, patch, post, MethodRouter};
use axum::Router;
use preventkit_services::domain::{Access, Permission as P};

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

struct Route {
    spec: RouteSpec,
    handler: MethodRouter<AppState>,
}

fn page(
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

fn api(
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

fn table() -> Vec<Route> {
    use Access::{MfaPending, Permission as Perm, Public, SignedIn};
    use Method as M;
    vec![
        // Infrastructure.
        page(M::GET, "/healthz", Public, get(pages::health::healthz)),
        page(M::GET, "/readyz", Public, get(pages::health::readyz)),
        page(M::GET, "/assets/app.css", Public, get(assets::app_css)),
        // Signing in.
        page(M::GET, "/", Public, get(pages::auth::root)),
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
        // The signed-in user's own things.
        page(M::GET, "/home", SignedIn, get(pages::home::home)),
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
        // One partnership.
        page(
            M::GET,
            "/p/{partnership}",
            Perm(P::PartnershipRead),
            get(pages::partnership::overview),
        ),
        page(
            M::GET,
            "/p/{partnership}/members",
            Perm(P::MembershipRead),
            get(pages::partnership::members),
        ),
        page(
            M::GET,
            "/p/{partnership}/members/new",
            Perm(P::MembershipManage),
            get(pages::partnership::new_member_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/members",
            Perm(P::MembershipManage),
            post(pages::partnership::add_member),
        ),
        page(
            M::POST,
            "/p/{partnership}/members/{membership}/role",
            Perm(P::MembershipManage),
            post(pages::partnership::change_role),
        ),
        page(
            M::POST,
            "/p/{partnership}/members/{membership}/remove",
            Perm(P::MembershipManage),
            post(pages::partnership::remove_member),
        ),
        page(
            M::GET,
            "/p/{partnership}/audit",
            Perm(P::AuditRead),
            get(pages::audit::partnership_audit),
        ),
        // The self-assessment.
        page(
            M::GET,
            "/p/{partnership}/assessments",
            Perm(P::AssessmentRead),
            get(pages::assessments::list),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/new",
            Perm(P::AssessmentManage),
            get(pages::assessments::new_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments",
            Perm(P::AssessmentManage),
            post(pages::assessments::create),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}",
            Perm(P::AssessmentRead),
            get(pages::assessments::show),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/questions/{question}",
            Perm(P::AssessmentRead),
            get(pages::assessments::question),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/questions/{question}",
            Perm(P::AssessmentRespond),
            post(pages::assessments::answer),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/upgrade",
            Perm(P::AssessmentManage),
            get(pages::assessments::upgrade_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/upgrade",
            Perm(P::AssessmentManage),
            post(pages::assessments::upgrade),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/submit",
            Perm(P::AssessmentManage),
            post(pages::assessments::submit),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/approve",
            Perm(P::AssessmentApprove),
            post(pages::assessments::approve),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/lock",
            Perm(P::AssessmentManage),
            post(pages::assessments::lock),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/reopen",
            Perm(P::AssessmentManage),
            post(pages::assessments::reopen),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/compare",
            Perm(P::AssessmentRead),
            get(pages::assessments::compare),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/gaps",
            Perm(P::AssessmentRead),
            get(pages::assessments::gaps),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/capabilities",
            Perm(P::AssessmentRead),
            get(pages::assessments::capabilities),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/actions",
            Perm(P::ActionManage),
            post(pages::assessments::create_action),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/export.xlsx",
            Perm(P::AssessmentRead),
            get(pages::assessments::export_xlsx),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/export.csv",
            Perm(P::AssessmentRead),
            get(pages::assessments::export_csv),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/import",
            Perm(P::AssessmentRespond),
            post(pages::assessments::import_xlsx),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/questions/{question}/evidence",
            Perm(P::AssessmentRespond),
            post(pages::assessments::add_evidence),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/questions/{question}/evidence/link",
            Perm(P::AssessmentRespond),
            post(pages::assessments::link_evidence),
        ),
        page(
            M::GET,
            "/p/{partnership}/evidence/{evidence}/file",
            Perm(P::AssessmentRead),
            get(pages::assessments::evidence_file),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/assign",
            Perm(P::AssessmentManage),
            post(pages::assessments::assign),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/questions/{question}/comments",
            Perm(P::AssessmentComment),
            post(pages::assessments::comment),
        ),
        // Platform administration.
        page(
            M::GET,
            "/admin/organisations",
            Perm(P::OrganisationManage),
            get(pages::admin::organisations),
        ),
        page(
            M::POST,
            "/admin/organisations",
            Perm(P::OrganisationManage),
            post(pages::admin::create_organisation),
        ),
        page(
            M::GET,
            "/admin/partnerships",
            Perm(P::PartnershipManage),
            get(pages::admin::partnerships),
        ),
        page(
            M::POST,
            "/admin/partnerships",
            Perm(P::PartnershipManage),
            post(pages::admin::create_partnership),
        ),
        page(
            M::POST,
            "/admin/partnerships/{id}/organisations",
            Perm(P::PartnershipManage),
            post(pages::admin::add_partnership_organisation),
        ),
        page(
            M::POST,
            "/admin/regions",
            Perm(P::PartnershipManage),
            post(pages::admin::create_region),
        ),
        page(
            M::GET,
            "/admin/users",
            Perm(P::UserManage),
            get(pages::admin::users),
        ),
        page(
            M::POST,
            "/admin/users",
            Perm(P::UserManage),
            post(pages::admin::create_user),
        ),
        page(
            M::POST,
            "/admin/users/{user}/disable",
            Perm(P::UserManage),
            post(pages::admin::disable_user),
        ),
        page(
            M::POST,
            "/admin/users/{user}/enable",
            Perm(P::UserManage),
            post(pages::admin::enable_user),
        ),
        page(
            M::POST,
            "/admin/users/{user}/reset-mfa",
            Perm(P::UserManage),
            post(pages::admin::reset_mfa),
        ),
        page(
            M::GET,
            "/admin/audit",
            Perm(P::PlatformAuditRead),
            get(pages::audit::platform_audit),
        ),
        // JSON API.
        api(
            M::GET,
            "/api/v1/openapi.json",
            Public,
            get(api::openapi_json),
        ),
        api(M::GET, "/api/v1/me", SignedIn, get(api::handlers::me)),
        api(
            M::GET,
            "/api/v1/tokens",
            SignedIn,
            get(api::handlers::list_tokens),
        ),
        api(
            M::DELETE,
            "/api/v1/tokens/{token}",
            SignedIn,
            delete(api::handlers::revoke_token),
        ),
        api(
            M::GET,
            "/api/v1/organisations",
            Perm(P::OrganisationRead),
            get(api::handlers::list_organisations),
        ),
        api(
            M::GET,
            "/api/v1/organisations/{organisation}",
            Perm(P::OrganisationRead),
            get(api::handlers::get_organisation),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}",
            Perm(P::PartnershipRead),
            get(api::handlers::get_partnership),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/users",
            Perm(P::MembershipRead),
            get(api::handlers::list_users),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/memberships",
            Perm(P::MembershipRead),
            get(api::handlers::list_memberships),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/memberships",
            Perm(P::MembershipManage),
            post(api::handlers::create_membership),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            Perm(P::MembershipRead),
            get(api::handlers::get_membership),
        ),
        api(
            M::PATCH,
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            Perm(P::MembershipManage),
            patch(api::handlers::update_membership),
        ),
        api(
            M::DELETE,
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            Perm(P::MembershipManage),
            delete(api::handlers::delete_membership),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/audit-events",
            Perm(P::AuditRead),
            get(api::handlers::list_audit_events),
        ),
        api(
            M::GET,
            "/api/v1/frameworks",
            Perm(P::FrameworkRead),
            get(api::assessments::list_frameworks),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments",
            Perm(P::AssessmentRead),
            get(api::assessments::list_assessments),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments",
            Perm(P::AssessmentManage),
            post(api::assessments::create_assessment),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}",
            Perm(P::AssessmentRead),
            get(api::assessments::get_assessment),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses",
            Perm(P::AssessmentRead),
            get(api::assessments::list_responses),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}",
            Perm(P::AssessmentRead),
            get(api::assessments::get_response),
        ),
        api(
            M::PUT,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}",
            Perm(P::AssessmentRespond),
            axum::routing::put(api::assessments::put_response),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/evidence",
            Perm(P::AssessmentRead),
            get(api::evidence::list_evidence),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/evidence",
            Perm(P::AssessmentRespond),
            post(api::evidence::add_evidence),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/evidence/{evidence}/file",
            Perm(P::AssessmentRead),
            get(api::evidence::evidence_file),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/comments",
            Perm(P::AssessmentRead),
            get(api::evidence::list_comments),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/comments",
            Perm(P::AssessmentComment),
            post(api::evidence::add_comment),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/upgrade",
            Perm(P::AssessmentManage),
            get(api::evidence::upgrade_offer),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/upgrade",
            Perm(P::AssessmentManage),
            post(api::evidence::upgrade),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/transitions",
            Perm(P::AssessmentManage),
            post(api::assessments::transition),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/approval",
            Perm(P::AssessmentApprove),
            post(api::assessments::approve),
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
        router = router.route(route.spec.path, route.handler.route_layer(layer));
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
