//! The authorisation matrix, over real HTTP on every engine: every declared route, asked by
//! every kind of actor, in the actor's own partnership and in another one, with real ids.
//!
//! What each cell should answer comes from the specification written out in this file (who
//! holds which permission, by role, and what an allowed call answers), never from the policy
//! code under test: `decide` is used here only to give the test's own set-up the grants it needs
//! and to read the data back.
//!
//! Four things are checked:
//! 1. Every route x every actor x own / other partnership. A refusal must be a refusal (401,
//!    403, or the sign-in page for a page asked by nobody signed in) and be recorded; an
//!    allowed call must answer what the route documents for the matrix's empty body (a page, a
//!    JSON document, a download, a redirect, or a validation refusal), with real ids of the own
//!    partnership, and allowed changes must have happened (a revoked token, a removed
//!    membership, a submitted assessment...).
//! 2. Every real id of the other partnership (Eastvale) put through the own partnership's
//!    (Riverton's) routes, by every actor, with a body that would work: never more than a
//!    refusal or "not found", and the not-found recorded as a refusal.
//! 3. Ids of Eastvale given inside request bodies (evidence to link, an owner, a previous
//!    assessment...): refused, and nothing written.
//! 4. Eastvale's data read back after all that: identical to before.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod matrix_world;
use matrix_world::{
    console_grant, differences, make_token, membership_of, membership_state, post_multipart,
    session_of, World, EASTVALE_ADMIN, EASTVALE_QUESTION, EASTVALE_SPARE, RIVERTON_QUESTION,
    RIVERTON_SPARE, SYSADMIN,
};
use preventkit_services::administration::NewUser;
use preventkit_services::audit::AuditQuery;
use preventkit_services::demo::DEMO_PASSWORD;
use preventkit_services::domain::audit::AuditEvent;
use preventkit_services::domain::{Access, PartnershipId, Permission, Role, Scope, UserId};
use preventkit_services::identity::SessionView;
use preventkit_services::RequestContext;
use preventkit_testkit::{each_engine, Browser, Engine, Page, Server};
use preventkit_web::routes::{specs, RouteSpec, Surface};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

const NO_MEMBER: &str = "nomember@riverton.example";

/// The Riverton demonstration accounts: one per role, each holding only that role, only in
/// Riverton.
const RIVERTON_PEOPLE: [(&str, Role); 11] = [
    ("admin@riverton.example", Role::Administrator),
    ("lead@riverton.example", Role::PreventLead),
    ("contributor@riverton.example", Role::Contributor),
    ("board@riverton.example", Role::BoardMember),
    ("councillor@riverton.example", Role::ElectedMember),
    ("chair@riverton.example", Role::ChannelChair),
    ("panel@riverton.example", Role::PanelMember),
    ("caseofficer@riverton.example", Role::CaseOfficer),
    ("referrer@riverton.example", Role::Referrer),
    ("auditor@riverton.example", Role::Auditor),
    ("regional@riverton.example", Role::RegionalViewer),
];

// ---------------------------------------------------------------------------------------------
// The specification.
// ---------------------------------------------------------------------------------------------

/// What a route asks of whoever calls it, as the product describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// Anyone at all, signed in or not.
    Open,
    /// The landing page: open to anyone, but it sends a visitor without a session on to the
    /// sign-in page. That redirect is navigation, not a refusal, so nothing is recorded.
    Landing,
    /// A step between the password and the second factor. Not in the matrix (see below).
    SignInStep,
    /// Anyone fully signed in (pages), or anyone with a live token (API).
    SignedIn,
    /// Someone who holds this permission where the route acts.
    Needs(Permission),
}

/// Every route the application should have, with the rule it should enforce. A route added to
/// the application without a line here fails `the_specification_covers_every_route`.
const SPEC: &[(&str, &str, Rule)] = {
    use Permission as P;
    use Rule::{Landing, Needs, Open, SignInStep, SignedIn};
    &[
        ("GET", "/healthz", Open),
        ("GET", "/readyz", Open),
        ("GET", "/assets/app.css", Open),
        ("GET", "/", Landing),
        ("GET", "/sign-in", Open),
        ("POST", "/sign-in", Open),
        ("GET", "/sign-in/mfa", SignInStep),
        ("POST", "/sign-in/mfa", SignInStep),
        ("GET", "/sign-in/mfa/set-up", SignInStep),
        ("POST", "/sign-in/mfa/set-up", SignInStep),
        ("POST", "/sign-in/cancel", SignInStep),
        ("POST", "/sign-out", SignedIn),
        ("GET", "/home", SignedIn),
        ("GET", "/account", SignedIn),
        ("POST", "/account/password", SignedIn),
        ("POST", "/account/recovery-codes", SignedIn),
        ("GET", "/account/tokens", SignedIn),
        ("POST", "/account/tokens", SignedIn),
        ("GET", "/account/tokens/{token}/revoke", SignedIn),
        ("POST", "/account/tokens/{token}/revoke", SignedIn),
        ("POST", "/account/recovery-codes/download", SignedIn),
        ("POST", "/invitations/{invitation}/{answer}", SignedIn),
        ("GET", "/partnerships", SignedIn),
        ("POST", "/partnerships/switch", SignedIn),
        ("GET", "/p/{partnership}", Needs(P::PartnershipRead)),
        ("GET", "/p/{partnership}/members", Needs(P::MembershipRead)),
        (
            "GET",
            "/p/{partnership}/members/new",
            Needs(P::MembershipManage),
        ),
        (
            "POST",
            "/p/{partnership}/members",
            Needs(P::MembershipManage),
        ),
        (
            "POST",
            "/p/{partnership}/members/{membership}/role",
            Needs(P::MembershipManage),
        ),
        (
            "GET",
            "/p/{partnership}/members/{membership}/remove",
            Needs(P::MembershipManage),
        ),
        (
            "POST",
            "/p/{partnership}/members/{membership}/remove",
            Needs(P::MembershipManage),
        ),
        ("GET", "/p/{partnership}/audit", Needs(P::AuditRead)),
        (
            "GET",
            "/p/{partnership}/assessments",
            Needs(P::AssessmentRead),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/new",
            Needs(P::AssessmentManage),
        ),
        (
            "POST",
            "/p/{partnership}/assessments",
            Needs(P::AssessmentManage),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}",
            Needs(P::AssessmentRead),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/questions/{question}",
            Needs(P::AssessmentRead),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/questions/{question}",
            Needs(P::AssessmentRespond),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/upgrade",
            Needs(P::AssessmentManage),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/upgrade",
            Needs(P::AssessmentManage),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/submit",
            Needs(P::AssessmentManage),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/submit",
            Needs(P::AssessmentManage),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/submitted",
            Needs(P::AssessmentRead),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/approve",
            Needs(P::AssessmentApprove),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/approve",
            Needs(P::AssessmentApprove),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/lock",
            Needs(P::AssessmentManage),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/reopen",
            Needs(P::AssessmentManage),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/summary",
            Needs(P::AssessmentRead),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/compare",
            Needs(P::AssessmentRead),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/gaps",
            Needs(P::AssessmentRead),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/actions",
            Needs(P::ActionManage),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/actions",
            Needs(P::AssessmentRead),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/actions/new",
            Needs(P::ActionManage),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/actions/{action}/edit",
            Needs(P::ActionManage),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/actions/{action}/edit",
            Needs(P::ActionManage),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/actions/{action}/close",
            Needs(P::ActionManage),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/actions/{action}/close",
            Needs(P::ActionManage),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/export.xlsx",
            Needs(P::AssessmentRead),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/export.csv",
            Needs(P::AssessmentRead),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/import",
            Needs(P::AssessmentRespond),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/import",
            Needs(P::AssessmentRespond),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/assign",
            Needs(P::AssessmentManage),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/import/confirm",
            Needs(P::AssessmentRespond),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/questions/{question}/evidence",
            Needs(P::AssessmentRespond),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/questions/{question}/evidence/link",
            Needs(P::AssessmentRespond),
        ),
        (
            "GET",
            "/p/{partnership}/evidence/{evidence}/file",
            Needs(P::AssessmentRead),
        ),
        ("GET", "/p/{partnership}/panel", Needs(P::PanelRead)),
        ("POST", "/p/{partnership}/panel/members", Needs(P::PanelManage)),
        ("GET", "/p/{partnership}/panel/members/{user}/remove", Needs(P::PanelManage)),
        ("POST", "/p/{partnership}/panel/members/{user}/remove", Needs(P::PanelManage)),
        ("GET", "/p/{partnership}/panel/meetings", Needs(P::PanelRead)),
        ("POST", "/p/{partnership}/panel/meetings", Needs(P::PanelManage)),
        ("GET", "/p/{partnership}/panel/meetings/{meeting}", Needs(P::PanelRead)),
        ("POST", "/p/{partnership}/panel/meetings/{meeting}/publish", Needs(P::PanelManage)),
        ("POST", "/p/{partnership}/panel/meetings/{meeting}/attendance", Needs(P::PanelManage)),
        ("GET", "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision", Needs(P::PanelManage)),
        ("POST", "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision", Needs(P::PanelManage)),
        ("POST", "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision/confirm", Needs(P::PanelManage)),
        ("GET", "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision/recorded", Needs(P::PanelManage)),
        ("GET", "/api/v1/frameworks", Needs(P::FrameworkRead)),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments",
            Needs(P::AssessmentRead),
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments",
            Needs(P::AssessmentManage),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}",
            Needs(P::AssessmentRead),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses",
            Needs(P::AssessmentRead),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/export.xlsx",
            Needs(P::AssessmentRead),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/export.csv",
            Needs(P::AssessmentRead),
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/import",
            Needs(P::AssessmentRespond),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}",
            Needs(P::AssessmentRead),
        ),
        (
            "PUT",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}",
            Needs(P::AssessmentRespond),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/evidence",
            Needs(P::AssessmentRead),
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/evidence",
            Needs(P::AssessmentRespond),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/evidence/{evidence}/file",
            Needs(P::AssessmentRead),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/comments",
            Needs(P::AssessmentRead),
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/comments",
            Needs(P::AssessmentComment),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/upgrade",
            Needs(P::AssessmentManage),
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/upgrade",
            Needs(P::AssessmentManage),
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/transitions",
            Needs(P::AssessmentManage),
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/approval",
            Needs(P::AssessmentApprove),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/capabilities",
            Needs(P::AssessmentRead),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/assign",
            Needs(P::AssessmentManage),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/questions/{question}/comments",
            Needs(P::AssessmentComment),
        ),
        ("GET", "/admin/organisations", Needs(P::OrganisationManage)),
        ("POST", "/admin/organisations", Needs(P::OrganisationManage)),
        ("GET", "/admin/partnerships", Needs(P::PartnershipManage)),
        ("POST", "/admin/partnerships", Needs(P::PartnershipManage)),
        (
            "POST",
            "/admin/partnerships/{id}/organisations",
            Needs(P::PartnershipManage),
        ),
        ("POST", "/admin/regions", Needs(P::PartnershipManage)),
        ("GET", "/admin/users", Needs(P::UserManage)),
        ("POST", "/admin/users", Needs(P::UserManage)),
        ("GET", "/admin/users/{user}/disable", Needs(P::UserManage)),
        ("POST", "/admin/users/{user}/disable", Needs(P::UserManage)),
        ("POST", "/admin/users/{user}/enable", Needs(P::UserManage)),
        (
            "POST",
            "/admin/users/{user}/reset-mfa",
            Needs(P::UserManage),
        ),
        ("GET", "/admin/audit", Needs(P::PlatformAuditRead)),
        ("GET", "/api/v1/openapi.json", Open),
        ("GET", "/api/v1/me", SignedIn),
        ("GET", "/api/v1/tokens", SignedIn),
        ("DELETE", "/api/v1/tokens/{token}", SignedIn),
        ("GET", "/api/v1/organisations", Needs(P::OrganisationRead)),
        (
            "GET",
            "/api/v1/organisations/{organisation}",
            Needs(P::OrganisationRead),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}",
            Needs(P::PartnershipRead),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/users",
            Needs(P::MembershipRead),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/memberships",
            Needs(P::MembershipRead),
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/memberships",
            Needs(P::MembershipManage),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            Needs(P::MembershipRead),
        ),
        (
            "PATCH",
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            Needs(P::MembershipManage),
        ),
        (
            "DELETE",
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            Needs(P::MembershipManage),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/audit-events",
            Needs(P::AuditRead),
        ),
        // Channel: referral, cases, screening and the review of who opened a case.
        ("GET", "/p/{partnership}/referrals", Needs(P::CaseRefer)),
        ("GET", "/p/{partnership}/referrals/new", Needs(P::CaseRefer)),
        ("POST", "/p/{partnership}/referrals/new", Needs(P::CaseRefer)),
        ("POST", "/p/{partnership}/referrals", Needs(P::CaseRefer)),
        ("GET", "/p/{partnership}/referrals/{case}/sent", Needs(P::CaseRefer)),
        ("GET", "/p/{partnership}/cases", Needs(P::CaseRead)),
        ("GET", "/p/{partnership}/cases/{case}", Needs(P::CaseRead)),
        ("POST", "/p/{partnership}/cases/{case}/exceptional-access", Needs(P::CaseRead)),
        ("POST", "/p/{partnership}/cases/{case}/officer", Needs(P::CaseAssign)),
        ("GET", "/p/{partnership}/cases/{case}/attach", Needs(P::CaseManage)),
        ("POST", "/p/{partnership}/cases/{case}/attach", Needs(P::CaseManage)),
        ("GET", "/p/{partnership}/cases/{case}/deconfliction", Needs(P::CaseManage)),
        ("POST", "/p/{partnership}/cases/{case}/deconfliction", Needs(P::CaseManage)),
        ("GET", "/p/{partnership}/cases/{case}/information", Needs(P::CaseManage)),
        ("POST", "/p/{partnership}/cases/{case}/information", Needs(P::CaseManage)),
        ("GET", "/p/{partnership}/cases/{case}/outcome", Needs(P::CaseManage)),
        ("POST", "/p/{partnership}/cases/{case}/outcome", Needs(P::CaseManage)),
        ("POST", "/p/{partnership}/cases/{case}/outcome/confirm", Needs(P::CaseManage)),
        ("GET", "/p/{partnership}/cases/{case}/access", Needs(P::CaseAccessReview)),
        ("GET", "/p/{partnership}/case-access", Needs(P::CaseAccessReview)),
        ("GET", "/api/v1/partnerships/{partnership}/referrals", Needs(P::CaseRefer)),
        ("POST", "/api/v1/partnerships/{partnership}/referrals", Needs(P::CaseRefer)),
        ("GET", "/api/v1/partnerships/{partnership}/cases", Needs(P::CaseRead)),
        ("GET", "/api/v1/partnerships/{partnership}/cases/{case}", Needs(P::CaseRead)),
        ("POST", "/api/v1/partnerships/{partnership}/cases/{case}/exceptional-access", Needs(P::CaseRead)),
        ("PUT", "/api/v1/partnerships/{partnership}/cases/{case}/officer", Needs(P::CaseAssign)),
        ("POST", "/api/v1/partnerships/{partnership}/cases/{case}/deconflictions", Needs(P::CaseManage)),
        ("POST", "/api/v1/partnerships/{partnership}/cases/{case}/information", Needs(P::CaseManage)),
        ("POST", "/api/v1/partnerships/{partnership}/cases/{case}/outcome", Needs(P::CaseManage)),
        ("GET", "/api/v1/partnerships/{partnership}/cases/{case}/access-log", Needs(P::CaseAccessReview)),
    ]
};

