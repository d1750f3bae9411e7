//! The panel's members by sector, managed by its chair.

use super::{panel_subject, MemberChoice, PanelMemberView, PanelView};
use crate::audit::event;
use crate::channel::reading::{name_of, names};
use crate::{App, RequestContext, ServiceError};
use preventkit_domain::actions::PanelAction;
use preventkit_domain::audit::{Chain, Outcome};
use preventkit_domain::panel::{missing_sectors, Panel, PanelMember, Sector};
use preventkit_domain::validate::ValidationErrors;
use preventkit_domain::{Grant, PanelId, PartnershipId, Permission, UserId};
use preventkit_storage::{self as store, StorageError, Tx};

impl App {
    /// The partnership's panel, made on first use, inside the caller's write transaction
    /// (which holds the partnership's chain lock).
    pub(crate) async fn panel_for_change(
        &self,
        tx: &mut Tx,
        partnership: PartnershipId,
    ) -> Result<Panel, ServiceError> {
        store::audit::lock_chain(tx, &Chain::Partnership(partnership)).await?;
        if let Some(p) = store::panel::panel(tx, partnership).await? {
            return Ok(p);
        }
        let p = Panel {
            id: PanelId::new(),
            partnership,
            created_at: self.now(),
        };
        store::panel::insert_panel(tx, &p).await?;
        Ok(p)
    }

    /// The panel's members by sector, and the named sectors nobody on it covers.
    pub async fn panel(&self, grant: &Grant) -> Result<PanelView, ServiceError> {
        let partnership = grant.require_partnership_read(Permission::PanelRead)?;
        let mut tx = self.db().read().await?;
        let members = store::panel::members(&mut tx, partnership).await?;
        let names = names(&mut tx, members.iter().map(|m| m.user).collect()).await?;
        tx.commit().await?;
        let sectors: Vec<Sector> = members.iter().map(|m| m.sector).collect();
        Ok(PanelView {
            missing: missing_sectors(&sectors),
            members: members
                .into_iter()
                .map(|m| PanelMemberView {
                    user: m.user,
                    name: name_of(&names, m.user),
                    sector: m.sector,
                })
                .collect(),
        })
    }

    /// The partnership's members who are not on the panel yet.
    pub async fn panel_member_choices(
        &self,
        grant: &Grant,
    ) -> Result<Vec<MemberChoice>, ServiceError> {
        let partnership = grant.require_partnership(Permission::PanelManage)?;
        let mut tx = self.db().read().await?;
        let out = choices(&mut tx, partnership).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Add someone from the partnership to the panel, with their sector.
    pub async fn add_panel_member(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        user: &str,
        sector: &str,
    ) -> Result<(), ServiceError> {
        let partnership = grant.require_partnership(Permission::PanelManage)?;
        let mut tx = self.db().write().await?;
        let panel = self.panel_for_change(&mut tx, partnership).await?;
        let available = choices(&mut tx, partnership).await?;
        let mut e = ValidationErrors::new();
        let user: Option<UserId> = user
            .trim()
            .parse()
            .ok()
            .filter(|u| available.iter().any(|c| c.user == *u));
        if user.is_none() {
            e.add(
                "user",
                "Select a member of the partnership who is not on the panel yet",
            );
        }
        let sector = Sector::from_key(sector.trim());
        if sector.is_none() {
            e.add("sector", "Select the member's sector");
        }
        e.into_result().map_err(ServiceError::Validation)?;
        let (Some(user), Some(sector)) = (user, sector) else {
            return Err(ServiceError::Internal(
                "a checked choice went missing".into(),
            ));
        };
        let member = PanelMember {
            panel: panel.id,
            user,
            sector,
            added_at: self.now(),
        };
        match store::panel::insert_member(&mut tx, partnership, &member).await {
            Ok(()) => {}
            Err(StorageError::Conflict) => {
                return Err(ServiceError::Conflict(
                    "That person is already on the panel".into(),
                ))
            }
            Err(e) => return Err(e.into()),
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            PanelAction::MemberAdded,
            panel_subject(panel.id, partnership),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Take someone off the panel. Meetings they were invited to keep their invitation.
    pub async fn remove_panel_member(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        user: UserId,
    ) -> Result<(), ServiceError> {
        let partnership = grant.require_partnership(Permission::PanelManage)?;
        let mut tx = self.db().write().await?;
        let panel = self.panel_for_change(&mut tx, partnership).await?;
        if !store::panel::remove_member(&mut tx, partnership, user).await? {
            return Err(ServiceError::NotFound);
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            PanelAction::MemberRemoved,
            panel_subject(panel.id, partnership),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn choices(
    tx: &mut Tx,
    partnership: PartnershipId,
) -> Result<Vec<MemberChoice>, ServiceError> {
    let on_panel: Vec<UserId> = store::panel::members(tx, partnership)
        .await?
        .into_iter()
        .map(|m| m.user)
        .collect();
    let members = store::administration::memberships::members_of(tx, partnership).await?;
    let mut out: Vec<MemberChoice> = Vec::new();
    for m in members {
        if m.disabled_at.is_none()
            && !on_panel.contains(&m.user_id)
            && !out.iter().any(|o| o.user == m.user_id)
        {
            out.push(MemberChoice {
                user: m.user_id,
                name: m.display_name,
            });
        }
    }
    Ok(out)
}
