//! Kinds of organisation that take part in a Prevent partnership.

use serde::{Deserialize, Serialize};

/// The type of a member organisation. Local authorities carry their tier because two-tier
/// (county and district) areas are organised differently from unitary ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum OrganisationType {
    LocalAuthorityUnitary,
    LocalAuthorityCounty,
    LocalAuthorityDistrict,
    LocalAuthorityLondonBorough,
    LocalAuthorityWelsh,
    PoliceForce,
    Health,
    Education,
    Probation,
    Prison,
    YouthOffending,
    Fire,
    VoluntarySector,
    Other,
}

impl OrganisationType {
    pub const ALL: [OrganisationType; 14] = [
        OrganisationType::LocalAuthorityUnitary,
        OrganisationType::LocalAuthorityCounty,
        OrganisationType::LocalAuthorityDistrict,
        OrganisationType::LocalAuthorityLondonBorough,
        OrganisationType::LocalAuthorityWelsh,
        OrganisationType::PoliceForce,
        OrganisationType::Health,
        OrganisationType::Education,
        OrganisationType::Probation,
        OrganisationType::Prison,
        OrganisationType::YouthOffending,
        OrganisationType::Fire,
        OrganisationType::VoluntarySector,
        OrganisationType::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            OrganisationType::LocalAuthorityUnitary => "local-authority-unitary",
            OrganisationType::LocalAuthorityCounty => "local-authority-county",
            OrganisationType::LocalAuthorityDistrict => "local-authority-district",
            OrganisationType::LocalAuthorityLondonBorough => "local-authority-london-borough",
            OrganisationType::LocalAuthorityWelsh => "local-authority-welsh",
            OrganisationType::PoliceForce => "police-force",
            OrganisationType::Health => "health",
            OrganisationType::Education => "education",
            OrganisationType::Probation => "probation",
            OrganisationType::Prison => "prison",
            OrganisationType::YouthOffending => "youth-offending",
            OrganisationType::Fire => "fire",
            OrganisationType::VoluntarySector => "voluntary-sector",
            OrganisationType::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrganisationType::LocalAuthorityUnitary => "Local authority (unitary)",
            OrganisationType::LocalAuthorityCounty => "Local authority (county)",
            OrganisationType::LocalAuthorityDistrict => "Local authority (district)",
            OrganisationType::LocalAuthorityLondonBorough => "Local authority (London borough)",
            OrganisationType::LocalAuthorityWelsh => "Local authority (Wales)",
            OrganisationType::PoliceForce => "Police force",
            OrganisationType::Health => "Health",
            OrganisationType::Education => "Education",
            OrganisationType::Probation => "Probation",
            OrganisationType::Prison => "Prison",
            OrganisationType::YouthOffending => "Youth offending",
            OrganisationType::Fire => "Fire and rescue",
            OrganisationType::VoluntarySector => "Voluntary sector",
            OrganisationType::Other => "Other",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.key() == key)
    }

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
