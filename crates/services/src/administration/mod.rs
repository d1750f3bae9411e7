//! Organisations, regions, partnerships, user accounts and memberships.

mod accounts;
mod invitations;
mod members;
mod organisations;

pub(crate) use accounts::insert_user;
pub use invitations::*;

use crate::audit::{event, Subject};
use crate::identity::hash_password;
use crate::{now_ms, App, RequestContext, ServiceError};
use preventkit_domain::audit::Outcome;
use preventkit_domain::identity::User;
use preventkit_domain::validate::{self, ValidationErrors};
use preventkit_domain::Timestamp;
use preventkit_domain::{
    Grant, Marking, MembershipId, OrganisationId, OrganisationType, PartnershipId, Permission,
    RegionId, Role, UserId,
};
use preventkit_storage::identity::tables::Users as U;
use preventkit_storage::{self as store, StorageError};
use std::str::FromStr;

pub use preventkit_domain::administration::{
    Member, Membership, Organisation, Partnership, Region,
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

impl From<User> for UserAccount {
    fn from(u: User) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email,
            display_name: u.display_name,
            organisation_id: u.organisation_id.to_string(),
            mfa_enrolled: u.mfa_enrolled_at.is_some(),
            system_admin: u.system_admin,
            clearance: u.clearance.key().to_owned(),
            disabled: u.disabled_at.is_some(),
            created_at: u.created_at.millis(),
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

/// The present moment as stored.
fn now() -> Timestamp {
    Timestamp::from_millis(now_ms())
}

/// A partnership id held as text by a caller that has not moved to typed ids yet; one that
/// does not parse is simply not found.
pub(crate) fn partnership_key(id: &str) -> Result<PartnershipId, ServiceError> {
    id.parse().map_err(|_| ServiceError::NotFound)
}
