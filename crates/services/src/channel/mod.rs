//! Channel case management: referral, screening, and reading a case, with need to know decided
//! by `domain::policy` and every read of case content audited before it is shown.
//!
//! Case content is sealed with the case's own data key (see [`crate::keys`]). The only way to
//! open it is a [`CaseOpener`], which this module makes after the policy has allowed the read
//! and the read's audit event has been appended in the same transaction.

mod demo;
pub(crate) mod reading;
mod referral;
pub(crate) mod screening;

use crate::keys::{open, seal, DataKey};
use crate::ServiceError;
use preventkit_domain::channel::{
    CaseListing, CasePart, DeconflictionResult, Outcome, ScreeningOutcome, SignpostService,
};
use preventkit_domain::policy::{CaseFacts, CaseRelation};
use preventkit_domain::sealed::{FieldPlace, Sealed};
use preventkit_domain::{CaseId, PartnershipId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

pub use preventkit_domain::channel::{Deconfliction, Information, Person, Referral, ReferralInput};

/// The table names bound into sealed values.
pub(crate) const CASES: &str = "cases";
pub(crate) const CASE_EVENTS: &str = "case_events";

/// The place of one sealed column of a case row.
fn case_place<'a>(column: &'a str, row: &'a str) -> FieldPlace<'a> {
    FieldPlace {
        table: CASES,
        column,
        row,
    }
}

/// Seals a case's fields with its data key. Made when a case's key is made or read for a
/// change; it cannot open anything.
pub(crate) struct CaseSealer {
    key: DataKey,
}

impl CaseSealer {
    pub(crate) fn new(key: DataKey) -> Self {
        Self { key }
    }

    pub(crate) fn case_field(
        &self,
        column: &str,
        id: CaseId,
        text: &str,
    ) -> Result<Sealed, ServiceError> {
        let row = id.to_string();
        Ok(seal(&self.key, case_place(column, &row), text)?)
    }

    pub(crate) fn optional_field(
        &self,
        column: &str,
        id: CaseId,
        text: &str,
    ) -> Result<Option<Sealed>, ServiceError> {
        if text.is_empty() {
            Ok(None)
        } else {
            self.case_field(column, id, text).map(Some)
        }
    }

    pub(crate) fn detail(
        &self,
        event: preventkit_domain::CaseEventId,
        detail: &EventDetail,
    ) -> Result<Sealed, ServiceError> {
        let text =
            serde_json::to_string(detail).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let row = event.to_string();
        Ok(seal(
            &self.key,
            FieldPlace {
                table: CASE_EVENTS,
                column: "detail",
                row: &row,
            },
            &text,
        )?)
    }
}

/// Opens a case's sealed fields. Only [`reading`] makes one, after the policy allowed the read
/// and its audit event was appended; it lives no longer than the request that made it.
pub(crate) struct CaseOpener {
    key: DataKey,
}

impl CaseOpener {
    fn new(key: DataKey) -> Self {
        Self { key }
    }

    fn case_field(
        &self,
        column: &str,
        id: CaseId,
        sealed: &Sealed,
    ) -> Result<String, ServiceError> {
        let row = id.to_string();
        Ok(open(&self.key, case_place(column, &row), sealed)?)
    }

    fn optional_field(
        &self,
        column: &str,
        id: CaseId,
        sealed: &Option<Sealed>,
    ) -> Result<String, ServiceError> {
        match sealed {
            Some(s) => self.case_field(column, id, s),
            None => Ok(String::new()),
        }
    }

    fn detail(
        &self,
        event: preventkit_domain::CaseEventId,
        sealed: &Sealed,
    ) -> Result<EventDetail, ServiceError> {
        let row = event.to_string();
        let text = open(
            &self.key,
            FieldPlace {
                table: CASE_EVENTS,
                column: "detail",
                row: &row,
            },
            sealed,
        )?;
        serde_json::from_str(&text)
            .map_err(|_| ServiceError::Internal("a case entry's details did not decode".into()))
    }
}

/// The words of a timeline entry, sealed as one value.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventDetail {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub with_whom: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub narrative: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub other_service: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reasons: String,
}

