//! The authorisation policy: the one place that answers "may this actor do this, here?".
//!
//! A [`Grant`] can only be built by [`decide`]. Services that read or change partnership data
//! take a `&Grant` and read the partnership from it, so no handler can reach data without a
//! positive decision from this module. The policy takes part in every request through the route
//! table in the web layer, where each route declares its [`Access`].
//!
//! The policy is data: [`table::TABLE`] says, for each permission, its scope kind, the roles
//! that hold it and whether platform administrators hold it. Relationship rules (who may
//! answer an assigned question, and later the case officer of a case or the members of a
//! panel) are in [`relationships`], decided from facts that storage fetches.

mod relationships;
pub mod table;

pub use relationships::*;

use crate::marking::{Clearance, Marking};
use crate::{PartnershipId, Role, UserId};

crate::keyed_enum! {
    /// Something a route or a use case needs permission for.
    pub enum Permission {
        /// Read the register of organisations (names and types; no personal data).
        OrganisationRead: "organisation-read", "Read organisations";
        /// Create and edit organisations.
        OrganisationManage: "organisation-manage", "Manage organisations";
        /// Create partnerships and regions, and edit their structure.
        PartnershipManage: "partnership-manage", "Manage partnerships and regions";
        /// Manage user accounts across the platform: create, disable, reset MFA.
        UserManage: "user-manage", "Manage user accounts";
        /// Read the whole platform's audit log.
        PlatformAuditRead: "platform-audit-read", "Read the platform audit log";
        /// Read a partnership's name, lead authority and member organisations.
        PartnershipRead: "partnership-read", "Read the partnership";
        /// Read who holds which role in a partnership.
        MembershipRead: "membership-read", "Read memberships";
        /// Add, change and remove memberships of a partnership, and invite users to it.
        MembershipManage: "membership-manage", "Manage memberships";
        /// Read a partnership's audit log.
        AuditRead: "audit-read", "Read the partnership audit log";
        /// Read the assessment frameworks available on the platform.
        FrameworkRead: "framework-read", "Read frameworks";
        /// Import new framework versions.
        FrameworkManage: "framework-manage", "Import frameworks";
        /// Read a partnership's self-assessments.
        AssessmentRead: "assessment-read", "Read self-assessments";
        /// Create self-assessments, submit, lock and reopen them.
        AssessmentManage: "assessment-manage", "Manage self-assessments";
        /// Rate questions and write supporting details.
        AssessmentRespond: "assessment-respond", "Answer questions";
        /// Approve a submitted self-assessment for the board.
        AssessmentApprove: "assessment-approve", "Approve self-assessments";
        /// Raise actions in the partnership's action plan.
        ActionManage: "action-manage", "Raise actions";
        /// Comment on the questions of a self-assessment.
        AssessmentComment: "assessment-comment", "Comment on questions";
        /// Make a referral, and follow the status of one's own referrals.
        CaseRefer: "case-refer", "Make referrals";
        /// List the partnership's Channel cases (references and stages only) and open a case
        /// where a relationship rule allows it.
        CaseRead: "case-read", "Read Channel cases";
        /// Record screening steps and decisions on a case one is responsible for.
        CaseManage: "case-manage", "Manage Channel cases";
        /// Assign case officers to cases.
        CaseAssign: "case-assign", "Assign case officers";
        /// See who opened each case and when, and review exceptional access (no case content).
        CaseAccessReview: "case-access-review", "Review access to Channel cases";
        /// See the Channel panel: its members by sector, its meetings and their agendas (by
        /// case reference only).
        PanelRead: "panel-read", "Read the Channel panel and its meetings";
        /// Run the Channel panel: its members, meetings, agendas, attendance and decisions.
        PanelManage: "panel-manage", "Run the Channel panel: members, meetings, agendas, attendance and decisions";
    }
}

/// Whether a permission is about the platform as a whole or about one partnership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Platform,
    Partnership,
}

impl Permission {
    /// Whether the permission is about the platform or one partnership (from the table).
    pub fn scope_kind(self) -> ScopeKind {
        table::rule(self).scope
    }
}

