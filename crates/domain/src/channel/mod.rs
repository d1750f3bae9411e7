//! Channel case management: one record from referral to the last review.
//!
//! A case is created by a referral and named by a reference (`CH-2026-0042`) that carries no
//! personal data, so it can appear in page titles, logs and notifications. Everything that
//! identifies or describes the person is stored sealed (see `sealed`); what this module keeps in
//! the clear is only what the product needs to route work and count cases: the stage, the type
//! of concern, the referring sector, and the person's gender and age band for anonymised
//! statistics.
//!
//! Nothing here scores or rates a person. A case moves by recorded professional decisions
//! (screening outcome, panel decision), each with its reasons in words.

mod record;
mod referral;
mod screening;

pub use record::*;
pub use referral::*;
pub use screening::*;

use crate::Timestamp;

crate::keyed_enum! {
    /// The type of concern, from the categories of the national Prevent referral statistics.
    pub enum ConcernType {
        Islamist: "islamist", "Islamist";
        ExtremeRightWing: "extreme-right-wing", "Extreme right-wing";
        LeftWingAnarchistSingleIssue: "left-wing-anarchist-single-issue", "Left-wing, anarchist or single-issue";
        ConflictedOrUnclear: "conflicted-or-unclear", "Conflicted or unclear";
        ViolenceFascination: "violence-fascination", "Fascination with extreme violence or mass-casualty attacks";
        NoIdentifiedIdeology: "no-identified-ideology", "No identified ideology";
        Other: "other", "Other";
    }
}

crate::keyed_enum! {
    /// The sector a referral came from.
    pub enum ReferralSector {
        Education: "education", "Education";
        Health: "health", "Health";
        Police: "police", "Police";
        LocalAuthority: "local-authority", "Local authority";
        Probation: "probation", "Probation";
        Prisons: "prisons", "Prisons";
        YouthOffending: "youth-offending", "Youth offending";
        Community: "community", "Community or voluntary sector";
        FamilyOrFriends: "family-or-friends", "Family or friends";
        Other: "other", "Other";
    }
}

crate::keyed_enum! {
    /// Whether the person knows they have been referred.
    pub enum Awareness {
        Yes: "yes", "Yes, they know";
        No: "no", "No, they do not know";
        NotKnown: "not-known", "Not known";
    }
}

crate::keyed_enum! {
    /// The person's gender, where the referrer knows it.
    pub enum Gender {
        Female: "female", "Female";
        Male: "male", "Male";
        Other: "other", "Other";
        NotKnown: "not-known", "Not known";
    }
}

crate::keyed_enum! {
    /// Age at referral, in the bands the national statistics use. Kept in the clear (unlike the
    /// date of birth) so that anonymised counts never need to open a case.
    pub enum AgeBand {
        Under15: "under-15", "Under 15";
        From15To17: "15-17", "15 to 17";
        From18To20: "18-20", "18 to 20";
        From21To30: "21-30", "21 to 30";
        From31To40: "31-40", "31 to 40";
        From41To50: "41-50", "41 to 50";
        From51To60: "51-60", "51 to 60";
        Over60: "61-plus", "61 and over";
        NotKnown: "not-known", "Not known";
    }
}

impl AgeBand {
    /// The band of an age in whole years.
    pub fn of_age(years: u32) -> AgeBand {
        match years {
            0..=14 => AgeBand::Under15,
            15..=17 => AgeBand::From15To17,
            18..=20 => AgeBand::From18To20,
            21..=30 => AgeBand::From21To30,
            31..=40 => AgeBand::From31To40,
            41..=50 => AgeBand::From41To50,
            51..=60 => AgeBand::From51To60,
            _ => AgeBand::Over60,
        }
    }

    /// Whether the person was a child (under 18) at referral, which changes who gives consent.
    pub fn is_child(self) -> bool {
        matches!(self, AgeBand::Under15 | AgeBand::From15To17)
    }
}

