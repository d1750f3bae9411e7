//! The audit log: filterable pages for a partnership and for the platform, and the API.

pub mod api;
pub(crate) mod pages;

use crate::capability::Capability;
use crate::pages::{allowed, NavItem};
use crate::routes::{api, page, Route};
use axum::http::Method as M;
use axum::routing::get;
use preventkit_services::domain::Access::Permission as Perm;
use preventkit_services::domain::Permission as P;
use preventkit_services::domain::{Actor, PartnershipId, Scope};

/// What this capability gives the web layer (see [`crate::capability`]).
pub(crate) const CAPABILITY: Capability = Capability {
    routes,
    api: <api::Doc as utoipa::OpenApi>::openapi,
    messages: &[],
    nav,
};

fn nav(actor: &Actor, active: Option<PartnershipId>) -> Vec<NavItem> {
    active
        .filter(|p| allowed(actor, P::AuditRead, Scope::Partnership(*p)))
        .map(|p| NavItem {
            order: 40,
            href: format!("/p/{p}/audit"),
            text: "Audit log",
        })
        .into_iter()
        .collect()
}

/// This capability's routes, each with the access it needs.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        page(
            M::GET,
            "/p/{partnership}/audit",
            Perm(P::AuditRead),
            get(pages::partnership_audit),
        ),
        page(
            M::GET,
            "/admin/audit",
            Perm(P::PlatformAuditRead),
            get(pages::platform_audit),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/audit-events",
            Perm(P::AuditRead),
            get(api::list_audit_events),
        ),
    ]
}
