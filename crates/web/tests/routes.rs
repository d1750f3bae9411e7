//! The route table as a whole: which routes are public, that every form post needs its CSRF
//! token, that no GET changes anything, that the API description matches the API routes, and
//! what an undeclared path answers.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::audit::AuditQuery;
use preventkit_services::demo::DEMO_PASSWORD;
use preventkit_services::domain::audit::AuditEvent;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Access, Actor, PartnershipId, Permission, Scope};
use preventkit_services::identity::NewToken;
use preventkit_services::RequestContext;
use preventkit_testkit::{each_engine, element_text, totp_now, Browser, Engine, Page, Server};
use preventkit_web::routes::{specs, RouteSpec, Surface};
use std::collections::BTreeSet;

const RIVERTON: &str = "Riverton Prevent Partnership";
const EASTVALE: &str = "Eastvale Prevent Partnership";
const SYSADMIN: &str = "sysadmin@preventkit.example";

/// Every route anyone may use without signing in. A new public route must be added here, on
/// purpose, before this test passes again.
const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/assets/app.css"),
    ("GET", "/"),
    ("GET", "/sign-in"),
    ("POST", "/sign-in"),
    ("GET", "/api/v1/openapi.json"),
];

fn key(s: &RouteSpec) -> (String, String) {
    (s.method.to_string(), s.path.to_owned())
}

fn console_grant(p: Permission, scope: Scope) -> preventkit_services::Grant {
    decide(&Actor::console(), p, scope).expect("console grant")
}

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

async fn events_since(s: &Server, seq: i64) -> Vec<AuditEvent> {
    let g = console_grant(Permission::PlatformAuditRead, Scope::Platform);
    // The log is read a page (at most 500 events) at a time, newest first.
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let page = s
            .app
            .audit_events(
                &g,
                &AuditQuery {
                    limit: 500,
                    before_position: before,
                    ..Default::default()
                },
            )
            .await
            .expect("audit events");
        let last = page.last().map(|e| e.position);
        let done = page.len() < 500 || last.is_none_or(|p| p <= seq);
        out.extend(page.into_iter().filter(|e| e.position > seq));
        if done {
            return out;
        }
        before = last;
    }
}

fn is_access_denial(e: &AuditEvent) -> bool {
    e.action.starts_with("access.") && e.outcome.key() == "denied"
}

/// A refusal by the guard (or a redirect into signing in).
fn refused(r: &Page) -> bool {
    r.status == 401
        || r.status == 403
        || ((300..400).contains(&r.status)
            && r.location().is_some_and(|l| l.starts_with("/sign-in")))
}

/// Real records to aim at, so that a request that got through would really change something.
struct Targets {
    riverton: String,
    eastvale: String,
    /// The referrer's membership of Riverton, and their account.
    membership: String,
    user: String,
    organisation: String,
}

async fn targets(s: &Server) -> Targets {
    let riverton = s.partnership_id(RIVERTON).await;
    let eastvale = s.partnership_id(EASTVALE).await;
    let pid: PartnershipId = riverton.parse().expect("partnership id");
    let members = s
        .app
        .list_members(&console_grant(
            Permission::MembershipRead,
            Scope::Partnership(pid),
        ))
        .await
        .expect("members");
    let referrer = members
        .iter()
        .find(|m| m.email == "referrer@riverton.example")
        .expect("the referrer is a member");
    let organisation = s
        .app
        .list_organisations(&console_grant(
            Permission::OrganisationRead,
            Scope::Platform,
        ))
        .await
        .expect("organisations")
        .first()
        .expect("an organisation")
        .id
        .to_string();
    Targets {
        riverton,
        eastvale,
        membership: referrer.id.to_string(),
        user: referrer.user_id.to_string(),
        organisation,
    }
}

