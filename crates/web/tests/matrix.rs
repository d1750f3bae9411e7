//! The authorisation matrix, over real HTTP on every engine: every declared route, asked by
//! every kind of actor, in the actor's own partnership and in another one.
//!
//! What each cell should answer comes from the specification written out in this file (who
//! holds which permission, by role), never from the policy code under test: `decide` is used
//! here only to give the test's own console the grants it needs to set up and to read the log.

mod support;

use preventkit_services::admin::NewUser;
use preventkit_services::audit::AuditQuery;
use preventkit_services::demo::DEMO_PASSWORD;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Access, Actor, PartnershipId, Permission, Role, Scope};
use preventkit_services::tokens::NewToken;
use preventkit_services::RequestContext;
use preventkit_storage::AuditEventRow;
use preventkit_web::routes::{specs, RouteSpec, Surface};
use std::collections::BTreeSet;
use std::time::Instant;
use support::{engines, Browser, Page, Server};

const RIVERTON: &str = "Riverton Prevent Partnership";
const EASTVALE: &str = "Eastvale Prevent Partnership";
const SYSADMIN: &str = "sysadmin@preventkit.example";
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
        ("POST", "/account/tokens/{token}/revoke", SignedIn),
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
            "POST",
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
// The machinery.
// ---------------------------------------------------------------------------------------------

/// "Denied" means: 401, 403, or a redirect into signing in.
fn looks_denied(r: &Page) -> bool {
    r.status == 401
        || r.status == 403
        || ((300..400).contains(&r.status)
            && r.location().is_some_and(|l| l.starts_with("/sign-in")))
}

fn console_grant(p: Permission, scope: Scope) -> preventkit_services::Grant {
    decide(&Actor::console(), p, scope).expect("console grant")
}

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
        .map(|e| e.seq)
        .unwrap_or(0)
}

