//! The Channel panel: panels, members by sector, meetings, invitations with attendance, and
//! agenda items with the decision taken on each.
//!
//! Storage only keeps and finds. Who may read a case because it is on an agenda is decided in
//! `domain::policy` from the windows [`windows`] fetches.

pub mod tables;

mod rows;

pub(crate) use tables::migration_12;

use crate::channel::tables::Cases as C;
use crate::decode::{all, one};
use crate::{StorageError, Tx};
use preventkit_domain::assessment::date_text;
use preventkit_domain::panel::{
    AgendaItem, AgendaItemKind, Attendance, Invitation, Meeting, Panel, PanelDecision, PanelMember,
};
use preventkit_domain::policy::AgendaWindow;
use preventkit_domain::{CaseId, MeetingId, PartnershipId, Timestamp, UserId};
use rows::{InvitationRow, ItemRow, MeetingRow, MemberRow, PanelRow, WindowRow};
use sea_query::{Expr, Order, Query};
use tables::{
    AgendaItems as A, MeetingInvitations as I, PanelMeetings as M, PanelMembers as PM, Panels as P,
};

/// The partnership's panel, if it has one yet.
pub async fn panel(tx: &mut Tx, partnership: PartnershipId) -> Result<Option<Panel>, StorageError> {
    let row: Option<PanelRow> = tx
        .fetch_optional(
            &Query::select()
                .columns([P::Id, P::PartnershipId, P::CreatedAt])
                .from(P::Table)
                .and_where(Expr::col(P::PartnershipId).eq(partnership.to_string()))
                .to_owned(),
        )
        .await?;
    one(row)
}