/// The concrete path: known placeholders get real ids, anything else a random one.
fn concrete(pattern: &str, t: &Targets, token: &str) -> String {
    pattern
        .split('/')
        .map(|seg| match seg {
            "{partnership}" => t.riverton.clone(),
            "{membership}" => t.membership.clone(),
            "{user}" => t.user.clone(),
            "{organisation}" => t.organisation.clone(),
            "{token}" => token.to_owned(),
            "{id}" => t.eastvale.clone(),
            s if s.starts_with('{') => uuid::Uuid::new_v4().to_string(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Form fields that would make the post do its job, if only the CSRF check let it through.
fn working_fields(pattern: &str, t: &Targets) -> Vec<(String, String)> {
    let f = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let scope = format!("{}|administrator", t.riverton);
    match pattern {
        "/sign-in" => f(&[
            ("email", "referrer@riverton.example"),
            ("password", DEMO_PASSWORD),
        ]),
        "/account/password" => f(&[
            ("current_password", DEMO_PASSWORD),
            ("new_password", "another long pass phrase"),
            ("confirm_password", "another long pass phrase"),
        ]),
        "/account/tokens" => f(&[("name", "sneaky"), ("scope", &scope), ("days", "30")]),
        "/partnerships/switch" => f(&[("partnership", &t.eastvale)]),
        "/p/{partnership}/members" => f(&[
            ("email", "new.person@riverton.example"),
            ("role", "referrer"),
            ("display_name", "New Person"),
            ("organisation_id", &t.organisation),
            ("password", DEMO_PASSWORD),
        ]),
        "/p/{partnership}/members/{membership}/role" => f(&[("role", "auditor")]),
        "/admin/organisations" => f(&[("name", "Sneaky Org"), ("org_type", "health")]),
        "/admin/partnerships" => f(&[
            ("name", "Sneaky Partnership"),
            ("lead_organisation_id", &t.organisation),
        ]),
        "/admin/partnerships/{id}/organisations" => f(&[("organisation_id", &t.organisation)]),
        "/admin/regions" => f(&[("region_name", "Sneaky Region")]),
        "/admin/users" => f(&[
            ("email", "sneaky@riverton.example"),
            ("display_name", "Sneaky"),
            ("organisation_id", &t.organisation),
            ("password", DEMO_PASSWORD),
            ("clearance", "official"),
        ]),
        _ => Vec::new(),
    }
}

/// A token for the browser's own session, in Riverton, as an administrator. Answers its id
/// and secret.
async fn admin_token(s: &Server, b: &Browser, riverton: &str) -> (String, String) {
    token_as(s, b, riverton, "administrator").await
}

/// A token for the browser's own session, in Riverton, with `role`.
async fn token_as(s: &Server, b: &Browser, riverton: &str, role: &str) -> (String, String) {
    let cookie = b.cookies.get("pk_session").expect("session cookie");
    let session = s
        .app
        .session(cookie)
        .await
        .expect("session")
        .expect("live session");
    let (id, secret) = s
        .app
        .create_token(
            &session,
            &NewToken {
                name: "routes".into(),
                partnership_id: riverton.into(),
                role: role.into(),
                days: "30".into(),
            },
            &RequestContext::default(),
        )
        .await
        .expect("token");
    (id.to_string(), secret)
}

/// A browser that has given a right password but not yet the second factor.
async fn half_signed_in(s: &Server, email: &str) -> (Browser, Option<&'static str>) {
    let mut b = s.browser();
    let r = b
        .post_form(
            "/sign-in",
            "/sign-in",
            &[("email", email), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 303, "{email} gave the right password");
    let stage = match r.location() {
        Some("/sign-in/mfa/set-up") => Some("/sign-in/mfa/set-up"),
        Some("/sign-in/mfa") => Some("/sign-in/mfa"),
        _ => None,
    };
    (b, stage)
}

#[test]
fn every_route_declares_its_access_and_the_public_ones_are_exactly_the_allow_list() {
    let all = specs();
    // `access` is an enum field, so every route has one; what can go wrong is which one.
    let keys: BTreeSet<(String, String)> = all.iter().map(key).collect();
    assert_eq!(
        keys.len(),
        all.len(),
        "a method and path are declared twice"
    );

    let public: BTreeSet<(String, String)> = all
        .iter()
        .filter(|s| s.access == Access::Public)
        .map(key)
        .collect();
    let allowed: BTreeSet<(String, String)> = PUBLIC
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let unexpected: Vec<_> = public.difference(&allowed).collect();
    let gone: Vec<_> = allowed.difference(&public).collect();
    assert!(
        unexpected.is_empty() && gone.is_empty(),
        "public routes differ from the allow-list: not on the list {unexpected:?}; on the list but not public {gone:?}"
    );

    for s in &all {
        let api = s.path.starts_with("/api/");
        assert_eq!(
            api,
            s.surface == Surface::Api,
            "{} {}: the API lives under /api/ and only there",
            s.method,
            s.path
        );
        if api {
            assert!(s.path.starts_with("/api/v1/"), "{} {}", s.method, s.path);
        } else {
            assert!(
                s.method == "GET" || s.method == "POST",
                "{} {}: pages work without JavaScript, so only GET and POST",
                s.method,
                s.path
            );
        }
        if s.access == Access::MfaPending {
            assert!(
                s.path.starts_with("/sign-in/"),
                "{} {}: only sign-in steps serve a half-signed-in session",
                s.method,
                s.path
            );
        }
    }
}

#[each_engine]
async fn page_posts_without_a_valid_csrf_token_are_refused_and_change_nothing(engine: Engine) {
    let posts: Vec<RouteSpec> = specs()
        .into_iter()
        .filter(|s| s.surface == Surface::Page && s.method == "POST")
        .collect();
    assert!(posts.len() > 10, "the table has its form posts");
    let e = engine.name();
    let s = Server::start(&engine).await;
    let t = targets(&s).await;

    // Fully signed-in people who between them pass the policy of every post, so that the
    // CSRF check is what stops them.
    let mut complete = Vec::new();
    for email in [
        SYSADMIN,
        "admin@riverton.example",
        "lead@riverton.example",
        "board@riverton.example",
        "chair@riverton.example",
    ] {
        complete.push((email, s.signed_in(email).await));
    }
    let (token_id, token_secret) = admin_token(&s, &complete[1].1, &t.riverton).await;
    // People between the password and the second factor, for the sign-in steps: one
    // setting MFA up, one being asked for a code.
    let (mut enrolling, stage) = half_signed_in(&s, "panel@riverton.example").await;
    assert_eq!(stage, Some("/sign-in/mfa/set-up"), "[{e}]");
    let setup = enrolling.get("/sign-in/mfa/set-up").await;
    let secret = element_text(&setup.body, "id=\"totp-secret\">")
        .expect("secret shown")
        .replace(' ', "");
    let (challenged, stage) = half_signed_in(&s, "admin@riverton.example").await;
    assert_eq!(stage, Some("/sign-in/mfa"), "[{e}]");
    let mut pending = [
        ("panel member (setting up MFA)", enrolling),
        ("admin (asked for a code)", challenged),
    ];

    // A token that is valid, but for another browser's session.
    let mut other = s.signed_in("referrer@riverton.example").await;
    let foreign = other.get("/account").await.csrf().expect("csrf");

    let start = newest_seq(&s).await;
    let mut refusals = 0usize;
    let mut problems = Vec::new();
    for spec in &posts {
        let path = concrete(spec.path, &t, &token_id);
        let mut fields = working_fields(spec.path, &t);
        if spec.path == "/sign-in/mfa/set-up" || spec.path == "/sign-in/mfa" {
            fields.push(("code".into(), totp_now(&secret)));
        }
        let callers: Vec<(&str, &mut Browser)> = if spec.access == Access::MfaPending {
            pending.iter_mut().map(|(n, b)| (*n, b)).collect()
        } else {
            complete.iter_mut().map(|(n, b)| (*n, b)).collect()
        };
        let mut reached_the_check = false;
        for (who, b) in callers {
            for csrf in [None, Some(foreign.as_str())] {
                let mut form: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                if let Some(c) = csrf {
                    form.push(("csrf_token", c));
                }
                let r = b.post_raw(&path, &form).await;
                match r.status {
                    400 => {
                        reached_the_check = true;
                        refusals += 1;
                        if !r.body.contains("This form has expired") {
                            problems.push(format!(
                                "{} {path} as {who}: 400 without the CSRF message",
                                spec.method
                            ));
                        }
                    }
                    // The policy refused first: also no change.
                    403 => refusals += 1,
                    other => problems.push(format!(
                        "{} {} as {who} (csrf {csrf:?}): {other} {}",
                        spec.method,
                        spec.path,
                        r.location().unwrap_or("")
                    )),
                }
            }
        }
        if !reached_the_check {
            problems.push(format!(
                "{} {}: no caller got past the policy to the CSRF check",
                spec.method, spec.path
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "[{e}] posts without a valid CSRF token:\n{}",
        problems.join("\n")
    );

    // Nothing happened but refusals, each recorded.
    let events = events_since(&s, start).await;
    let others: Vec<_> = events
        .iter()
        .filter(|ev| !is_access_denial(ev))
        .map(|ev| (&ev.action, ev.outcome.key()))
        .collect();
    assert!(
        others.is_empty(),
        "[{e}] refused posts changed something: {others:?}"
    );
    assert_eq!(
        events.len(),
        refusals,
        "[{e}] one recorded refusal per refused post"
    );

    // And the records they aimed at are as they were.
    for (who, b) in complete.iter_mut() {
        assert_eq!(
            b.get("/account").await.status,
            200,
            "[{e}] {who} is still signed in"
        );
    }
    let r = pending[0].1.get("/sign-in/mfa/set-up").await;
    assert_eq!(
        r.status, 200,
        "[{e}] the MFA set-up is neither finished nor cancelled"
    );
    assert_eq!(
        pending[1].1.get("/sign-in/mfa").await.status,
        200,
        "[{e}] the challenge is still open"
    );
    assert!(
        s.app
            .token_actor(&token_secret)
            .await
            .expect("token")
            .is_some(),
        "[{e}] the token is live"
    );
    let pid: PartnershipId = t.riverton.parse().expect("id");
    let members = s
        .app
        .list_members(&console_grant(
            Permission::MembershipRead,
            Scope::Partnership(pid),
        ))
        .await
        .expect("members");
    let referrer = members
        .iter()
        .find(|m| m.id.to_string() == t.membership)
        .expect("membership still there");
    assert_eq!(referrer.role.key(), "referrer", "[{e}]");
    assert!(referrer.disabled_at.is_none(), "[{e}] account not disabled");
    assert!(
        !members
            .iter()
            .any(|m| m.email == "new.person@riverton.example"),
        "[{e}]"
    );
    assert!(
        s.app
            .sign_in(
                "admin@riverton.example",
                DEMO_PASSWORD,
                &RequestContext::default()
            )
            .await
            .is_ok(),
        "[{e}] the password did not change"
    );
}

#[each_engine]
async fn get_requests_write_nothing(engine: Engine) {
    let gets: Vec<RouteSpec> = specs().into_iter().filter(|s| s.method == "GET").collect();
    let e = engine.name();
    let s = Server::start(&engine).await;
    let t = targets(&s).await;

    // The most powerful sessions there are: the system administrator, the partnership's
    // administrator, its Prevent lead (who runs the self-assessment), a board member (who
    // decides on it), the Channel chair (who reads every case) and the auditor (who reviews
    // who opened a case).
    let mut sessions = Vec::new();
    for email in [
        SYSADMIN,
        "admin@riverton.example",
        "lead@riverton.example",
        "board@riverton.example",
        "chair@riverton.example",
        "auditor@riverton.example",
    ] {
        sessions.push((email, s.signed_in(email).await));
    }
    let (_, admin_secret) = admin_token(&s, &sessions[1].1, &t.riverton).await;
    let (_, lead_secret) = token_as(&s, &sessions[2].1, &t.riverton, "prevent-lead").await;
    let (_, chair_secret) = token_as(&s, &sessions[4].1, &t.riverton, "channel-chair").await;
    let (_, auditor_secret) = token_as(&s, &sessions[5].1, &t.riverton, "auditor").await;
    let (enrolling, _) = half_signed_in(&s, "panel@riverton.example").await;
    let (challenged, _) = half_signed_in(&s, "admin@riverton.example").await;
    let mut pending = [
        ("panel member (setting up MFA)", enrolling),
        ("admin (asked for a code)", challenged),
    ];
    let mut anon = s.browser();
    let mut sql = s.sql().await;
    let tables_before = sql.snapshot(GET_MAY_TOUCH).await;

    let mut problems = Vec::new();
    for spec in &gets {
        let path = concrete(spec.path, &t, &uuid::Uuid::new_v4().to_string());
        let route = format!("GET {}", spec.path);
        let mut responses: Vec<(String, Page)> = Vec::new();
        let mut check =
            |who: &str, r: Page, events: Vec<AuditEvent>, problems: &mut Vec<String>| {
                let denials: Vec<_> = events.iter().filter(|ev| is_access_denial(ev)).collect();
                let anonymous = who == "no token" || who == "anonymous";
                let names_route = |d: &&AuditEvent| d.object_id.as_deref() == Some(route.as_str());
                let ok = if anonymous && (r.status == 401 || r.status == 403) {
                    // Anonymous refusals are counted per address: at most the first of a
                    // window is written at once, naming the route.
                    events.len() <= 1
                        && denials.len() == events.len()
                        && denials.iter().all(names_route)
                } else if r.status == 401 || r.status == 403 || r.status == 404 {
                    // A refusal is recorded, and that is all that is written; a signed-in
                    // caller answered "not found" is refused too (the id may belong to
                    // another partnership).
                    events.len() == 1 && denials.len() == 1 && denials.iter().all(names_route)
                } else {
                    // Nothing but the reads that are recorded on purpose.
                    events.iter().all(|ev| {
                        AUDITED_READS.contains(&ev.action.as_str()) && ev.outcome.key() == "success"
                    })
                };
                if !ok {
                    let got: Vec<_> = events
                        .iter()
                        .map(|ev| (&ev.action, ev.outcome.key()))
                        .collect();
                    problems.push(format!("{route} as {who}: {} wrote {got:?}", r.status));
                }
                responses.push((who.to_owned(), r));
            };
        match spec.surface {
            Surface::Api => {
                for (who, token) in [
                    ("admin token", Some(admin_secret.as_str())),
                    ("lead token", Some(lead_secret.as_str())),
                    ("chair token", Some(chair_secret.as_str())),
                    ("auditor token", Some(auditor_secret.as_str())),
                    ("no token", None),
                ] {
                    let before = newest_seq(&s).await;
                    let r = anon.api("GET", &path, token, None).await;
                    let ev = events_since(&s, before).await;
                    check(who, r, ev, &mut problems);
                }
            }
            Surface::Page => {
                let browsers: Vec<(&str, &mut Browser)> = match spec.access {
                    Access::MfaPending => pending.iter_mut().map(|(n, b)| (*n, b)).collect(),
                    Access::Public => {
                        let mut v: Vec<(&str, &mut Browser)> =
                            sessions.iter_mut().map(|(n, b)| (*n, b)).collect();
                        v.push(("anonymous", &mut anon));
                        v
                    }
                    _ => sessions.iter_mut().map(|(n, b)| (*n, b)).collect(),
                };
                for (who, b) in browsers {
                    let before = newest_seq(&s).await;
                    let r = b.get(&path).await;
                    let ev = events_since(&s, before).await;
                    check(who, r, ev, &mut problems);
                }
            }
        }
        // The route's own code ran for at least one of them (GET / only ever redirects,
        // and that counts: the redirect is its answer).
        if responses.iter().all(|(_, r)| refused(r)) {
            let got: Vec<_> = responses
                .iter()
                .map(|(w, r)| format!("{w}: {}", r.status))
                .collect();
            problems.push(format!(
                "{route}: refused for everyone, so never really exercised: {got:?}"
            ));
        }
        for (who, r) in &responses {
            if r.status >= 500 {
                problems.push(format!("{route} as {who}: server error {}", r.status));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "[{e}] GET requests that wrote to the log:\n{}",
        problems.join("\n")
    );
    // Nor anywhere else: every table but the audit log (checked event by event above)
    // holds exactly what it held before the walk.
    let tables_after = sql.snapshot(GET_MAY_TOUCH).await;
    assert!(
        tables_before.tables.len() > 10 && tables_before.tables.contains_key("sessions"),
        "[{e}] the snapshot lists the schema's tables: {:?}",
        tables_before.tables.keys()
    );
    let audit_log = ["audit_events", "audit_chain_heads"];
    let changed = tables_before
        .without(&audit_log)
        .changed(&tables_after.without(&audit_log));
    assert!(
        changed.is_empty(),
        "[{e}] GET requests changed tables:\n{}",
        changed.join("\n")
    );
}

/// Reads that are recorded in the audit log by design: a referrer seeing the status of their
/// referrals (case content itself is read only on a case's own page, each read recorded; the
/// walk here names no real case).
const AUDITED_READS: &[&str] = &["case.read.status"];

/// What a GET may write besides refusals in the audit log: the bookkeeping of use (a
/// session's last activity, recorded at most once a minute, and a token's last use), and the
/// secret that the MFA set-up page makes once, to show it, for a session setting up MFA.
const GET_MAY_TOUCH: &[(&str, &str)] = &[
    ("sessions", "last_seen_at"),
    ("api_tokens", "last_used_at"),
    ("sessions", "pending_totp_secret"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_description_is_openapi_3_1_and_lists_exactly_the_api_routes() {
    let engine = Engine::Sqlite;
    let s = Server::start(&engine).await;
    let mut b = s.browser();
    let r = b.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, 200);
    let doc = r.json();
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1"), "OpenAPI {version}");

    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut described = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (k, _) in item.as_object().expect("path item") {
            if methods.contains(&k.as_str()) {
                described.insert((k.to_uppercase(), path.clone()));
            }
        }
    }
    let declared: BTreeSet<(String, String)> = specs()
        .iter()
        .filter(|s| s.surface == Surface::Api && s.path != "/api/v1/openapi.json")
        .map(key)
        .collect();
    let undocumented: Vec<_> = declared.difference(&described).collect();
    let phantom: Vec<_> = described.difference(&declared).collect();
    assert!(
        undocumented.is_empty() && phantom.is_empty(),
        "API routes missing from the description: {undocumented:?}; described but not routed: {phantom:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeclared_paths_answer_not_found_with_the_security_headers() {
    let engine = Engine::Sqlite;
    let s = Server::start(&engine).await;
    let mut anon = s.browser();
    let mut signed = s.signed_in("referrer@riverton.example").await;
    for b in [&mut anon, &mut signed] {
        let mut answers = vec![
            ("GET /no-such-page", b.get("/no-such-page").await),
            ("GET /admin", b.get("/admin").await),
            ("GET /p", b.get("/p").await),
            (
                "GET /api/v1/no-such-thing",
                b.api("GET", "/api/v1/no-such-thing", None, None).await,
            ),
            (
                "POST /no-such-form",
                b.post_raw("/no-such-form", &[("a", "b")]).await,
            ),
        ];
        for (what, r) in answers.drain(..) {
            assert_eq!(r.status, 404, "{what}");
            assert_security_headers(what, &r);
        }
        // A declared path with a method it does not have.
        let r = b.api("DELETE", "/healthz", None, None).await;
        assert_eq!(r.status, 405);
        assert_security_headers("DELETE /healthz", &r);
    }
}

fn assert_security_headers(what: &str, r: &Page) {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"));
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert!(r.header("referrer-policy").is_some(), "{what}");
    assert!(r.header("cross-origin-opener-policy").is_some(), "{what}");
    assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
}
