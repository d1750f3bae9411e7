//! User accounts, as platform administrators manage them.

use super::*;
use preventkit_domain::actions::AdministrationAction;

impl App {
    pub async fn list_users(&self, grant: &Grant) -> Result<Vec<UserAccount>, ServiceError> {
        grant.require(Permission::UserManage)?;
        let mut tx = self.db().read().await?;
        let rows = store::identity::users::list(&mut tx).await?;
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
            AdministrationAction::UserCreated,
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
        let row = store::identity::users::find_by_email(&mut tx, &validate::normalise_email(email))
            .await?;
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
        if store::identity::users::update(&mut tx, &id, now, vec![(U::DisabledAt, value.into())])
            .await?
            == 0
        {
            return Err(ServiceError::NotFound);
        }
        if disabled {
            store::identity::sessions::delete_for_user(&mut tx, &id).await?;
            store::identity::tokens::revoke_all_for_user(&mut tx, &id, now).await?;
        }
        let action = if disabled {
            AdministrationAction::UserDisabled
        } else {
            AdministrationAction::UserEnabled
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
        if store::identity::users::update(
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
            AdministrationAction::ClearanceSet,
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
        if store::identity::users::update(&mut tx, &id, now, cleared).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        store::identity::users::replace_recovery_codes(&mut tx, &id, &[]).await?;
        store::identity::sessions::delete_for_user(&mut tx, &id).await?;
        // Tokens were issued by someone who had passed the second factor that is now gone.
        store::identity::tokens::revoke_all_for_user(&mut tx, &id, now).await?;
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            AdministrationAction::MfaReset,
            Subject::User(Some(id)),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
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
        if store::administration::organisations::get(tx, org)
            .await?
            .is_none()
        {
            errors.add("organisation_id", "Choose the person's organisation");
        }
    }
    if errors.is_empty()
        && store::identity::users::find_by_email(tx, &email)
            .await?
            .is_some()
    {
        errors.add("email", "An account with this email address already exists");
    }
    errors.into_result()?;
    let (Some(org), Some(clearance)) = (org, clearance) else {
        return Err(ServiceError::Internal("validated".into()));
    };
    let now = now();
    let id = UserId::new();
    store::identity::users::insert(
        tx,
        &User {
            id,
            email,
            display_name,
            organisation_id: org,
            password_hash: hash_password(&input.password)?,
            totp_secret: None,
            mfa_enrolled_at: None,
            last_totp_step: None,
            system_admin: input.system_admin,
            clearance,
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
