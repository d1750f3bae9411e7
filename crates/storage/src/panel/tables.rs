//! The tables of the Channel panel (migration 12).

use crate::administration::tables::Partnerships;
use crate::channel::tables::Cases;
use crate::schema::{id, int, int_null, ref_id, text, text_null, Step};
use sea_query::{ForeignKey, Iden, Index, Table};

/// One row per panel (one per partnership for now).
#[derive(Iden, Clone, Copy)]
pub enum Panels {
    Table,
    Id,
    PartnershipId,
    CreatedAt,
}

/// The members of a panel, each with the sector they come from.
#[derive(Iden, Clone, Copy)]
pub enum PanelMembers {
    Table,
    Id,
    PanelId,
    PartnershipId,
    UserId,
    Sector,
    AddedAt,
}

/// The meetings of a panel.
#[derive(Iden, Clone, Copy)]
pub enum PanelMeetings {
    Table,
    Id,
    PanelId,
    PartnershipId,
    MeetsOn,
    CreatedAt,
    CreatedBy,
    AgendaPublishedAt,
}

/// Who is invited to a meeting, and whether they came.
#[derive(Iden, Clone, Copy)]
pub enum MeetingInvitations {
    Table,
    Id,
    MeetingId,
    PartnershipId,
    UserId,
    Attendance,
}

/// The cases on a meeting's agenda, and the decision taken on each.
#[derive(Iden, Clone, Copy)]
pub enum AgendaItems {
    Table,
    Id,
    MeetingId,
    PartnershipId,
    CaseId,
    Kind,
    Position,
    Decision,
}

pub(crate) fn migration_12() -> Vec<Step> {
    use Step::{Index as I, Table as T};
    vec![
        T(Table::create()
            .table(Panels::Table)
            .col(id(Panels::Id))
            .col(ref_id(Panels::PartnershipId))
            .col(int(Panels::CreatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(Panels::Table, Panels::PartnershipId)
                    .to(Partnerships::Table, Partnerships::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("panels_partnership")
            .table(Panels::Table)
            .col(Panels::PartnershipId)
            .unique()
            .to_owned()),
        T(Table::create()
            .table(PanelMembers::Table)
            .col(id(PanelMembers::Id))
            .col(ref_id(PanelMembers::PanelId))
            .col(ref_id(PanelMembers::PartnershipId))
            .col(ref_id(PanelMembers::UserId))
            .col(text(PanelMembers::Sector))
            .col(int(PanelMembers::AddedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(PanelMembers::Table, PanelMembers::PanelId)
                    .to(Panels::Table, Panels::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("panel_members_user")
            .table(PanelMembers::Table)
            .col(PanelMembers::PanelId)
            .col(PanelMembers::UserId)
            .unique()
            .to_owned()),
        T(Table::create()
            .table(PanelMeetings::Table)
            .col(id(PanelMeetings::Id))
            .col(ref_id(PanelMeetings::PanelId))
            .col(ref_id(PanelMeetings::PartnershipId))
            .col(text(PanelMeetings::MeetsOn))
            .col(int(PanelMeetings::CreatedAt))
            .col(ref_id(PanelMeetings::CreatedBy))
            .col(int_null(PanelMeetings::AgendaPublishedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(PanelMeetings::Table, PanelMeetings::PanelId)
                    .to(Panels::Table, Panels::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("panel_meetings_partnership")
            .table(PanelMeetings::Table)
            .col(PanelMeetings::PartnershipId)
            .col(PanelMeetings::MeetsOn)
            .to_owned()),
        T(Table::create()
            .table(MeetingInvitations::Table)
            .col(id(MeetingInvitations::Id))
            .col(ref_id(MeetingInvitations::MeetingId))
            .col(ref_id(MeetingInvitations::PartnershipId))
            .col(ref_id(MeetingInvitations::UserId))
            .col(text_null(MeetingInvitations::Attendance))
            .foreign_key(
                ForeignKey::create()
                    .from(MeetingInvitations::Table, MeetingInvitations::MeetingId)
                    .to(PanelMeetings::Table, PanelMeetings::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("meeting_invitations_user")
            .table(MeetingInvitations::Table)
            .col(MeetingInvitations::MeetingId)
            .col(MeetingInvitations::UserId)
            .unique()
            .to_owned()),
        I(Index::create()
            .name("meeting_invitations_by_user")
            .table(MeetingInvitations::Table)
            .col(MeetingInvitations::UserId)
            .to_owned()),
        T(Table::create()
            .table(AgendaItems::Table)
            .col(id(AgendaItems::Id))
            .col(ref_id(AgendaItems::MeetingId))
            .col(ref_id(AgendaItems::PartnershipId))
            .col(ref_id(AgendaItems::CaseId))
            .col(text(AgendaItems::Kind))
            .col(int(AgendaItems::Position))
            .col(text_null(AgendaItems::Decision))
            .foreign_key(
                ForeignKey::create()
                    .from(AgendaItems::Table, AgendaItems::MeetingId)
                    .to(PanelMeetings::Table, PanelMeetings::Id),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(AgendaItems::Table, AgendaItems::CaseId)
                    .to(Cases::Table, Cases::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("agenda_items_case")
            .table(AgendaItems::Table)
            .col(AgendaItems::MeetingId)
            .col(AgendaItems::CaseId)
            .unique()
            .to_owned()),
        I(Index::create()
            .name("agenda_items_by_case")
            .table(AgendaItems::Table)
            .col(AgendaItems::CaseId)
            .to_owned()),
    ]
}
