//! The partnership self-assessment: pages and API from the list of assessments to approval.

pub mod api;
pub(crate) mod pages;
pub mod spreadsheet_api;

use crate::capability::Capability;
use crate::pages::{allowed, NavItem};
use crate::routes::{api, page, Route};
use axum::http::Method as M;
use axum::routing::{get, post};
use preventkit_services::domain::Access::Permission as Perm;
use preventkit_services::domain::Permission as P;
use preventkit_services::domain::{Actor, PartnershipId, Scope};

/// What this capability gives the web layer (see [`crate::capability`]).
pub(crate) const CAPABILITY: Capability = Capability {
    routes,
    api: <api::Doc as utoipa::OpenApi>::openapi,
    messages: &[
    ("assessment-created", "The self-assessment was started."),
    ("answer-saved", "The answer was saved."),
    ("answer-saved-none-left", "The answer was saved. There are no more questions for you after that one."),
    ("assessment-submitted", "The self-assessment was submitted for the board's approval."),
    ("assessment-approved", "The self-assessment was approved."),
    ("assessment-sent-back", "The self-assessment was sent back to the lead with your comments."),
    ("assessment-locked", "The self-assessment was locked."),
    ("assessment-upgraded", "The self-assessment now uses the newest version of its framework. Answers were carried across where the questions match."),
    ("assessment-reopened", "The self-assessment was reopened."),
    ("action-created", "The action was added to the action plan."),
    ("action-changed", "The action was changed."),
    ("action-closed", "The action was closed."),
    ("questions-assigned", "The questions were assigned."),
    ("comment-added", "Your comment was added."),
],
    nav,
};

fn nav(actor: &Actor, active: Option<PartnershipId>) -> Vec<NavItem> {
    active
        .filter(|p| allowed(actor, P::AssessmentRead, Scope::Partnership(*p)))
        .map(|p| NavItem {
            order: 20,
            href: format!("/p/{p}/assessments"),
            text: "Self-assessment",
        })
        .into_iter()
        .collect()
}

/// This capability's routes, each with the access it needs.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        page(
            M::GET,
            "/p/{partnership}/assessments",
            Perm(P::AssessmentRead),
            get(pages::list),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/new",
            Perm(P::AssessmentManage),
            get(pages::new_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments",
            Perm(P::AssessmentManage),
            post(pages::create),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}",
            Perm(P::AssessmentRead),
            get(pages::show),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/questions/{question}",
            Perm(P::AssessmentRead),
            get(pages::question),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/questions/{question}",
            Perm(P::AssessmentRespond),
            post(pages::answer),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/upgrade",
            Perm(P::AssessmentManage),
            get(pages::upgrade_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/upgrade",
            Perm(P::AssessmentManage),
            post(pages::upgrade),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/submit",
            Perm(P::AssessmentManage),
            post(pages::submit),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/submit",
            Perm(P::AssessmentManage),
            get(pages::submit_form),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/submitted",
            Perm(P::AssessmentRead),
            get(pages::submitted),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/approve",
            Perm(P::AssessmentApprove),
            get(pages::approve_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/approve",
            Perm(P::AssessmentApprove),
            post(pages::approve),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/lock",
            Perm(P::AssessmentManage),
            post(pages::lock),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/reopen",
            Perm(P::AssessmentManage),
            post(pages::reopen),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/summary",
            Perm(P::AssessmentRead),
            get(pages::summary),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/compare",
            Perm(P::AssessmentRead),
            get(pages::compare),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/gaps",
            Perm(P::AssessmentRead),
            get(pages::gaps),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/capabilities",
            Perm(P::AssessmentRead),
            get(pages::capabilities),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/actions",
            Perm(P::ActionManage),
            post(pages::create_action),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/actions",
            Perm(P::AssessmentRead),
            get(pages::actions),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/actions/new",
            Perm(P::ActionManage),
            get(pages::new_action_form),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/actions/{action}/edit",
            Perm(P::ActionManage),
            get(pages::edit_action_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/actions/{action}/edit",
            Perm(P::ActionManage),
            post(pages::edit_action),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/actions/{action}/close",
            Perm(P::ActionManage),
            get(pages::close_action_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/actions/{action}/close",
            Perm(P::ActionManage),
            post(pages::close_action),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/export.xlsx",
            Perm(P::AssessmentRead),
            get(pages::export_xlsx),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/export.csv",
            Perm(P::AssessmentRead),
            get(pages::export_csv),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/import",
            Perm(P::AssessmentRespond),
            get(pages::import_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/import",
            Perm(P::AssessmentRespond),
            post(pages::import_xlsx),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/import/confirm",
            Perm(P::AssessmentRespond),
            post(pages::import_confirm),
        ),
        page(
            M::GET,
            "/p/{partnership}/assessments/{assessment}/assign",
            Perm(P::AssessmentManage),
            get(pages::assign_form),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/assign",
            Perm(P::AssessmentManage),
            post(pages::assign),
        ),
        page(
            M::POST,
            "/p/{partnership}/assessments/{assessment}/questions/{question}/comments",
            Perm(P::AssessmentComment),
            post(pages::comment),
        ),
        api(
            M::GET,
            "/api/v1/frameworks",
            Perm(P::FrameworkRead),
            get(api::list_frameworks),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments",
            Perm(P::AssessmentRead),
            get(api::list_assessments),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments",
            Perm(P::AssessmentManage),
            post(api::create_assessment),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}",
            Perm(P::AssessmentRead),
            get(api::get_assessment),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/export.xlsx",
            Perm(P::AssessmentRead),
            get(spreadsheet_api::export_xlsx),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/export.csv",
            Perm(P::AssessmentRead),
            get(spreadsheet_api::export_csv),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/import",
            Perm(P::AssessmentRespond),
            post(spreadsheet_api::import_xlsx),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses",
            Perm(P::AssessmentRead),
            get(api::list_responses),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}",
            Perm(P::AssessmentRead),
            get(api::get_response),
        ),
        api(
            M::PUT,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}",
            Perm(P::AssessmentRespond),
            axum::routing::put(api::put_response),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/comments",
            Perm(P::AssessmentRead),
            get(api::list_comments),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/comments",
            Perm(P::AssessmentComment),
            post(api::add_comment),
        ),
        api(
            M::GET,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/upgrade",
            Perm(P::AssessmentManage),
            get(api::upgrade_offer),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/upgrade",
            Perm(P::AssessmentManage),
            post(api::upgrade),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/transitions",
            Perm(P::AssessmentManage),
            post(api::transition),
        ),
        api(
            M::POST,
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/approval",
            Perm(P::AssessmentApprove),
            post(api::approve),
        ),
    ]
}
