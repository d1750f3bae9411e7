//! The panel tables' rows as stored, each decoded once into its domain type. Rows never leave
//! storage.

use crate::column::col;
use crate::decode::{time, time_opt};
use crate::StorageError;
use preventkit_domain::channel::CaseReference;
use preventkit_domain::panel::{AgendaItem, Invitation, Meeting, Panel, PanelMember};
use sqlx::FromRow;

#[derive(Clone, Debug, FromRow)]
pub(crate) struct PanelRow {
    pub id: String,
    pub partnership_id: String,
    pub created_at: i64,
}

impl TryFrom<PanelRow> for Panel {
    type Error = StorageError;
    fn try_from(r: PanelRow) -> Result<Self, StorageError> {
        let c = |name| col("panels", name);
        Ok(Panel {
            id: c("id").parse(&r.id)?,
            partnership: c("partnership_id").parse(&r.partnership_id)?,
            created_at: time(r.created_at),
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct MemberRow {
    pub panel_id: String,
    pub user_id: String,
    pub sector: String,
    pub added_at: i64,
}

impl TryFrom<MemberRow> for PanelMember {
    type Error = StorageError;
    fn try_from(r: MemberRow) -> Result<Self, StorageError> {
        let c = |name| col("panel_members", name);
        Ok(PanelMember {
            panel: c("panel_id").parse(&r.panel_id)?,
            user: c("user_id").parse(&r.user_id)?,
            sector: c("sector").parse(&r.sector)?,
            added_at: time(r.added_at),
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct MeetingRow {
    pub id: String,
    pub panel_id: String,
    pub partnership_id: String,
    pub meets_on: String,
    pub created_at: i64,
    pub created_by: String,
    pub agenda_published_at: Option<i64>,
}

impl TryFrom<MeetingRow> for Meeting {
    type Error = StorageError;
    fn try_from(r: MeetingRow) -> Result<Self, StorageError> {
        let c = |name| col("panel_meetings", name);
        Ok(Meeting {
            id: c("id").parse(&r.id)?,
            panel: c("panel_id").parse(&r.panel_id)?,
            partnership: c("partnership_id").parse(&r.partnership_id)?,
            on: c("meets_on").date(&r.meets_on)?,
            created_at: time(r.created_at),
            created_by: c("created_by").parse(&r.created_by)?,
            agenda_published_at: time_opt(r.agenda_published_at),
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct InvitationRow {
    pub meeting_id: String,
    pub user_id: String,
    pub attendance: Option<String>,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StorageError;
    fn try_from(r: InvitationRow) -> Result<Self, StorageError> {
        let c = |name| col("meeting_invitations", name);
        Ok(Invitation {
            meeting: c("meeting_id").parse(&r.meeting_id)?,
            user: c("user_id").parse(&r.user_id)?,
            attendance: c("attendance").parse_opt(r.attendance.as_deref())?,
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct ItemRow {
    pub meeting_id: String,
    pub case_id: String,
    pub reference: String,
    pub kind: String,
    pub position: i64,
    pub decision: Option<String>,
}

impl TryFrom<ItemRow> for AgendaItem {
    type Error = StorageError;
    fn try_from(r: ItemRow) -> Result<Self, StorageError> {
        let c = |name| col("agenda_items", name);
        Ok(AgendaItem {
            meeting: c("meeting_id").parse(&r.meeting_id)?,
            case: c("case_id").parse(&r.case_id)?,
            reference: CaseReference::parse(&r.reference)
                .ok_or_else(|| col("cases", "reference").error())?,
            kind: c("kind").parse(&r.kind)?,
            position: r.position,
            decision: c("decision").parse_opt(r.decision.as_deref())?,
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct WindowRow {
    pub agenda_published_at: Option<i64>,
    pub meets_on: String,
}