/// Who is asking. Built only by the identity service, from a verified session or API token
/// ([`Actor::from_verified`]), or for the operator at the command line ([`Actor::console`]);
/// the fields are private so no other code can give itself a role or the platform flag.
#[derive(Clone, Debug)]
pub struct Actor {
    user_id: UserId,
    /// Platform administrator. Never true for an actor authenticated by an API token.
    system_admin: bool,
    /// The roles the actor holds, by partnership. For an API token this is only the token's
    /// own partnership and role.
    memberships: Vec<(PartnershipId, Role)>,
    clearance: Clearance,
    /// Whether the actor has passed a second factor in this session (or the token was issued
    /// to a session that had).
    mfa_verified: bool,
}

/// What the identity service has verified about someone: from a session after sign-in, or
/// from an API token. The only way to an [`Actor`] besides the console.
#[derive(Clone, Debug)]
pub struct VerifiedIdentity {
    pub user_id: UserId,
    pub system_admin: bool,
    pub memberships: Vec<(PartnershipId, Role)>,
    pub clearance: Clearance,
    pub mfa_verified: bool,
}

impl Actor {
    /// The actor for a verified identity. Called by the identity service only (a test of the
    /// services crate checks that no other module calls it).
    pub fn from_verified(v: VerifiedIdentity) -> Actor {
        Actor {
            user_id: v.user_id,
            system_admin: v.system_admin,
            memberships: v.memberships,
            clearance: v.clearance,
            mfa_verified: v.mfa_verified,
        }
    }

    /// The operator at the server's command line. Whoever can run the binary against the
    /// database already holds the keys to it; the console is audited as actor `None`.
    pub fn console() -> Actor {
        Actor {
            user_id: UserId(uuid::Uuid::nil()),
            system_admin: true,
            memberships: Vec::new(),
            clearance: Clearance(Marking::Official),
            mfa_verified: true,
        }
    }

    pub fn is_console(&self) -> bool {
        self.user_id.0.is_nil()
    }

    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    pub fn is_system_admin(&self) -> bool {
        self.system_admin
    }

    pub fn memberships(&self) -> &[(PartnershipId, Role)] {
        &self.memberships
    }

    pub fn clearance(&self) -> Clearance {
        self.clearance
    }

    pub fn mfa_verified(&self) -> bool {
        self.mfa_verified
    }

    pub fn roles_in(&self, partnership: PartnershipId) -> impl Iterator<Item = Role> + '_ {
        self.memberships
            .iter()
            .filter(move |(p, _)| *p == partnership)
            .map(|(_, r)| *r)
    }
}

/// Where the action happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Platform,
    Partnership(PartnershipId),
}

impl Scope {
    pub fn partnership(self) -> Option<PartnershipId> {
        match self {
            Scope::Platform => None,
            Scope::Partnership(p) => Some(p),
        }
    }
}

/// How a route may be reached. Every route in the web layer declares one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in page, health checks, stylesheet, API description).
    Public,
    /// Someone who has given a correct password but still has to pass or set up MFA.
    MfaPending,
    /// Anyone fully signed in; the route acts only on the actor's own account.
    SignedIn,
    /// A permission, checked by [`decide`] against the route's scope.
    Permission(Permission),
}

crate::keyed_enum! {
    /// Why a request was refused.
    pub enum Denial {
        /// The permission belongs to another scope kind than the one asked for.
        WrongScope: "wrong-scope", "Wrong scope";
        /// The actor holds no role in the partnership.
        NotAMember: "not-a-member", "Not a member of the partnership";
        /// None of the actor's roles allows it.
        NotPermitted: "not-permitted", "Not permitted";
        /// The actor's role needs MFA and the actor has not passed it.
        MfaRequired: "mfa-required", "Two-factor sign-in needed";
        /// The record is marked above the actor's clearance.
        AboveClearance: "above-clearance", "Marked above the reader's clearance";
        /// Someone tried to give, change or remove a role of their own.
        SelfGrant: "self-grant", "Change to one's own role";
    }
}

