//! Organisations, regions, partnerships, user accounts and memberships.

use crate::accounts::hash_password;
use crate::audit::{event, Subject};
use crate::{now_ms, App, RequestContext, ServiceError};
use preventkit_domain::audit::Outcome;
use preventkit_domain::validate::{self, ValidationErrors};
use preventkit_domain::{
    Grant, Marking, MembershipId, OrganisationId, OrganisationType, PartnershipId, Permission,
    RegionId, Role, UserId,
};
use preventkit_storage::schema::Users as U;
use preventkit_storage::{
    repo, MemberRow, MembershipRow, OrganisationRow, PartnershipRow, RegionRow, StorageError,
    UserRow,
};
use std::str::FromStr;

pub use preventkit_storage::{
    MemberRow as Member, OrganisationRow as Organisation, PartnershipRow as Partnership,
    RegionRow as Region,
};

/// A user account as administrators see it (no secrets).
#[derive(Clone, Debug, serde::Serialize)]
pub struct UserAccount {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub organisation_id: String,
    pub mfa_enrolled: bool,
    pub system_admin: bool,
    pub clearance: String,
    pub disabled: bool,
    pub created_at: i64,
}

impl From<UserRow> for UserAccount {
    fn from(u: UserRow) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            organisation_id: u.organisation_id,
            mfa_enrolled: u.mfa_enrolled_at.is_some(),
            system_admin: u.system_admin == 1,
            clearance: u.clearance,
            disabled: u.disabled_at.is_some(),
            created_at: u.created_at,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct NewOrganisation {
    pub name: String,
    pub org_type: String,
}

#[derive(Clone, Debug, Default)]
pub struct NewPartnership {
    pub name: String,
    pub lead_organisation_id: String,
    pub parent_id: String,
    pub region_id: String,
}

#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub organisation_id: String,
    pub password: String,
    pub clearance: String,
    pub system_admin: bool,
}

/// Adding someone to a partnership: an existing account by email, or a new one.
#[derive(Clone, Debug, Default)]
pub struct NewMember {
    pub email: String,
    pub role: String,
    /// Only for a new account:
    pub display_name: String,
    pub organisation_id: String,
    pub password: String,
}

fn parse_id<T: FromStr>(
    field: &str,
    value: &str,
    message: &str,
    errors: &mut ValidationErrors,
) -> Option<T> {
    let v = value.trim();
    match T::from_str(v) {
        Ok(id) => Some(id),
        Err(_) => {
            errors.add(field, message);
            None
        }
    }
}

fn optional_id<T: FromStr>(
    field: &str,
    value: &str,
    message: &str,
    errors: &mut ValidationErrors,
) -> Option<T> {
    if value.trim().is_empty() {
        None
    } else {
        parse_id(field, value, message, errors)
    }
}

fn role_field(value: &str, errors: &mut ValidationErrors) -> Option<Role> {
    let r = Role::from_key(value.trim());
    if r.is_none() {
        errors.add("role", "Choose a role");
    }
    r
}

fn conflict(e: StorageError, message: &str) -> ServiceError {
    match e {
        StorageError::Conflict => ServiceError::Conflict(message.to_owned()),
        other => other.into(),
    }
}

fn actor_id(grant: &Grant) -> Option<UserId> {
    Some(grant.user_id())
}

impl App {
    // ----- organisations and regions -----

    pub async fn list_organisations(
        &self,
        grant: &Grant,
    ) -> Result<Vec<OrganisationRow>, ServiceError> {
        grant.require(Permission::OrganisationRead)?;
        let mut tx = self.db().read().await?;
        let rows = repo::organisations::list(&mut tx).await?;
        tx.commit().await?;
        Ok(rows)
    }

