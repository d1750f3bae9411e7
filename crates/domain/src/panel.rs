//! The Channel panel: its members by sector, its meetings with an agenda built from the cases
//! due, attendance, and the panel's decision on each case.
//!
//! An agenda names cases by their reference only, so it can be printed and passed round the
//! table without personal data. The words of a decision (its reasons, where the person was
//! signposted) are sealed with the case's key like every other timeline entry.

use crate::channel::{choice, CaseReference, CaseStage, SignpostService, DETAILS_MAX};
use crate::dates::DateEntry;
use crate::validate::{self, ValidationErrors};
use crate::{CaseId, MeetingId, PanelId, PartnershipId, Timestamp, UserId};
use time::{Date, Month};

crate::keyed_enum! {
    /// The sector a panel member comes from.
    pub enum Sector {
        Health: "health", "Health";
        AdultSafeguarding: "adult-safeguarding", "Adult safeguarding";
        ChildrensSafeguarding: "childrens-safeguarding", "Children's safeguarding";
        Housing: "housing", "Housing";
        Probation: "probation", "Probation";
        Education: "education", "Education";
        Police: "police", "Police";
        YouthOffending: "youth-offending", "Youth offending";
        Other: "other", "Other";
    }
}

impl Sector {
    /// Whether the toolkit names this sector as one a panel should have at the table.
    pub fn is_named(self) -> bool {
        self != Sector::Other
    }
}

/// The sectors the toolkit names that none of `present` covers, in the list's order.
pub fn missing_sectors(present: &[Sector]) -> Vec<Sector> {
    Sector::ALL
        .into_iter()
        .filter(|s| s.is_named() && !present.contains(s))
        .collect()
}

crate::keyed_enum! {
    /// Whether an invited member came to a meeting.
    pub enum Attendance {
        Attended: "attended", "Attended";
        Apologies: "apologies", "Sent apologies";
        Absent: "absent", "Absent";
    }
}

crate::keyed_enum! {
    /// Why a case is on an agenda.
    pub enum AgendaItemKind {
        /// Screened and sent to the panel: the panel decides whether to adopt it.
        NewCase: "new-case", "New case";
        /// Adopted earlier: the panel reviews it.
        Review: "review", "Case under review";
    }
}

crate::keyed_enum! {
    /// The panel's decision on a new case.
    pub enum PanelDecision {
        Adopt: "adopt", "Adopt as a Channel case";
        NotAdopted: "not-adopted", "Not adopt, and signpost to other services";
        BackToPolice: "back-to-police", "Back to the police";
    }
}

impl PanelDecision {
    /// The stage a case moves to with this decision.
    pub fn stage_after(self) -> CaseStage {
        match self {
            PanelDecision::Adopt => CaseStage::Adopted,
            PanelDecision::NotAdopted => CaseStage::NotAdopted,
            PanelDecision::BackToPolice => CaseStage::BackToPolice,
        }
    }
}

/// Why a case is due at a panel meeting, if it is: new cases waiting for the panel, and cases
/// the panel adopted, which it reviews.
pub fn agenda_kind(stage: CaseStage) -> Option<AgendaItemKind> {
    match stage {
        CaseStage::AwaitingPanel => Some(AgendaItemKind::NewCase),
        CaseStage::Adopted => Some(AgendaItemKind::Review),
        _ => None,
    }
}

/// Whether the panel may decide on a case at `stage`: only a case waiting for the panel.
pub fn decision_allowed(stage: CaseStage) -> bool {
    stage == CaseStage::AwaitingPanel
}

/// A member of a panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelMember {
    pub panel: PanelId,
    pub user: UserId,
    pub sector: Sector,
    pub added_at: Timestamp,
}

/// A panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panel {
    pub id: PanelId,
    pub partnership: PartnershipId,
    pub created_at: Timestamp,
}

/// A meeting of a panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    pub id: MeetingId,
    pub panel: PanelId,
    pub partnership: PartnershipId,
    pub on: Date,
    pub created_at: Timestamp,
    pub created_by: UserId,
    /// When the agenda was published; until then only the chair sees it.
    pub agenda_published_at: Option<Timestamp>,
}

/// One person invited to a meeting, with their attendance once recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub meeting: MeetingId,
    pub user: UserId,
    pub attendance: Option<Attendance>,
}

/// One case on a meeting's agenda.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgendaItem {
    pub meeting: MeetingId,
    pub case: CaseId,
    pub reference: CaseReference,
    pub kind: AgendaItemKind,
    pub position: i64,
    /// The decision the panel recorded on this case at this meeting.
    pub decision: Option<PanelDecision>,
}

/// The date a new meeting is suggested for: the same day of the month after the last meeting
/// (the last day of that month when it is shorter), or the same day next month from today.
pub fn suggested_meeting_date(last: Option<Date>, today: Date) -> Date {
    let from = match last {
        Some(d) if d >= today => d,
        Some(d) => d.max(today),
        None => today,
    };
    same_day_next_month(from)
}

fn same_day_next_month(d: Date) -> Date {
    let (year, month) = match d.month() {
        Month::December => (d.year() + 1, Month::January),
        m => (d.year(), m.next()),
    };
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(d)
}

