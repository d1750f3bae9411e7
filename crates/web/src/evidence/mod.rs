//! Evidence behind the self-assessment: adding, linking and downloading files and links.

pub mod api;
pub(crate) mod pages;

use crate::capability::Capability;
use crate::routes::{api, page, Route};
use axum::http::Method as M;
use axum::routing::{get, post};
use preventkit_services::domain::Access::Permission as Perm;
use preventkit_services::domain::Permission as P;

/// What this capability gives the web layer (see [`crate::capability`]).
pub(crate) const CAPABILITY: Capability = Capability {
    routes,
    api: <api::Doc as utoipa::OpenApi>::openapi,
    messages: &[
        ("evidence-added", "The evidence was added."),
        (
            "evidence-linked",
            "The evidence was linked to this question.",
        ),
    ],
    nav: crate::capability::no_nav,
};

/// This capability's routes, each with the access it needs.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/questions/{question}/evidence",
            Perm(P::AssessmentRespond),
            post(pages::add_evidence),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/questions/{question}/evidence/link",
            Perm(P::AssessmentRespond),
            post(pages::link_evidence),
        ),
        page(
            M::GET,
            "/p/{partnership}/evidence/{evidence}/file",
            Perm(P::AssessmentRead),
            get(pages::evidence_file),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/evidence",
            Perm(P::AssessmentRead),
            get(api::list_evidence),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/evidence",
            Perm(P::AssessmentRespond),
            post(api::add_evidence),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/evidence/{evidence}/file",
            Perm(P::AssessmentRead),
            get(api::evidence_file),
        ),
    ]
}