fn rule_of(spec: &RouteSpec) -> Option<Rule> {
    SPEC.iter()
        .find(|(m, p, _)| *m == spec.method.as_str() && *p == spec.path)
        .map(|(_, _, r)| *r)
}

/// Whether a permission is about the whole platform or about one partnership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    Platform,
    Partnership,
}

/// Which partnership roles carry a permission.
#[derive(Clone, Copy, Debug)]
enum Roles {
    Every,
    Only(&'static [Role]),
    NoRole,
}

struct Holders {
    reach: Reach,
    roles: Roles,
    system_admin: bool,
}

/// Who may use each permission. Written from the product's rules: members see the registers
/// (organisations, frameworks) and their own partnership; who holds which role is for the
/// administrator, the Prevent lead and the auditor; only the administrator changes it; a
/// partnership's log is for its administrator and auditor; running the platform is for system
/// administrators, never for a partnership role. System administrators run partnerships too,
/// but read the platform's log rather than a partnership's.
fn holders(p: Permission) -> Holders {
    use Permission as P;
    use Role as R;
    let platform = |roles| Holders {
        reach: Reach::Platform,
        roles,
        system_admin: true,
    };
    let partnership = |roles, system_admin| Holders {
        reach: Reach::Partnership,
        roles,
        system_admin,
    };
    match p {
        P::OrganisationRead | P::FrameworkRead => platform(Roles::Every),
        P::OrganisationManage
        | P::PartnershipManage
        | P::UserManage
        | P::PlatformAuditRead
        | P::FrameworkManage => platform(Roles::NoRole),
        P::PartnershipRead => partnership(Roles::Every, true),
        P::MembershipRead => partnership(
            Roles::Only(&[R::Administrator, R::PreventLead, R::Auditor]),
            true,
        ),
        P::MembershipManage => partnership(Roles::Only(&[R::Administrator]), true),
        P::AuditRead => partnership(Roles::Only(&[R::Administrator, R::Auditor]), false),
        // The self-assessment: the Prevent lead runs it, contributing partners answer, the
        // board and elected members approve, the auditor reads. Channel roles, referrers and
        // regional viewers take no part, and the system administrator's flag never reaches
        // assessment content.
        P::AssessmentRead => partnership(
            Roles::Only(&[
                R::PreventLead,
                R::Contributor,
                R::BoardMember,
                R::ElectedMember,
                R::Auditor,
            ]),
            false,
        ),
        P::AssessmentManage => partnership(Roles::Only(&[R::PreventLead]), false),
        P::AssessmentRespond => partnership(Roles::Only(&[R::PreventLead, R::Contributor]), false),
        P::AssessmentApprove => {
            partnership(Roles::Only(&[R::BoardMember, R::ElectedMember]), false)
        }
        // The action plan that follows from the assessment is the Prevent lead's to keep.
        P::ActionManage => partnership(Roles::Only(&[R::PreventLead]), false),
        // Those who take part in the assessment may comment; the auditor only reads.
        P::AssessmentComment => partnership(
            Roles::Only(&[
                R::PreventLead,
                R::Contributor,
                R::BoardMember,
                R::ElectedMember,
            ]),
            false,
        ),
        // Channel: those who meet people in their work may refer; only the Channel roles
        // work on cases (content is then reached by a relationship to the case); case
        // officers and the chair screen; the chair assigns; the auditor reviews who opened a
        // case. No system administrator reaches case data.
        P::CaseRefer => partnership(
            Roles::Only(&[
                R::Referrer,
                R::PreventLead,
                R::Contributor,
                R::CaseOfficer,
                R::ChannelChair,
                R::PanelMember,
            ]),
            false,
        ),
        P::CaseRead => partnership(
            Roles::Only(&[R::CaseOfficer, R::ChannelChair, R::PanelMember]),
            false,
        ),
        P::CaseManage => partnership(Roles::Only(&[R::CaseOfficer, R::ChannelChair]), false),
        P::CaseAssign => partnership(Roles::Only(&[R::ChannelChair]), false),
        P::CaseAccessReview => partnership(Roles::Only(&[R::Auditor]), false),
        // The Channel panel: the chair runs it; members and case officers read its meetings.
        P::PanelRead => partnership(
            Roles::Only(&[R::ChannelChair, R::PanelMember, R::CaseOfficer]),
            false,
        ),
        P::PanelManage => partnership(Roles::Only(&[R::ChannelChair]), false),
        // Permissions that no route used when this was written. A route that starts using one
        // fails here until its holders are written down above.
        #[allow(unreachable_patterns)]
        other => {
            panic!("the matrix has no specification for {other:?}: say who holds it in holders()")
        }
    }
}

/// One of the actors of the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    NoMember,
    SystemAdmin,
    Member(Role),
}

impl Who {
    fn label(self) -> String {
        match self {
            Who::Anonymous => "anonymous".into(),
            Who::NoMember => "no-membership".into(),
            Who::SystemAdmin => "system-admin".into(),
            Who::Member(r) => format!("riverton-{}", r.key()),
        }
    }
}

/// What the server can know about the caller on one surface.
#[derive(Clone, Copy, Debug)]
struct Held {
    signed_in: bool,
    system_admin: bool,
    /// The role held in Riverton (the "own" partnership), if any.
    riverton_role: Option<Role>,
}

/// Pages see the whole session: MFA-required roles have passed MFA in these sessions.
fn held_on_pages(who: Who) -> Held {
    match who {
        Who::Anonymous => Held {
            signed_in: false,
            system_admin: false,
            riverton_role: None,
        },
        Who::NoMember => Held {
            signed_in: true,
            system_admin: false,
            riverton_role: None,
        },
        Who::SystemAdmin => Held {
            signed_in: true,
            system_admin: true,
            riverton_role: None,
        },
        Who::Member(r) => Held {
            signed_in: true,
            system_admin: false,
            riverton_role: Some(r),
        },
    }
}