/// A new meeting as typed.
#[derive(Clone, Debug, Default)]
pub struct MeetingInput {
    pub on: DateEntry,
    /// The members invited (user ids as text); everyone on the panel when `None`.
    pub invitees: Option<Vec<String>>,
}

/// The fields of the form that adds a panel member, in page order.
pub const MEMBER_FIELDS: &[&str] = &["user", "sector"];

pub const MEETING_FIELDS: &[&str] = &["on", "invitees"];

/// The date of a new meeting: a real date, today or later.
pub fn read_meeting_date(input: &MeetingInput, today: Date) -> Result<Date, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let on = validate::date("on", "date of the meeting", &input.on, true, &mut e);
    e.into_result()?;
    match on {
        Some(d) if d < today => Err(ValidationErrors::single(
            "on",
            "Date of the meeting must be today or in the future",
        )),
        Some(d) => Ok(d),
        None => Err(ValidationErrors::single(
            "on",
            "Enter the date of the meeting",
        )),
    }
}

/// A decision as typed.
#[derive(Clone, Debug, Default)]
pub struct DecisionInput {
    pub decision: String,
    pub services: Vec<String>,
    pub other_service: String,
    pub reasons: String,
}

/// A decision with its reasons (sealed when stored) and, when the case was not adopted,
/// where the person was signposted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub decision: PanelDecision,
    pub services: Vec<SignpostService>,
    pub other_service: String,
    pub reasons: String,
}

pub const DECISION_FIELDS: &[&str] = &["decision", "services", "other_service", "reasons"];

pub fn read_decision(input: &DecisionInput) -> Result<Decision, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let decision = choice(
        "decision",
        "the panel's decision",
        &input.decision,
        PanelDecision::from_key,
        &mut e,
    );
    let (services, other_service) = if decision == Some(PanelDecision::NotAdopted) {
        crate::channel::read_signposts(
            &input.services,
            &input.other_service,
            "Select where the person was signposted",
            &mut e,
        )
    } else {
        (Vec::new(), String::new())
    };
    let reasons = validate::required_lines(
        "reasons",
        "the reasons for the decision",
        &input.reasons,
        DETAILS_MAX * 5,
        &mut e,
    );
    e.into_result()?;
    match decision {
        Some(decision) => Ok(Decision {
            decision,
            services,
            other_service,
            reasons,
        }),
        None => Err(ValidationErrors::single(
            "decision",
            "Select the panel's decision",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_panel_page_names_the_sectors_missing() {
        assert_eq!(missing_sectors(&[]).len(), 8);
        assert!(!missing_sectors(&[]).contains(&Sector::Other));
        let present = [
            Sector::Health,
            Sector::Police,
            Sector::Other,
            Sector::Health,
        ];
        let missing = missing_sectors(&present);
        assert_eq!(
            missing,
            vec![
                Sector::AdultSafeguarding,
                Sector::ChildrensSafeguarding,
                Sector::Housing,
                Sector::Probation,
                Sector::Education,
                Sector::YouthOffending,
            ]
        );
        let all: Vec<Sector> = Sector::ALL.to_vec();
        assert!(missing_sectors(&all).is_empty());
    }

    #[test]
    fn meetings_are_monthly_by_default() {
        let today = date!(2026 - 12 - 07);
        assert_eq!(suggested_meeting_date(None, today), date!(2027 - 01 - 07));
        assert_eq!(
            suggested_meeting_date(Some(date!(2027 - 01 - 31)), today),
            date!(2027 - 02 - 28)
        );
        assert_eq!(
            suggested_meeting_date(Some(date!(2026 - 10 - 15)), today),
            date!(2027 - 01 - 07),
            "a last meeting long past suggests a month from today"
        );
    }

    #[test]
    fn decisions_need_reasons_and_signposting_when_not_adopted() {
        let mut input = DecisionInput {
            decision: "not-adopted".into(),
            reasons: "Needs are met by early help".into(),
            ..DecisionInput::default()
        };
        assert_eq!(read_decision(&input).unwrap_err().0[0].field, "services");
        input.services = vec!["early-help".into()];
        let d = read_decision(&input).unwrap();
        assert_eq!(d.services, vec![SignpostService::EarlyHelp]);
        input.decision = "adopt".into();
        let d = read_decision(&input).unwrap();
        assert!(d.services.is_empty());
        assert_eq!(d.decision.stage_after(), CaseStage::Adopted);
        input.reasons = " ".into();
        assert_eq!(read_decision(&input).unwrap_err().0[0].field, "reasons");
        input.decision = String::new();
        let e = read_decision(&input).unwrap_err();
        assert_eq!(e.0[0].field, "decision");
        assert_eq!(e.0[1].field, "reasons");
    }

    #[test]
    fn only_cases_waiting_for_the_panel_are_decided() {
        assert!(decision_allowed(CaseStage::AwaitingPanel));
        assert!(!decision_allowed(CaseStage::Adopted));
        assert!(!decision_allowed(CaseStage::Screening));
        assert_eq!(
            agenda_kind(CaseStage::AwaitingPanel),
            Some(AgendaItemKind::NewCase)
        );
        assert_eq!(
            agenda_kind(CaseStage::Adopted),
            Some(AgendaItemKind::Review)
        );
        assert_eq!(agenda_kind(CaseStage::NotAdopted), None);
    }
}
