//! The partnership self-assessment: list, start, task list with progress and heat map, the
//! question page, and the life-cycle actions.

mod compare;
mod gaps;
mod lifecycle;
mod list;
mod question;
mod task_list;
mod transfer;

pub use compare::*;
pub use gaps::*;
pub use lifecycle::*;
pub use list::*;
pub use question::*;
pub use task_list::*;
pub use transfer::*;

use crate::extract::{Fields, Granted, PageIds};
use crate::guard::Identity;
use crate::pages::{form_errors, render, render_with_flash, see_other_with, PageError, PageResult};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use minijinja::{context, Value};
use preventkit_services::assessment::{AssessmentView, NewAssessment, StaleEdit};
use preventkit_services::domain::assessment::{
    date_text, reviewed_this_period, Rating, Transition,
};
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{AssessmentId, PartnershipId, Permission, QuestionId, Scope};
use preventkit_services::{Grant, ServiceError};

pub(crate) fn can(id: &Identity, p: Permission, pid: PartnershipId) -> bool {
    id.session
        .as_ref()
        .is_some_and(|s| decide(&s.actor, p, Scope::Partnership(pid)).is_ok())
}

pub(crate) fn pid_of(g: &Grant) -> Result<PartnershipId, crate::pages::PageError> {
    g.partnership()
        .ok_or_else(|| PageError::from(crate::WebError::NotFound))
}

pub(crate) fn rating_label(view: &AssessmentView, question: &str, rating: &str) -> String {
    match Rating::from_stored(rating) {
        Rating::NotAssessed => "Not assessed".into(),
        Rating::NotApplicable => "Not applicable".into(),
        Rating::Level(k) => {
            let scale = view
                .framework
                .questions()
                .into_iter()
                .find(|(_, q)| q.id == question)
                .and_then(|(_, q)| view.framework.scale(&q.scale));
            scale
                .and_then(|s| s.levels.iter().find(|l| l.key == k))
                .map(|l| l.label.clone())
                .unwrap_or(k)
        }
    }
}
