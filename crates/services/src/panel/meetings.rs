//! Panel meetings: made by the chair (monthly by default) with the panel's members invited,
//! an agenda built from the cases due, published to those invited, and attendance.

use super::{meeting_subject, AgendaEntry, InviteeView, MeetingListing, MeetingView};
use crate::audit::event;
use crate::channel::reading::{name_of, names};
use crate::{App, RequestContext, ServiceError};
use preventkit_domain::actions::PanelAction;
use preventkit_domain::audit::Outcome;
use preventkit_domain::panel::{
    agenda_kind, decision_allowed, read_meeting_date, suggested_meeting_date, AgendaItemKind,
    Attendance, Invitation, Meeting, MeetingInput,
};
use preventkit_domain::policy::runs_panel;
use preventkit_domain::validate::ValidationErrors;
use preventkit_domain::{CaseId, Grant, MeetingId, PartnershipId, Permission, UserId};
use preventkit_storage::{self as store, Tx};
use time::Date;

impl App {
    /// The panel's meetings, latest first, each with the number of cases on its agenda.
    pub async fn panel_meetings(&self, grant: &Grant) -> Result<Vec<MeetingListing>, ServiceError> {
        let partnership = grant.require_partnership_read(Permission::PanelRead)?;
        let mut tx = self.db().read().await?;
        let meetings = store::panel::meetings(&mut tx, partnership).await?;
        let mut out = Vec::with_capacity(meetings.len());
        for m in meetings {
            let items = store::panel::agenda(&mut tx, partnership, m.id)
                .await?
                .len();
            out.push(MeetingListing { meeting: m, items });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The date the form suggests for a new meeting: the same day of the month after the last
    /// meeting (monthly by default), or a month from today.
    pub async fn suggested_meeting_date(&self, grant: &Grant) -> Result<Date, ServiceError> {
        let partnership = grant.require_partnership(Permission::PanelManage)?;
        let mut tx = self.db().read().await?;
        let last = store::panel::meetings(&mut tx, partnership)
            .await?
            .first()
            .map(|m| m.on);
        tx.commit().await?;
        Ok(suggested_meeting_date(last, self.today()))
    }

    /// The panel's members, to choose whom to invite.
    pub async fn create_meeting(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        input: &MeetingInput,
    ) -> Result<MeetingId, ServiceError> {
        let partnership = grant.require_partnership(Permission::PanelManage)?;
        let mut e = match read_meeting_date(input, self.today()) {
            Ok(_) => ValidationErrors::new(),
            Err(e) => e,
        };
        let mut tx = self.db().write().await?;
        let panel = self.panel_for_change(&mut tx, partnership).await?;
        let members: Vec<UserId> = store::panel::members(&mut tx, partnership)
            .await?
            .into_iter()
            .map(|m| m.user)
            .collect();
        let invitees: Vec<UserId> = match &input.invitees {
            None => members.clone(),
            Some(chosen) => {
                let mut out = Vec::new();
                for c in chosen {
                    match c.trim().parse::<UserId>() {
                        Ok(u) if members.contains(&u) => {
                            if !out.contains(&u) {
                                out.push(u);
                            }
                        }
                        _ => e.add("invitees", "Select members of the panel to invite"),
                    }
                }
                out
            }
        };
        if invitees.is_empty() && e.is_empty() {
            e.add(
                "invitees",
                if members.is_empty() {
                    "Add members to the panel before you make a meeting"
                } else {
                    "Select at least one member of the panel to invite"
                },
            );
        }
        e.into_result().map_err(ServiceError::Validation)?;
        let on = read_meeting_date(input, self.today()).map_err(ServiceError::Validation)?;
        let meeting = Meeting {
            id: MeetingId::new(),
            panel: panel.id,
            partnership,
            on,
            created_at: self.now(),
            created_by: grant.user_id(),
            agenda_published_at: None,
        };
        store::panel::insert_meeting(&mut tx, &meeting).await?;
        for user in invitees {
            store::panel::insert_invitation(
                &mut tx,
                partnership,
                &Invitation {
                    meeting: meeting.id,
                    user,
                    attendance: None,
                },
            )
            .await?;
        }
        let due = cases_due(&mut tx, partnership).await?;
        store::panel::replace_agenda(&mut tx, partnership, meeting.id, &due).await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            PanelAction::MeetingCreated,
            meeting_subject(meeting.id, partnership),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(meeting.id)
    }

    /// One meeting: its agenda by case reference (to those invited once it is published; to
    /// the chair always), its invitees by sector and their attendance.
    pub async fn panel_meeting(
        &self,
        grant: &Grant,
        id: MeetingId,
    ) -> Result<MeetingView, ServiceError> {
        let partnership = grant.require_partnership_read(Permission::PanelRead)?;
        let mut tx = self.db().read().await?;
        let meeting = store::panel::meeting(&mut tx, partnership, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let agenda_shown = meeting.agenda_published_at.is_some() || runs_panel(grant);
        let mut agenda = Vec::new();
        if agenda_shown {
            for item in store::panel::agenda(&mut tx, partnership, id).await? {
                let Some(listing) =
                    store::channel::listing(&mut tx, partnership, item.case).await?
                else {
                    continue;
                };
                agenda.push(AgendaEntry {
                    decidable: decision_allowed(listing.stage) && item.decision.is_none(),
                    stage: listing.stage,
                    version: listing.version,
                    item,
                });
            }
        }
        let invitations = store::panel::invitations(&mut tx, partnership, id).await?;
        let members = store::panel::members(&mut tx, partnership).await?;
        let names = names(&mut tx, invitations.iter().map(|i| i.user).collect()).await?;
        tx.commit().await?;
        let invitees = invitations
            .into_iter()
            .map(|i| InviteeView {
                user: i.user,
                name: name_of(&names, i.user),
                sector: members.iter().find(|m| m.user == i.user).map(|m| m.sector),
                attendance: i.attendance,
            })
            .collect();
        Ok(MeetingView {
            meeting,
            agenda_shown,
            agenda,
            invitees,
        })
    }

    /// Publish a meeting's agenda: from now, those invited see it and may read its cases
    /// until a week after the meeting.
    pub async fn publish_agenda(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        id: MeetingId,
    ) -> Result<(), ServiceError> {
        let partnership = grant.require_partnership(Permission::PanelManage)?;
        let mut tx = self.db().write().await?;
        store::panel::meeting(&mut tx, partnership, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !store::panel::publish_agenda(&mut tx, partnership, id, self.now()).await? {
            return Err(ServiceError::Conflict(
                "The agenda of this meeting is already published".into(),
            ));
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            PanelAction::AgendaPublished,
            meeting_subject(id, partnership),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Record who came to a meeting: for each invited person (by user id) `attended`,
    /// `apologies` or `absent`; blank leaves it unrecorded.
    pub async fn record_attendance(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        id: MeetingId,
        entries: &[(String, String)],
    ) -> Result<(), ServiceError> {
        let partnership = grant.require_partnership(Permission::PanelManage)?;
        let mut tx = self.db().write().await?;
        store::panel::meeting(&mut tx, partnership, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let invited: Vec<UserId> = store::panel::invitations(&mut tx, partnership, id)
            .await?
            .into_iter()
            .map(|i| i.user)
            .collect();
        let mut e = ValidationErrors::new();
        let mut changes = Vec::new();
        for (user, value) in entries {
            let Some(user) = user
                .trim()
                .parse::<UserId>()
                .ok()
                .filter(|u| invited.contains(u))
            else {
                e.add("attendance", "Record attendance only for people invited");
                continue;
            };
            let value = value.trim();
            let attendance = if value.is_empty() {
                None
            } else {
                match Attendance::from_key(value) {
                    Some(a) => Some(a),
                    None => {
                        e.add(
                            &format!("attendance-{user}"),
                            "Select attended, sent apologies or absent",
                        );
                        continue;
                    }
                }
            };
            changes.push((user, attendance));
        }
        e.into_result().map_err(ServiceError::Validation)?;
        for (user, attendance) in changes {
            store::panel::set_attendance(&mut tx, partnership, id, user, attendance).await?;
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            PanelAction::AttendanceRecorded,
            meeting_subject(id, partnership),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The cases due at a meeting: new cases waiting for the panel first, then the cases under
/// review, each oldest first. Referrals added to another case are not listed on their own.
async fn cases_due(
    tx: &mut Tx,
    partnership: PartnershipId,
) -> Result<Vec<(CaseId, AgendaItemKind)>, ServiceError> {
    let mut due: Vec<_> = store::channel::list(tx, partnership)
        .await?
        .into_iter()
        .filter_map(|c| agenda_kind(c.stage).map(|k| (k, c.referred_at, c.id)))
        .collect();
    due.sort_by_key(|(k, at, _)| (*k != AgendaItemKind::NewCase, *at));
    Ok(due.into_iter().map(|(k, _, id)| (id, k)).collect())
}
