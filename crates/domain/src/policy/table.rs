//! The policy as data: one row per permission.
//!
//! To give a role a permission, or to add a permission for a new capability, change this table
//! and nothing else; [`super::decide`] reads it. The matrix test of the web layer keeps its own
//! specification, written independently, so a mistake here is caught there.

use super::{Permission, ScopeKind};
use crate::Role;
use Permission as P;
use Role as R;
use ScopeKind::{Partnership, Platform};

/// Who holds one permission.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub permission: Permission,
    /// Whether it is exercised on the platform or in one partnership.
    pub scope: ScopeKind,
    /// The partnership roles that hold it (in their own partnership; for a platform permission,
    /// holding the role in any partnership is enough).
    pub roles: &'static [Role],
    /// Whether a system administrator (the platform flag, with two-factor authentication)
    /// holds it. Platform administrators run the platform: organisations, partnerships,
    /// accounts and memberships. They never get assessment or case content through the flag.
    pub platform_admin: bool,
}

/// Every role: things each member of a partnership may do.
const EVERYONE: &[Role] = &Role::ALL;
/// Nobody through a partnership role.
const NONE: &[Role] = &[];
/// The self-assessment: the lead runs it, partners answer, the board approves, the auditor
/// reads. Channel roles, referrers and regional viewers have no part in it.
const ASSESSMENT_READERS: &[Role] = &[
    R::PreventLead,
    R::Contributor,
    R::BoardMember,
    R::ElectedMember,
    R::Auditor,
];

pub const TABLE: &[Rule] = &[
    // Platform: every member may see which organisations and frameworks exist.
    row(P::OrganisationRead, Platform, EVERYONE, true),
    row(P::FrameworkRead, Platform, EVERYONE, true),
    row(P::OrganisationManage, Platform, NONE, true),
    row(P::PartnershipManage, Platform, NONE, true),
    row(P::UserManage, Platform, NONE, true),
    row(P::PlatformAuditRead, Platform, NONE, true),
    row(P::FrameworkManage, Platform, NONE, true),
    // Administration of one partnership.
    row(P::PartnershipRead, Partnership, EVERYONE, true),
    row(
        P::MembershipRead,
        Partnership,
        &[R::Administrator, R::PreventLead, R::Auditor],
        true,
    ),
    row(P::MembershipManage, Partnership, &[R::Administrator], true),
    row(
        P::AuditRead,
        Partnership,
        &[R::Administrator, R::Auditor],
        false,
    ),
    // The self-assessment.
    row(P::AssessmentRead, Partnership, ASSESSMENT_READERS, false),
    row(P::AssessmentManage, Partnership, &[R::PreventLead], false),
    row(
        P::AssessmentRespond,
        Partnership,
        &[R::PreventLead, R::Contributor],
        false,
    ),
    row(
        P::AssessmentApprove,
        Partnership,
        &[R::BoardMember, R::ElectedMember],
        false,
    ),
    row(P::ActionManage, Partnership, &[R::PreventLead], false),
    row(
        P::AssessmentComment,
        Partnership,
        &[
            R::PreventLead,
            R::Contributor,
            R::BoardMember,
            R::ElectedMember,
        ],
        false,
    ),
    // Channel case management. Case content is reached only through a relationship rule
    // (`relationships::case_access`); these rows say who may try.
    row(P::CaseRefer, Partnership, CASE_REFERRERS, false),
    row(P::CaseRead, Partnership, CASE_ROLES, false),
    row(
        P::CaseManage,
        Partnership,
        &[R::CaseOfficer, R::ChannelChair],
        false,
    ),
    row(P::CaseAssign, Partnership, &[R::ChannelChair], false),
    row(P::CaseAccessReview, Partnership, &[R::Auditor], false),
    // The Channel panel: the chair runs it; members and case officers see its meetings.
    row(
        P::PanelRead,
        Partnership,
        &[R::ChannelChair, R::PanelMember, R::CaseOfficer],
        false,
    ),
    row(P::PanelManage, Partnership, &[R::ChannelChair], false),
];

/// Who may make a referral: the referrer role, and every role whose holders meet people in
/// their work. Board members, elected members, auditors, regional viewers and administrators
/// refer through their own organisations' routes.
const CASE_REFERRERS: &[Role] = &[
    R::Referrer,
    R::PreventLead,
    R::Contributor,
    R::CaseOfficer,
    R::ChannelChair,
    R::PanelMember,
];
/// The roles of Channel: the only ones that can ever see case content.
const CASE_ROLES: &[Role] = &[R::CaseOfficer, R::ChannelChair, R::PanelMember];

/// Reading that comes with other permissions: a grant for any permission in the list lets its
/// holder read what the first permission covers, in the same scope (whoever may answer a
/// question may read the assessment it belongs to).
pub const READ_IMPLIED_BY: &[(Permission, &[Permission])] = &[
    (
        P::AssessmentRead,
        &[
            P::AssessmentManage,
            P::AssessmentRespond,
            P::AssessmentApprove,
            P::ActionManage,
            P::AssessmentComment,
        ],
    ),
    (P::MembershipRead, &[P::MembershipManage]),
    (P::CaseRead, &[P::CaseManage, P::CaseAssign]),
    (P::PanelRead, &[P::PanelManage]),
];

/// Whether a grant for `held` lets its holder read what `read` covers.
pub fn reads(held: Permission, read: Permission) -> bool {
    held == read
        || READ_IMPLIED_BY
            .iter()
            .any(|(r, by)| *r == read && by.contains(&held))
}

const fn row(
    permission: Permission,
    scope: ScopeKind,
    roles: &'static [Role],
    platform_admin: bool,
) -> Rule {
    Rule {
        permission,
        scope,
        roles,
        platform_admin,
    }
}

/// A row that refuses everything, for a permission missing from the table (a test makes sure
/// none is).
const REFUSE_ALL: Rule = Rule {
    permission: P::PlatformAuditRead,
    scope: Platform,
    roles: NONE,
    platform_admin: false,
};

/// The row of one permission.
pub fn rule(p: Permission) -> &'static Rule {
    TABLE
        .iter()
        .find(|r| r.permission == p)
        .unwrap_or(&REFUSE_ALL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_has_exactly_one_row() {
        for p in Permission::ALL {
            assert_eq!(
                TABLE.iter().filter(|r| r.permission == p).count(),
                1,
                "{p:?}"
            );
        }
        assert_eq!(TABLE.len(), Permission::ALL.len());
    }

    #[test]
    fn platform_permissions_are_never_held_through_a_partnership_role_alone_except_reading() {
        for r in TABLE.iter().filter(|r| r.scope == Platform) {
            let reading = matches!(r.permission, P::OrganisationRead | P::FrameworkRead);
            assert_eq!(!r.roles.is_empty(), reading, "{:?}", r.permission);
        }
    }
}
