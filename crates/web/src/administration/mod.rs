//! Organisations, partnerships, regions, people and their memberships: the platform pages and each partnership's members.

pub mod api;
pub(crate) mod pages {
    pub(crate) mod partnership;
    pub(crate) mod platform;
}

use crate::capability::Capability;
use crate::pages::{allowed, NavItem};
use crate::routes::{api, page, Route};
use axum::http::Method as M;
use axum::routing::{delete, get, patch, post};
use preventkit_services::domain::Access::Permission as Perm;
use preventkit_services::domain::Permission as P;
use preventkit_services::domain::{Actor, PartnershipId, Scope};

/// What this capability gives the web layer (see [`crate::capability`]).
pub(crate) const CAPABILITY: Capability = Capability {
    routes,
    api: <api::Doc as utoipa::OpenApi>::openapi,
    messages: &[
    ("invitation-sent", "The invitation was recorded. The role is given when the person accepts it after signing in."),
    ("member-updated", "The role was changed."),
    ("member-removed", "The member was removed. The removal is in the audit log."),
    ("organisation-created", "The organisation was added."),
    ("partnership-created", "The partnership was created."),
    ("partnership-updated", "The partnership was updated."),
    ("region-created", "The region was added."),
    ("user-created", "The account was created."),
    ("user-disabled", "The account was disabled. Its sessions were ended and its API tokens stopped working."),
    ("user-updated", "The account was updated."),
],
    nav,
};

fn nav(actor: &Actor, active: Option<PartnershipId>) -> Vec<NavItem> {
    let mut items = Vec::new();
    if let Some(p) = active {
        let scope = Scope::Partnership(p);
        if allowed(actor, P::PartnershipRead, scope) {
            items.push(NavItem {
                order: 10,
                href: format!("/p/{p}"),
                text: "Partnership",
            });
        }
        if allowed(actor, P::MembershipRead, scope) {
            items.push(NavItem {
                order: 30,
                href: format!("/p/{p}/members"),
                text: "Members",
            });
        }
    }
    if allowed(actor, P::UserManage, Scope::Platform) {
        items.push(NavItem {
            order: 80,
            href: "/admin/users".into(),
            text: "Administration",
        });
    }
    items
}

/// This capability's routes, each with the access it needs.
pub(crate) fn routes() -> Vec<Route> {
    vec![
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
            M::GET,
            "/p/{partnership}/members/{membership}/remove",
            Perm(P::MembershipManage),
            get(pages::partnership::confirm_remove_member),
        ),
        page(
            M::POST,
            "/p/{partnership}/members/{membership}/remove",
            Perm(P::MembershipManage),
            post(pages::partnership::remove_member),
        ),
        page(
            M::GET,
            "/admin/organisations",
            Perm(P::OrganisationManage),
            get(pages::platform::organisations),
        ),
        page(
            M::POST,
            "/admin/organisations",
            Perm(P::OrganisationManage),
            post(pages::platform::create_organisation),
        ),
        page(
            M::GET,
            "/admin/partnerships",
            Perm(P::PartnershipManage),
            get(pages::platform::partnerships),
        ),
        page(
            M::POST,
            "/admin/partnerships",
            Perm(P::PartnershipManage),
            post(pages::platform::create_partnership),
        ),
        page(
            M::POST,
            "/admin/partnerships/{id}/organisations",
            Perm(P::PartnershipManage),
            post(pages::platform::add_partnership_organisation),
        ),
        page(
            M::POST,
            "/admin/regions",
            Perm(P::PartnershipManage),
            post(pages::platform::create_region),
        ),
        page(
            M::GET,
            "/admin/users",
            Perm(P::UserManage),
            get(pages::platform::users),
        ),
        page(
            M::POST,
            "/admin/users",
            Perm(P::UserManage),
            post(pages::platform::create_user),
        ),
        page(
            M::GET,
            "/admin/users/{user}/disable",
            Perm(P::UserManage),
            get(pages::platform::confirm_disable_user),
        ),
        page(
            M::POST,
            "/admin/users/{user}/disable",
            Perm(P::UserManage),
            post(pages::platform::disable_user),
        ),
        page(
            M::POST,
            "/admin/users/{user}/enable",
            Perm(P::UserManage),
            post(pages::platform::enable_user),
        ),
        page(
            M::POST,
            "/admin/users/{user}/reset-mfa",
            Perm(P::UserManage),
            post(pages::platform::reset_mfa),
        ),
        api(
            M::GET,
            "/api/v1/organisations",
            Perm(P::OrganisationRead),
            get(api::list_organisations),
        ),
        api(
            M::GET,
            "/api/v1/organisations/{organisation}",
            Perm(P::OrganisationRead),
            get(api::get_organisation),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}",
            Perm(P::PartnershipRead),
            get(api::get_partnership),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/users",
            Perm(P::MembershipRead),
            get(api::list_users),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/memberships",
            Perm(P::MembershipRead),
            get(api::list_memberships),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/memberships",
            Perm(P::MembershipManage),
            post(api::create_membership),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            Perm(P::MembershipRead),
            get(api::get_membership),
        ),
        api(
            M::PATCH,
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            Perm(P::MembershipManage),
            patch(api::update_membership),
        ),
        api(
            M::DELETE,
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            Perm(P::MembershipManage),
            delete(api::delete_membership),
        ),
    ]
}
