//! Screening: the police deconfliction step, information gathered from partners, and the
//! outcome with its reasons.

use super::referral::{choice, DETAILS_MAX, NARRATIVE_MAX, SHORT_MAX};
use super::CaseStage;
use crate::dates::DateEntry;
use crate::validate::{self, ValidationErrors};
use time::Date;

crate::keyed_enum! {
    /// What the police said when the referral was deconflicted with them.
    pub enum DeconflictionResult {
        NoConflict: "no-conflict", "No conflict: screening can go on";
        PoliceLed: "police-led", "Police-led: the police manage the risk";
        Hold: "hold", "Hold: the police asked for a pause";
    }
}

crate::keyed_enum! {
    /// How screening ended.
    pub enum ScreeningOutcome {
        NoFurtherAction: "no-further-action", "No further action";
        Signposted: "signposted", "Signposted to other services";
        PoliceManaged: "police-managed", "Managed by the police outside Channel";
        ToPanel: "to-panel", "Sent to the Channel panel";
    }
}

crate::keyed_enum! {
    /// A service someone was signposted to.
    pub enum SignpostService {
        ChildrensSocialCare: "childrens-social-care", "Children's social care";
        AdultSocialCare: "adult-social-care", "Adults' social care";
        EarlyHelp: "early-help", "Early help";
        MentalHealth: "mental-health", "Mental health services";
        Education: "education", "Education";
        Housing: "housing", "Housing";
        Other: "other", "Another service";
    }
}

/// The deconfliction step as typed.
#[derive(Clone, Debug, Default)]
pub struct DeconflictionInput {
    pub on: DateEntry,
    pub with_whom: String,
    pub result: String,
}

/// A recorded deconfliction. Who it was done with is sealed when stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deconfliction {
    pub on: Date,
    pub with_whom: String,
    pub result: DeconflictionResult,
}

pub const DECONFLICTION_FIELDS: &[&str] = &["on", "with_whom", "result"];

pub fn read_deconfliction(
    input: &DeconflictionInput,
    today: Date,
) -> Result<Deconfliction, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let on = not_in_future(
        validate::date("on", "date of the deconfliction", &input.on, true, &mut e),
        "on",
        "Date of the deconfliction",
        today,
        &mut e,
    );
    let with_whom = validate::required_text(
        "with_whom",
        "who you deconflicted with (a team or role is enough)",
        &input.with_whom,
        SHORT_MAX,
        &mut e,
    );
    let result = choice(
        "result",
        "what the police said",
        &input.result,
        DeconflictionResult::from_key,
        &mut e,
    );
    e.into_result()?;
    match (on, result) {
        (Some(on), Some(result)) => Ok(Deconfliction {
            on,
            with_whom,
            result,
        }),
        _ => Err(ValidationErrors::single(
            "result",
            "Select what the police said",
        )),
    }
}

/// Information gathered from a partner, as typed.
#[derive(Clone, Debug, Default)]
pub struct InformationInput {
    pub source: String,
    pub received: DateEntry,
    pub narrative: String,
}

/// Information gathered. The narrative is sealed when stored; the source is an organisation
/// or team, and is sealed too because it can say a lot about a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Information {
    pub source: String,
    pub received: Date,
    pub narrative: String,
}

pub const INFORMATION_FIELDS: &[&str] = &["source", "received", "narrative"];

pub fn read_information(
    input: &InformationInput,
    today: Date,
) -> Result<Information, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let source = validate::required_text(
        "source",
        "where the information came from",
        &input.source,
        SHORT_MAX,
        &mut e,
    );
    let received = not_in_future(
        validate::date("received", "date received", &input.received, true, &mut e),
        "received",
        "Date received",
        today,
        &mut e,
    );
    let narrative = validate::required_lines(
        "narrative",
        "the information",
        &input.narrative,
        NARRATIVE_MAX,
        &mut e,
    );
    e.into_result()?;
    match received {
        Some(received) => Ok(Information {
            source,
            received,
            narrative,
        }),
        None => Err(ValidationErrors::single(
            "received",
            "Enter the date received",
        )),
    }
}