/// Proof that the policy allowed `permission` in `scope` for `user_id`. Only [`decide`] can
/// build one, because the seal field is private to this module.
#[derive(Clone, Debug)]
pub struct Grant {
    user_id: UserId,
    permission: Permission,
    scope: Scope,
    clearance: Clearance,
    /// The holder's roles in the grant's partnership (empty on the platform), for the
    /// relationship rules.
    roles: Vec<Role>,
    system_admin: bool,
    _seal: Seal,
}

#[derive(Clone, Debug)]
struct Seal;

impl Grant {
    pub fn user_id(&self) -> UserId {
        self.user_id
    }
    pub fn permission(&self) -> Permission {
        self.permission
    }
    pub fn scope(&self) -> Scope {
        self.scope
    }
    pub fn partnership(&self) -> Option<PartnershipId> {
        self.scope.partnership()
    }
    pub fn clearance(&self) -> Clearance {
        self.clearance
    }
    /// The holder's roles in the grant's partnership.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }
    /// Whether the grant was given to a platform administrator through that flag.
    pub fn by_system_admin(&self) -> bool {
        self.system_admin
    }
    /// Whether this grant covers `permission`, for use cases that need a specific one.
    pub fn covers(&self, permission: Permission) -> bool {
        self.permission == permission
    }
    /// The scope, if this grant is for `permission`; a use case calls this first so that a
    /// grant for one thing can never be spent on another.
    pub fn require(&self, permission: Permission) -> Result<Scope, Denial> {
        if self.permission == permission {
            Ok(self.scope)
        } else {
            Err(Denial::NotPermitted)
        }
    }
    /// The scope, if this grant lets its holder read what `read` covers: a grant for `read`
    /// itself or for a permission the policy's table says comes with it.
    pub fn require_read(&self, read: Permission) -> Result<Scope, Denial> {
        if table::reads(self.permission, read) {
            Ok(self.scope)
        } else {
            Err(Denial::NotPermitted)
        }
    }
    /// The partnership, if this grant lets its holder read what `read` covers there.
    pub fn require_partnership_read(&self, read: Permission) -> Result<PartnershipId, Denial> {
        match self.require_read(read)? {
            Scope::Partnership(p) => Ok(p),
            Scope::Platform => Err(Denial::WrongScope),
        }
    }
    /// The partnership, if this grant is for `permission` in a partnership.
    pub fn require_partnership(&self, permission: Permission) -> Result<PartnershipId, Denial> {
        match self.require(permission)? {
            Scope::Partnership(p) => Ok(p),
            Scope::Platform => Err(Denial::WrongScope),
        }
    }
    /// Whether the granted user may see the content of a record with this marking. Records
    /// above the user's clearance are shown as existing, without content.
    pub fn may_read_marking(&self, marking: Marking) -> bool {
        self.clearance.permits(marking)
    }
}

/// The decision. Pure: same inputs, same answer.
pub fn decide(actor: &Actor, permission: Permission, scope: Scope) -> Result<Grant, Denial> {
    let rule = table::rule(permission);
    let grant = |roles: Vec<Role>| Grant {
        user_id: actor.user_id,
        permission,
        scope,
        clearance: actor.clearance,
        roles,
        system_admin: actor.system_admin,
        _seal: Seal,
    };
    let by_admin_flag = actor.system_admin && actor.mfa_verified && rule.platform_admin;
    let usable = |role: Role| !role.requires_mfa() || actor.mfa_verified;
    match (rule.scope, scope) {
        (ScopeKind::Platform, Scope::Platform) => {
            if by_admin_flag {
                return Ok(grant(Vec::new()));
            }
            // Platform-wide reading that every member may do.
            let any_role = actor
                .memberships
                .iter()
                .any(|(_, role)| rule.roles.contains(role) && usable(*role));
            if any_role {
                Ok(grant(Vec::new()))
            } else {
                Err(Denial::NotPermitted)
            }
        }
        (ScopeKind::Partnership, Scope::Partnership(partnership)) => {
            let roles: Vec<Role> = actor.roles_in(partnership).collect();
            if by_admin_flag {
                return Ok(grant(roles));
            }
            if roles.is_empty() {
                return Err(Denial::NotAMember);
            }
            let mut denial = Denial::NotPermitted;
            for role in &roles {
                if !rule.roles.contains(role) {
                    continue;
                }
                if !usable(*role) {
                    denial = Denial::MfaRequired;
                    continue;
                }
                return Ok(grant(roles));
            }
            Err(denial)
        }
        _ => Err(Denial::WrongScope),
    }
}