crate::keyed_enum! {
    /// Where a case is in its journey.
    pub enum CaseStage {
        /// Referred; nobody has started screening it yet.
        Referred: "referred", "Referred, waiting for screening";
        /// A case officer is screening it (deconfliction and gathering information).
        Screening: "screening", "Being screened";
        /// Screened and sent to the Channel panel, waiting for its decision.
        AwaitingPanel: "awaiting-panel", "Waiting for the Channel panel";
        /// Closed at screening with an outcome.
        Closed: "closed", "Closed";
        /// The panel adopted it: support is planned and reviewed at each meeting.
        Adopted: "adopted", "Adopted as a Channel case";
        /// The panel did not adopt it and signposted the person to other services.
        NotAdopted: "not-adopted", "Not adopted by the panel";
        /// The panel passed it back to the police.
        BackToPolice: "back-to-police", "Back to the police";
    }
}

impl CaseStage {
    /// Whether screening steps (deconfliction, information gathered, the outcome) may still be
    /// recorded.
    pub fn is_screening_open(self) -> bool {
        matches!(self, CaseStage::Referred | CaseStage::Screening)
    }

    /// Whether the panel has decided on the case.
    pub fn is_panel_decision(self) -> bool {
        matches!(
            self,
            CaseStage::Adopted | CaseStage::NotAdopted | CaseStage::BackToPolice
        )
    }
}

/// A case's reference: `CH-` with the year of referral and its number within the partnership
/// that year, such as `CH-2026-0042`. It names the case without naming the person.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CaseReference(String);

impl CaseReference {
    /// The reference of the `number`th case referred in `year`.
    pub fn new(year: i32, number: i64) -> CaseReference {
        CaseReference(format!("CH-{year}-{number:04}"))
    }

    /// A stored reference, checked for its shape.
    pub fn parse(s: &str) -> Option<CaseReference> {
        let rest = s.strip_prefix("CH-")?;
        let (year, number) = rest.split_once('-')?;
        let ok = year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && number.len() >= 4
            && number.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| CaseReference(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CaseReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A case as lists show it: no personal data and no narrative, so it can be read without
/// opening the case (and without a read audit).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CaseListing {
    pub id: crate::CaseId,
    pub reference: CaseReference,
    pub stage: CaseStage,
    pub outcome: Option<ScreeningOutcome>,
    pub concern: ConcernType,
    pub sector: ReferralSector,
    pub referred_at: Timestamp,
    pub referrer: crate::UserId,
    pub case_officer: Option<crate::UserId>,
    pub updated_at: Timestamp,
    pub version: i64,
}

crate::keyed_enum! {
    /// A part of a case that a read shows, recorded in the read's audit event.
    pub enum CasePart {
        /// The case page: the person, the referral and the screening timeline.
        Record: "case", "Case record";
        /// The referral's status and outcome category, as its referrer sees it.
        Status: "case-status", "Referral status";
        /// The case in the API.
        ApiRecord: "case-api", "Case record (API)";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_padded_and_parsed_back() {
        let r = CaseReference::new(2026, 42);
        assert_eq!(r.as_str(), "CH-2026-0042");
        assert_eq!(CaseReference::parse("CH-2026-0042"), Some(r));
        assert_eq!(
            CaseReference::new(2027, 12345).as_str(),
            "CH-2027-12345",
            "more than 9,999 cases a year still makes a unique reference"
        );
        for bad in [
            "CH-26-0042",
            "XX-2026-0042",
            "CH-2026-42",
            "CH-2026-00a2",
            "",
        ] {
            assert_eq!(CaseReference::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn age_bands_follow_the_national_statistics() {
        assert_eq!(AgeBand::of_age(0), AgeBand::Under15);
        assert_eq!(AgeBand::of_age(14), AgeBand::Under15);
        assert_eq!(AgeBand::of_age(15), AgeBand::From15To17);
        assert_eq!(AgeBand::of_age(17), AgeBand::From15To17);
        assert_eq!(AgeBand::of_age(18), AgeBand::From18To20);
        assert_eq!(AgeBand::of_age(60), AgeBand::From51To60);
        assert_eq!(AgeBand::of_age(61), AgeBand::Over60);
        assert!(AgeBand::of_age(17).is_child());
        assert!(!AgeBand::of_age(18).is_child());
        assert!(!AgeBand::NotKnown.is_child());
    }
}
