//! Channel pages: referral, the case list and the case page, screening, and the data
//! protection view. Page titles and addresses name a case by its reference and id only.

mod case;
mod referral;
mod review;
mod screening;

pub use case::*;
pub use referral::*;
pub use review::*;
pub use screening::*;

use minijinja::{context, Value};
use preventkit_services::domain::channel::{CaseListing, CaseStage};
use preventkit_services::domain::{CaseId, PartnershipId, Timestamp};

/// The address of a case's page.
pub(crate) fn case_path(pid: PartnershipId, case: CaseId) -> String {
    format!("/p/{pid}/cases/{case}")
}

/// A case as lists show it: reference, stage and the plain facts, no personal data.
pub(crate) fn listing_value(l: &CaseListing, officer: Option<String>) -> Value {
    context! {
        id => l.id.to_string(),
        reference => l.reference.as_str(),
        stage => l.stage.label(),
        stage_key => l.stage.key(),
        stage_colour => stage_colour(l.stage),
        outcome => l.outcome.map(|o| o.label()),
        concern => l.concern.label(),
        sector => l.sector.label(),
        referred_at => l.referred_at.0,
        updated_at => l.updated_at.0,
        officer => officer,
        version => l.version,
    }
}

/// The colour of a stage's tag.
fn stage_colour(stage: CaseStage) -> &'static str {
    match stage {
        CaseStage::Referred => "govuk-tag--yellow",
        CaseStage::Screening => "govuk-tag--blue",
        CaseStage::AwaitingPanel => "govuk-tag--purple",
        CaseStage::Closed | CaseStage::NotAdopted => "govuk-tag--grey",
        CaseStage::Adopted => "govuk-tag--green",
        CaseStage::BackToPolice => "govuk-tag--orange",
    }
}

/// A time for a template's `datetime` filter.
pub(crate) fn ms(t: Timestamp) -> i64 {
    t.0
}

/// The items of a radios or select component for a keyed enum: its keys and labels.
pub(crate) fn choices<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<Value> {
    items
        .into_iter()
        .map(|(value, text)| context! { value => value, text => text })
        .collect()
}