/// Make a partnership's panel. Two made at once: one is refused as a conflict.
pub async fn insert_panel(tx: &mut Tx, p: &Panel) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        P::Table,
        [
            (P::Id, p.id.to_string().into()),
            (P::PartnershipId, p.partnership.to_string().into()),
            (P::CreatedAt, p.created_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

/// The members of the partnership's panel, in the order they were added.
pub async fn members(
    tx: &mut Tx,
    partnership: PartnershipId,
) -> Result<Vec<PanelMember>, StorageError> {
    let rows: Vec<MemberRow> = tx
        .fetch_all(
            &Query::select()
                .columns([PM::PanelId, PM::UserId, PM::Sector, PM::AddedAt])
                .from(PM::Table)
                .and_where(Expr::col(PM::PartnershipId).eq(partnership.to_string()))
                .order_by(PM::AddedAt, Order::Asc)
                .order_by(PM::Id, Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// Add a member; someone already on the panel is a conflict.
pub async fn insert_member(
    tx: &mut Tx,
    partnership: PartnershipId,
    m: &PanelMember,
) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        PM::Table,
        [
            (PM::Id, uuid::Uuid::new_v4().to_string().into()),
            (PM::PanelId, m.panel.to_string().into()),
            (PM::PartnershipId, partnership.to_string().into()),
            (PM::UserId, m.user.to_string().into()),
            (PM::Sector, m.sector.key().into()),
            (PM::AddedAt, m.added_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

/// Remove a member; whether they were on the panel.
pub async fn remove_member(
    tx: &mut Tx,
    partnership: PartnershipId,
    user: UserId,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::delete()
                .from_table(PM::Table)
                .and_where(Expr::col(PM::PartnershipId).eq(partnership.to_string()))
                .and_where(Expr::col(PM::UserId).eq(user.to_string()))
                .to_owned(),
        )
        .await?;
    Ok(n > 0)
}

const MEETING: [M; 7] = [
    M::Id,
    M::PanelId,
    M::PartnershipId,
    M::MeetsOn,
    M::CreatedAt,
    M::CreatedBy,
    M::AgendaPublishedAt,
];

/// The partnership's panel meetings, latest date first.
pub async fn meetings(
    tx: &mut Tx,
    partnership: PartnershipId,
) -> Result<Vec<Meeting>, StorageError> {
    let rows: Vec<MeetingRow> = tx
        .fetch_all(
            &Query::select()
                .columns(MEETING)
                .from(M::Table)
                .and_where(Expr::col(M::PartnershipId).eq(partnership.to_string()))
                .order_by(M::MeetsOn, Order::Desc)
                .order_by(M::CreatedAt, Order::Desc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// One meeting of the partnership's panel.
pub async fn meeting(
    tx: &mut Tx,
    partnership: PartnershipId,
    id: MeetingId,
) -> Result<Option<Meeting>, StorageError> {
    let row: Option<MeetingRow> = tx
        .fetch_optional(
            &Query::select()
                .columns(MEETING)
                .from(M::Table)
                .and_where(Expr::col(M::PartnershipId).eq(partnership.to_string()))
                .and_where(Expr::col(M::Id).eq(id.to_string()))
                .to_owned(),
        )
        .await?;
    one(row)
}

pub async fn insert_meeting(tx: &mut Tx, m: &Meeting) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        M::Table,
        [
            (M::Id, m.id.to_string().into()),
            (M::PanelId, m.panel.to_string().into()),
            (M::PartnershipId, m.partnership.to_string().into()),
            (M::MeetsOn, date_text(m.on).into()),
            (M::CreatedAt, m.created_at.millis().into()),
            (M::CreatedBy, m.created_by.to_string().into()),
            (
                M::AgendaPublishedAt,
                m.agenda_published_at.map(|t| t.millis()).into(),
            ),
        ],
    )?)
    .await?;
    Ok(())
}

/// Publish a meeting's agenda, if it is not published yet; whether it was published now.
pub async fn publish_agenda(
    tx: &mut Tx,
    partnership: PartnershipId,
    id: MeetingId,
    at: Timestamp,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(M::Table)
                .value(M::AgendaPublishedAt, at.millis())
                .and_where(Expr::col(M::PartnershipId).eq(partnership.to_string()))
                .and_where(Expr::col(M::Id).eq(id.to_string()))
                .and_where(Expr::col(M::AgendaPublishedAt).is_null())
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// The people invited to a meeting.
pub async fn invitations(
    tx: &mut Tx,
    partnership: PartnershipId,
    meeting: MeetingId,
) -> Result<Vec<Invitation>, StorageError> {
    let rows: Vec<InvitationRow> = tx
        .fetch_all(
            &Query::select()
                .columns([I::MeetingId, I::UserId, I::Attendance])
                .from(I::Table)
                .and_where(Expr::col(I::PartnershipId).eq(partnership.to_string()))
                .and_where(Expr::col(I::MeetingId).eq(meeting.to_string()))
                .order_by(I::Id, Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

pub async fn insert_invitation(
    tx: &mut Tx,
    partnership: PartnershipId,
    i: &Invitation,
) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        I::Table,
        [
            (I::Id, uuid::Uuid::new_v4().to_string().into()),
            (I::MeetingId, i.meeting.to_string().into()),
            (I::PartnershipId, partnership.to_string().into()),
            (I::UserId, i.user.to_string().into()),
            (I::Attendance, i.attendance.map(|a| a.key()).into()),
        ],
    )?)
    .await?;
    Ok(())
}

/// Record whether an invited person came; whether they were invited.
pub async fn set_attendance(
    tx: &mut Tx,
    partnership: PartnershipId,
    meeting: MeetingId,
    user: UserId,
    attendance: Option<Attendance>,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(I::Table)
                .value(I::Attendance, attendance.map(|a| a.key()))
                .and_where(Expr::col(I::PartnershipId).eq(partnership.to_string()))
                .and_where(Expr::col(I::MeetingId).eq(meeting.to_string()))
                .and_where(Expr::col(I::UserId).eq(user.to_string()))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// A meeting's agenda, in order, each item with its case's reference.
pub async fn agenda(
    tx: &mut Tx,
    partnership: PartnershipId,
    meeting: MeetingId,
) -> Result<Vec<AgendaItem>, StorageError> {
    let rows: Vec<ItemRow> = tx
        .fetch_all(
            &Query::select()
                .column((A::Table, A::MeetingId))
                .column((A::Table, A::CaseId))
                .column((C::Table, C::Reference))
                .column((A::Table, A::Kind))
                .column((A::Table, A::Position))
                .column((A::Table, A::Decision))
                .from(A::Table)
                .inner_join(
                    C::Table,
                    Expr::col((C::Table, C::Id))
                        .equals((A::Table, A::CaseId))
                        .and(
                            Expr::col((C::Table, C::PartnershipId))
                                .equals((A::Table, A::PartnershipId)),
                        ),
                )
                .and_where(Expr::col((A::Table, A::PartnershipId)).eq(partnership.to_string()))
                .and_where(Expr::col((A::Table, A::MeetingId)).eq(meeting.to_string()))
                .order_by((A::Table, A::Position), Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// Replace a meeting's agenda with these cases, in this order.
pub async fn replace_agenda(
    tx: &mut Tx,
    partnership: PartnershipId,
    meeting: MeetingId,
    items: &[(CaseId, AgendaItemKind)],
) -> Result<(), StorageError> {
    tx.execute(
        &Query::delete()
            .from_table(A::Table)
            .and_where(Expr::col(A::PartnershipId).eq(partnership.to_string()))
            .and_where(Expr::col(A::MeetingId).eq(meeting.to_string()))
            .to_owned(),
    )
    .await?;
    for (position, (case, kind)) in (1i64..).zip(items) {
        tx.execute(&crate::insert(
            A::Table,
            [
                (A::Id, uuid::Uuid::new_v4().to_string().into()),
                (A::MeetingId, meeting.to_string().into()),
                (A::PartnershipId, partnership.to_string().into()),
                (A::CaseId, case.to_string().into()),
                (A::Kind, kind.key().into()),
                (A::Position, position.into()),
                (A::Decision, Option::<String>::None.into()),
            ],
        )?)
        .await?;
    }
    Ok(())
}

/// Note the decision taken on an agenda item; whether the case was on the agenda.
pub async fn set_decision(
    tx: &mut Tx,
    partnership: PartnershipId,
    meeting: MeetingId,
    case: CaseId,
    decision: PanelDecision,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(A::Table)
                .value(A::Decision, decision.key())
                .and_where(Expr::col(A::PartnershipId).eq(partnership.to_string()))
                .and_where(Expr::col(A::MeetingId).eq(meeting.to_string()))
                .and_where(Expr::col(A::CaseId).eq(case.to_string()))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// The windows in which `user` may read a case because it is on the published agenda of a
/// meeting they are invited to: each such meeting's publication time and date.
pub async fn windows(
    tx: &mut Tx,
    partnership: PartnershipId,
    case: CaseId,
    user: UserId,
) -> Result<Vec<AgendaWindow>, StorageError> {
    let rows: Vec<WindowRow> = tx
        .fetch_all(
            &Query::select()
                .column((M::Table, M::AgendaPublishedAt))
                .column((M::Table, M::MeetsOn))
                .from(A::Table)
                .inner_join(
                    M::Table,
                    Expr::col((M::Table, M::Id)).equals((A::Table, A::MeetingId)),
                )
                .inner_join(
                    I::Table,
                    Expr::col((I::Table, I::MeetingId)).equals((A::Table, A::MeetingId)),
                )
                .and_where(Expr::col((A::Table, A::PartnershipId)).eq(partnership.to_string()))
                .and_where(Expr::col((M::Table, M::PartnershipId)).eq(partnership.to_string()))
                .and_where(Expr::col((A::Table, A::CaseId)).eq(case.to_string()))
                .and_where(Expr::col((I::Table, I::UserId)).eq(user.to_string()))
                .and_where(Expr::col((M::Table, M::AgendaPublishedAt)).is_not_null())
                .to_owned(),
        )
        .await?;
    let c = crate::column::col("panel_meetings", "meets_on");
    rows.into_iter()
        .filter_map(|r| r.agenda_published_at.map(|p| (p, r.meets_on)))
        .map(|(p, on)| {
            Ok(AgendaWindow {
                published_at: Timestamp::from_millis(p),
                meeting_on: c.date(&on)?,
            })
        })
        .collect()
}