/// The API sees only a token: one role in one partnership, never platform powers. Accounts
/// without a membership cannot have a token, so they are anonymous here (their session
/// cookie is sent along and must not count).
fn held_on_api(who: Who) -> Held {
    match who {
        Who::Member(r) => Held {
            signed_in: true,
            system_admin: false,
            riverton_role: Some(r),
        },
        _ => Held {
            signed_in: false,
            system_admin: false,
            riverton_role: None,
        },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Own,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Allow,
    /// Refused by the guard, which records the refusal.
    Deny,
    /// Sent to sign in by the landing page: reads as "denied", but nothing is recorded.
    SentToSignIn,
}

fn expect(rule: Rule, held: Held, target: Option<Target>) -> Expect {
    match rule {
        Rule::Open => Expect::Allow,
        Rule::Landing if held.signed_in => Expect::Allow,
        Rule::Landing => Expect::SentToSignIn,
        Rule::SignInStep => unreachable!("sign-in steps are not in the matrix"),
        Rule::SignedIn if held.signed_in => Expect::Allow,
        Rule::SignedIn => Expect::Deny,
        Rule::Needs(_) if !held.signed_in => Expect::Deny,
        Rule::Needs(p) => {
            let h = holders(p);
            if held.system_admin && h.system_admin {
                return Expect::Allow;
            }
            let role = match h.reach {
                // A role in any partnership counts for platform-wide reading.
                Reach::Platform => held.riverton_role,
                Reach::Partnership => match target {
                    Some(Target::Own) => held.riverton_role,
                    Some(Target::Other) => None,
                    None => panic!("a partnership permission on a route without {{partnership}}"),
                },
            };
            let ok = match (role, h.roles) {
                (None, _) | (Some(_), Roles::NoRole) => false,
                (Some(_), Roles::Every) => true,
                (Some(r), Roles::Only(list)) => list.contains(&r),
            };
            if ok {
                Expect::Allow
            } else {
                Expect::Deny
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What an allowed call answers.
// ---------------------------------------------------------------------------------------------

/// What a successful answer carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Anything (health checks).
    Any,
    /// An HTML page.
    Html,
    /// A JSON document.
    Json,
    /// A download of this content type.
    File(&'static str),
    /// A redirect (303) to a path starting with this; `{partnership}` is the one asked.
    Redirect(&'static str),
    /// 204 and nothing else.
    Nothing,
    /// The sign-in page: the form for nobody signed in, home for someone signed in.
    SignInForm,
}

/// What an allowed call answers to the matrix's request (a form with only its CSRF token, or
/// `{}`) with real ids of the own partnership: the statuses the route documents for it, and
/// what a success carries. 422 is the validation refusal of the empty form or body; 409 is
/// written only where the route documents a conflict for exactly this call (no newer framework
/// version to move to; recovery codes for an account without a second factor).
const ANSWERS: &[(&str, &str, &[u16], Kind)] = {
    use Kind::{Any, File, Html, Json, Nothing, Redirect, SignInForm};
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    const ASSESSMENT: &str = "/p/{partnership}/assessments/";
    &[
        ("GET", "/healthz", &[200], Any),
        ("GET", "/readyz", &[200], Any),
        ("GET", "/assets/app.css", &[200], File("text/css")),
        ("GET", "/", &[303], Redirect("/home")),
        ("GET", "/sign-in", &[200, 303], SignInForm),
        ("POST", "/sign-in", &[422], Html),
        ("GET", "/home", &[200], Html),
        ("GET", "/account", &[200], Html),
        ("POST", "/account/password", &[422], Html),
        ("POST", "/account/recovery-codes", &[200, 409], Html),
        ("GET", "/account/tokens", &[200], Html),
        ("GET", "/account/tokens/{token}/revoke", &[200], Html),
        ("POST", "/account/recovery-codes/download", &[409], Html),
        ("POST", "/account/tokens", &[422], Html),
        (
            "POST",
            "/account/tokens/{token}/revoke",
            &[303],
            Redirect("/account/tokens"),
        ),
        (
            "POST",
            "/invitations/{invitation}/{answer}",
            &[303],
            Redirect("/account"),
        ),
        ("GET", "/partnerships", &[200], Html),
        ("POST", "/partnerships/switch", &[422], Html),
        ("GET", "/p/{partnership}", &[200], Html),
        ("GET", "/p/{partnership}/members", &[200], Html),
        ("GET", "/p/{partnership}/members/new", &[200], Html),
        ("POST", "/p/{partnership}/members", &[422], Html),
        (
            "POST",
            "/p/{partnership}/members/{membership}/role",
            &[422],
            Html,
        ),
        ("GET", "/p/{partnership}/members/{membership}/remove", &[200], Html),
        (
            "POST",
            "/p/{partnership}/members/{membership}/remove",
            &[303],
            Redirect("/p/{partnership}/members"),
        ),
        ("GET", "/p/{partnership}/audit", &[200], Html),
        ("GET", "/p/{partnership}/assessments", &[200], Html),
        ("GET", "/p/{partnership}/assessments/new", &[200], Html),
        ("POST", "/p/{partnership}/assessments", &[422], Html),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}",
            &[200],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/questions/{question}",
            &[200],
            Html,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/questions/{question}",
            &[422],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/upgrade",
            &[200],
            Html,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/upgrade",
            &[409],
            Html,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/submit",
            &[303],
            Redirect(ASSESSMENT),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/submit",
            &[200],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/submitted",
            &[200],
            Html,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/approve",
            &[303],
            Redirect(ASSESSMENT),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/approve",
            &[200, 303],
            Any,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/lock",
            &[303],
            Redirect(ASSESSMENT),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/reopen",
            &[422],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/summary",
            &[200],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/compare",
            &[200],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/gaps",
            &[200],
            Html,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/actions",
            &[422],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/actions",
            &[200],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/actions/new",
            &[200],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/actions/{action}/edit",
            &[200],
            Html,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/actions/{action}/edit",
            &[422],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/actions/{action}/close",
            &[200],
            Html,
        ),
        // An empty form is based on no version of the action: refused as stale.
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/actions/{action}/close",
            &[409],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/export.xlsx",
            &[200],
            File(XLSX),
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/export.csv",
            &[200],
            File("text/csv"),
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/import",
            &[422],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/import",
            &[200],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/assign",
            &[200],
            Html,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/import/confirm",
            &[400],
            Html,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/questions/{question}/evidence",
            &[422],
            Html,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/questions/{question}/evidence/link",
            &[422],
            Html,
        ),
        (
            "GET",
            "/p/{partnership}/evidence/{evidence}/file",
            &[200],
            File("text/plain"),
        ),
        ("GET", "/p/{partnership}/panel", &[200], Html),
        ("POST", "/p/{partnership}/panel/members", &[422], Html),
        ("GET", "/p/{partnership}/panel/members/{user}/remove", &[200], Html),
        (
            "POST",
            "/p/{partnership}/panel/members/{user}/remove",
            &[303],
            Redirect("/p/{partnership}/panel"),
        ),
        ("GET", "/p/{partnership}/panel/meetings", &[200], Html),
        ("POST", "/p/{partnership}/panel/meetings", &[422], Html),
        ("GET", "/p/{partnership}/panel/meetings/{meeting}", &[200], Html),
        ("POST", "/p/{partnership}/panel/meetings/{meeting}/publish", &[409], Html),
        ("POST", "/p/{partnership}/panel/meetings/{meeting}/attendance", &[303], Redirect("/p/{partnership}/panel/meetings/")),
        ("GET", "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision", &[200], Html),
        ("POST", "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision", &[422], Html),
        ("POST", "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision/confirm", &[422], Html),
        ("GET", "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision/recorded", &[200], Html),
        (
            "GET",
            "/p/{partnership}/assessments/{assessment}/capabilities",
            &[200],
            Html,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/assign",
            &[422],
            Html,
        ),
        (
            "POST",
            "/p/{partnership}/assessments/{assessment}/questions/{question}/comments",
            &[422],
            Html,
        ),
        ("GET", "/admin/organisations", &[200], Html),
        ("POST", "/admin/organisations", &[422], Html),
        ("GET", "/admin/partnerships", &[200], Html),
        ("POST", "/admin/partnerships", &[422], Html),
        (
            "POST",
            "/admin/partnerships/{id}/organisations",
            &[422],
            Html,
        ),
        ("POST", "/admin/regions", &[422], Html),
        ("GET", "/admin/users", &[200], Html),
        ("POST", "/admin/users", &[422], Html),
        ("GET", "/admin/users/{user}/disable", &[200], Html),
        (
            "POST",
            "/admin/users/{user}/disable",
            &[303],
            Redirect("/admin/users"),
        ),
        (
            "POST",
            "/admin/users/{user}/enable",
            &[303],
            Redirect("/admin/users"),
        ),
        (
            "POST",
            "/admin/users/{user}/reset-mfa",
            &[303],
            Redirect("/admin/users"),
        ),
        ("GET", "/admin/audit", &[200], Html),
        ("GET", "/api/v1/openapi.json", &[200], Json),
        ("GET", "/api/v1/me", &[200], Json),
        ("GET", "/api/v1/tokens", &[200], Json),
        ("DELETE", "/api/v1/tokens/{token}", &[204], Nothing),
        ("GET", "/api/v1/organisations", &[200], Json),
        ("GET", "/api/v1/organisations/{organisation}", &[200], Json),
        ("GET", "/api/v1/partnerships/{partnership}", &[200], Json),
        ("GET", "/api/v1/partnerships/{partnership}/users", &[200], Json),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/memberships",
            &[200],
            Json,
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/memberships",
            &[422],
            Json,
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            &[200],
            Json,
        ),
        (
            "PATCH",
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            &[422],
            Json,
        ),
        (
            "DELETE",
            "/api/v1/partnerships/{partnership}/memberships/{membership}",
            &[204],
            Nothing,
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/audit-events",
            &[200],
            Json,
        ),
        ("GET", "/api/v1/frameworks", &[200], Json),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments",
            &[200],
            Json,
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments",
            &[422],
            Json,
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}",
            &[200],
            Json,
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses",
            &[200],
            Json,
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/export.xlsx",
            &[200],
            File(XLSX),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/export.csv",
            &[200],
            File("text/csv"),
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/import",
            &[422],
            Json,
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}",
            &[200],
            Json,
        ),
        (
            "PUT",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}",
            &[422],
            Json,
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/evidence",
            &[200],
            Json,
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/evidence",
            &[422],
            Json,
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/evidence/{evidence}/file",
            &[200],
            File("text/plain"),
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/comments",
            &[200],
            Json,
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/comments",
            &[422],
            Json,
        ),
        (
            "GET",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/upgrade",
            &[200],
            Json,
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/upgrade",
            &[422],
            Json,
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/transitions",
            &[422],
            Json,
        ),
        (
            "POST",
            "/api/v1/partnerships/{partnership}/assessments/{assessment}/approval",
            &[200],
            Json,
        ),
        // Channel. The matrix's case is assigned to the Riverton case officer, so the chair
        // and the officer open it; a panel member, with no relationship to it, is shown the
        // page that asks for a reason for exceptional access (a 403 naming it on the API).
        // Each caller who may refer sees the confirmation of a referral of their own.
        ("GET", "/p/{partnership}/referrals", &[200], Html),
        ("GET", "/p/{partnership}/referrals/new", &[200], Html),
        ("POST", "/p/{partnership}/referrals/new", &[422], Html),
        ("POST", "/p/{partnership}/referrals", &[422], Html),
        ("GET", "/p/{partnership}/referrals/{case}/sent", &[200], Html),
        ("GET", "/p/{partnership}/cases", &[200], Html),
        ("GET", "/p/{partnership}/cases/{case}", &[200], Html),
        ("POST", "/p/{partnership}/cases/{case}/exceptional-access", &[422], Html),
        ("POST", "/p/{partnership}/cases/{case}/officer", &[422], Html),
        ("GET", "/p/{partnership}/cases/{case}/attach", &[303], Redirect("/p/{partnership}/cases/")),
        ("POST", "/p/{partnership}/cases/{case}/attach", &[422], Html),
        ("GET", "/p/{partnership}/cases/{case}/deconfliction", &[200], Html),
        ("POST", "/p/{partnership}/cases/{case}/deconfliction", &[422], Html),
        ("GET", "/p/{partnership}/cases/{case}/information", &[200], Html),
        ("POST", "/p/{partnership}/cases/{case}/information", &[422], Html),
        ("GET", "/p/{partnership}/cases/{case}/outcome", &[200], Html),
        ("POST", "/p/{partnership}/cases/{case}/outcome", &[422], Html),
        ("POST", "/p/{partnership}/cases/{case}/outcome/confirm", &[422], Html),
        ("GET", "/p/{partnership}/cases/{case}/access", &[200], Html),
        ("GET", "/p/{partnership}/case-access", &[200], Html),
        ("GET", "/api/v1/partnerships/{partnership}/referrals", &[200], Json),
        ("POST", "/api/v1/partnerships/{partnership}/referrals", &[422], Json),
        ("GET", "/api/v1/partnerships/{partnership}/cases", &[200], Json),
        ("GET", "/api/v1/partnerships/{partnership}/cases/{case}", &[200, 403], Json),
        ("POST", "/api/v1/partnerships/{partnership}/cases/{case}/exceptional-access", &[422], Json),
        ("PUT", "/api/v1/partnerships/{partnership}/cases/{case}/officer", &[422], Json),
        ("POST", "/api/v1/partnerships/{partnership}/cases/{case}/deconflictions", &[422], Json),
        ("POST", "/api/v1/partnerships/{partnership}/cases/{case}/information", &[422], Json),
        ("POST", "/api/v1/partnerships/{partnership}/cases/{case}/outcome", &[422], Json),
        ("GET", "/api/v1/partnerships/{partnership}/cases/{case}/access-log", &[200], Json),
    ]
};

fn answer_of(spec: &RouteSpec) -> Option<(&'static [u16], Kind)> {
    ANSWERS
        .iter()
        .find(|(m, p, _, _)| *m == spec.method.as_str() && *p == spec.path)
        .map(|(_, _, s, k)| (*s, *k))
}

fn skipped(spec: &RouteSpec) -> bool {
    // The sign-in steps (MFA challenge, set-up, cancel) serve only a session that has passed
    // the password but not yet the second factor. No actor here is in that state: each is
    // either anonymous or fully signed in, for whom these routes are fixed redirects and not
    // an authorisation decision. `sign_out_and_the_sign_in_steps` covers them.
    //
    // Signing out, when it works, ends the session the rest of the matrix runs on; it is
    // covered by `sign_out_and_the_sign_in_steps` as well.
    spec.access == Access::MfaPending || (spec.method == "POST" && spec.path == "/sign-out")
}

/// Page forms that are uploads.
fn is_upload(spec: &RouteSpec) -> bool {
    spec.surface == Surface::Page
        && (spec.path.ends_with("/import") || spec.path.ends_with("/questions/{question}/evidence"))
}

// ---------------------------------------------------------------------------------------------
// Objects an allowed call may change, and how to read them back.
// ---------------------------------------------------------------------------------------------

/// The routes whose allowed calls change something the matrix can see, and what each acts on.
/// Allowed calls consume a fresh object of their own; refused ones are given the same object
/// and must leave it as it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fixture {
    /// One of the caller's own API tokens (a spare, not the one the matrix calls with).
    OwnToken,
    /// An open invitation addressed to the caller.
    OwnInvitation,
    /// The spare account's membership.
    SpareMembership,
    /// A Riverton assessment in this state.
    Assessment(&'static str),
    /// The spare account itself.
    SpareUser,
    /// A referral the caller made (only its referrer sees its confirmation).
    OwnReferral,
}

fn fixture_of(spec: &RouteSpec) -> Option<Fixture> {
    let (m, p) = (spec.method.as_str(), spec.path);
    Some(match (m, p) {
        ("GET" | "POST", "/account/tokens/{token}/revoke")
        | ("DELETE", "/api/v1/tokens/{token}") => Fixture::OwnToken,
        ("POST", "/invitations/{invitation}/{answer}") => Fixture::OwnInvitation,
        _ if p.contains("{membership}") && m != "GET" => Fixture::SpareMembership,
        ("POST", _) if p.ends_with("/submit") => Fixture::Assessment("draft"),
        ("POST", _) if p.ends_with("/approve") || p.ends_with("/approval") => {
            Fixture::Assessment("submitted")
        }
        ("POST", _) if p.ends_with("/lock") => Fixture::Assessment("approved"),
        _ if p.starts_with("/admin/users/{user}/") => Fixture::SpareUser,
        ("GET", "/p/{partnership}/referrals/{case}/sent") => Fixture::OwnReferral,
        _ => return None,
    })
}

