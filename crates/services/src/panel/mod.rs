//! The Channel panel: its members by sector, meetings with an agenda built from the cases due,
//! attendance, and the panel's decision on each case.
//!
//! One panel per partnership for now, made on first use. Agendas name cases by reference only;
//! a decision's reasons are sealed with the case's key, like every timeline entry.

mod decision;
mod demo;
mod meetings;
mod members;

use crate::audit::Subject;
use preventkit_domain::channel::{CaseReference, CaseStage};
use preventkit_domain::panel::{AgendaItem, Attendance, Meeting, Sector};
use preventkit_domain::{CaseId, MeetingId, PanelId, PartnershipId, UserId};

pub use preventkit_domain::panel::{Decision, DecisionInput, MeetingInput};

/// A member of the panel, as the panel page shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelMemberView {
    pub user: UserId,
    pub name: String,
    pub sector: Sector,
}

/// The panel: its members by sector and the named sectors nobody covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelView {
    pub members: Vec<PanelMemberView>,
    pub missing: Vec<Sector>,
}

/// Someone in the partnership who could be added to the panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberChoice {
    pub user: UserId,
    pub name: String,
}

/// A meeting as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingListing {
    pub meeting: Meeting,
    pub items: usize,
}

/// Someone invited to a meeting, with their sector and attendance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteeView {
    pub user: UserId,
    pub name: String,
    /// Their sector while they are on the panel.
    pub sector: Option<Sector>,
    pub attendance: Option<Attendance>,
}

/// One case on an agenda, by reference only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgendaEntry {
    pub item: AgendaItem,
    pub stage: CaseStage,
    pub version: i64,
    /// Whether the panel may still decide on it (it waits for the panel).
    pub decidable: bool,
}

/// A meeting with its agenda (shown to members once published) and invitees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingView {
    pub meeting: Meeting,
    /// Whether the agenda is shown: published, or the reader runs the panel.
    pub agenda_shown: bool,
    pub agenda: Vec<AgendaEntry>,
    pub invitees: Vec<InviteeView>,
}

/// A case on an agenda, for the decision pages: its reference and version, never its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionHeading {
    pub meeting: Meeting,
    pub case: CaseId,
    pub reference: CaseReference,
    pub stage: CaseStage,
    pub version: i64,
}

pub(crate) fn panel_subject(id: PanelId, partnership: PartnershipId) -> Subject {
    Subject::Panel {
        id: id.to_string(),
        partnership: partnership.to_string(),
    }
}

pub(crate) fn meeting_subject(id: MeetingId, partnership: PartnershipId) -> Subject {
    Subject::Meeting {
        id: id.to_string(),
        partnership: partnership.to_string(),
    }
}