    pub async fn get_organisation(
        &self,
        grant: &Grant,
        id: OrganisationId,
    ) -> Result<OrganisationRow, ServiceError> {
        grant.require(Permission::OrganisationRead)?;
        let mut tx = self.db().read().await?;
        let row = repo::organisations::get(&mut tx, &id.to_string()).await?;
        tx.commit().await?;
        row.ok_or(ServiceError::NotFound)
    }

    pub async fn create_organisation(
        &self,
        grant: &Grant,
        input: &NewOrganisation,
        ctx: &RequestContext,
    ) -> Result<OrganisationId, ServiceError> {
        grant.require(Permission::OrganisationManage)?;
        let mut errors = ValidationErrors::new();
        let name = validate::required_text(
            "name",
            "the organisation's name",
            &input.name,
            200,
            &mut errors,
        );
        let org_type = OrganisationType::from_key(input.org_type.trim());
        if org_type.is_none() {
            errors.add("org_type", "Choose the type of organisation");
        }
        errors.into_result()?;
        let org_type = org_type.ok_or_else(|| ServiceError::Internal("validated".into()))?;
        let id = OrganisationId::new();
        let mut tx = self.db().write().await?;
        repo::organisations::insert(
            &mut tx,
            &OrganisationRow {
                id: id.to_string(),
                name,
                org_type: org_type.key().to_owned(),
                created_at: now_ms(),
            },
        )
        .await
        .map_err(|e| match e {
            StorageError::Conflict => {
                ServiceError::field("name", "An organisation with this name already exists")
            }
            other => other.into(),
        })?;
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            "organisation.create",
            Subject::Organisation(id.to_string()),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn list_regions(&self, grant: &Grant) -> Result<Vec<RegionRow>, ServiceError> {
        grant.require(Permission::PartnershipManage)?;
        let mut tx = self.db().read().await?;
        let rows = repo::organisations::list_regions(&mut tx).await?;
        tx.commit().await?;
        Ok(rows)
    }

    pub async fn create_region(
        &self,
        grant: &Grant,
        name: &str,
        ctx: &RequestContext,
    ) -> Result<RegionId, ServiceError> {
        grant.require(Permission::PartnershipManage)?;
        let mut errors = ValidationErrors::new();
        let name = validate::required_text("name", "the region's name", name, 200, &mut errors);
        errors.into_result()?;
        let id = RegionId::new();
        let mut tx = self.db().write().await?;
        repo::organisations::insert_region(
            &mut tx,
            &RegionRow {
                id: id.to_string(),
                name,
                created_at: now_ms(),
            },
        )
        .await
        .map_err(|e| match e {
            StorageError::Conflict => {
                ServiceError::field("name", "A region with this name already exists")
            }
            other => other.into(),
        })?;
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            "region.create",
            Subject::Region(id.to_string()),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    // ----- partnerships -----

    /// Every partnership (platform administration).
    pub async fn list_all_partnerships(
        &self,
        grant: &Grant,
    ) -> Result<Vec<PartnershipRow>, ServiceError> {
        grant.require(Permission::PartnershipManage)?;
        let mut tx = self.db().read().await?;
        let rows = repo::partnerships::list(&mut tx).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// The partnerships a user belongs to (for the switcher). Needs no grant: it reads only
    /// the caller's own memberships.
    pub async fn my_partnerships(
        &self,
        actor: &preventkit_domain::Actor,
    ) -> Result<Vec<(PartnershipRow, Vec<Role>)>, ServiceError> {
        let mut ids: Vec<String> = actor
            .memberships
            .iter()
            .map(|(p, _)| p.to_string())
            .collect();
        ids.sort();
        ids.dedup();
        let mut tx = self.db().read().await?;
        let rows = repo::partnerships::list_by_ids(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|p| {
                let roles =
                    p.id.parse::<PartnershipId>()
                        .map(|pid| actor.roles_in(pid).collect())
                        .unwrap_or_default();
                (p, roles)
            })
            .collect())
    }

    /// One partnership with its member organisations.
    pub async fn get_partnership(
        &self,
        grant: &Grant,
    ) -> Result<(PartnershipRow, Vec<OrganisationRow>), ServiceError> {
        let pid = grant
            .require_partnership(Permission::PartnershipRead)?
            .to_string();
        let mut tx = self.db().read().await?;
        let p = repo::partnerships::get(&mut tx, &pid)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let orgs = repo::partnerships::organisations_of(&mut tx, &pid).await?;
        tx.commit().await?;
        Ok((p, orgs))
    }

    pub async fn create_partnership(
        &self,
        grant: &Grant,
        input: &NewPartnership,
        ctx: &RequestContext,
    ) -> Result<PartnershipId, ServiceError> {
        grant.require(Permission::PartnershipManage)?;
        let mut errors = ValidationErrors::new();
        let name = validate::required_text(
            "name",
            "the partnership's name",
            &input.name,
            200,
            &mut errors,
        );
        let lead: Option<OrganisationId> = parse_id(
            "lead_organisation_id",
            &input.lead_organisation_id,
            "Choose the lead local authority",
            &mut errors,
        );
        let parent: Option<PartnershipId> = optional_id(
            "parent_id",
            &input.parent_id,
            "Choose a parent partnership from the list",
            &mut errors,
        );
        let region: Option<RegionId> = optional_id(
            "region_id",
            &input.region_id,
            "Choose a region from the list",
            &mut errors,
        );
        let mut tx = self.db().write().await?;
        if let Some(lead) = lead {
            match repo::organisations::get(&mut tx, &lead.to_string()).await? {
                Some(o)
                    if OrganisationType::from_key(&o.org_type)
                        .is_some_and(|t| t.is_local_authority()) => {}
                Some(_) => errors.add(
                    "lead_organisation_id",
                    "The lead organisation must be a local authority",
                ),
                None => errors.add("lead_organisation_id", "Choose the lead local authority"),
            }
        }
        if let Some(parent) = parent {
            if repo::partnerships::get(&mut tx, &parent.to_string())
                .await?
                .is_none()
            {
                errors.add("parent_id", "Choose a parent partnership from the list");
            }
        }
        if let Some(region) = region {
            if repo::organisations::get_region(&mut tx, &region.to_string())
                .await?
                .is_none()
            {
                errors.add("region_id", "Choose a region from the list");
            }
        }
        errors.into_result()?;
        let lead = lead.ok_or_else(|| ServiceError::Internal("validated".into()))?;
        let id = PartnershipId::new();
        repo::partnerships::insert(
            &mut tx,
            &PartnershipRow {
                id: id.to_string(),
                name,
                lead_organisation_id: lead.to_string(),
                parent_id: parent.map(|p| p.to_string()),
                region_id: region.map(|r| r.to_string()),
                created_at: now_ms(),
            },
        )
        .await
        .map_err(|e| match e {
            StorageError::Conflict => {
                ServiceError::field("name", "A partnership with this name already exists")
            }
            other => other.into(),
        })?;
        repo::partnerships::add_organisation(&mut tx, &id.to_string(), &lead.to_string()).await?;
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            "partnership.create",
            Subject::Partnership(id.to_string()),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Add a member organisation to a partnership.
    pub async fn add_partnership_organisation(
        &self,
        grant: &Grant,
        partnership: PartnershipId,
        organisation: &str,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        grant.require(Permission::PartnershipManage)?;
        let mut errors = ValidationErrors::new();
        let org: Option<OrganisationId> = parse_id(
            "organisation_id",
            organisation,
            "Choose an organisation",
            &mut errors,
        );
        errors.into_result()?;
        let org = org.ok_or_else(|| ServiceError::Internal("validated".into()))?;
        let mut tx = self.db().write().await?;
        if repo::partnerships::get(&mut tx, &partnership.to_string())
            .await?
            .is_none()
        {
            return Err(ServiceError::NotFound);
        }
        if repo::organisations::get(&mut tx, &org.to_string())
            .await?
            .is_none()
        {
            return Err(ServiceError::field(
                "organisation_id",
                "Choose an organisation",
            ));
        }
        repo::partnerships::add_organisation(&mut tx, &partnership.to_string(), &org.to_string())
            .await
            .map_err(|e| conflict(e, "That organisation is already a member"))?;
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            "partnership.add-organisation",
            Subject::Partnership(partnership.to_string()),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ----- user accounts (platform) -----

    pub async fn list_users(&self, grant: &Grant) -> Result<Vec<UserAccount>, ServiceError> {
        grant.require(Permission::UserManage)?;
        let mut tx = self.db().read().await?;
        let rows = repo::users::list(&mut tx).await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Create an account. Platform administration only; partnership administrators use
    /// [`App::add_member`].
    pub async fn create_user(
        &self,
        grant: &Grant,
        input: &NewUser,
        ctx: &RequestContext,
    ) -> Result<UserId, ServiceError> {
        grant.require(Permission::UserManage)?;
        let mut tx = self.db().write().await?;
        let id = insert_user(&mut tx, input).await?;
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            "user.create",
            Subject::User(Some(id.to_string())),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn find_user_by_email(
        &self,
        grant: &Grant,
        email: &str,
    ) -> Result<UserAccount, ServiceError> {
        grant.require(Permission::UserManage)?;
        let mut tx = self.db().read().await?;
        let row = repo::users::find_by_email(&mut tx, &validate::normalise_email(email)).await?;
        tx.commit().await?;
        row.map(Into::into).ok_or(ServiceError::NotFound)
    }

    /// Disable (or re-enable) an account. Disabling ends its sessions and revokes its tokens.
    pub async fn set_user_disabled(
        &self,
        grant: &Grant,
        user: UserId,
        disabled: bool,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        grant.require(Permission::UserManage)?;
        if disabled && user == grant.user_id() {
            return Err(ServiceError::Conflict(
                "You cannot disable your own account".into(),
            ));
        }
        let now = now_ms();
        let id = user.to_string();
        let mut tx = self.db().write().await?;
        let value: Option<i64> = disabled.then_some(now);
        if repo::users::update(&mut tx, &id, now, vec![(U::DisabledAt, value.into())]).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        if disabled {
            repo::sessions::delete_for_user(&mut tx, &id).await?;
            repo::tokens::revoke_all_for_user(&mut tx, &id, now).await?;
        }
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            action,
            Subject::User(Some(id)),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Set the highest protective marking a user may read.
    pub async fn set_user_clearance(
        &self,
        grant: &Grant,
        user: UserId,
        clearance: &str,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        grant.require(Permission::UserManage)?;
        let Some(marking) = Marking::from_key(clearance.trim()) else {
            return Err(ServiceError::field(
                "clearance",
                "Choose OFFICIAL or OFFICIAL-SENSITIVE",
            ));
        };
        let id = user.to_string();
        let mut tx = self.db().write().await?;
        if repo::users::update(
            &mut tx,
            &id,
            now_ms(),
            vec![(U::Clearance, marking.key().into())],
        )
        .await?
            == 0
        {
            return Err(ServiceError::NotFound);
        }
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            "user.set-clearance",
            Subject::User(Some(id)),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Remove a user's second factor and recovery codes; they set MFA up again at next
    /// sign-in. Ends their sessions.
    pub async fn reset_mfa(
        &self,
        grant: &Grant,
        user: UserId,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        grant.require(Permission::UserManage)?;
        let now = now_ms();
        let id = user.to_string();
        let mut tx = self.db().write().await?;
        let cleared: Vec<(U, preventkit_storage::SimpleExpr)> = vec![
            (U::TotpSecret, Option::<String>::None.into()),
            (U::MfaEnrolledAt, Option::<i64>::None.into()),
            (U::LastTotpStep, Option::<i64>::None.into()),
        ];
        if repo::users::update(&mut tx, &id, now, cleared).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        repo::users::replace_recovery_codes(&mut tx, &id, &[]).await?;
        repo::sessions::delete_for_user(&mut tx, &id).await?;
        // Tokens were issued by someone who had passed the second factor that is now gone.
        repo::tokens::revoke_all_for_user(&mut tx, &id, now).await?;
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            "user.reset-mfa",
            Subject::User(Some(id)),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ----- memberships (partnership administration) -----

    /// The partnership's memberships. A grant to manage them also reads them, so that a page
    /// can show the list again after a refused change.
    pub async fn list_members(&self, grant: &Grant) -> Result<Vec<MemberRow>, ServiceError> {
        let pid = grant
            .require_partnership(Permission::MembershipRead)
            .or_else(|_| grant.require_partnership(Permission::MembershipManage))?
            .to_string();
        let mut tx = self.db().read().await?;
        let rows = repo::memberships::members_of(&mut tx, &pid).await?;
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
        let user_id = match repo::users::find_by_email(&mut tx, &email).await? {
            Some(u) => u.id,
            None => {
                let orgs = repo::partnerships::organisations_of(&mut tx, &pid.to_string()).await?;
                if !input.organisation_id.trim().is_empty()
                    && !orgs.iter().any(|o| o.id == input.organisation_id.trim())
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
                    "user.create",
                    Subject::User(Some(id.to_string())),
                    Outcome::Success,
                )
                .await?;
                id.to_string()
            }
        };
        let id = MembershipId::new();
        repo::memberships::insert(
            &mut tx,
            &MembershipRow {
                id: id.to_string(),
                partnership_id: pid.to_string(),
                user_id,
                role: role.key().to_owned(),
                created_at: now_ms(),
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
            "membership.create",
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
        let pid = grant
            .require_partnership(Permission::MembershipManage)?
            .to_string();
        let mut errors = ValidationErrors::new();
        let role = role_field(role, &mut errors);
        errors.into_result()?;
        let role = role.ok_or_else(|| ServiceError::Internal("validated".into()))?;
        let tx = self.db().write().await?;
        let (current, mut tx) = self
            .someone_elses_membership(tx, grant, membership, &pid, "membership.update", ctx)
            .await?;
        keeps_an_administrator(&mut tx, &current, &pid, Some(role)).await?;
        if current.role != role.key() {
            repo::tokens::revoke_for_role(&mut tx, &current.user_id, &pid, &current.role, now_ms())
                .await?;
        }
        repo::memberships::update_role(&mut tx, &current.id, &pid, role.key())
            .await
            .map_err(|e| match e {
                StorageError::Conflict => {
                    ServiceError::field("role", "This person already has that role here")
                }
                other => other.into(),
            })?;
        let subject = Subject::Membership {
            id: current.id,
            partnership: pid,
        };
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            "membership.update",
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
        let pid = grant
            .require_partnership(Permission::MembershipManage)?
            .to_string();
        let tx = self.db().write().await?;
        let (current, mut tx) = self
            .someone_elses_membership(tx, grant, membership, &pid, "membership.delete", ctx)
            .await?;
        keeps_an_administrator(&mut tx, &current, &pid, None).await?;
        repo::tokens::revoke_for_role(&mut tx, &current.user_id, &pid, &current.role, now_ms())
            .await?;
        repo::memberships::delete(&mut tx, &current.id, &pid).await?;
        let subject = Subject::Membership {
            id: current.id,
            partnership: pid,
        };
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            "membership.delete",
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
    async fn someone_elses_membership(
        &self,
        mut tx: preventkit_storage::Tx,
        grant: &Grant,
        membership: MembershipId,
        pid: &str,
        action: &str,
        ctx: &RequestContext,
    ) -> Result<(MembershipRow, preventkit_storage::Tx), ServiceError> {
        let current = repo::memberships::get_in_partnership(&mut tx, &membership.to_string(), pid)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let member: UserId = current
            .user_id
            .parse()
            .map_err(|_| ServiceError::Internal("stored membership has a bad user id".into()))?;
        let by = Some(grant.user_id()).filter(|u| !u.0.is_nil());
        if let Err(d) = preventkit_domain::policy::may_change_membership_of(by, member) {
            tx.rollback().await?;
            let subject = Subject::Membership {
                id: current.id,
                partnership: pid.to_owned(),
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
    ) -> Result<MemberRow, ServiceError> {
        let pid = grant.partnership().ok_or(ServiceError::NotFound)?;
        if !(grant.covers(Permission::MembershipRead) || grant.covers(Permission::MembershipManage))
        {
            return Err(ServiceError::Denied(
                preventkit_domain::Denial::NotPermitted,
            ));
        }
        let mut tx = self.db().read().await?;
        let rows = repo::memberships::members_of(&mut tx, &pid.to_string()).await?;
        tx.commit().await?;
        rows.into_iter()
            .find(|m| m.id == membership.to_string())
            .ok_or(ServiceError::NotFound)
    }
}

async fn keeps_an_administrator(
    tx: &mut preventkit_storage::Tx,
    current: &MembershipRow,
    pid: &str,
    new_role: Option<Role>,
) -> Result<(), ServiceError> {
    let admin = Role::Administrator.key();
    if current.role == admin && new_role != Some(Role::Administrator) {
        let n = repo::memberships::count_role(tx, pid, admin).await?;
        if n <= 1 {
            return Err(ServiceError::Conflict(
                "A partnership must keep at least one administrator. Add another administrator first".into(),
            ));
        }
    }
    Ok(())
}

/// Validate and insert an account row (no audit; callers record their own event).
pub(crate) async fn insert_user(
    tx: &mut preventkit_storage::Tx,
    input: &NewUser,
) -> Result<UserId, ServiceError> {
    let mut errors = ValidationErrors::new();
    let email = validate::email("email", &input.email, &mut errors);
    let display_name = validate::required_text(
        "display_name",
        "the person's full name",
        &input.display_name,
        200,
        &mut errors,
    );
    let org: Option<OrganisationId> = parse_id(
        "organisation_id",
        &input.organisation_id,
        "Choose the person's organisation",
        &mut errors,
    );
    validate::password("password", &input.password, &mut errors);
    let clearance = if input.clearance.trim().is_empty() {
        Some(Marking::Official)
    } else {
        Marking::from_key(input.clearance.trim())
    };
    if clearance.is_none() {
        errors.add("clearance", "Choose OFFICIAL or OFFICIAL-SENSITIVE");
    }
    if let Some(org) = org {
        if repo::organisations::get(tx, &org.to_string())
            .await?
            .is_none()
        {
            errors.add("organisation_id", "Choose the person's organisation");
        }
    }
    if errors.is_empty() && repo::users::find_by_email(tx, &email).await?.is_some() {
        errors.add("email", "An account with this email address already exists");
    }
    errors.into_result()?;
    let (Some(org), Some(clearance)) = (org, clearance) else {
        return Err(ServiceError::Internal("validated".into()));
    };
    let now = now_ms();
    let id = UserId::new();
    repo::users::insert(
        tx,
        &UserRow {
            id: id.to_string(),
            email,
            display_name,
            organisation_id: org.to_string(),
            password_hash: hash_password(&input.password)?,
            totp_secret: None,
            mfa_enrolled_at: None,
            last_totp_step: None,
            system_admin: i64::from(input.system_admin),
            clearance: clearance.key().to_owned(),
            disabled_at: None,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .map_err(|e| match e {
        StorageError::Conflict => {
            ServiceError::field("email", "An account with this email address already exists")
        }
        other => other.into(),
    })?;
    Ok(id)
}