/// What the object must read after an allowed call succeeded. `None`: unchanged.
fn effect_of(spec: &RouteSpec) -> Option<&'static str> {
    let (m, p) = (spec.method.as_str(), spec.path);
    if m == "GET" {
        // A confirmation page changes nothing.
        return None;
    }
    Some(match fixture_of(spec)? {
        Fixture::OwnToken => "revoked",
        Fixture::OwnInvitation => "Declined",
        Fixture::SpareMembership if p.ends_with("/remove") || m == "DELETE" => "gone",
        Fixture::SpareMembership => return None,
        Fixture::Assessment("draft") => "submitted",
        Fixture::Assessment("submitted") => "approved",
        Fixture::Assessment(_) => "locked",
        Fixture::SpareUser if p.ends_with("/disable") => "disabled",
        Fixture::SpareUser => "enabled",
        Fixture::OwnReferral => return None,
    })
}

/// A thing whose state a cell may change.
#[derive(Clone, Debug)]
enum Obj {
    Token {
        user: String,
        id: String,
    },
    Invitation {
        partnership: PartnershipId,
        id: String,
    },
    Membership {
        partnership: PartnershipId,
        id: String,
    },
    Assessment {
        id: String,
    },
    User {
        email: &'static str,
    },
}

async fn state_of(s: &Server, w: &World, o: &Obj) -> String {
    match o {
        Obj::Token { user, id } => {
            let uid: UserId = user.parse().expect("user id");
            match s
                .app
                .list_tokens(uid)
                .await
                .expect("tokens")
                .into_iter()
                .find(|t| &t.id == id)
            {
                Some(t) if t.revoked_at.is_some() => "revoked".into(),
                Some(_) => "live".into(),
                None => "missing".into(),
            }
        }
        Obj::Invitation { partnership, id } => s
            .app
            .partnership_invitations(&console_grant(
                Permission::MembershipRead,
                Scope::Partnership(*partnership),
            ))
            .await
            .expect("invitations")
            .into_iter()
            .find(|i| &i.id.to_string() == id)
            .map(|i| format!("{:?}", i.status))
            .unwrap_or_else(|| "missing".into()),
        Obj::Membership { partnership, id } => membership_state(s, *partnership, id).await,
        Obj::Assessment { id } => {
            let read = matrix_world::grant(
                &w.riverton_lead_actor(),
                Permission::AssessmentRead,
                Scope::Partnership(w.riverton_pid),
            );
            s.app
                .list_assessments(&read)
                .await
                .expect("assessments")
                .into_iter()
                .find(|a| a.id.to_string() == *id)
                .map(|a| a.state.key().to_owned())
                .unwrap_or_else(|| "missing".into())
        }
        Obj::User { email } => {
            let g = console_grant(Permission::UserManage, Scope::Platform);
            let u = s.app.find_user_by_email(&g, email).await.expect("account");
            format!(
                "{}{}",
                if u.disabled { "disabled" } else { "enabled" },
                if u.mfa_enrolled {
                    " with a second factor"
                } else {
                    ""
                }
            )
        }
    }
}

/// Fresh objects for allowed calls to consume, made when needed.
#[derive(Default)]
struct Fixtures {
    /// Spare tokens, by caller.
    tokens: HashMap<String, String>,
    /// Open invitations, by caller.
    invitations: HashMap<String, String>,
    /// The spare account's membership, in the own (true) and the other partnership.
    spare: HashMap<bool, String>,
    /// Riverton assessments, by state.
    assessments: HashMap<&'static str, String>,
    /// Referrals, by caller.
    referrals: HashMap<String, String>,
}

// ---------------------------------------------------------------------------------------------
// The actors and what they send.
// ---------------------------------------------------------------------------------------------

struct Caller {
    who: Who,
    email: &'static str,
    user_id: Option<String>,
    browser: Browser,
    /// A CSRF token valid for this browser (its session, or its pre-sign-in cookie).
    csrf: String,
    /// The API token the caller calls with (members only: a token needs a role).
    token: Option<String>,
    session: Option<SessionView>,
}

impl Caller {
    /// Whether the server knows who this is on the route's surface.
    fn identified(&self, surface: Surface) -> bool {
        match surface {
            Surface::Page => self.session.is_some(),
            Surface::Api => self.token.is_some(),
        }
    }
}

