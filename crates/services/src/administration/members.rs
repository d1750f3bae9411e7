//! Memberships of a partnership: who holds which role.

use super::*;
use preventkit_domain::actions::AdministrationAction;

impl App {
    /// The partnership's memberships. A grant to manage them also reads them, so that a page
    /// can show the list again after a refused change.
    pub async fn list_members(&self, grant: &Grant) -> Result<Vec<Member>, ServiceError> {
        let pid = grant
            .require_partnership(Permission::MembershipRead)
            .or_else(|_| grant.require_partnership(Permission::MembershipManage))?;
        let mut tx = self.db().read().await?;
        let rows = store::administration::memberships::members_of(&mut tx, pid).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Give someone a role in the partnership at once, from the command line (the first
    /// administrators, and the demonstration data). An unknown email makes a new account, which
    /// needs a name, an organisation that belongs to the partnership and a first password.
    /// Everyone else invites: see [`App::invite_member`].
    pub async fn add_member(
        &self,
        grant: &Grant,
        input: &NewMember,
        ctx: &RequestContext,
    ) -> Result<MembershipId, ServiceError> {
        let pid = grant.require_partnership(Permission::MembershipManage)?;
        if !preventkit_domain::policy::may_add_member_directly(grant) {
            // Through the pages and the API a role is offered by invitation.
            return Err(ServiceError::Denied(
                preventkit_domain::Denial::NotPermitted,
            ));
        }
        let mut errors = ValidationErrors::new();
        let email = validate::email("email", &input.email, &mut errors);
        let role = role_field(&input.role, &mut errors);
        errors.clone().into_result()?;
        let role = role.ok_or_else(|| ServiceError::Internal("validated".into()))?;
        let mut tx = self.db().write().await?;
        let user_id = match store::identity::users::find_by_email(&mut tx, &email).await? {
            Some(u) => u.id,
            None => {
                let orgs =
                    store::administration::partnerships::organisations_of(&mut tx, pid).await?;
                if !input.organisation_id.trim().is_empty()
                    && !orgs
                        .iter()
                        .any(|o| o.id.to_string() == input.organisation_id.trim())
                {
                    return Err(ServiceError::field(
                        "organisation_id",
                        "Choose one of the partnership's organisations",
                    ));
                }
                let new = NewUser {
                    email: email.clone(),
                    display_name: input.display_name.clone(),
                    organisation_id: input.organisation_id.clone(),
                    password: input.password.clone(),
                    clearance: Marking::Official.key().to_owned(),
                    system_admin: false,
                };
                let id = insert_user(&mut tx, &new).await?;
                event(
                    &mut tx,
                    actor_id(grant),
                    ctx,
                    AdministrationAction::UserCreated,
                    Subject::User(Some(id.to_string())),
                    Outcome::Success,
                )
                .await?;
                id
            }
        };
        let id = MembershipId::new();
        store::administration::memberships::insert(
            &mut tx,
            &Membership {
                id,
                partnership_id: pid,
                user_id,
                role,
                created_at: now(),
            },
        )
        .await
        .map_err(|e| match e {
            StorageError::Conflict => {
                ServiceError::field("role", "This person already has that role here")
            }
            other => other.into(),
        })?;
        let subject = Subject::Membership {
            id: id.to_string(),
            partnership: pid.to_string(),
        };
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            AdministrationAction::MembershipCreated,
            subject,
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Change a membership's role. A partnership always keeps an administrator.
    pub async fn change_member_role(
        &self,
        grant: &Grant,
        membership: MembershipId,
        role: &str,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let pid = grant.require_partnership(Permission::MembershipManage)?;
        let mut errors = ValidationErrors::new();
        let role = role_field(role, &mut errors);
        errors.into_result()?;
        let role = role.ok_or_else(|| ServiceError::Internal("validated".into()))?;
        let tx = self.db().write().await?;
        let (current, mut tx) = self
            .someone_elses_membership(
                tx,
                grant,
                membership,
                pid,
                AdministrationAction::MembershipUpdated,
                ctx,
            )
            .await?;
        keeps_an_administrator(&mut tx, &current, pid, Some(role)).await?;
        if current.role != role {
            store::identity::tokens::revoke_for_role(
                &mut tx,
                &current.user_id.to_string(),
                &pid.to_string(),
                current.role.key(),
                now_ms(),
            )
            .await?;
        }
        store::administration::memberships::update_role(&mut tx, current.id, pid, role)
            .await
            .map_err(|e| match e {
                StorageError::Conflict => {
                    ServiceError::field("role", "This person already has that role here")
                }
                other => other.into(),
            })?;
        let subject = Subject::Membership {
            id: current.id.to_string(),
            partnership: pid.to_string(),
        };
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            AdministrationAction::MembershipUpdated,
            subject,
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Remove a membership. A partnership always keeps an administrator.
    pub async fn remove_member(
        &self,
        grant: &Grant,
        membership: MembershipId,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let pid = grant.require_partnership(Permission::MembershipManage)?;
        let tx = self.db().write().await?;
        let (current, mut tx) = self
            .someone_elses_membership(
                tx,
                grant,
                membership,
                pid,
                AdministrationAction::MembershipRemoved,
                ctx,
            )
            .await?;
        keeps_an_administrator(&mut tx, &current, pid, None).await?;
        store::identity::tokens::revoke_for_role(
            &mut tx,
            &current.user_id.to_string(),
            &pid.to_string(),
            current.role.key(),
            now_ms(),
        )
        .await?;
        store::administration::memberships::delete(&mut tx, current.id, pid).await?;
        let subject = Subject::Membership {
            id: current.id.to_string(),
            partnership: pid.to_string(),
        };
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            AdministrationAction::MembershipRemoved,
            subject,
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A membership of the partnership that is not the granted person's own (nobody changes
    /// their own roles): a refusal is recorded as one. Answers the membership and the
    /// transaction to go on with.
    pub(crate) async fn someone_elses_membership(
        &self,
        mut tx: preventkit_storage::Tx,
        grant: &Grant,
        membership: MembershipId,
        pid: PartnershipId,
        action: AdministrationAction,
        ctx: &RequestContext,
    ) -> Result<(Membership, preventkit_storage::Tx), ServiceError> {
        let current =
            store::administration::memberships::get_in_partnership(&mut tx, membership, pid)
                .await?
                .ok_or(ServiceError::NotFound)?;
        let member = current.user_id;
        let by = Some(grant.user_id()).filter(|u| !u.0.is_nil());
        if let Err(d) = preventkit_domain::policy::may_change_membership_of(by, member) {
            tx.rollback().await?;
            let subject = Subject::Membership {
                id: current.id.to_string(),
                partnership: pid.to_string(),
            };
            return Err(self.refuse(grant.user_id(), ctx, action, subject, d).await);
        }
        Ok((current, tx))
    }

    /// A membership by id, only within the grant's partnership.
    pub async fn get_member(
        &self,
        grant: &Grant,
        membership: MembershipId,
    ) -> Result<Member, ServiceError> {
        let pid = grant.partnership().ok_or(ServiceError::NotFound)?;
        grant.require_read(Permission::MembershipRead)?;
        let mut tx = self.db().read().await?;
        let rows = store::administration::memberships::members_of(&mut tx, pid).await?;
        tx.commit().await?;
        rows.into_iter()
            .find(|m| m.id == membership)
            .ok_or(ServiceError::NotFound)
    }
}

async fn keeps_an_administrator(
    tx: &mut preventkit_storage::Tx,
    current: &Membership,
    pid: PartnershipId,
    new_role: Option<Role>,
) -> Result<(), ServiceError> {
    let admin = Role::Administrator;
    if current.role == admin && new_role != Some(Role::Administrator) {
        // Count under the partnership's chain lock, taken now rather than when the event is
        // appended: two administrators demoting each other at once must not both see the
        // other still there (on PostgreSQL writes in one partnership serialise only on it).
        store::audit::lock_chain(tx, &preventkit_domain::audit::Chain::Partnership(pid)).await?;
        let n = store::administration::memberships::count_role(tx, pid, admin).await?;
        if n <= 1 {
            return Err(ServiceError::Conflict(
                "A partnership must keep at least one administrator. Add another administrator first".into(),
            ));
        }
    }
    Ok(())
}