/// Events written after `seq`.
async fn events_since(s: &Server, seq: i64) -> Vec<AuditEventRow> {
    let g = console_grant(Permission::PlatformAuditRead, Scope::Platform);
    let rows = s
        .app
        .audit_events(
            &g,
            &AuditQuery {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .expect("audit events");
    rows.into_iter().filter(|e| e.seq > seq).collect()
}

fn is_access_denial(e: &AuditEventRow) -> bool {
    e.action.starts_with("access.") && e.outcome == "denied"
}

/// Real ids to put into route patterns.
struct Ids {
    riverton: String,
    eastvale: String,
    eastvale_membership: String,
    organisation: String,
}

fn concrete(pattern: &str, target: Option<Target>, ids: &Ids) -> String {
    let partnership = match target {
        Some(Target::Other) => &ids.eastvale,
        _ => &ids.riverton,
    };
    let path = pattern
        .replace("{partnership}", partnership)
        .replace("{membership}", &ids.eastvale_membership)
        .replace("{organisation}", &ids.organisation)
        .replace("{id}", &ids.eastvale);
    // Anything else ({user}, {token}, and whatever later routes name) gets a fresh random id.
    path.split('/')
        .map(|seg| {
            if seg.starts_with('{') && seg.ends_with('}') {
                uuid::Uuid::new_v4().to_string()
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

struct Caller {
    who: Who,
    browser: Browser,
    /// A CSRF token valid for this browser (its session, or its pre-sign-in cookie).
    csrf: String,
    token: Option<String>,
}

async fn send(c: &mut Caller, spec: &RouteSpec, path: &str) -> Page {
    match spec.surface {
        Surface::Page if spec.method == "POST" => {
            let csrf = c.csrf.clone();
            c.browser.post_raw(path, &[("csrf_token", &csrf)]).await
        }
        Surface::Page => {
            assert_eq!(spec.method, "GET", "page routes are GET or POST");
            c.browser.get(path).await
        }
        Surface::Api => {
            let body = matches!(spec.method.as_str(), "POST" | "PATCH" | "PUT")
                .then(|| serde_json::json!({}));
            let token = c.token.clone();
            c.browser
                .api(spec.method.as_str(), path, token.as_deref(), body)
                .await
        }
    }
}

/// A token for a member's Riverton role, made from the browser's own session (the support
/// helper `Server::token` signs in again, which an account with MFA cannot do twice).
async fn token_for(s: &Server, b: &Browser, riverton: &str, role: Role) -> String {
    let cookie = b.cookies.get("pk_session").expect("session cookie");
    let session = s
        .app
        .session(cookie)
        .await
        .expect("session")
        .expect("live session");
    let (_, secret) = s
        .app
        .create_token(
            &session,
            &NewToken {
                name: "matrix".into(),
                partnership_id: riverton.into(),
                role: role.key().into(),
                days: "30".into(),
            },
            &RequestContext::default(),
        )
        .await
        .expect("create token");
    secret
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

async fn ids(s: &Server) -> Ids {
    let riverton = s.partnership_id(RIVERTON).await;
    let eastvale = s.partnership_id(EASTVALE).await;
    let eastvale_id: PartnershipId = eastvale.parse().expect("partnership id");
    let g = console_grant(Permission::MembershipRead, Scope::Partnership(eastvale_id));
    let eastvale_membership = s
        .app
        .list_members(&g)
        .await
        .expect("Eastvale members")
        .first()
        .expect("Eastvale has a member")
        .id
        .clone();
    let g = console_grant(Permission::OrganisationRead, Scope::Platform);
    let organisation = s
        .app
        .list_organisations(&g)
        .await
        .expect("organisations")
        .first()
        .expect("an organisation")
        .id
        .clone();
    Ids {
        riverton,
        eastvale,
        eastvale_membership,
        organisation,
    }
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_actor_as_the_specification_says() {
    let mut problems: Vec<String> = Vec::new();
    for engine in engines() {
        let started = Instant::now();
        let s = Server::start(&engine).await;
        let ids = ids(&s).await;
        create_no_member_account(&s, &ids.organisation).await;

        let mut callers: Vec<Caller> = Vec::new();
        let mut anon = s.browser();
        let csrf = anon
            .get("/sign-in")
            .await
            .csrf()
            .expect("pre-sign-in CSRF token");
        callers.push(Caller {
            who: Who::Anonymous,
            browser: anon,
            csrf,
            token: None,
        });
        for (email, role) in RIVERTON_PEOPLE {
            let mut b = s.signed_in(email).await;
            let csrf = b
                .get("/account")
                .await
                .csrf()
                .expect("CSRF token on /account");
            let token = token_for(&s, &b, &ids.riverton, role).await;
            callers.push(Caller {
                who: Who::Member(role),
                browser: b,
                csrf,
                token: Some(token),
            });
        }
        for (email, who) in [(SYSADMIN, Who::SystemAdmin), (NO_MEMBER, Who::NoMember)] {
            let mut b = s.signed_in(email).await;
            let csrf = b
                .get("/account")
                .await
                .csrf()
                .expect("CSRF token on /account");
            callers.push(Caller {
                who,
                browser: b,
                csrf,
                token: None,
            });
        }

        let mut cells = 0usize;
        let mut denials_checked = 0usize;
        for spec in specs() {
            if skipped(&spec) {
                continue;
            }
            let rule = rule_of(&spec)
                .unwrap_or_else(|| panic!("no rule for {} {}", spec.method, spec.path));
            let targets = if spec.path.contains("{partnership}") {
                vec![Some(Target::Own), Some(Target::Other)]
            } else {
                vec![None]
            };
            let route = format!("{} {}", spec.method, spec.path);
            for target in targets {
                for c in callers.iter_mut() {
                    let path = concrete(spec.path, target, &ids);
                    let held = match spec.surface {
                        Surface::Page => held_on_pages(c.who),
                        Surface::Api => held_on_api(c.who),
                    };
                    let want = expect(rule, held, target);
                    let before = newest_seq(&s).await;
                    let r = send(c, &spec, &path).await;
                    let events = events_since(&s, before).await;
                    cells += 1;

                    let cell = format!(
                        "[{}] {route} (target {}) as {}: {} {}",
                        engine.name(),
                        match target {
                            Some(Target::Own) => "own",
                            Some(Target::Other) => "other",
                            None => "-",
                        },
                        c.who.label(),
                        r.status,
                        r.location().unwrap_or("")
                    );
                    let denied = looks_denied(&r);
                    if r.status >= 500 {
                        problems.push(format!("SERVER ERROR    {cell}"));
                    }
                    match (want, denied) {
                        (Expect::Allow, true) => problems.push(format!("UNEXPECTED DENY  {cell}")),
                        (Expect::Deny | Expect::SentToSignIn, false) => {
                            problems.push(format!("UNEXPECTED ALLOW {cell}"))
                        }
                        _ => {}
                    }
                    // The log: a refusal by the guard writes exactly one access.* event
                    // naming the route pattern; anything else writes none.
                    let recorded: Vec<&AuditEventRow> =
                        events.iter().filter(|e| is_access_denial(e)).collect();
                    if want == Expect::Deny && denied {
                        denials_checked += 1;
                        let names_route = recorded.len() == 1
                            && recorded[0].object_id.as_deref() == Some(route.as_str());
                        if !names_route {
                            let got: Vec<_> = events
                                .iter()
                                .map(|e| (&e.action, &e.outcome, &e.object_id))
                                .collect();
                            problems.push(format!("REFUSAL NOT RECORDED ONCE {cell}: {got:?}"));
                        }
                    } else if !denied && !recorded.is_empty() {
                        problems.push(format!("REFUSAL RECORDED FOR AN ANSWERED REQUEST {cell}"));
                    }
                }
            }
        }
        eprintln!(
            "matrix [{}]: {cells} cells, {denials_checked} refusals checked in the audit log, {:.1?}",
            engine.name(),
            started.elapsed()
        );
    }
    assert!(
        problems.is_empty(),
        "{} cell(s) differ from the specification:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_and_the_sign_in_steps() {
    let sign_in_steps: Vec<RouteSpec> = specs()
        .into_iter()
        .filter(|s| s.access == Access::MfaPending)
        .collect();
    assert!(!sign_in_steps.is_empty());
    for engine in engines() {
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
                && events[0].outcome == "denied"
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
                .any(|ev| ev.action == "session.sign-out" && ev.outcome == "success"),
            "[{e}] {events:?}"
        );
        assert!(
            events.iter().all(|ev| !is_access_denial(ev)),
            "[{e}] {events:?}"
        );
        let mut old = s.browser();
        old.set_cookie("pk_session", &cookie);
        let r = old.get("/account").await;
        assert_eq!(
            r.location(),
            Some("/sign-in"),
            "[{e}] the old session no longer works"
        );

        // The sign-in steps: a fully signed-in person is sent home (not a refusal, nothing
        // recorded); nobody signed in is sent to sign in (recorded).
        let mut full = s.signed_in("auditor@riverton.example").await;
        let csrf = full.get("/account").await.csrf().expect("csrf");
        let mut anon = s.browser();
        let anon_csrf = anon.get("/sign-in").await.csrf().expect("csrf");
        for step in &sign_in_steps {
            for (b, csrf, to, recorded) in [
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
                assert_eq!(
                    denials,
                    usize::from(recorded),
                    "[{e}] {} {}",
                    step.method,
                    step.path
                );
            }
        }
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
                && events[0].outcome == "denied",
            "[{e}] {events:?}"
        );
        let r = half.api("GET", "/api/v1/me", None, None).await;
        assert_eq!(
            r.status, 401,
            "[{e}] a session cookie never authorises the API"
        );
    }
}
