//! Kinds of organisation that take part in a Prevent partnership.

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
