//! The Channel panel: its members by sector, its meetings with their agendas (by case
//! reference only), attendance, and the panel's decision on each case.

pub(crate) mod pages;

use crate::capability::Capability;
use crate::pages::{allowed, NavItem};
use crate::routes::{page, Route};
use axum::http::Method as M;
use axum::routing::{get, post};
use preventkit_services::domain::Access::Permission as Perm;
use preventkit_services::domain::Permission as P;
use preventkit_services::domain::{Actor, PartnershipId, Scope};

/// The API description of this capability (no API routes yet).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub(crate) struct Doc;

/// What this capability gives the web layer (see [`crate::capability`]).
pub(crate) const CAPABILITY: Capability = Capability {
    routes,
    api: <Doc as utoipa::OpenApi>::openapi,
    messages: &[
        ("panel-member-added", "The member was added to the panel."),
        (
            "panel-member-removed",
            "The member was taken off the panel.",
        ),
        (
            "meeting-created",
            "The meeting was made and its agenda built from the cases due.",
        ),
        (
            "agenda-published",
            "The agenda was published to the people invited.",
        ),
        ("attendance-recorded", "Attendance was recorded."),
    ],
    nav,
};

fn nav(actor: &Actor, active: Option<PartnershipId>) -> Vec<NavItem> {
    active
        .filter(|p| allowed(actor, P::PanelRead, Scope::Partnership(*p)))
        .map(|p| NavItem {
            order: 32,
            href: format!("/p/{p}/panel"),
            text: "Panel",
        })
        .into_iter()
        .collect()
}

const MEETING: &str = "/p/{partnership}/panel/meetings/{meeting}";
const DECISION: &str = "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision";

/// This capability's routes, each with the access it needs.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        page(
            M::GET,
            "/p/{partnership}/panel",
            Perm(P::PanelRead),
            get(pages::panel),
        ),
        page(
            M::POST,
            "/p/{partnership}/panel/members",
            Perm(P::PanelManage),
            post(pages::add_member),
        ),
        page(
            M::GET,
            "/p/{partnership}/panel/members/{user}/remove",
            Perm(P::PanelManage),
            get(pages::remove_member_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/panel/members/{user}/remove",
            Perm(P::PanelManage),
            post(pages::remove_member),
        ),
        page(
            M::GET,
            "/p/{partnership}/panel/meetings",
            Perm(P::PanelRead),
            get(pages::meetings),
        ),
        page(
            M::POST,
            "/p/{partnership}/panel/meetings",
            Perm(P::PanelManage),
            post(pages::create_meeting),
        ),
        page(M::GET, MEETING, Perm(P::PanelRead), get(pages::meeting)),
        page(
            M::POST,
            "/p/{partnership}/panel/meetings/{meeting}/publish",
            Perm(P::PanelManage),
            post(pages::publish),
        ),
        page(
            M::POST,
            "/p/{partnership}/panel/meetings/{meeting}/attendance",
            Perm(P::PanelManage),
            post(pages::attendance),
        ),
        page(
            M::GET,
            DECISION,
            Perm(P::PanelManage),
            get(pages::decision_form),
        ),
        page(
            M::POST,
            DECISION,
            Perm(P::PanelManage),
            post(pages::check_decision),
        ),
        page(
            M::POST,
            "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision/confirm",
            Perm(P::PanelManage),
            post(pages::record_decision),
        ),
        page(
            M::GET,
            "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision/recorded",
            Perm(P::PanelManage),
            get(pages::decision_recorded),
        ),
    ]
}
