//! The partnership self-assessment: list, start, task list with progress and heat map, the
//! question page, and the life-cycle actions.

mod actions;
mod compare;
mod gaps;
mod lifecycle;
mod list;
mod question;
mod summary;
mod task_list;
mod transfer;

pub use actions::*;
pub use compare::*;
pub use gaps::*;
pub use lifecycle::*;
pub use list::*;
pub use question::*;
pub use summary::*;
pub use task_list::*;
pub use transfer::*;

use crate::extract::{Fields, Granted, PageIds};
use crate::guard::Identity;
use crate::pages::{
    form_errors, form_errors_in, render, render_with_flash, see_other_with, PageError, PageResult,
};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use minijinja::{context, Value};
use preventkit_services::assessment::{AssessmentView, NewAssessment, StaleEdit};
use preventkit_services::domain::assessment::summary as summary_words;
use preventkit_services::domain::assessment::{
    date_text, reviewed_this_period, Rating, Transition,
};
use preventkit_services::domain::dates::long_date;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{AssessmentId, PartnershipId, Permission, QuestionId, Scope};
use preventkit_services::{Grant, ServiceError};

pub(crate) fn can(id: &Identity, p: Permission, pid: PartnershipId) -> bool {
    id.session
        .as_ref()
        .is_some_and(|s| decide(&s.actor, p, Scope::Partnership(pid)).is_ok())
}

/// The page for a change that cannot happen in the assessment's present state (409), titled
/// with what could not be done and saying why.
pub(crate) fn conflict_page(
    state: &AppState,
    id: &Identity,
    title: impl Into<String>,
    message: String,
) -> PageResult {
    render(
        state,
        id,
        "error.html",
        StatusCode::CONFLICT,
        context! { title => title.into(), message => message },
    )
    .map_err(PageError::from)
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

/// A rating as the rating macro (`assessment/_rating.html`) shows it: its words, the colour of
/// its key swatch (checked to be `#rrggbb`) and what kind of answer it is.
pub(crate) fn rating_display(view: &AssessmentView, question: &str, rating: &str) -> Value {
    let (kind, colour) = match Rating::from_stored(rating) {
        Rating::NotAssessed => (
            "not-assessed",
            summary_words::NOT_ASSESSED_COLOUR.to_owned(),
        ),
        Rating::NotApplicable => (
            "not-applicable",
            summary_words::NOT_APPLICABLE_COLOUR.to_owned(),
        ),
        Rating::Level(k) => (
            "level",
            view.framework
                .scales
                .iter()
                .flat_map(|s| s.levels.iter())
                .find(|l| l.key == k)
                .map(|l| l.colour.clone())
                .unwrap_or_default(),
        ),
    };
    context! {
        label => rating_label(view, question, rating),
        colour => safe_colour(&colour),
        kind => kind,
    }
}

/// A column of ratings counted (a summary's or a comparison's) as the rating macro shows it.
pub(crate) fn column_display(c: &summary_words::RatingColumn) -> Value {
    let kind = match c.kind {
        summary_words::ColumnKind::Level => "level",
        summary_words::ColumnKind::NotApplicable => "not-applicable",
        summary_words::ColumnKind::NotAssessed => "not-assessed",
    };
    context! { label => c.label, colour => safe_colour(&c.colour), kind => kind }
}

/// A colour from a framework file as given when it is `#rrggbb`, otherwise grey: nothing else
/// reaches a page's SVG.
pub(crate) fn safe_colour(c: &str) -> &str {
    let hex = c.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.chars().all(|ch| ch.is_ascii_hexdigit()) {
        c
    } else {
        summary_words::NOT_ASSESSED_COLOUR
    }
}

/// A grant to read the assessment, for the person whose request was granted `g`.
pub(crate) fn read_grant(id: &Identity, g: &Grant, pid: PartnershipId) -> Grant {
    id.session
        .as_ref()
        .and_then(|s| {
            decide(
                &s.actor,
                Permission::AssessmentRead,
                Scope::Partnership(pid),
            )
            .ok()
        })
        .unwrap_or_else(|| g.clone())
}
