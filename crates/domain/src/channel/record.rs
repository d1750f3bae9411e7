//! A case as storage keeps it: the plain facts that route work and count cases, and every
//! personal or narrative field sealed. Only the case service opens the sealed parts.

use super::{
    AgeBand, Awareness, CaseListing, CaseStage, DeconflictionResult, Gender, ScreeningOutcome,
};
use crate::sealed::Sealed;
use crate::{CaseEventId, CaseId, PartnershipId, Timestamp, UserId};
use time::Date;

/// The sealed fields of a referral, one per column (each sealed with its column and row bound
/// in). Optional fields left blank are stored as nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedReferral {
    pub person_name: Sealed,
    pub date_of_birth: Option<Sealed>,
    pub approximate_age: Option<Sealed>,
    pub address: Sealed,
    pub contact: Option<Sealed>,
    pub professionals: Option<Sealed>,
    pub concern: Sealed,
    pub organisation: Sealed,
}

/// A stored case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecord {
    pub listing: CaseListing,
    pub partnership: PartnershipId,
    pub year: i32,
    pub number: i64,
    pub aware: Awareness,
    pub gender: Gender,
    pub age_band: AgeBand,
    /// The keyed blind index of the person's normalised name and date of birth, when the date
    /// of birth is known.
    pub identity_index: Option<String>,
    /// The case this referral was added to, when it was found to be about a person already
    /// known.
    pub attached_to: Option<CaseId>,
    pub sealed: SealedReferral,
}

crate::keyed_enum! {
    /// The kind of an entry in a case's timeline.
    pub enum CaseEventKind {
        Assigned: "assigned", "Case officer assigned";
        Deconfliction: "deconfliction", "Police deconfliction";
        Information: "information", "Information gathered";
        Outcome: "outcome", "Outcome of screening";
        Attached: "attached", "Referral added";
        Decision: "decision", "Decision of the panel";
    }
}

/// A stored entry of a case's timeline. Its words (who the police contact was, what a partner
/// said, the reasons) are in `detail`, sealed; what the product routes on is plain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseEventRecord {
    pub id: CaseEventId,
    pub case: CaseId,
    pub partnership: PartnershipId,
    pub kind: CaseEventKind,
    pub at: Timestamp,
    pub by: UserId,
    /// The date the step happened (a deconfliction, information received).
    pub on: Option<Date>,
    /// A deconfliction's result.
    pub deconfliction: Option<DeconflictionResult>,
    /// An outcome.
    pub outcome: Option<ScreeningOutcome>,
    /// A panel decision.
    pub decision: Option<crate::panel::PanelDecision>,
    /// The person an assignment names.
    pub user: Option<UserId>,
    /// The other case an attachment names.
    pub other_case: Option<CaseId>,
    pub detail: Option<Sealed>,
}

/// Exceptional access to a case, given to one person for a while, with their reason. The
/// reason is asked for without personal details and kept in the clear so that the data
/// protection officer can review it without opening the case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExceptionalAccess {
    pub case: CaseId,
    pub partnership: PartnershipId,
    pub user: UserId,
    pub reason: String,
    pub given_at: Timestamp,
    pub until: Timestamp,
}

impl CaseRecord {
    /// Whether screening may still record steps on this case.
    pub fn screening_open(&self) -> bool {
        self.listing.stage.is_screening_open() && self.attached_to.is_none()
    }
}

/// The stage after a case officer is assigned: a referral waiting for screening is now being
/// screened; any later stage stays as it is.
pub fn stage_after_assignment(stage: CaseStage) -> CaseStage {
    match stage {
        CaseStage::Referred => CaseStage::Screening,
        other => other,
    }
}
