//! The list of capabilities. Each capability of the product is a module of this crate (with
//! modules of the same name in the domain, storage and services crates) that offers its routes,
//! its part of the API description, its one-time messages and its navigation links through a
//! [`Capability`]. Adding a capability is creating its modules and adding one line here.

use crate::pages::NavItem;
use crate::routes::Route;
use preventkit_services::domain::{Actor, PartnershipId};

/// What one capability contributes to the web layer.
pub(crate) struct Capability {
    /// Its routes, each with the access it needs.
    pub routes: fn() -> Vec<Route>,
    /// Its part of the OpenAPI description.
    pub api: fn() -> utoipa::openapi::OpenApi,
    /// One-time messages shown after a successful form, by key.
    pub messages: &'static [(&'static str, &'static str)],
    /// Its links in the header for this actor, in the partnership they are working in.
    pub nav: fn(&Actor, Option<PartnershipId>) -> Vec<NavItem>,
}

/// Every capability, one line each.
pub(crate) const CAPABILITIES: &[Capability] = &[
    crate::identity::CAPABILITY,
    crate::administration::CAPABILITY,
    crate::audit::CAPABILITY,
    crate::assessment::CAPABILITY,
    crate::evidence::CAPABILITY,
    crate::channel::CAPABILITY,
    crate::panel::CAPABILITY,
];

/// No links in the header.
pub(crate) fn no_nav(_: &Actor, _: Option<PartnershipId>) -> Vec<NavItem> {
    Vec::new()
}