/// What a request carries besides its CSRF token (pages) or bearer token (API).
#[derive(Clone, Debug)]
enum Payload {
    /// The matrix's own request: a form with only the CSRF token, or `{}` to the API.
    Empty,
    Form(Vec<(&'static str, String)>),
    Upload(Vec<(&'static str, String)>, Option<(&'static str, Vec<u8>)>),
    Json(Value),
}

/// The matrix's own request to a route: only the CSRF token (or `{}`), except that submitting
/// a draft confirms that its blank questions may go to the board (the fixtures are not all
/// answered, and the refusal without it is tested on its own), and the board's decision says
/// which it is.
fn own_payload(spec: &RouteSpec) -> Payload {
    let page_post = spec.surface == Surface::Page && spec.method == "POST";
    if page_post && spec.path.ends_with("/submit") {
        Payload::Form(vec![("confirm_unanswered", "yes".to_owned())])
    } else if page_post
        && (spec.path.ends_with("/members/{membership}/remove")
            || spec.path.ends_with("/users/{user}/disable")
            || spec.path.ends_with("/tokens/{token}/revoke"))
    {
        // Removing, disabling and revoking act only once confirmed (the post without
        // `confirm` is tested on its own).
        Payload::Form(vec![("confirm", "yes".to_owned())])
    } else if page_post && spec.path.ends_with("/approve") {
        Payload::Form(vec![
            ("decision", "approve".to_owned()),
            ("reference", "Board minute 1".to_owned()),
        ])
    } else {
        Payload::Empty
    }
}

async fn send(s: &Server, c: &mut Caller, spec: &RouteSpec, path: &str, payload: &Payload) -> Page {
    match spec.surface {
        Surface::Page if spec.method == "POST" => {
            let csrf = c.csrf.clone();
            let mut fields: Vec<(&str, &str)> = vec![("csrf_token", &csrf)];
            let (extra, file) = match payload {
                Payload::Form(f) | Payload::Upload(f, None) => (f.as_slice(), None),
                Payload::Upload(f, Some((n, b))) => (f.as_slice(), Some((*n, b.clone()))),
                _ => (&[][..], None),
            };
            fields.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
            if is_upload(spec) {
                post_multipart(s, &c.browser, path, &fields, file).await
            } else {
                c.browser.post_raw(path, &fields).await
            }
        }
        Surface::Page => {
            assert_eq!(spec.method, "GET", "page routes are GET or POST");
            c.browser.get(path).await
        }
        Surface::Api => {
            let body = match payload {
                Payload::Json(v) => Some(v.clone()),
                _ => matches!(spec.method.as_str(), "POST" | "PATCH" | "PUT").then(|| json!({})),
            };
            let token = c.token.clone();
            c.browser
                .api(spec.method.as_str(), path, token.as_deref(), body)
                .await
        }
    }
}

fn fill(pattern: &str, values: &[(&str, &str)]) -> String {
    let mut path = pattern.to_owned();
    for (k, v) in values {
        path = path.replace(k, v);
    }
    assert!(!path.contains('{'), "unfilled placeholder in {path}");
    path
}

// ---------------------------------------------------------------------------------------------
// The audit log.
// ---------------------------------------------------------------------------------------------

/// The newest audit event's sequence number.
async fn newest_seq(s: &Server) -> i64 {
    let g = console_grant(Permission::PlatformAuditRead, Scope::Platform);
    s.app
        .audit_events(
            &g,
            &AuditQuery {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .expect("audit events")
        .first()
        .map(|e| e.position)
        .unwrap_or(0)
}

/// Events written after `seq`.
async fn events_since(s: &Server, seq: i64) -> Vec<AuditEvent> {
    let g = console_grant(Permission::PlatformAuditRead, Scope::Platform);
    let rows = s
        .app
        .audit_events(
            &g,
            &AuditQuery {
                limit: 200,
                ..Default::default()
            },
        )
        .await
        .expect("audit events");
    rows.into_iter().filter(|e| e.position > seq).collect()
}

fn is_access_denial(e: &AuditEvent) -> bool {
    e.action.starts_with("access.") && e.outcome.key() == "denied"
}

// ---------------------------------------------------------------------------------------------
// Judging one answer.
// ---------------------------------------------------------------------------------------------

/// What a cell should answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Want {
    Allow,
    /// Refused by the guard (401, 403, or the sign-in page), and recorded.
    Deny,
    /// The landing page sends a visitor to sign in: navigation, nothing recorded.
    SentToSignIn,
    /// Past the guard, but the id is not the caller's to see: 404, recorded as a refusal.
    NotFound,
}

impl From<Expect> for Want {
    fn from(e: Expect) -> Self {
        match e {
            Expect::Allow => Want::Allow,
            Expect::Deny => Want::Deny,
            Expect::SentToSignIn => Want::SentToSignIn,
        }
    }
}

#[derive(Default)]
struct Tally {
    cells: usize,
    allowed: usize,
    refusals: usize,
    not_found: usize,
    effects: usize,
    probes: usize,
    references: usize,
    anonymous_refusals: usize,
    anonymous_first_events: usize,
}

/// Everything about one request the judge needs.
struct Asked<'a> {
    cell: String,
    spec: &'a RouteSpec,
    want: Want,
    /// The partnership in the path, if the route has one.
    partnership: Option<&'a str>,
    /// The value of the path's last placeholder, when the path ends with one.
    last_id: Option<&'a str>,
}

fn judge(a: &Asked, c: &Caller, r: &Page, events: &[AuditEvent], tally: &mut Tally) -> Vec<String> {
    let mut problems = Vec::new();
    let cell = format!("{}: {} {}", a.cell, r.status, r.location().unwrap_or(""));
    let route = format!("{} {}", a.spec.method, a.spec.path);
    let access: Vec<&AuditEvent> = events.iter().filter(|e| is_access_denial(e)).collect();
    let written: Vec<&String> = events
        .iter()
        .filter(|e| e.outcome.key() == "success")
        .map(|e| &e.action)
        .collect();
    let identified = c.identified(a.spec.surface);
    if r.status >= 500 {
        problems.push(format!("SERVER ERROR     {cell}"));
    }
    match a.want {
        Want::Allow => {
            tally.allowed += 1;
            let (statuses, kind) = answer_of(a.spec).expect("an answer for every route");
            if !statuses.contains(&r.status) {
                let what = if matches!(r.status, 401 | 403) || looks_denied(r) {
                    "UNEXPECTED DENY "
                } else {
                    "UNEXPECTED ANSWER"
                };
                problems.push(format!("{what} {cell} (documented: {statuses:?})"));
            } else if let Err(m) = answer_matches(a, c, r, kind) {
                problems.push(format!("WRONG ANSWER     {cell}: {m}"));
            }
            if !access.is_empty() {
                problems.push(format!(
                    "REFUSAL RECORDED FOR AN ANSWERED REQUEST {cell}: {:?}",
                    access.iter().map(|e| &e.action).collect::<Vec<_>>()
                ));
            }
        }
        Want::NotFound => {
            tally.not_found += 1;
            if r.status != 404 {
                let what = if (200..400).contains(&r.status) && !looks_denied(r) {
                    "LEAK             "
                } else {
                    "NOT A NOT-FOUND  "
                };
                problems.push(format!("{what}{cell}"));
            } else {
                let ok = access.len() == 1
                    && access[0].action == "access.not-found"
                    && access[0].object_id.as_deref() == Some(route.as_str())
                    && access[0].actor.map(|u| u.to_string()) == c.user_id
                    && access[0].partnership.map(|p| p.to_string()).as_deref() == a.partnership;
                if !ok {
                    problems.push(format!(
                        "NOT-FOUND NOT RECORDED AS ONE REFUSAL {cell}: {:?}",
                        summary(events)
                    ));
                }
            }
            if !written.is_empty() {
                problems.push(format!("WROTE ON A REFUSED REQUEST {cell}: {written:?}"));
            }
        }
        Want::Deny => {
            tally.refusals += 1;
            let refused = match (a.spec.surface, identified) {
                (Surface::Page, false) => r.status == 303 && r.location() == Some("/sign-in"),
                (Surface::Page, true) | (Surface::Api, true) => r.status == 403,
                (Surface::Api, false) => r.status == 401,
            };
            if !refused {
                let what = if looks_denied(r) || r.status == 404 {
                    "WRONG REFUSAL    "
                } else {
                    "UNEXPECTED ALLOW "
                };
                problems.push(format!("{what}{cell}"));
            }
            if identified {
                let ok = access.len() == 1
                    && access[0].object_id.as_deref() == Some(route.as_str())
                    && access[0].actor.map(|u| u.to_string()) == c.user_id
                    && access[0].partnership.map(|p| p.to_string()).as_deref() == a.partnership
                    && access[0].action != "access.not-found";
                if !ok {
                    problems.push(format!(
                        "REFUSAL NOT RECORDED ONCE {cell}: {:?}",
                        summary(events)
                    ));
                }
            } else {
                // Refusals of nobody signed in are counted per address: the first of the
                // window is written at once, the rest later as one aggregate.
                tally.anonymous_refusals += 1;
                let ok = access.is_empty()
                    || (access.len() == 1
                        && access[0].action == "access.not-signed-in"
                        && access[0].actor.is_none()
                        && access[0].object_id.as_deref() == Some(route.as_str()));
                tally.anonymous_first_events += access.len();
                if !ok {
                    problems.push(format!(
                        "ANONYMOUS REFUSAL RECORDED WRONGLY {cell}: {:?}",
                        summary(events)
                    ));
                }
            }
            if !written.is_empty() {
                problems.push(format!("WROTE ON A REFUSED REQUEST {cell}: {written:?}"));
            }
        }
        Want::SentToSignIn => {
            if !(r.status == 303 && r.location() == Some("/sign-in")) {
                problems.push(format!("NOT SENT TO SIGN IN {cell}"));
            }
            if !events.is_empty() {
                problems.push(format!("NAVIGATION RECORDED {cell}: {:?}", summary(events)));
            }
        }
    }
    problems
}

fn summary(events: &[AuditEvent]) -> Vec<(String, String, Option<String>)> {
    events
        .iter()
        .map(|e| {
            (
                e.action.clone(),
                e.outcome.key().to_owned(),
                e.object_id.clone(),
            )
        })
        .collect()
}

/// "Denied" means: 401, 403, or a redirect into signing in.
fn looks_denied(r: &Page) -> bool {
    r.status == 401
        || r.status == 403
        || ((300..400).contains(&r.status)
            && r.location().is_some_and(|l| l.starts_with("/sign-in")))
}

/// Whether an allowed answer carries what the route documents.
fn answer_matches(a: &Asked, c: &Caller, r: &Page, kind: Kind) -> Result<(), String> {
    let content_type = r.header("content-type").unwrap_or("");
    let html = || {
        if content_type.starts_with("text/html") && r.body.contains("<html") {
            Ok(())
        } else {
            Err(format!("not an HTML page ({content_type})"))
        }
    };
    let json = || match serde_json::from_str::<Value>(&r.body) {
        Ok(v) if content_type.starts_with("application/json") => Ok(v),
        _ => Err(format!("not a JSON document ({content_type})")),
    };
    if r.status >= 400 {
        // A documented refusal of the empty form: a page on pages, an error document on the
        // API, and never a refusal of the caller.
        return match a.spec.surface {
            Surface::Page => html(),
            Surface::Api => json().map(|_| ()),
        };
    }
    match kind {
        Kind::Any => {}
        Kind::Html => html()?,
        Kind::Json => {
            let v = json()?;
            if a.spec.path == "/api/v1/me" && v["user_id"].as_str() != c.user_id.as_deref() {
                return Err(format!("/me names {:?}", v["user_id"]));
            }
        }
        Kind::File(t) => {
            if !content_type.starts_with(t) || r.body.is_empty() {
                return Err(format!("not a {t} download ({content_type})"));
            }
        }
        Kind::Redirect(to) => {
            let to = to.replace("{partnership}", a.partnership.unwrap_or(""));
            if !(r.status == 303 && r.location().is_some_and(|l| l.starts_with(&to))) {
                return Err(format!("not a redirect to {to}"));
            }
        }
        Kind::Nothing => {
            if r.status != 204 || !r.body.is_empty() {
                return Err("not 204 with nothing".into());
            }
        }
        Kind::SignInForm => {
            if c.session.is_some() {
                if r.location() != Some("/home") {
                    return Err("someone signed in is not sent home".into());
                }
            } else if r.status != 200 {
                return Err("no sign-in form".into());
            } else {
                html()?;
            }
        }
    }
    // A read of one object answers that object.
    if r.status == 200 && matches!(kind, Kind::Html | Kind::Json) {
        if let Some(id) = a.last_id {
            if !r.body.contains(id) {
                return Err(format!("the answer does not mention {id}"));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Ids for each cell.
// ---------------------------------------------------------------------------------------------

/// The value of the placeholder a pattern ends with, if it ends with one.
fn last_placeholder(pattern: &str) -> Option<&str> {
    let last = pattern.rsplit('/').next()?;
    (last.starts_with('{') && last.ends_with('}')).then_some(last)
}

fn acts_on_approval(pattern: &str) -> bool {
    pattern.ends_with("/approve") || pattern.ends_with("/approval")
}

/// The concrete path of one cell, the object it may change, and what it should answer. Own
/// partnership: Riverton's real ids (and fresh objects where an allowed call consumes one).
/// Other partnership: Eastvale's real ids.
async fn resolve(
    s: &Server,
    w: &World,
    fx: &mut Fixtures,
    spec: &RouteSpec,
    target: Option<Target>,
    c: &Caller,
    want: Want,
) -> (String, Option<Obj>, Want, Option<String>) {
    let own = target != Some(Target::Other);
    let (partnership, pid) = if own {
        (&w.riverton, w.riverton_pid)
    } else {
        (&w.eastvale, w.eastvale_pid)
    };
    let label = c.who.label();
    let mut want = want;
    let mut obj = None;
    let mut assessment = match (own, acts_on_approval(spec.path)) {
        (true, _) => w.riverton_draft.clone(),
        (false, true) => w.eastvale_submitted.clone(),
        (false, false) => w.eastvale_draft.clone(),
    };
    let mut membership = if own {
        w.riverton_membership.clone()
    } else {
        w.eastvale_membership.clone()
    };
    let mut token = String::new();
    let mut invitation = String::new();
    let mut case = if own {
        w.riverton_case.clone()
    } else {
        w.eastvale_case.clone()
    };
    match fixture_of(spec) {
        Some(Fixture::OwnToken) => match (&c.session, c.who) {
            (Some(session), Who::Member(role)) => {
                let id = match fx.tokens.get(&label) {
                    Some(t) => t.clone(),
                    None => {
                        let (id, _) = make_token(s, session, &w.riverton, role, "spare").await;
                        fx.tokens.insert(label.clone(), id.clone());
                        id
                    }
                };
                obj = Some(Obj::Token {
                    user: c.user_id.clone().expect("member's id"),
                    id: id.clone(),
                });
                token = id;
            }
            // Nobody signed in is given a real token of someone else.
            (None, _) => {
                token = w.eastvale_token.clone();
                obj = Some(Obj::Token {
                    user: w.eastvale_admin.clone(),
                    id: token.clone(),
                });
            }
            // Accounts without a role cannot have a token: any id is someone else's or none.
            (Some(_), _) => {
                token = uuid::Uuid::new_v4().to_string();
                if want == Want::Allow {
                    want = Want::NotFound;
                }
            }
        },
        Some(Fixture::OwnInvitation) => {
            if c.session.is_some() {
                let id = match fx.invitations.get(&label) {
                    Some(i) => i.clone(),
                    None => {
                        let id = w.invitation_for(s, c.email).await;
                        fx.invitations.insert(label.clone(), id.clone());
                        id
                    }
                };
                obj = Some(Obj::Invitation {
                    partnership: w.riverton_pid,
                    id: id.clone(),
                });
                invitation = id;
            } else {
                invitation = w.eastvale_invitation.clone();
                obj = Some(Obj::Invitation {
                    partnership: w.eastvale_pid,
                    id: invitation.clone(),
                });
            }
        }
        Some(Fixture::SpareMembership) => {
            let id = match fx.spare.get(&own) {
                Some(m) => m.clone(),
                None => {
                    let (email, org) = if own {
                        (RIVERTON_SPARE, &w.riverton_org)
                    } else {
                        (EASTVALE_SPARE, &w.eastvale_org)
                    };
                    let id =
                        matrix_world::console_add_member(s, pid, email, org, Role::Contributor)
                            .await;
                    fx.spare.insert(own, id.clone());
                    id
                }
            };
            obj = Some(Obj::Membership {
                partnership: pid,
                id: id.clone(),
            });
            membership = id;
        }
        Some(Fixture::Assessment(state)) if own => {
            let id = match fx.assessments.get(state) {
                Some(a) => a.clone(),
                None => {
                    let id = w.riverton_assessment_in(s, state).await;
                    fx.assessments.insert(state, id.clone());
                    id
                }
            };
            obj = Some(Obj::Assessment { id: id.clone() });
            assessment = id;
        }
        Some(Fixture::Assessment(_)) => {}
        Some(Fixture::SpareUser) => {
            obj = Some(Obj::User {
                email: RIVERTON_SPARE,
            })
        }
        Some(Fixture::OwnReferral) if own => {
            if let (Some(user), Who::Member(role)) = (&c.user_id, c.who) {
                let made = match fx.referrals.get(&label) {
                    Some(id) => Some(id.clone()),
                    None => matrix_world::refer_as(s, user, pid, role, "Matrix Referral").await,
                };
                if let Some(id) = made {
                    fx.referrals.insert(label.clone(), id.clone());
                    case = id;
                }
            }
        }
        Some(Fixture::OwnReferral) => {}
        None => {}
    }
    // A panel route names a case on the meeting's agenda; the Channel routes the world's
    // referral (or the caller's own).
    let case = if own && spec.path.contains("{meeting}") {
        w.riverton_panel_case.clone()
    } else {
        case
    };
    let values: [(&str, &str); 15] = [
        ("{partnership}", partnership),
        ("{meeting}", &w.riverton_meeting),
        ("{case}", &case),
        ("{assessment}", &assessment),
        (
            "{question}",
            if own {
                RIVERTON_QUESTION
            } else {
                EASTVALE_QUESTION
            },
        ),
        (
            "{evidence}",
            if own {
                &w.riverton_file
            } else {
                &w.eastvale_file
            },
        ),
        (
            "{action}",
            if own {
                &w.riverton_action
            } else {
                &w.eastvale_action
            },
        ),
        ("{membership}", &membership),
        ("{organisation}", &w.riverton_org),
        ("{id}", &w.riverton),
        ("{user}", &w.riverton_spare_user),
        ("{token}", &token),
        ("{invitation}", &invitation),
        ("{answer}", "decline"),
        ("{none}", ""),
    ];
    let last = last_placeholder(spec.path).and_then(|p| {
        values
            .iter()
            .find(|(k, _)| *k == p)
            .map(|(_, v)| (*v).to_owned())
    });
    (fill(spec.path, &values), obj, want, last)
}

fn consume(fx: &mut Fixtures, f: Fixture, label: &str, own: bool) {
    match f {
        Fixture::OwnToken => {
            fx.tokens.remove(label);
        }
        Fixture::OwnInvitation => {
            fx.invitations.remove(label);
        }
        Fixture::SpareMembership => {
            fx.spare.remove(&own);
        }
        Fixture::Assessment(state) => {
            fx.assessments.remove(state);
        }
        Fixture::SpareUser | Fixture::OwnReferral => {}
    }
}

/// A request through the own partnership's routes that names a real object of Eastvale in its
/// path, with a body that would work on an object of the own partnership.
struct Probe {
    spec: RouteSpec,
    path: String,
    payload: Payload,
}

fn foreign_probes(w: &World) -> Vec<Probe> {
    let owned = [
        "{assessment}",
        "{action}",
        "{evidence}",
        "{membership}",
        "{token}",
        "{invitation}",
        "{case}",
    ];
    let version = w.eastvale_answer_version.to_string();
    let mut out = Vec::new();
    for spec in specs() {
        if skipped(&spec) || !owned.iter().any(|p| spec.path.contains(p)) {
            continue;
        }
        let assessment = if acts_on_approval(spec.path) {
            &w.eastvale_submitted
        } else {
            &w.eastvale_draft
        };
        let path = fill(
            spec.path,
            &[
                ("{partnership}", &w.riverton),
                ("{assessment}", assessment),
                ("{question}", EASTVALE_QUESTION),
                ("{evidence}", &w.eastvale_file),
                ("{action}", &w.eastvale_action),
                ("{membership}", &w.eastvale_membership),
                ("{token}", &w.eastvale_token),
                ("{invitation}", &w.eastvale_invitation),
                ("{answer}", "accept"),
                ("{case}", &w.eastvale_case),
                // Eastvale has no panel: its case through Riverton's meeting.
                ("{meeting}", &w.riverton_meeting),
            ],
        );
        let p = spec.path;
        let form = |f: &[(&'static str, &str)]| {
            Payload::Form(f.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
        };
        let payload = match (spec.surface, spec.method.as_str()) {
            (Surface::Page, "POST") if p.ends_with("/role") => form(&[("role", "auditor")]),
            (Surface::Page, "POST") if p.ends_with("/remove") || p.ends_with("/revoke") => {
                form(&[("confirm", "yes")])
            }
            (Surface::Page, "POST") if p.ends_with("/questions/{question}") => form(&[
                ("rating", "not-yet-started"),
                ("details", "Written through another partnership's route"),
                ("version", &version),
            ]),
            (Surface::Page, "POST") if p.ends_with("/upgrade") => form(&[("to_version", "1")]),
            (Surface::Page, "POST") if p.ends_with("/reopen") => {
                form(&[("reason", "Reopened through another partnership's route")])
            }
            (Surface::Page, "POST") if p.ends_with("/actions") => form(&[
                ("title", "An action through another partnership's route"),
                ("owner_id", &w.riverton_lead),
                ("due_date", "2027-01-31"),
                ("question_id", EASTVALE_QUESTION),
            ]),
            (Surface::Page, "POST") if p.ends_with("/actions/{action}/edit") => form(&[
                ("title", "Changed through another partnership's route"),
                ("owner_id", &w.riverton_lead),
                ("due_date", "2027-02-28"),
                ("status", "in-progress"),
                ("version", "1"),
            ]),
            (Surface::Page, "POST") if p.ends_with("/actions/{action}/close") => form(&[
                ("closing_note", "Closed through another partnership's route"),
                ("version", "1"),
            ]),
            (Surface::Page, "POST") if p.ends_with("/import") => Payload::Upload(
                Vec::new(),
                Some(("answers.xlsx", b"PK\x03\x04 not a workbook".to_vec())),
            ),
            (Surface::Page, "POST") if p.ends_with("/evidence") => Payload::Upload(
                vec![
                    (
                        "title",
                        "Evidence through another partnership's route".into(),
                    ),
                    ("kind", "link".into()),
                    ("url", "https://riverton.example/planted".into()),
                    ("marking", "official".into()),
                ],
                None,
            ),
            (Surface::Page, "POST") if p.ends_with("/evidence/link") => {
                form(&[("evidence_id", &w.riverton_file)])
            }
            (Surface::Page, "POST") if p.ends_with("/assign") => {
                form(&[("target", "b1"), ("organisation_id", &w.riverton_org)])
            }
            (Surface::Page, "POST") if p.ends_with("/comments") => {
                form(&[("comment", "A comment through another partnership's route")])
            }
            (Surface::Page, "POST") if p.ends_with("/exceptional-access") => {
                form(&[("reason", "Opened through another partnership's route")])
            }
            (Surface::Page, "POST") if p.ends_with("/officer") => {
                form(&[("officer", &w.riverton_case_officer)])
            }
            (Surface::Page, "POST") if p.ends_with("/deconfliction") => form(&[
                ("on-day", "1"),
                ("on-month", "12"),
                ("on-year", "2026"),
                ("with_whom", "Counter Terrorism Policing"),
                ("result", "no-conflict"),
            ]),
            (Surface::Page, "POST") if p.ends_with("/cases/{case}/information") => form(&[
                ("source", "Another partnership's route"),
                ("received-day", "1"),
                ("received-month", "12"),
                ("received-year", "2026"),
                ("narrative", "Written through another partnership's route"),
            ]),
            (Surface::Page, "POST")
                if p.ends_with("/outcome") || p.ends_with("/outcome/confirm") =>
            {
                form(&[
                    ("outcome", "no-further-action"),
                    ("reasons", "Decided through another partnership's route"),
                    ("version", "1"),
                ])
            }
            (Surface::Page, "POST") if p.ends_with("/attach") => {
                form(&[("to", &w.riverton_case), ("confirm", "yes")])
            }
            (Surface::Api, "PUT") if p.ends_with("/officer") => {
                Payload::Json(json!({"officer": w.riverton_case_officer}))
            }
            (Surface::Api, "POST") if p.ends_with("/exceptional-access") => {
                Payload::Json(json!({"reason": "Opened through another partnership's route"}))
            }
            (Surface::Api, "POST") if p.ends_with("/deconflictions") => Payload::Json(json!({
                "on": "2026-12-01",
                "with_whom": "Counter Terrorism Policing",
                "result": "no-conflict",
            })),
            (Surface::Api, "POST") if p.ends_with("/cases/{case}/information") => {
                Payload::Json(json!({
                    "source": "Another partnership's route",
                    "received": "2026-12-01",
                    "narrative": "Written through another partnership's route",
                }))
            }
            (Surface::Api, "POST") if p.ends_with("/outcome") => Payload::Json(json!({
                "version": 1,
                "outcome": "no-further-action",
                "reasons": "Decided through another partnership's route",
            })),
            (Surface::Api, "PUT") => Payload::Json(json!({
                "rating": "not-yet-started",
                "details": "Written through another partnership's route",
                "version": w.eastvale_answer_version,
            })),
            (Surface::Api, "POST") if p.ends_with("/evidence") => Payload::Json(json!({
                "title": "Evidence through another partnership's route",
                "kind": "link",
                "url": "https://riverton.example/planted",
                "marking": "official",
            })),
            (Surface::Api, "POST") if p.ends_with("/comments") => {
                Payload::Json(json!({"body": "A comment through another partnership's route"}))
            }
            (Surface::Api, "POST") if p.ends_with("/upgrade") => {
                Payload::Json(json!({"to_version": 1}))
            }
            (Surface::Api, "POST") if p.ends_with("/import") => {
                Payload::Json(json!({"file": "UEsDBCBub3QgYSB3b3JrYm9vaw=="}))
            }
            (Surface::Api, "POST") if p.ends_with("/transitions") => {
                Payload::Json(json!({"action": "submit"}))
            }
            (Surface::Api, "PATCH") => Payload::Json(json!({"role": "auditor"})),
            _ => Payload::Empty,
        };
        out.push(Probe {
            spec,
            path,
            payload,
        });
    }
    out
}

fn spec_for(method: &str, pattern: &str) -> RouteSpec {
    specs()
        .into_iter()
        .find(|s| s.method == method && s.path == pattern)
        .unwrap_or_else(|| panic!("no route {method} {pattern}"))
}

/// Ids of Eastvale given in the bodies of the own partnership's forms and API calls (an
/// evidence item to link, an owner, an organisation, an earlier assessment, a partnership to
/// work in): each must be refused without writing anything. Some are recorded as refusals
/// by the use case (the action named).
fn foreign_references(w: &World) -> Vec<(RouteSpec, String, Payload, Option<&'static str>)> {
    let r = &w.riverton;
    let question = format!(
        "/p/{r}/assessments/{}/questions/{RIVERTON_QUESTION}",
        w.riverton_draft
    );
    let assessment = format!("/p/{r}/assessments/{}", w.riverton_draft);
    let new_assessment = |extra: (&'static str, String)| {
        Payload::Form(vec![
            (
                "title",
                "Started from another partnership's assessment".into(),
            ),
            ("framework", "prevent-duty-benchmark".into()),
            ("period_start", "2028-04-01".into()),
            ("period_end", "2029-03-31".into()),
            extra,
        ])
    };
    vec![
        (
            spec_for(
                "POST",
                "/p/{partnership}/assessments/{assessment}/questions/{question}/evidence/link",
            ),
            format!("{question}/evidence/link"),
            Payload::Form(vec![("evidence_id", w.eastvale_link.clone())]),
            Some("evidence.link"),
        ),
        (
            spec_for(
                "POST",
                "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/evidence",
            ),
            format!(
                "/api/v1/partnerships/{r}/assessments/{}/responses/{RIVERTON_QUESTION}/evidence",
                w.riverton_draft
            ),
            Payload::Json(json!({"evidence_id": w.eastvale_file})),
            Some("evidence.link"),
        ),
        (
            spec_for("POST", "/p/{partnership}/assessments/{assessment}/actions"),
            format!("{assessment}/actions"),
            Payload::Form(vec![
                ("title", "Owned by another partnership's member".into()),
                ("owner_id", w.eastvale_lead.clone()),
                ("due_date", "2027-01-31".into()),
                ("question_id", RIVERTON_QUESTION.into()),
            ]),
            None,
        ),
        (
            spec_for("POST", "/p/{partnership}/assessments/{assessment}/assign"),
            format!("{assessment}/assign"),
            Payload::Form(vec![
                ("target", "b1".into()),
                ("organisation_id", w.eastvale_org.clone()),
            ]),
            None,
        ),
        (
            spec_for("POST", "/p/{partnership}/assessments/{assessment}/assign"),
            format!("{assessment}/assign"),
            Payload::Form(vec![
                ("target", "b1".into()),
                ("user_id", w.eastvale_lead.clone()),
            ]),
            None,
        ),
        (
            spec_for("POST", "/p/{partnership}/assessments"),
            format!("/p/{r}/assessments"),
            new_assessment(("previous_id", w.eastvale_draft.clone())),
            None,
        ),
        (
            spec_for("POST", "/p/{partnership}/assessments"),
            format!("/p/{r}/assessments"),
            new_assessment(("organisation_id", w.eastvale_org.clone())),
            None,
        ),
        (
            spec_for("POST", "/api/v1/partnerships/{partnership}/assessments"),
            format!("/api/v1/partnerships/{r}/assessments"),
            Payload::Json(json!({
                "title": "Started from another partnership's assessment",
                "framework": "prevent-duty-benchmark",
                "period_start": "2028-04-01",
                "period_end": "2029-03-31",
                "previous_id": w.eastvale_draft,
            })),
            None,
        ),
        (
            spec_for("POST", "/partnerships/switch"),
            "/partnerships/switch".into(),
            Payload::Form(vec![("partnership", w.eastvale.clone())]),
            None,
        ),
        (
            spec_for("POST", "/account/tokens"),
            "/account/tokens".into(),
            Payload::Form(vec![
                ("name", "A token for another partnership".into()),
                ("days", "30".into()),
                ("scope", format!("{}|prevent-lead", w.eastvale)),
            ]),
            None,
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_specification_covers_every_route_and_every_role() {
    let declared: BTreeSet<(String, String)> = specs()
        .iter()
        .map(|s| (s.method.to_string(), s.path.to_owned()))
        .collect();
    let written: BTreeSet<(String, String)> = SPEC
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(
        SPEC.len(),
        written.len(),
        "the specification lists a route twice"
    );
    let missing: Vec<_> = declared.difference(&written).collect();
    let extra: Vec<_> = written.difference(&declared).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "routes without a line in this test's specification: {missing:?}; lines for routes that do not exist: {extra:?}"
    );
    // Every route in the matrix has its allowed answer written down, once.
    let answered: BTreeSet<(String, String)> = ANSWERS
        .iter()
        .map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(ANSWERS.len(), answered.len(), "an answer is listed twice");
    for s in specs() {
        let listed = answered.contains(&(s.method.to_string(), s.path.to_owned()));
        assert_eq!(
            listed,
            !skipped(&s),
            "{} {}: the answers list every route of the matrix, and only those",
            s.method,
            s.path
        );
    }
    // The sign-in steps are exactly the routes declared for a half-signed-in session.
    for s in specs() {
        assert_eq!(
            rule_of(&s) == Some(Rule::SignInStep),
            s.access == Access::MfaPending,
            "{} {}",
            s.method,
            s.path
        );
        if let Some(Rule::Needs(p)) = rule_of(&s) {
            if holders(p).reach == Reach::Partnership {
                assert!(
                    s.path.contains("{partnership}"),
                    "{} {} acts in a partnership",
                    s.method,
                    s.path
                );
            }
        }
    }
    let roles: BTreeSet<Role> = RIVERTON_PEOPLE.iter().map(|(_, r)| *r).collect();
    assert_eq!(
        roles,
        Role::ALL.into_iter().collect::<BTreeSet<_>>(),
        "one demonstration account per role"
    );
}

async fn create_no_member_account(s: &Server, organisation: &str) {
    let g = console_grant(Permission::UserManage, Scope::Platform);
    s.app
        .create_user(
            &g,
            &NewUser {
                email: NO_MEMBER.into(),
                display_name: "Nell Nomember".into(),
                organisation_id: organisation.into(),
                password: DEMO_PASSWORD.into(),
                clearance: "official".into(),
                system_admin: false,
            },
            &RequestContext::console(),
        )
        .await
        .expect("create account without membership");
}

/// Everyone the matrix asks as: nobody, one account per Riverton role (with a token for that
/// role), the system administrator and an account without any membership.
async fn callers(s: &Server, w: &World) -> Vec<Caller> {
    let mut out = Vec::new();
    let mut anon = s.browser();
    let csrf = anon
        .get("/sign-in")
        .await
        .csrf()
        .expect("pre-sign-in CSRF token");
    out.push(Caller {
        who: Who::Anonymous,
        email: "",
        user_id: None,
        browser: anon,
        csrf,
        token: None,
        session: None,
    });
    let mut people: Vec<(&'static str, Who)> = RIVERTON_PEOPLE
        .iter()
        .map(|(e, r)| (*e, Who::Member(*r)))
        .collect();
    people.push((SYSADMIN, Who::SystemAdmin));
    people.push((NO_MEMBER, Who::NoMember));
    for (email, who) in people {
        let mut b = s.signed_in(email).await;
        let csrf = b
            .get("/account")
            .await
            .csrf()
            .expect("CSRF token on /account");
        let cookie = b.cookies.get("pk_session").expect("session cookie").clone();
        let session = session_of(s, &cookie).await;
        let token = match who {
            Who::Member(role) => Some(make_token(s, &session, &w.riverton, role, "matrix").await.1),
            _ => None,
        };
        out.push(Caller {
            who,
            email,
            user_id: Some(session.user.id.to_string()),
            browser: b,
            csrf,
            token,
            session: Some(session),
        });
    }
    out
}

#[each_engine]
async fn every_route_answers_every_actor_as_the_specification_says(engine: Engine) {
    let mut problems: Vec<String> = Vec::new();
    let started = Instant::now();
    let e = engine.name();
    let s = Server::start(&engine).await;
    let w = World::build(&s).await;
    create_no_member_account(&s, &w.riverton_org).await;
    let mut callers = callers(&s, &w).await;
    let eastvale_before = w.eastvale_snapshot(&s).await;
    // The snapshot holds every kind of Eastvale object the probes aim at.
    for key in [
        format!("assessment {}", w.eastvale_draft),
        format!("assessment {}", w.eastvale_submitted),
        format!("answer {} {EASTVALE_QUESTION}", w.eastvale_draft),
        format!("comments {} {EASTVALE_QUESTION}", w.eastvale_draft),
        format!("evidence {}", w.eastvale_link),
        format!("evidence {}", w.eastvale_file),
        format!("action {}", w.eastvale_action),
        format!("membership {}", w.eastvale_membership),
        format!("token {}", w.eastvale_token),
        format!("invitation {}", w.eastvale_invitation),
    ] {
        assert!(
            eastvale_before.contains_key(&key),
            "[{e}] no {key} in the snapshot"
        );
    }
    let mut fx = Fixtures::default();
    fx.spare.insert(true, w.riverton_spare_membership.clone());
    fx.spare.insert(false, w.eastvale_spare_membership.clone());
    let mut t = Tally::default();

    // 1. Every route, every actor, own and other partnership.
    for spec in specs() {
        if skipped(&spec) {
            continue;
        }
        let rule =
            rule_of(&spec).unwrap_or_else(|| panic!("no rule for {} {}", spec.method, spec.path));
        let targets = if spec.path.contains("{partnership}") {
            vec![Some(Target::Own), Some(Target::Other)]
        } else {
            vec![None]
        };
        for target in targets {
            for c in callers.iter_mut() {
                let held = match spec.surface {
                    Surface::Page => held_on_pages(c.who),
                    Surface::Api => held_on_api(c.who),
                };
                let want = Want::from(expect(rule, held, target));
                let (path, obj, want, last) =
                    resolve(&s, &w, &mut fx, &spec, target, c, want).await;
                let before_state = match &obj {
                    Some(o) => Some(state_of(&s, &w, o).await),
                    None => None,
                };
                let before = newest_seq(&s).await;
                let r = send(&s, c, &spec, &path, &own_payload(&spec)).await;
                let events = events_since(&s, before).await;
                t.cells += 1;
                let own = target != Some(Target::Other);
                let partnership = spec
                    .path
                    .contains("{partnership}")
                    .then_some(if own { &w.riverton } else { &w.eastvale })
                    .map(String::as_str);
                let asked = Asked {
                    cell: format!(
                        "[{e}] {} {} ({}) as {}",
                        spec.method,
                        spec.path,
                        match target {
                            Some(Target::Own) => "own",
                            Some(Target::Other) => "other",
                            None => "-",
                        },
                        c.who.label()
                    ),
                    spec: &spec,
                    want,
                    partnership,
                    last_id: last.as_deref(),
                };
                problems.extend(judge(&asked, c, &r, &events, &mut t));
                if let (Some(o), Some(before_state)) = (&obj, before_state) {
                    let after = state_of(&s, &w, o).await;
                    t.effects += 1;
                    let succeeded = want == Want::Allow && (200..400).contains(&r.status);
                    let wanted = match effect_of(&spec) {
                        Some(e) if succeeded => e.to_owned(),
                        _ => before_state.clone(),
                    };
                    if after != wanted {
                        problems.push(format!(
                                "WRONG EFFECT     {}: {:?} went from {before_state} to {after}, not {wanted}",
                                asked.cell, o
                            ));
                    }
                    if after != before_state {
                        let f = fixture_of(&spec).expect("a fixture");
                        consume(&mut fx, f, &c.who.label(), own);
                    }
                }
            }
        }
    }
    let matrix_time = started.elapsed();
    let in_matrix = (t.allowed, t.refusals, t.not_found);

    // 2. Eastvale's real ids through Riverton's routes, by everyone.
    for probe in foreign_probes(&w) {
        let spec = &probe.spec;
        let rule = rule_of(spec).expect("rule");
        let target = spec.path.contains("{partnership}").then_some(Target::Own);
        for c in callers.iter_mut() {
            let held = match spec.surface {
                Surface::Page => held_on_pages(c.who),
                Surface::Api => held_on_api(c.who),
            };
            let want = match Want::from(expect(rule, held, target)) {
                Want::Allow => Want::NotFound,
                other => other,
            };
            let before = newest_seq(&s).await;
            let r = send(&s, c, spec, &probe.path, &probe.payload).await;
            let events = events_since(&s, before).await;
            t.probes += 1;
            let asked = Asked {
                cell: format!(
                    "[{e}] FOREIGN ID {} {} as {}",
                    spec.method,
                    probe.path,
                    c.who.label()
                ),
                spec,
                want,
                partnership: target.map(|_| w.riverton.as_str()),
                last_id: None,
            };
            problems.extend(judge(&asked, c, &r, &events, &mut t));
        }
    }

    // 3. Eastvale's ids inside request bodies, by the Riverton lead (who may do each
    // thing with ids of Riverton).
    let lead = callers
        .iter_mut()
        .find(|c| c.who == Who::Member(Role::PreventLead))
        .expect("the lead");
    for (spec, path, payload, recorded) in foreign_references(&w) {
        let before = newest_seq(&s).await;
        let r = send(&s, lead, &spec, &path, &payload).await;
        let events = events_since(&s, before).await;
        t.references += 1;
        let cell = format!(
            "[{e}] FOREIGN REFERENCE {} {path} {payload:?}: {}",
            spec.method, r.status
        );
        if !matches!(r.status, 403 | 404 | 422) {
            problems.push(format!("NOT REFUSED      {cell}"));
        }
        let written: Vec<&String> = events
            .iter()
            .filter(|e| e.outcome.key() == "success")
            .map(|e| &e.action)
            .collect();
        if !written.is_empty() {
            problems.push(format!("WROTE            {cell}: {written:?}"));
        }
        if let Some(action) = recorded {
            if !events
                .iter()
                .any(|e| e.action == action && e.outcome.key() == "denied")
            {
                problems.push(format!("NOT RECORDED     {cell}: {:?}", summary(&events)));
            }
        }
    }

    // 4. Nobody signed in: every refusal happened (judged above); the first is in the log,
    // the rest are one aggregate with their number once the window is written out.
    let before = newest_seq(&s).await;
    s.app
        .flush_anonymous_refusals(true)
        .await
        .expect("write the anonymous refusals");
    let aggregate: Vec<AuditEvent> = events_since(&s, before)
        .await
        .into_iter()
        .filter(|e| e.action == "access.not-signed-in-repeated")
        .collect();
    let rest = t.anonymous_refusals - t.anonymous_first_events;
    let counted_once = t.anonymous_first_events == 1
        && aggregate.len() == 1
        && aggregate[0].outcome.key() == "denied"
        && aggregate[0].actor.is_none()
        && aggregate[0].object_id.as_deref() == Some(rest.to_string().as_str());
    if !counted_once {
        problems.push(format!(
            "[{e}] ANONYMOUS REFUSALS NOT COUNTED: {} refusals, {} written at once, aggregate {:?}",
            t.anonymous_refusals,
            t.anonymous_first_events,
            summary(&aggregate)
        ));
    }

    // 5. Eastvale is as it was.
    let eastvale_after = w.eastvale_snapshot(&s).await;
    for d in differences(&eastvale_before, &eastvale_after) {
        problems.push(format!("[{e}] EASTVALE CHANGED: {d}"));
    }

    eprintln!(
            "matrix [{e}]: {} cells ({} allowed answers checked, {} refusals, {} not-found; {} objects read back \
             before and after) in {:.1?}; {} foreign-id probes ({} refused, {} not found); {} foreign references \
             in bodies; {} anonymous refusals counted; {} Eastvale records compared; {:.1?} in all",
            t.cells,
            in_matrix.0,
            in_matrix.1,
            in_matrix.2,
            t.effects,
            matrix_time,
            t.probes,
            t.refusals - in_matrix.1,
            t.not_found - in_matrix.2,
            t.references,
            t.anonymous_refusals,
            eastvale_before.len(),
            started.elapsed()
        );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[each_engine]
async fn sign_out_and_the_sign_in_steps(engine: Engine) {
    let sign_in_steps: Vec<RouteSpec> = specs()
        .into_iter()
        .filter(|s| s.access == Access::MfaPending)
        .collect();
    assert!(!sign_in_steps.is_empty());
    let s = Server::start(&engine).await;
    let e = engine.name();

    // Signing out without a session is refused like any signed-in route, and recorded.
    let mut anon = s.browser();
    let before = newest_seq(&s).await;
    let r = anon.post_raw("/sign-out", &[]).await;
    assert_eq!((r.status, r.location()), (303, Some("/sign-in")), "[{e}]");
    let events = events_since(&s, before).await;
    assert!(
        events.len() == 1
            && events[0].action == "access.not-signed-in"
            && events[0].outcome.key() == "denied"
            && events[0].object_id.as_deref() == Some("POST /sign-out"),
        "[{e}] {events:?}"
    );

    // Signing out ends the session on the server and clears the cookie.
    let mut b = s.signed_in("referrer@riverton.example").await;
    let cookie = b
        .cookies
        .get("pk_session")
        .cloned()
        .expect("session cookie");
    let csrf = b.get("/account").await.csrf().expect("csrf");
    let before = newest_seq(&s).await;
    let r = b.post_raw("/sign-out", &[("csrf_token", &csrf)]).await;
    assert_eq!((r.status, r.location()), (303, Some("/sign-in")), "[{e}]");
    let cleared = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("pk_session=;") && v.contains("Max-Age=0"));
    assert!(cleared, "[{e}] the session cookie is cleared");
    let events = events_since(&s, before).await;
    assert!(
        events
            .iter()
            .any(|ev| ev.action == "session.sign-out" && ev.outcome.key() == "success"),
        "[{e}] {events:?}"
    );
    assert!(
        events.iter().all(|ev| !is_access_denial(ev)),
        "[{e}] {events:?}"
    );
    // (A session that has ended is nobody signed in: this refusal is counted below.)
    let mut old = s.browser();
    old.set_cookie("pk_session", &cookie);
    let r = old.get("/account").await;
    assert_eq!(
        r.location(),
        Some("/sign-in"),
        "[{e}] the old session no longer works"
    );

    // The sign-in steps: a fully signed-in person is sent home (not a refusal, nothing
    // recorded); nobody signed in is sent to sign in, and the refusals are counted for the
    // source address. The window's first refusal (signing out, above) is in the log
    // already, so these are written only as one aggregate with their number.
    let mut full = s.signed_in("auditor@riverton.example").await;
    let csrf = full.get("/account").await.csrf().expect("csrf");
    let mut anon = s.browser();
    let anon_csrf = anon.get("/sign-in").await.csrf().expect("csrf");
    // The ended session's request above, then each sign-in step below.
    let mut anonymous = 1usize;
    for step in &sign_in_steps {
        for (b, csrf, to, anonymous_refusal) in [
            (&mut full, &csrf, "/home", false),
            (&mut anon, &anon_csrf, "/sign-in", true),
        ] {
            let before = newest_seq(&s).await;
            let r = if step.method == "POST" {
                b.post_raw(step.path, &[("csrf_token", csrf)]).await
            } else {
                b.get(step.path).await
            };
            assert_eq!(
                (r.status, r.location()),
                (303, Some(to)),
                "[{e}] {} {}",
                step.method,
                step.path
            );
            let denials = events_since(&s, before)
                .await
                .into_iter()
                .filter(is_access_denial)
                .count();
            assert_eq!(denials, 0, "[{e}] {} {}", step.method, step.path);
            anonymous += usize::from(anonymous_refusal);
        }
    }
    let before = newest_seq(&s).await;
    s.app
        .flush_anonymous_refusals(true)
        .await
        .expect("write the anonymous refusals");
    let events = events_since(&s, before).await;
    assert!(
        events.len() == 1
            && events[0].action == "access.not-signed-in-repeated"
            && events[0].outcome.key() == "denied"
            && events[0].object_id.as_deref() == Some(anonymous.to_string().as_str()),
        "[{e}] {anonymous} anonymous refusals: {events:?}"
    );
    // A half-signed-in session reaches the set-up step and nothing else.
    let mut half = s.browser();
    let r = half
        .post_form(
            "/sign-in",
            "/sign-in",
            &[
                ("email", "lead@riverton.example"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.location(), Some("/sign-in/mfa/set-up"), "[{e}]");
    assert_eq!(half.get("/sign-in/mfa/set-up").await.status, 200, "[{e}]");
    let before = newest_seq(&s).await;
    let r = half.get("/home").await;
    assert_eq!(r.location(), Some("/sign-in/mfa/set-up"), "[{e}]");
    let events = events_since(&s, before).await;
    assert!(
        events.len() == 1
            && events[0].action == "access.mfa-pending"
            && events[0].outcome.key() == "denied",
        "[{e}] {events:?}"
    );
    let r = half.api("GET", "/api/v1/me", None, None).await;
    assert_eq!(
        r.status, 401,
        "[{e}] a session cookie never authorises the API"
    );
}

/// The events of a request that a use case recorded (not the guard).
fn use_case_events(events: &[AuditEvent]) -> Vec<(String, String, Option<String>)> {
    summary(
        &events
            .iter()
            .filter(|e| !e.action.starts_with("access."))
            .cloned()
            .collect::<Vec<_>>(),
    )
}

#[each_engine]
async fn nobody_changes_their_own_roles_and_another_councils_account_is_only_invited(
    engine: Engine,
) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let w = World::build(&s).await;
    let r = w.riverton.clone();
    let riverton_members = || async {
        let g = console_grant(
            Permission::MembershipRead,
            Scope::Partnership(w.riverton_pid),
        );
        summary_of_members(s.app.list_members(&g).await.expect("members"))
    };
    let invitations = |pid: PartnershipId| {
        let s = &s;
        async move {
            s.app
                .partnership_invitations(&console_grant(
                    Permission::MembershipRead,
                    Scope::Partnership(pid),
                ))
                .await
                .expect("invitations")
                .into_iter()
                .map(|i| (i.email, format!("{:?}", i.role), format!("{:?}", i.status)))
                .collect::<Vec<_>>()
        }
    };
    let members_before = riverton_members().await;
    let riverton_invitations_before = invitations(w.riverton_pid).await;
    let eastvale_invitations_before = invitations(w.eastvale_pid).await;

    let mut admin = s.signed_in("admin@riverton.example").await;
    let csrf = admin.get("/account").await.csrf().expect("csrf");
    let cookie = admin.cookies.get("pk_session").expect("cookie").clone();
    let session = session_of(&s, &cookie).await;
    let (_, token) = make_token(&s, &session, &r, Role::Administrator, "admin").await;
    let own = membership_of(&s, w.riverton_pid, "admin@riverton.example")
        .await
        .expect("the administrator's membership");
    let mut sysadmin = s.signed_in(SYSADMIN).await;
    let sys_csrf = sysadmin.get("/account").await.csrf().expect("csrf");

    // A partnership administrator changing, removing or inviting themselves: refused,
    // recorded as refused by the use case, nothing changed.
    let self_grants: Vec<(&str, String, Payload, &str, Option<String>)> = vec![
        (
            "page: change own role",
            format!("/p/{r}/members/{own}/role"),
            Payload::Form(vec![("role", "contributor".into())]),
            "membership.update",
            Some(own.clone()),
        ),
        (
            "page: remove own membership",
            format!("/p/{r}/members/{own}/remove"),
            Payload::Form(vec![("confirm", "yes".to_owned())]),
            "membership.delete",
            Some(own.clone()),
        ),
        (
            "page: invite own email",
            format!("/p/{r}/members"),
            Payload::Form(vec![
                ("email", "admin@riverton.example".into()),
                ("role", "auditor".into()),
            ]),
            "invitation.create",
            Some(r.clone()),
        ),
        (
            "API: change own role",
            format!("/api/v1/partnerships/{r}/memberships/{own}"),
            Payload::Json(json!({"role": "contributor"})),
            "membership.update",
            Some(own.clone()),
        ),
        (
            "API: remove own membership",
            format!("/api/v1/partnerships/{r}/memberships/{own}"),
            Payload::Empty,
            "membership.delete",
            Some(own.clone()),
        ),
        (
            "API: invite own email",
            format!("/api/v1/partnerships/{r}/memberships"),
            Payload::Json(json!({"email": "ADMIN@riverton.example", "role": "auditor"})),
            "invitation.create",
            Some(r.clone()),
        ),
    ];
    for (what, path, payload, action, object) in self_grants {
        let before = newest_seq(&s).await;
        let res = if path.starts_with("/api/") {
            let (method, body) = match (&payload, path.ends_with("/memberships")) {
                (Payload::Json(v), true) => ("POST", Some(v.clone())),
                (Payload::Json(v), false) => ("PATCH", Some(v.clone())),
                _ => ("DELETE", None),
            };
            admin.api(method, &path, Some(&token), body).await
        } else {
            let mut fields: Vec<(&str, &str)> = vec![("csrf_token", &csrf)];
            if let Payload::Form(f) = &payload {
                fields.extend(f.iter().map(|(k, v)| (*k, v.as_str())));
            }
            admin.post_raw(&path, &fields).await
        };
        let events = events_since(&s, before).await;
        assert_eq!(res.status, 403, "[{e}] {what}: {}", res.body);
        let recorded = events.len() == 1
            && events[0].action == action
            && events[0].outcome.key() == "denied"
            && events[0].actor.map(|u| u.to_string()).as_deref() == Some(w.riverton_admin.as_str())
            && events[0].object_id == object;
        assert!(recorded, "[{e}] {what}: {:?}", summary(&events));
    }
    assert_eq!(riverton_members().await, members_before, "[{e}]");
    assert_eq!(
        invitations(w.riverton_pid).await,
        riverton_invitations_before,
        "[{e}]"
    );

    // A system administrator inviting themselves into a partnership: refused the same way.
    for pid in [&w.riverton, &w.eastvale] {
        let before = newest_seq(&s).await;
        let res = sysadmin
            .post_raw(
                &format!("/p/{pid}/members"),
                &[
                    ("csrf_token", &sys_csrf),
                    ("email", SYSADMIN),
                    ("role", "auditor"),
                ],
            )
            .await;
        let events = events_since(&s, before).await;
        assert_eq!(res.status, 403, "[{e}] system administrator invites self");
        assert!(
            events.len() == 1
                && events[0].action == "invitation.create"
                && events[0].outcome.key() == "denied"
                && events[0].actor.map(|u| u.to_string()).as_deref() == Some(w.sysadmin.as_str()),
            "[{e}] {:?}",
            summary(&events)
        );
    }
    assert_eq!(
        invitations(w.riverton_pid).await,
        riverton_invitations_before,
        "[{e}]"
    );
    assert_eq!(
        invitations(w.eastvale_pid).await,
        eastvale_invitations_before,
        "[{e}]"
    );

    // Adding the account of another partnership's council: only an invitation, and the
    // same answer as for an address with no account.
    let invite_page = |email: &'static str| {
        let fields = vec![
            ("csrf_token".to_owned(), csrf.clone()),
            ("email".to_owned(), email.to_owned()),
            ("role".to_owned(), "contributor".to_owned()),
        ];
        (format!("/p/{r}/members"), fields)
    };
    let mut page_answers = Vec::new();
    for email in [EASTVALE_ADMIN, "nobody-here@eastvale.example"] {
        let (path, fields) = invite_page(email);
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let before = newest_seq(&s).await;
        let res = admin.post_raw(&path, &fields).await;
        let events = events_since(&s, before).await;
        assert_eq!(res.status, 303, "[{e}] invite {email}: {}", res.body);
        assert_eq!(
            res.location(),
            Some(format!("/p/{r}/members").as_str()),
            "[{e}]"
        );
        assert_eq!(
            use_case_events(&events)
                .iter()
                .map(|(a, o, _)| (a.as_str(), o.as_str()))
                .collect::<Vec<_>>(),
            [("invitation.create", "success")],
            "[{e}] invite {email}"
        );
        let set_cookie: Vec<String> = res
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        page_answers.push((
            res.status,
            res.location().map(str::to_owned),
            set_cookie,
            res.body,
        ));
    }
    assert_eq!(
        page_answers[0], page_answers[1],
        "[{e}] the page answers the same whether or not the address has an account"
    );
    let mut api_answers = Vec::new();
    for email in [EASTVALE_ADMIN, "nobody-either@eastvale.example"] {
        let res = admin
            .api(
                "POST",
                &format!("/api/v1/partnerships/{r}/memberships"),
                Some(&token),
                Some(json!({"email": email, "role": "board-member"})),
            )
            .await;
        assert_eq!(res.status, 202, "[{e}] invite {email}: {}", res.body);
        let body = res.json();
        let id = body["id"].as_str().unwrap_or_default().to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "[{e}] {body}");
        let keys: Vec<String> = body
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        api_answers.push((
            res.status,
            res.header("content-type").map(str::to_owned),
            keys,
            res.body.replace(&id, "<id>"),
        ));
    }
    assert_eq!(
        api_answers[0], api_answers[1],
        "[{e}] the API answers the same whether or not the address has an account"
    );
    // Nobody became a member: Eve is still only Eastvale's administrator, Riverton's
    // memberships are as they were, and the invitations wait for an answer.
    assert_eq!(riverton_members().await, members_before, "[{e}]");
    let eve: UserId = w.eastvale_admin.parse().expect("user id");
    let eve_roles: Vec<(String, String)> = {
        let mut v = Vec::new();
        for pid in [w.riverton_pid, w.eastvale_pid] {
            let g = console_grant(Permission::MembershipRead, Scope::Partnership(pid));
            for m in s.app.list_members(&g).await.expect("members") {
                if m.user_id == eve {
                    v.push((m.partnership_id.to_string(), m.role.key().to_owned()));
                }
            }
        }
        v
    };
    assert_eq!(
        eve_roles,
        [(w.eastvale.clone(), "administrator".to_owned())],
        "[{e}]"
    );
    let open: Vec<(String, String, String)> = invitations(w.riverton_pid)
        .await
        .into_iter()
        .filter(|(email, _, _)| email.ends_with("@eastvale.example"))
        .collect();
    assert_eq!(open.len(), 4, "[{e}] {open:?}");
    assert!(
        open.iter().all(|(_, _, status)| status == "Open"),
        "[{e}] {open:?}"
    );
}

fn summary_of_members(rows: Vec<preventkit_services::administration::Member>) -> Vec<String> {
    let mut v: Vec<String> = rows.into_iter().map(|m| format!("{m:?}")).collect();
    v.sort();
    v
}
