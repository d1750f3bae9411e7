//! Roles a user can hold in a partnership. Roles are data that the policy reads: what each role
//! may do is written once, in [`crate::policy`].

crate::keyed_enum! {
    /// A role a user can hold in a partnership.
    pub enum Role {
        /// Manages the partnership's memberships and settings.
        Administrator: "administrator", "Administrator";
        /// The local authority's Prevent lead or coordinator.
        PreventLead: "prevent-lead", "Prevent lead";
        /// A partner who answers their part of the self-assessment and updates their actions.
        Contributor: "contributor", "Contributor";
        /// Reads and approves the assessment, plan and board pack.
        BoardMember: "board-member", "Board member";
        /// An elected member who reads and approves what the board approves.
        ElectedMember: "elected-member", "Elected member";
        /// Chairs the Channel panel.
        ChannelChair: "channel-chair", "Channel panel chair";
        /// Sits on the Channel panel.
        PanelMember: "panel-member", "Panel member";
        /// Manages Channel cases day to day.
        CaseOfficer: "case-officer", "Case officer";
        /// A front-line worker who makes referrals and sees only their status.
        Referrer: "referrer", "Referrer";
        /// Read-only access for audit and data protection.
        Auditor: "auditor", "Auditor (read only)";
        /// Sees anonymised aggregates only; never personal data.
        RegionalViewer: "regional-viewer", "Regional viewer (aggregates only)";
    }
}

impl Role {
    /// Whether a user holding this role must have multi-factor authentication.
    ///
    /// Every role that can reach case data, OFFICIAL-SENSITIVE material or other people's
    /// accounts needs it. A referrer sees only the status of referrals they made, and a regional
    /// viewer sees only anonymised aggregates, so a password alone is proportionate for them.
    pub fn requires_mfa(self) -> bool {
        !matches!(self, Role::Referrer | Role::RegionalViewer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_key(r.key()), Some(r));
        }
        assert_eq!(Role::from_key("superuser"), None);
    }

    #[test]
    fn case_and_sensitive_roles_need_mfa() {
        for r in [
            Role::Administrator,
            Role::PreventLead,
            Role::ChannelChair,
            Role::PanelMember,
            Role::CaseOfficer,
            Role::Auditor,
        ] {
            assert!(r.requires_mfa(), "{r:?}");
        }
        assert!(!Role::Referrer.requires_mfa());
        assert!(!Role::RegionalViewer.requires_mfa());
    }
}
