//! Roles a user can hold in a partnership. Roles are data that the policy reads: what each role
//! may do is written once, in [`crate::policy`].

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Manages the partnership's memberships and settings.
    Administrator,
    /// The local authority's Prevent lead or coordinator.
    PreventLead,
    /// A partner who answers their part of the self-assessment and updates their actions.
    Contributor,
    /// Reads and approves the assessment, plan and board pack.
    BoardMember,
    /// An elected member who reads and approves what the board approves.
    ElectedMember,
    /// Chairs the Channel panel.
    ChannelChair,
    /// Sits on the Channel panel.
    PanelMember,
    /// Manages Channel cases day to day.
    CaseOfficer,
    /// A front-line worker who makes referrals and sees only their status.
    Referrer,
    /// Read-only access for audit and data protection.
    Auditor,
    /// Sees anonymised aggregates only; never personal data.
    RegionalViewer,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Administrator,
        Role::PreventLead,
        Role::Contributor,
        Role::BoardMember,
        Role::ElectedMember,
        Role::ChannelChair,
        Role::PanelMember,
        Role::CaseOfficer,
        Role::Referrer,
        Role::Auditor,
        Role::RegionalViewer,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::PreventLead => "prevent-lead",
            Role::Contributor => "contributor",
            Role::BoardMember => "board-member",
            Role::ElectedMember => "elected-member",
            Role::ChannelChair => "channel-chair",
            Role::PanelMember => "panel-member",
            Role::CaseOfficer => "case-officer",
            Role::Referrer => "referrer",
            Role::Auditor => "auditor",
            Role::RegionalViewer => "regional-viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::PreventLead => "Prevent lead",
            Role::Contributor => "Contributor",
            Role::BoardMember => "Board member",
            Role::ElectedMember => "Elected member",
            Role::ChannelChair => "Channel panel chair",
            Role::PanelMember => "Panel member",
            Role::CaseOfficer => "Case officer",
            Role::Referrer => "Referrer",
            Role::Auditor => "Auditor (read only)",
            Role::RegionalViewer => "Regional viewer (aggregates only)",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

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