/// Nobody grants themselves anything. A membership (a role in a partnership) is given,
/// changed or removed only by someone other than the person it belongs to: a partnership
/// administrator for another member, and a system administrator for anyone but themselves. A
/// partnership with a single administrator who needs another role asks a system
/// administrator, who in turn cannot give themselves a role anywhere. `granted_by` is `None`
/// for the operator at the server's command line, who sets up the first administrators.
pub fn may_change_membership_of(granted_by: Option<UserId>, member: UserId) -> Result<(), Denial> {
    match granted_by {
        Some(by) if by == member => Err(Denial::SelfGrant),
        _ => Ok(()),
    }
}

/// Whether a role may be given without the person accepting an invitation. Only the console
/// may (setting up a partnership's first administrators, and the demonstration data): through
/// the pages and the API every new role is an invitation that the person invited accepts, so
/// that nobody is attached to a partnership without knowing, and an administrator learns
/// nothing about which email addresses have accounts.
pub fn may_add_member_directly(grant: &Grant) -> bool {
    grant.user_id().0.is_nil()
}

/// Decide for a record with a protective marking: the permission first, then the clearance.
pub fn decide_marked(
    actor: &Actor,
    permission: Permission,
    scope: Scope,
    marking: Marking,
) -> Result<Grant, Denial> {
    let grant = decide(actor, permission, scope)?;
    if grant.may_read_marking(marking) {
        Ok(grant)
    } else {
        Err(Denial::AboveClearance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(memberships: Vec<(PartnershipId, Role)>, admin: bool, mfa: bool) -> Actor {
        Actor::from_verified(VerifiedIdentity {
            user_id: UserId::new(),
            system_admin: admin,
            memberships,
            clearance: Clearance(Marking::Official),
            mfa_verified: mfa,
        })
    }

    fn cleared(user: UserId, p: PartnershipId, roles: &[Role]) -> Actor {
        Actor::from_verified(VerifiedIdentity {
            user_id: user,
            system_admin: false,
            memberships: roles.iter().map(|r| (p, *r)).collect(),
            clearance: Clearance(Marking::OfficialSensitive),
            mfa_verified: true,
        })
    }

    #[test]
    fn cases_open_only_through_a_relationship() {
        let p = PartnershipId::new();
        let me = UserId::new();
        let now = crate::Timestamp(1_000_000);
        let grant = |roles: &[Role]| {
            decide(
                &cleared(me, p, roles),
                Permission::CaseRead,
                Scope::Partnership(p),
            )
            .unwrap()
        };
        let mine = CaseFacts {
            referrer: None,
            case_officer: Some(me),
            exceptional_until: None,
            agenda_windows: Vec::new(),
        };
        let theirs = CaseFacts {
            case_officer: Some(UserId::new()),
            ..mine.clone()
        };
        let officer = grant(&[Role::CaseOfficer]);
        assert_eq!(
            case_access(&officer, &mine, now),
            CaseAccess::Open(CaseRelation::CaseOfficer)
        );
        assert!(may_change_case(&officer, &mine, now));
        assert_eq!(
            case_access(&officer, &theirs, now),
            CaseAccess::ExceptionalOnly
        );
        assert!(!may_change_case(&officer, &theirs, now));
        let chair = grant(&[Role::ChannelChair]);
        assert_eq!(
            case_access(&chair, &theirs, now),
            CaseAccess::Open(CaseRelation::PanelChair)
        );
        let member = grant(&[Role::PanelMember]);
        assert_eq!(
            case_access(&member, &theirs, now),
            CaseAccess::ExceptionalOnly
        );
        let given = CaseFacts {
            exceptional_until: Some(crate::Timestamp(now.0 + 1)),
            ..theirs.clone()
        };
        assert_eq!(
            case_access(&member, &given, now),
            CaseAccess::Open(CaseRelation::Exceptional)
        );
        assert!(
            !may_change_case(&member, &given, now),
            "exceptional access only reads"
        );
        let lapsed = CaseFacts {
            exceptional_until: Some(now),
            ..theirs.clone()
        };
        assert_eq!(
            case_access(&member, &lapsed, now),
            CaseAccess::ExceptionalOnly
        );
        // Without OFFICIAL-SENSITIVE clearance nothing opens, not even the chair's.
        let uncleared = decide(
            &actor(vec![(p, Role::ChannelChair)], false, true),
            Permission::CaseRead,
            Scope::Partnership(p),
        )
        .unwrap();
        assert_eq!(case_access(&uncleared, &mine, now), CaseAccess::None);
        // A referrer's grant to refer is no way into the case.
        let referrer = decide(
            &cleared(me, p, &[Role::Referrer]),
            Permission::CaseRefer,
            Scope::Partnership(p),
        )
        .unwrap();
        let referred = CaseFacts {
            referrer: Some(me),
            ..theirs
        };
        assert_eq!(case_access(&referrer, &referred, now), CaseAccess::None);
        assert!(is_referrer_of(&referrer, &referred));
    }

    #[test]
    fn panel_members_read_cases_on_the_agenda_of_their_meetings_for_a_while() {
        let p = PartnershipId::new();
        let me = UserId::new();
        let day = 24 * 60 * 60 * 1000;
        let meeting_on = time::macros::date!(2027 - 01 - 07);
        let meeting_midnight = 1_799_280_000_000; // 7 January 2027, 00:00 UTC
        let published_at = crate::Timestamp(meeting_midnight - 10 * day);
        let window = AgendaWindow {
            published_at,
            meeting_on,
        };
        let on_agenda = CaseFacts {
            referrer: None,
            case_officer: Some(UserId::new()),
            exceptional_until: None,
            agenda_windows: vec![window],
        };
        let not_invited = CaseFacts {
            agenda_windows: Vec::new(),
            ..on_agenda.clone()
        };
        let member = decide(
            &cleared(me, p, &[Role::PanelMember]),
            Permission::CaseRead,
            Scope::Partnership(p),
        )
        .unwrap();
        let at = |ms: i64| crate::Timestamp(ms);
        // Inside the window: from publication, through the meeting, to seven days after.
        for now in [
            published_at,
            at(meeting_midnight),
            at(meeting_midnight + 8 * day - 1),
        ] {
            assert_eq!(
                case_access(&member, &on_agenda, now),
                CaseAccess::Open(CaseRelation::PanelMember)
            );
            assert!(
                !may_change_case(&member, &on_agenda, now),
                "members of the meeting only read"
            );
        }
        // Before publication, and after the window.
        assert_eq!(
            case_access(&member, &on_agenda, at(published_at.0 - 1)),
            CaseAccess::ExceptionalOnly
        );
        assert_eq!(
            case_access(&member, &on_agenda, at(meeting_midnight + 8 * day)),
            CaseAccess::ExceptionalOnly
        );
        // Not invited.
        assert_eq!(
            case_access(&member, &not_invited, at(meeting_midnight)),
            CaseAccess::ExceptionalOnly
        );
        // Without clearance, nothing.
        let uncleared = decide(
            &actor(vec![(p, Role::PanelMember)], false, true),
            Permission::CaseRead,
            Scope::Partnership(p),
        )
        .unwrap();
        assert_eq!(
            case_access(&uncleared, &on_agenda, at(meeting_midnight)),
            CaseAccess::None
        );
        assert_eq!(
            window.closes_at(),
            at(meeting_midnight + (AGENDA_READ_DAYS_AFTER_MEETING + 1) * day)
        );
    }

    #[test]
    fn members_are_confined_to_their_partnership() {
        let own = PartnershipId::new();
        let other = PartnershipId::new();
        let a = actor(vec![(own, Role::Administrator)], false, true);
        assert!(decide(&a, Permission::MembershipManage, Scope::Partnership(own)).is_ok());
        assert_eq!(
            decide(&a, Permission::MembershipManage, Scope::Partnership(other)).err(),
            Some(Denial::NotAMember)
        );
    }

    #[test]
    fn roles_need_mfa_when_they_say_so() {
        let own = PartnershipId::new();
        let a = actor(vec![(own, Role::Auditor)], false, false);
        assert_eq!(
            decide(&a, Permission::AuditRead, Scope::Partnership(own)).err(),
            Some(Denial::MfaRequired)
        );
        let r = actor(vec![(own, Role::Referrer)], false, false);
        assert!(decide(&r, Permission::PartnershipRead, Scope::Partnership(own)).is_ok());
    }

    #[test]
    fn platform_permissions_never_come_from_a_partnership_role() {
        let own = PartnershipId::new();
        let a = actor(vec![(own, Role::Administrator)], false, true);
        for p in [
            Permission::OrganisationManage,
            Permission::PartnershipManage,
            Permission::UserManage,
            Permission::PlatformAuditRead,
        ] {
            assert!(decide(&a, p, Scope::Platform).is_err(), "{p:?}");
        }
        assert!(decide(&a, Permission::OrganisationRead, Scope::Platform).is_ok());
    }

    #[test]
    fn scope_kind_must_match() {
        let own = PartnershipId::new();
        let a = actor(vec![(own, Role::Administrator)], true, true);
        assert_eq!(
            decide(&a, Permission::MembershipRead, Scope::Platform).err(),
            Some(Denial::WrongScope)
        );
        assert_eq!(
            decide(&a, Permission::UserManage, Scope::Partnership(own)).err(),
            Some(Denial::WrongScope)
        );
    }

    #[test]
    fn system_admin_needs_mfa_and_never_reads_audit_of_a_partnership_through_the_flag() {
        let p = PartnershipId::new();
        let a = actor(vec![], true, false);
        assert!(decide(&a, Permission::UserManage, Scope::Platform).is_err());
        let a = actor(vec![], true, true);
        assert!(decide(&a, Permission::UserManage, Scope::Platform).is_ok());
        assert!(decide(&a, Permission::MembershipManage, Scope::Partnership(p)).is_ok());
        assert!(decide(&a, Permission::AuditRead, Scope::Partnership(p)).is_err());
    }

    #[test]
    fn nobody_changes_their_own_memberships() {
        let me = UserId::new();
        let other = UserId::new();
        assert_eq!(
            may_change_membership_of(Some(me), me),
            Err(Denial::SelfGrant)
        );
        assert!(may_change_membership_of(Some(me), other).is_ok());
        assert!(may_change_membership_of(None, me).is_ok(), "the console");
        let p = PartnershipId::new();
        let admin = actor(vec![], true, true);
        let g = decide(&admin, Permission::MembershipManage, Scope::Partnership(p)).expect("grant");
        assert!(
            !may_add_member_directly(&g),
            "a system administrator invites"
        );
        let g = decide(
            &Actor::console(),
            Permission::MembershipManage,
            Scope::Partnership(p),
        )
        .expect("grant");
        assert!(may_add_member_directly(&g));
    }

    #[test]
    fn clearance_limits_marked_records() {
        let own = PartnershipId::new();
        let a = actor(vec![(own, Role::PreventLead)], false, true);
        assert_eq!(
            decide_marked(
                &a,
                Permission::PartnershipRead,
                Scope::Partnership(own),
                Marking::OfficialSensitive
            )
            .err(),
            Some(Denial::AboveClearance)
        );
        assert!(decide_marked(
            &a,
            Permission::PartnershipRead,
            Scope::Partnership(own),
            Marking::Official
        )
        .is_ok());
    }
}