/// A referral just made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referred {
    pub id: CaseId,
    pub reference: preventkit_domain::channel::CaseReference,
}

/// One of a person's own referrals, as they see it: where it is, never what others added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReferralStatus {
    pub id: CaseId,
    pub reference: preventkit_domain::channel::CaseReference,
    pub referred_at: Timestamp,
    pub status: String,
}

/// A case opened for reading.
#[derive(Clone, Debug)]
pub struct CaseView {
    pub listing: CaseListing,
    pub relation: CaseRelation,
    pub may_change: bool,
    pub may_assign: bool,
    pub person: Person,
    pub age_band: preventkit_domain::channel::AgeBand,
    pub concern: String,
    pub organisation: String,
    pub aware: preventkit_domain::channel::Awareness,
    pub referrer_name: String,
    pub officer_name: Option<String>,
    pub latest_deconfliction: Option<DeconflictionResult>,
    pub timeline: Vec<TimelineEntry>,
    pub same_person: Vec<CaseListing>,
    pub attached: Vec<CaseListing>,
    pub attached_to: Option<CaseListing>,
}

/// One entry of a case's timeline, oldest first.
#[derive(Clone, Debug)]
pub struct TimelineEntry {
    pub at: Timestamp,
    pub by_name: String,
    pub kind: TimelineKind,
}

#[derive(Clone, Debug)]
pub enum TimelineKind {
    Referred,
    Assigned {
        officer_name: String,
    },
    Deconfliction(Deconfliction),
    Information(Information),
    Outcome(Outcome),
    /// The panel's decision.
    Decision(preventkit_domain::panel::Decision),
    Attached {
        reference: preventkit_domain::channel::CaseReference,
    },
}

/// A case without its content: for the pages that record a step.
#[derive(Clone, Debug)]
pub struct CaseHeading {
    pub listing: CaseListing,
    pub latest_deconfliction: Option<DeconflictionResult>,
}

/// One read of a case, for the data protection officer: who, when, how; never the content.
#[derive(Clone, Debug)]
pub struct CaseAccessEntry {
    pub at: Timestamp,
    pub who: String,
    /// What happened, in words ("Case opened by its case officer").
    pub action: String,
    /// The action's key (`case.read.officer`).
    pub action_key: String,
    /// The part of the case it was about (`case`, `case-api`).
    pub part: String,
}

/// Exceptional access given, for review.
#[derive(Clone, Debug)]
pub struct ExceptionalAccessListing {
    pub case: CaseId,
    pub reference: preventkit_domain::channel::CaseReference,
    pub who: String,
    pub reason: String,
    pub given_at: Timestamp,
    pub until: Timestamp,
}

/// Someone who may be made a case's officer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficerChoice {
    pub user: UserId,
    pub name: String,
}

/// The audit subject for a part of a case.
pub(crate) fn subject(
    id: CaseId,
    partnership: PartnershipId,
    part: CasePart,
) -> crate::audit::Subject {
    crate::audit::Subject::Case {
        id: id.to_string(),
        partnership: partnership.to_string(),
        part,
    }
}

/// An outcome as read back from its stored parts.
fn outcome_of(outcome: ScreeningOutcome, d: EventDetail) -> Outcome {
    Outcome {
        outcome,
        services: d
            .services
            .iter()
            .filter_map(|s| SignpostService::from_key(s))
            .collect(),
        other_service: d.other_service,
        reasons: d.reasons,
    }
}

/// A panel decision as read back from its stored parts.
fn decision_of(
    decision: preventkit_domain::panel::PanelDecision,
    d: EventDetail,
) -> preventkit_domain::panel::Decision {
    preventkit_domain::panel::Decision {
        decision,
        services: d
            .services
            .iter()
            .filter_map(|s| SignpostService::from_key(s))
            .collect(),
        other_service: d.other_service,
        reasons: d.reasons,
    }
}

/// Facts for a case: what the relationship rules read.
pub(crate) type Facts = (CaseListing, CaseFacts);