/// The outcome as typed.
#[derive(Clone, Debug, Default)]
pub struct OutcomeInput {
    pub outcome: String,
    pub services: Vec<String>,
    pub other_service: String,
    pub reasons: String,
}

/// A screening outcome with its reasons (sealed when stored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub outcome: ScreeningOutcome,
    pub services: Vec<SignpostService>,
    pub other_service: String,
    pub reasons: String,
}

pub const OUTCOME_FIELDS: &[&str] = &["outcome", "services", "other_service", "reasons"];

pub fn read_outcome(input: &OutcomeInput) -> Result<Outcome, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let outcome = choice(
        "outcome",
        "the outcome of screening",
        &input.outcome,
        ScreeningOutcome::from_key,
        &mut e,
    );
    let (services, other_service) = if outcome == Some(ScreeningOutcome::Signposted) {
        read_signposts(
            &input.services,
            &input.other_service,
            "Select the services the person was signposted to",
            &mut e,
        )
    } else {
        (Vec::new(), String::new())
    };
    let reasons = validate::required_lines(
        "reasons",
        "the reasons for the outcome",
        &input.reasons,
        DETAILS_MAX * 5,
        &mut e,
    );
    e.into_result()?;
    match outcome {
        Some(outcome) => Ok(Outcome {
            outcome,
            services,
            other_service,
            reasons,
        }),
        None => Err(ValidationErrors::single(
            "outcome",
            "Select the outcome of screening",
        )),
    }
}

/// The services someone was signposted to, from the list (each once), and the other service
/// named when "another service" is among them. `missing` is the message when none is chosen.
pub fn read_signposts(
    chosen: &[String],
    other: &str,
    missing: &str,
    e: &mut ValidationErrors,
) -> (Vec<SignpostService>, String) {
    let mut services = Vec::new();
    for s in chosen {
        match SignpostService::from_key(s.trim()) {
            Some(s) if !services.contains(&s) => services.push(s),
            Some(_) => {}
            None => e.add("services", "Select services from the list"),
        }
    }
    if chosen.is_empty() {
        e.add("services", missing);
    }
    let other = if services.contains(&SignpostService::Other) {
        validate::required_text("other_service", "the other service", other, SHORT_MAX, e)
    } else {
        String::new()
    };
    (services, other)
}

/// Why an outcome cannot be recorded yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutcomeRefusal {
    /// Screening is over.
    NotScreening,
    /// No deconfliction has been recorded.
    NotDeconflicted,
    /// The latest deconfliction is a hold.
    OnHold,
    /// The police lead; the only outcome is that they manage it.
    PoliceLed,
}

impl OutcomeRefusal {
    pub fn message(self) -> &'static str {
        match self {
            OutcomeRefusal::NotScreening => "Screening of this case has already ended",
            OutcomeRefusal::NotDeconflicted => {
                "Record the police deconfliction before the outcome of screening"
            }
            OutcomeRefusal::OnHold => {
                "The police asked for a hold. Record a new deconfliction when they lift it, then the outcome"
            }
            OutcomeRefusal::PoliceLed => {
                "The police lead on this case, so the outcome is that they manage it outside Channel"
            }
        }
    }
}

/// Whether `outcome` may be recorded on a case at `stage` whose latest deconfliction gave
/// `latest`. The order is the guidance's: deconflict with the police first; a hold pauses
/// everything; a police-led case leaves Channel.
pub fn outcome_allowed(
    stage: CaseStage,
    latest: Option<DeconflictionResult>,
    outcome: ScreeningOutcome,
) -> Result<(), OutcomeRefusal> {
    if !stage.is_screening_open() {
        return Err(OutcomeRefusal::NotScreening);
    }
    match latest {
        None => Err(OutcomeRefusal::NotDeconflicted),
        Some(DeconflictionResult::Hold) => Err(OutcomeRefusal::OnHold),
        Some(DeconflictionResult::PoliceLed) if outcome != ScreeningOutcome::PoliceManaged => {
            Err(OutcomeRefusal::PoliceLed)
        }
        Some(_) => Ok(()),
    }
}

