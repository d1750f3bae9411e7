//! The administration tables' rows as stored, each decoded once into its domain type.

use crate::decode::{parse, parse_opt, time, time_opt};
use crate::StorageError;
use preventkit_domain::administration::{
    Invitation, InvitationListing, Member, Membership, Organisation, Partnership, Region,
};
use sqlx::FromRow;

#[derive(Clone, Debug, FromRow)]
pub(crate) struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub org_type: String,
    pub created_at: i64,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = StorageError;
    fn try_from(r: OrganisationRow) -> Result<Self, StorageError> {
        const T: &str = "organisations";
        Ok(Organisation {
            id: parse(T, "id", &r.id)?,
            name: r.name,
            org_type: parse(T, "org_type", &r.org_type)?,
            created_at: time(r.created_at),
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct RegionRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

impl TryFrom<RegionRow> for Region {
    type Error = StorageError;
    fn try_from(r: RegionRow) -> Result<Self, StorageError> {
        Ok(Region {
            id: parse("regions", "id", &r.id)?,
            name: r.name,
            created_at: time(r.created_at),
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct PartnershipRow {
    pub id: String,
    pub name: String,
    pub lead_organisation_id: String,
    pub parent_id: Option<String>,
    pub region_id: Option<String>,
    pub created_at: i64,
}

impl TryFrom<PartnershipRow> for Partnership {
    type Error = StorageError;
    fn try_from(r: PartnershipRow) -> Result<Self, StorageError> {
        const T: &str = "partnerships";
        Ok(Partnership {
            id: parse(T, "id", &r.id)?,
            name: r.name,
            lead_organisation_id: parse(T, "lead_organisation_id", &r.lead_organisation_id)?,
            parent_id: parse_opt(T, "parent_id", r.parent_id.as_deref())?,
            region_id: parse_opt(T, "region_id", r.region_id.as_deref())?,
            created_at: time(r.created_at),
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct MembershipRow {
    pub id: String,
    pub partnership_id: String,
    pub user_id: String,
    pub role: String,
    pub created_at: i64,
}

impl TryFrom<MembershipRow> for Membership {
    type Error = StorageError;
    fn try_from(r: MembershipRow) -> Result<Self, StorageError> {
        const T: &str = "memberships";
        Ok(Membership {
            id: parse(T, "id", &r.id)?,
            partnership_id: parse(T, "partnership_id", &r.partnership_id)?,
            user_id: parse(T, "user_id", &r.user_id)?,
            role: parse(T, "role", &r.role)?,
            created_at: time(r.created_at),
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct MemberRow {
    pub id: String,
    pub partnership_id: String,
    pub user_id: String,
    pub role: String,
    pub created_at: i64,
    pub email: String,
    pub display_name: String,
    pub disabled_at: Option<i64>,
}

impl TryFrom<MemberRow> for Member {
    type Error = StorageError;
    fn try_from(r: MemberRow) -> Result<Self, StorageError> {
        const T: &str = "memberships";
        Ok(Member {
            id: parse(T, "id", &r.id)?,
            partnership_id: parse(T, "partnership_id", &r.partnership_id)?,
            user_id: parse(T, "user_id", &r.user_id)?,
            role: parse(T, "role", &r.role)?,
            created_at: time(r.created_at),
            email: r.email,
            display_name: r.display_name,
            disabled_at: time_opt(r.disabled_at),
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct InvitationRow {
    pub id: String,
    pub partnership_id: String,
    pub email: String,
    pub role: String,
    pub invited_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub declined_at: Option<i64>,
    pub membership_id: Option<String>,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StorageError;
    fn try_from(r: InvitationRow) -> Result<Self, StorageError> {
        const T: &str = "invitations";
        Ok(Invitation {
            id: parse(T, "id", &r.id)?,
            partnership_id: parse(T, "partnership_id", &r.partnership_id)?,
            email: r.email,
            role: parse(T, "role", &r.role)?,
            invited_by: parse(T, "invited_by", &r.invited_by)?,
            created_at: time(r.created_at),
            expires_at: time(r.expires_at),
            accepted_at: time_opt(r.accepted_at),
            declined_at: time_opt(r.declined_at),
            membership_id: parse_opt(T, "membership_id", r.membership_id.as_deref())?,
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct InvitationListRow {
    #[sqlx(flatten)]
    pub invitation: InvitationRow,
    pub partnership_name: String,
    pub inviter_name: String,
}

impl TryFrom<InvitationListRow> for InvitationListing {
    type Error = StorageError;
    fn try_from(r: InvitationListRow) -> Result<Self, StorageError> {
        Ok(InvitationListing {
            invitation: r.invitation.try_into()?,
            partnership_name: r.partnership_name,
            inviter_name: r.inviter_name,
        })
    }
}
