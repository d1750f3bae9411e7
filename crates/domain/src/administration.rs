//! Administration: organisations and the kinds they come in, regions, partnerships, memberships
//! and invitations, as the layers above storage see them.

use crate::ids::{
    InvitationId, MembershipId, OrganisationId, PartnershipId, RegionId, Timestamp, UserId,
};
use crate::role::Role;
use serde::Serialize;

crate::keyed_enum! {
    /// The type of a member organisation. Local authorities carry their tier because two-tier
    /// (county and district) areas are organised differently from unitary ones.
    pub enum OrganisationType {
        LocalAuthorityUnitary: "local-authority-unitary", "Local authority (unitary)";
        LocalAuthorityCounty: "local-authority-county", "Local authority (county)";
        LocalAuthorityDistrict: "local-authority-district", "Local authority (district)";
        LocalAuthorityLondonBorough: "local-authority-london-borough", "Local authority (London borough)";
        LocalAuthorityWelsh: "local-authority-welsh", "Local authority (Wales)";
        PoliceForce: "police-force", "Police force";
        Health: "health", "Health";
        Education: "education", "Education";
        Probation: "probation", "Probation";
        Prison: "prison", "Prison";
        YouthOffending: "youth-offending", "Youth offending";
        Fire: "fire", "Fire and rescue";
        VoluntarySector: "voluntary-sector", "Voluntary sector";
        Other: "other", "Other";
    }
}

impl OrganisationType {
    /// Only a local authority can lead a partnership.
    pub fn is_local_authority(self) -> bool {
        matches!(
            self,
            OrganisationType::LocalAuthorityUnitary
                | OrganisationType::LocalAuthorityCounty
                | OrganisationType::LocalAuthorityDistrict
                | OrganisationType::LocalAuthorityLondonBorough
                | OrganisationType::LocalAuthorityWelsh
        )
    }
}

/// An organisation that takes part in partnerships.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub org_type: OrganisationType,
    pub created_at: Timestamp,
}

/// A region that partnerships may belong to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Region {
    pub id: RegionId,
    pub name: String,
    pub created_at: Timestamp,
}

/// A Prevent partnership, led by a local authority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Partnership {
    pub id: PartnershipId,
    pub name: String,
    pub lead_organisation_id: OrganisationId,
    pub parent_id: Option<PartnershipId>,
    pub region_id: Option<RegionId>,
    pub created_at: Timestamp,
}

/// A role a person holds in a partnership. `created_at` is when the role was given or last
/// changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub id: MembershipId,
    pub partnership_id: PartnershipId,
    pub user_id: UserId,
    pub role: Role,
    pub created_at: Timestamp,
}

/// A membership with the person's name and email, as lists of people in a partnership show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    pub id: MembershipId,
    pub partnership_id: PartnershipId,
    pub user_id: UserId,
    pub role: Role,
    pub created_at: Timestamp,
    pub email: String,
    pub display_name: String,
    pub disabled_at: Option<Timestamp>,
}

/// An offer of a role in a partnership to an email address, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Invitation {
    pub id: InvitationId,
    pub partnership_id: PartnershipId,
    /// Normalised email address of the person invited.
    pub email: String,
    pub role: Role,
    pub invited_by: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub declined_at: Option<Timestamp>,
    pub membership_id: Option<MembershipId>,
}

/// An invitation with the names a page shows: the partnership and who invited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvitationListing {
    pub invitation: Invitation,
    pub partnership_name: String,
    pub inviter_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_round_trip() {
        let mut keys: Vec<_> = OrganisationType::ALL.iter().map(|t| t.key()).collect();
        for t in OrganisationType::ALL {
            assert_eq!(OrganisationType::from_key(t.key()), Some(t));
        }
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), OrganisationType::ALL.len());
    }
}