/// The stage a case moves to with a screening outcome.
pub fn stage_after(outcome: ScreeningOutcome) -> CaseStage {
    match outcome {
        ScreeningOutcome::ToPanel => CaseStage::AwaitingPanel,
        _ => CaseStage::Closed,
    }
}

/// What the person who made a referral is told about it: where it is and, once screened, the
/// category of the outcome. Never the narrative or anything others added.
pub fn referrer_status(stage: CaseStage, outcome: Option<ScreeningOutcome>) -> String {
    if stage.is_panel_decision() {
        return stage.label().to_owned();
    }
    match outcome {
        Some(o) => format!("Screened: {}", lower_first(o.label())),
        None => stage.label().to_owned(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn not_in_future(
    d: Option<Date>,
    field: &str,
    what: &str,
    today: Date,
    e: &mut ValidationErrors,
) -> Option<Date> {
    match d {
        Some(d) if d > today => {
            e.add(field, format!("{what} must be today or in the past"));
            None
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use DeconflictionResult as D;
    use ScreeningOutcome as O;

    #[test]
    fn the_outcome_follows_the_deconfliction() {
        let s = CaseStage::Screening;
        assert_eq!(
            outcome_allowed(s, None, O::ToPanel),
            Err(OutcomeRefusal::NotDeconflicted)
        );
        assert_eq!(
            outcome_allowed(s, Some(D::Hold), O::NoFurtherAction),
            Err(OutcomeRefusal::OnHold)
        );
        assert_eq!(
            outcome_allowed(s, Some(D::PoliceLed), O::ToPanel),
            Err(OutcomeRefusal::PoliceLed)
        );
        assert_eq!(
            outcome_allowed(s, Some(D::PoliceLed), O::PoliceManaged),
            Ok(())
        );
        for o in O::ALL {
            assert_eq!(outcome_allowed(s, Some(D::NoConflict), o), Ok(()));
            assert_eq!(
                outcome_allowed(CaseStage::Closed, Some(D::NoConflict), o),
                Err(OutcomeRefusal::NotScreening)
            );
        }
        assert_eq!(stage_after(O::ToPanel), CaseStage::AwaitingPanel);
        assert_eq!(stage_after(O::Signposted), CaseStage::Closed);
    }

    #[test]
    fn signposting_names_its_services() {
        let mut input = OutcomeInput {
            outcome: "signposted".into(),
            services: vec![],
            other_service: String::new(),
            reasons: "Needs are met elsewhere".into(),
        };
        let e = read_outcome(&input).unwrap_err();
        assert_eq!(e.0[0].field, "services");
        input.services = vec!["early-help".into(), "other".into()];
        let e = read_outcome(&input).unwrap_err();
        assert_eq!(e.0[0].field, "other_service");
        input.other_service = "Youth club".into();
        let o = read_outcome(&input).unwrap();
        assert_eq!(
            o.services,
            vec![SignpostService::EarlyHelp, SignpostService::Other]
        );
        input.outcome = "to-panel".into();
        let o = read_outcome(&input).unwrap();
        assert!(o.services.is_empty() && o.other_service.is_empty());
        input.reasons = "  ".into();
        assert_eq!(read_outcome(&input).unwrap_err().0[0].field, "reasons");
    }

    #[test]
    fn steps_cannot_be_dated_in_the_future() {
        let input = DeconflictionInput {
            on: DateEntry::Iso("2026-12-08".into()),
            with_whom: "Counter Terrorism Policing North".into(),
            result: "no-conflict".into(),
        };
        assert!(read_deconfliction(&input, date!(2026 - 12 - 07)).is_err());
        assert!(read_deconfliction(&input, date!(2026 - 12 - 08)).is_ok());
    }

    #[test]
    fn the_referrer_is_told_the_stage_and_the_outcome_category() {
        assert_eq!(
            referrer_status(CaseStage::Referred, None),
            "Referred, waiting for screening"
        );
        assert_eq!(
            referrer_status(CaseStage::Closed, Some(O::Signposted)),
            "Screened: signposted to other services"
        );
        assert_eq!(
            referrer_status(CaseStage::Adopted, Some(O::ToPanel)),
            "Adopted as a Channel case"
        );
    }
}
