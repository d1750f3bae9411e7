//! Channel case management: referral, the referrer's view of their referrals, the case list,
//! the case page (every read audited, exceptional access with a reason), assigning a case
//! officer, screening, attaching a referral to a case of the same person, and who opened a case.
//!
//! Cases are named by their reference and opaque id only: no page title, address or message
//! carries the person's name.

pub mod api;
pub(crate) mod pages;

use crate::capability::Capability;
use crate::pages::{allowed, NavItem};
use crate::routes::{api, page, Route};
use axum::http::Method as M;
use axum::routing::{get, post, put};
use preventkit_services::domain::Access::Permission as Perm;
use preventkit_services::domain::Permission as P;
use preventkit_services::domain::{Actor, PartnershipId, Scope};

/// What this capability gives the web layer (see [`crate::capability`]).
pub(crate) const CAPABILITY: Capability = Capability {
    routes,
    api: <api::Doc as utoipa::OpenApi>::openapi,
    messages: &[
        ("case-officer-assigned", "The case officer was assigned."),
        (
            "deconfliction-recorded",
            "The police deconfliction was recorded.",
        ),
        (
            "information-recorded",
            "The information was added to the case.",
        ),
        ("outcome-recorded", "The outcome of screening was recorded."),
        (
            "referral-attached",
            "The referral was added to the existing case.",
        ),
    ],
    nav,
};

fn nav(actor: &Actor, active: Option<PartnershipId>) -> Vec<NavItem> {
    let Some(p) = active else {
        return Vec::new();
    };
    let mut items = Vec::new();
    if allowed(actor, P::CaseRead, Scope::Partnership(p)) {
        items.push(NavItem {
            order: 25,
            href: format!("/p/{p}/cases"),
            text: "Cases",
        });
    }
    if allowed(actor, P::CaseRefer, Scope::Partnership(p)) {
        items.push(NavItem {
            order: 26,
            href: format!("/p/{p}/referrals"),
            text: "Referrals",
        });
    }
    items
}

/// This capability's routes, each with the access it needs.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        // Referral.
        page(
            M::GET,
            "/p/{partnership}/referrals",
            Perm(P::CaseRefer),
            get(pages::my_referrals),
        ),
        page(
            M::GET,
            "/p/{partnership}/referrals/new",
            Perm(P::CaseRefer),
            get(pages::referral_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/referrals/new",
            Perm(P::CaseRefer),
            post(pages::referral_check),
        ),
        page(
            M::POST,
            "/p/{partnership}/referrals",
            Perm(P::CaseRefer),
            post(pages::referral_send),
        ),
        page(
            M::GET,
            "/p/{partnership}/referrals/{case}/sent",
            Perm(P::CaseRefer),
            get(pages::referral_sent),
        ),
        // Cases.
        page(
            M::GET,
            "/p/{partnership}/cases",
            Perm(P::CaseRead),
            get(pages::cases),
        ),
        page(
            M::GET,
            "/p/{partnership}/cases/{case}",
            Perm(P::CaseRead),
            get(pages::case_page),
        ),
        page(
            M::POST,
            "/p/{partnership}/cases/{case}/exceptional-access",
            Perm(P::CaseRead),
            post(pages::give_exceptional_access),
        ),
        page(
            M::POST,
            "/p/{partnership}/cases/{case}/officer",
            Perm(P::CaseAssign),
            post(pages::assign_officer),
        ),
        page(
            M::GET,
            "/p/{partnership}/cases/{case}/attach",
            Perm(P::CaseManage),
            get(pages::attach_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/cases/{case}/attach",
            Perm(P::CaseManage),
            post(pages::attach),
        ),
        // Screening.
        page(
            M::GET,
            "/p/{partnership}/cases/{case}/deconfliction",
            Perm(P::CaseManage),
            get(pages::deconfliction_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/cases/{case}/deconfliction",
            Perm(P::CaseManage),
            post(pages::record_deconfliction),
        ),
        page(
            M::GET,
            "/p/{partnership}/cases/{case}/information",
            Perm(P::CaseManage),
            get(pages::information_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/cases/{case}/information",
            Perm(P::CaseManage),
            post(pages::record_information),
        ),
        page(
            M::GET,
            "/p/{partnership}/cases/{case}/outcome",
            Perm(P::CaseManage),
            get(pages::outcome_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/cases/{case}/outcome",
            Perm(P::CaseManage),
            post(pages::outcome_check),
        ),
        page(
            M::POST,
            "/p/{partnership}/cases/{case}/outcome/confirm",
            Perm(P::CaseManage),
            post(pages::outcome_confirm),
        ),
        // The data protection view.
        page(
            M::GET,
            "/p/{partnership}/cases/{case}/access",
            Perm(P::CaseAccessReview),
            get(pages::case_access_log),
        ),
        page(
            M::GET,
            "/p/{partnership}/case-access",
            Perm(P::CaseAccessReview),
            get(pages::exceptional_accesses),
        ),
        // The API.
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/referrals",
            Perm(P::CaseRefer),
            get(api::my_referrals),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/referrals",
            Perm(P::CaseRefer),
            post(api::refer),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/cases",
            Perm(P::CaseRead),
            get(api::cases),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/cases/{case}",
            Perm(P::CaseRead),
            get(api::case),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/cases/{case}/exceptional-access",
            Perm(P::CaseRead),
            post(api::give_exceptional_access),
        ),
        api(
            M::PUT,
            "/api/v1/partnerships/{partnership}/cases/{case}/officer",
            Perm(P::CaseAssign),
            put(api::assign_officer),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/cases/{case}/deconflictions",
            Perm(P::CaseManage),
            post(api::record_deconfliction),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/cases/{case}/information",
            Perm(P::CaseManage),
            post(api::record_information),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/cases/{case}/outcome",
            Perm(P::CaseManage),
            post(api::record_outcome),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/cases/{case}/access-log",
            Perm(P::CaseAccessReview),
            get(api::access_log),
        ),
    ]
}
