//! What a probe of the running server found, each held by a test over real HTTP on every
//! engine: a spreadsheet that stopped the process, guesses sent at once past the sign-in
//! throttle, administrators granting themselves roles, accounts attached without consent,
//! tokens outliving a password or a role, linking evidence above one's clearance, an
//! anonymous flood growing the audit log, and refusals that were not recorded as refusals.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::administration::NewMember;
use preventkit_services::audit::AuditQuery;
use preventkit_services::demo::DEMO_PASSWORD;
use preventkit_services::domain::audit::AuditEvent;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Actor, Permission, Role, Scope};
use preventkit_services::identity::NewToken;
use preventkit_services::{Grant, RequestContext};
use preventkit_testkit::{
    complete_session, each_engine, extract_value, upload, Browser, Engine, Options, Page, Server,
};

const RIVERTON: &str = "Riverton Prevent Partnership";
const EASTVALE: &str = "Eastvale Prevent Partnership";

fn console(p: Permission, scope: Scope) -> Grant {
    decide(&Actor::console(), p, scope).expect("console grant")
}

fn in_partnership(pid: &str, p: Permission) -> Grant {
    console(p, Scope::Partnership(pid.parse().expect("partnership id")))
}

/// A grant to read the partnership's self-assessments, as its Prevent lead holds it but with
/// OFFICIAL clearance only (the console has no part in assessment content).
async fn assessment_reader(s: &Server, pid: &str) -> Grant {
    let lead = s
        .app
        .find_user_by_email(
            &console(Permission::UserManage, Scope::Platform),
            "lead@riverton.example",
        )
        .await
        .expect("lead");
    let partnership = pid.parse().expect("partnership id");
    let actor = Actor::from_verified(preventkit_services::domain::VerifiedIdentity {
        user_id: lead.id.parse().expect("user id"),
        system_admin: false,
        memberships: vec![(partnership, Role::PreventLead)],
        clearance: preventkit_services::domain::Clearance(
            preventkit_services::domain::Marking::Official,
        ),
        mfa_verified: true,
    });
    decide(
        &actor,
        Permission::AssessmentRead,
        Scope::Partnership(partnership),
    )
    .expect("grant")
}

/// What `GET /api/v1/me` answers to a token.
async fn me_status(api: &mut Browser, token: &str) -> u16 {
    api.api("GET", "/api/v1/me", Some(token), None).await.status
}

/// The demonstration partnership's draft self-assessment.
async fn draft_id(s: &Server, read: &Grant) -> String {
    s.app
        .list_assessments(read)
        .await
        .expect("assessments")
        .into_iter()
        .find(|a| a.state.key() == "draft")
        .expect("a draft")
        .id
        .to_string()
}

/// Every audit event, oldest first.
async fn audit(s: &Server) -> Vec<AuditEvent> {
    let g = console(Permission::PlatformAuditRead, Scope::Platform);
    let mut rows = s
        .app
        .audit_events(
            &g,
            &AuditQuery {
                limit: 100_000,
                ..Default::default()
            },
        )
        .await
        .expect("audit events");
    rows.reverse();
    rows
}

async fn chain_is_whole(s: &Server) {
    let verdict = s.app.verify_audit().await.expect("verify audit");
    assert!(verdict.is_ok(), "audit chain broken: {verdict:?}");
}

/// A signed-in member's roles in a partnership, read through the console.
async fn roles_of(s: &Server, pid: &str, email: &str) -> Vec<String> {
    let g = in_partnership(pid, Permission::MembershipRead);
    s.app
        .list_members(&g)
        .await
        .expect("members")
        .into_iter()
        .filter(|m| m.email == email)
        .map(|m| m.role.key().to_owned())
        .collect()
}

async fn membership_id(s: &Server, pid: &str, email: &str, role: &str) -> String {
    let g = in_partnership(pid, Permission::MembershipRead);
    s.app
        .list_members(&g)
        .await
        .expect("members")
        .into_iter()
        .find(|m| m.email == email && m.role.key() == role)
        .map(|m| m.id.to_string())
        .expect("membership")
}

/// A token made through the services for an account signed in here (once per account per
/// server), with the session it was made from.
async fn session_and_token(
    s: &Server,
    email: &str,
    pid: &str,
    role: Role,
) -> (preventkit_services::identity::SessionView, String) {
    let cookie = complete_session(&s.app, email).await;
    let session = s
        .app
        .session(&cookie)
        .await
        .expect("session")
        .expect("live session");
    let (_, secret) = s
        .app
        .create_token(
            &session,
            &NewToken {
                name: "probe".into(),
                partnership_id: pid.into(),
                role: role.key().into(),
                days: "30".into(),
            },
            &RequestContext::default(),
        )
        .await
        .expect("token");
    (session, secret)
}

/// The largest resident set this process has had, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// A workbook shaped like the export (the cover naming the assessment, every sheet of the
/// export) with one more cell far away on the first benchmark sheet: a sparse file of a few
/// kilobytes that describes an enormous sheet.
fn sparse_workbook(assessment_id: &str, sheets: &[String], row: u32, col: u16) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let cover = wb.add_worksheet();
    cover.set_name("About").expect("name");
    cover.write_string(1, 0, "Assessment id").expect("cell");
    cover.write_string(1, 1, assessment_id).expect("cell");
    for (i, name) in sheets.iter().filter(|n| *n != "About").enumerate() {
        let sheet = wb.add_worksheet();
        sheet.set_name(name).expect("name");
        sheet.write_string(0, 0, "Number").expect("cell");
        if i == 0 {
            sheet.write_string(row, col, "far away").expect("cell");
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

#[each_engine]
async fn a_spreadsheet_describing_a_huge_sheet_is_refused_and_the_server_stays_up(engine: Engine) {
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let read = assessment_reader(&s, &pid).await;
    let draft = draft_id(&s, &read).await;
    let mut lead = s.signed_in("lead@riverton.example").await;
    let page = format!("/p/{pid}/assessments/{draft}");
    let export = reqwest::Client::new()
        .get(format!("{}{page}/export.xlsx", s.base))
        .header(
            "cookie",
            format!(
                "pk_session={}",
                lead.cookies.get("pk_session").expect("session")
            ),
        )
        .send()
        .await
        .expect("export")
        .bytes()
        .await
        .expect("bytes");
    let sheets = {
        use calamine::Reader;
        let wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(export.to_vec()))
                .expect("the export is a workbook");
        wb.sheet_names()
    };
    let before = peak_rss_kib();
    for (row, col, limit) in [
        // XFD1048576: the last cell a spreadsheet can have.
        (1_048_575u32, 16_383u16, "XFD1048576"),
        // CV200000: a long way down and across.
        (199_999, 99, "CV200000"),
    ] {
        let csrf = lead.get(&page).await.csrf().expect("csrf");
        let file = sparse_workbook(&draft, &sheets, row, col);
        assert!(file.len() < 16 * 1024, "the hostile file is small");
        let (status, body) =
            upload(&mut lead, &s.base, &format!("{page}/import"), &csrf, file).await;
        assert_eq!(status, 422, "[{}] {limit}: {body}", engine.name());
        assert!(body.contains(limit), "the answer names the cell: {body}");
        assert!(
            body.contains("There is a problem"),
            "an error summary: {body}"
        );
    }
    let grown_mib = peak_rss_kib().saturating_sub(before) / 1024;
    assert!(
        grown_mib < 256,
        "reading the hostile files grew the process by {grown_mib} MiB"
    );
    // The service is still there for everyone, and nothing was imported.
    assert_eq!(s.browser().get("/healthz").await.status, 200);
    let edits = audit(&s)
        .await
        .into_iter()
        .filter(|e| e.action == "assessment.import")
        .count();
    assert_eq!(edits, 0, "nothing was imported");
}

#[each_engine]
async fn guesses_sent_at_once_do_not_pass_the_sign_in_limit(engine: Engine) {
    let s = Server::start_with(
        &engine,
        Options {
            web: preventkit_web::WebConfig {
                trust_forwarded_for: true,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let email = "referrer@riverton.example";
    // A second server on the same database, as behind a load balancer.
    let second = s
        .another(Options {
            web: preventkit_web::WebConfig {
                trust_forwarded_for: true,
                ..Default::default()
            },
            ..Default::default()
        })
        .await;
    // Twenty browsers at one address, each with its own form, all posting at once, half
    // of them to each server.
    let mut browsers = Vec::new();
    for i in 0..20 {
        let mut b = if i % 2 == 0 {
            s.browser()
        } else {
            second.browser()
        };
        b.extra
            .push(("x-forwarded-for".into(), "203.0.113.50".into()));
        let csrf = b.get("/sign-in").await.csrf().expect("csrf");
        browsers.push((b, csrf));
    }
    let answers = futures_util::future::join_all(browsers.iter_mut().map(|(b, csrf)| {
        let fields = [
            ("email", email),
            ("password", "not the password"),
            ("csrf_token", csrf.as_str()),
        ];
        let body = serde_urlencoded::to_string(fields).expect("form");
        let b: &mut Browser = b;
        async move { b.post_body("/sign-in", body).await.status }
    }))
    .await;
    let verified = answers.iter().filter(|s| **s == 401).count();
    let throttled = answers.iter().filter(|s| **s == 429).count();
    assert!(
        verified <= 5,
        "[{}] at most five guesses were checked, got {answers:?}",
        engine.name()
    );
    assert_eq!(verified + throttled, 20, "{answers:?}");
    drop(second);
    // The right password from there is refused for the rest of the window.
    let mut b = s.browser();
    b.extra
        .push(("x-forwarded-for".into(), "203.0.113.50".into()));
    let r = b
        .post_form(
            "/sign-in",
            "/sign-in",
            &[("email", email), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 429, "the right password after the limit");
    // From another address the owner still signs in, and a success gives its reservation
    // back: five more good sign-ins from there never throttle.
    for _ in 0..6 {
        let mut owner = s.browser();
        owner
            .extra
            .push(("x-forwarded-for".into(), "198.51.100.9".into()));
        let r = owner
            .post_form(
                "/sign-in",
                "/sign-in",
                &[("email", email), ("password", DEMO_PASSWORD)],
            )
            .await;
        assert_eq!(r.status, 303, "the owner signs in from elsewhere");
    }
    chain_is_whole(&s).await;
}

#[each_engine]
async fn nobody_grants_themselves_a_role(engine: Engine) {
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let admin_email = "admin@riverton.example";
    let own = membership_id(&s, &pid, admin_email, "administrator").await;

    // A partnership administrator, through the pages.
    let mut admin = s.signed_in(admin_email).await;
    let members = format!("/p/{pid}/members");
    let r = admin
        .post_form(
            &members,
            &format!("{members}/{own}/role"),
            &[("role", "prevent-lead")],
        )
        .await;
    assert_eq!(r.status, 403, "[{}] own role change", engine.name());
    assert!(r.body.contains("cannot change or remove your own roles"));
    let r = admin
        .post_form(
            &members,
            &format!("{members}/{own}/remove"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 403, "own removal");
    let r = admin
        .post_form(
            &format!("{members}/new"),
            &members,
            &[("email", admin_email), ("role", "auditor")],
        )
        .await;
    assert_eq!(r.status, 403, "inviting oneself");
    assert!(r.body.contains("You cannot invite yourself"));
    assert!(
        r.body.contains(admin_email),
        "the form keeps what was typed"
    );
    assert_eq!(roles_of(&s, &pid, admin_email).await, vec!["administrator"]);

    // ... and through the API with an administrator's token.
    let (_, token) = session_and_token(&s, "lead@riverton.example", &pid, Role::PreventLead).await;
    let lead_membership = membership_id(&s, &pid, "lead@riverton.example", "prevent-lead").await;
    let mut api = s.browser();
    // The lead is no administrator: their token cannot manage memberships at all.
    let r = api
        .api(
            "PATCH",
            &format!("/api/v1/partnerships/{pid}/memberships/{lead_membership}"),
            Some(&token),
            Some(serde_json::json!({"role": "administrator"})),
        )
        .await;
    assert_eq!(r.status, 403);

    // A system administrator cannot add themselves to a partnership either.
    let sysadmin_email = preventkit_services::demo::SYSTEM_ADMIN_EMAIL;
    let mut sysadmin = s.signed_in(sysadmin_email).await;
    let r = sysadmin
        .post_form(
            &format!("{members}/new"),
            &members,
            &[("email", sysadmin_email), ("role", "prevent-lead")],
        )
        .await;
    assert_eq!(r.status, 403, "a system administrator inviting themselves");
    assert!(roles_of(&s, &pid, sysadmin_email).await.is_empty());
    let home = sysadmin.get("/home").await;
    assert!(
        !home.body.contains("/accept"),
        "no invitation waits for the system administrator"
    );

    // Every refusal is in the log as one, against the person who tried.
    let refusals: Vec<AuditEvent> = audit(&s)
        .await
        .into_iter()
        .filter(|e| {
            e.outcome.key() == "denied"
                && (e.action.starts_with("membership.") || e.action == "invitation.create")
        })
        .collect();
    assert_eq!(refusals.len(), 4, "{refusals:?}");
    chain_is_whole(&s).await;
}

#[each_engine]
async fn adding_someone_is_an_invitation_they_accept_and_says_nothing_about_accounts(
    engine: Engine,
) {
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let members = format!("/p/{pid}/members");
    let mut admin = s.signed_in("admin@riverton.example").await;

    // An account of another partnership's council, and an address with no account.
    let known = admin
        .post_form(
            &format!("{members}/new"),
            &members,
            &[
                ("email", "admin@eastvale.example"),
                ("role", "prevent-lead"),
            ],
        )
        .await;
    let flash_known = admin.cookies.get("pk_flash").cloned();
    let unknown = admin
        .post_form(
            &format!("{members}/new"),
            &members,
            &[
                ("email", "nobody@eastvale.example"),
                ("role", "prevent-lead"),
            ],
        )
        .await;
    let flash_unknown = admin.cookies.get("pk_flash").cloned();
    assert_eq!(known.status, 303, "[{}]", engine.name());
    assert_eq!(
        (known.status, known.location(), known.body.as_str()),
        (unknown.status, unknown.location(), unknown.body.as_str()),
        "the same answer for a known and an unknown email"
    );
    assert_eq!(flash_known, flash_unknown);
    let list = admin.get(&members).await;
    assert!(list.body.contains("The invitation was recorded"));
    let waiting = list.body.matches("Waiting for an answer").count();
    assert_eq!(waiting, 2, "both invitations show the same way");

    // Nobody was attached: the other council's administrator has no role here yet.
    assert!(roles_of(&s, &pid, "admin@eastvale.example")
        .await
        .is_empty());

    // They see the invitation when they sign in, and accept it.
    let mut eve = s.signed_in("admin@eastvale.example").await;
    let home = eve.get("/home").await;
    assert!(home.body.contains("Invitations waiting for your answer"));
    let invitation =
        extract_value(&home.body, "action=\"/invitations/").expect("an invitation to answer");
    let accept = invitation.trim_end_matches("/accept").to_owned();
    let r = eve
        .post_form("/home", &format!("/invitations/{accept}/accept"), &[])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        roles_of(&s, &pid, "admin@eastvale.example").await,
        vec!["prevent-lead"]
    );
    // Accepting twice does nothing more.
    let r = eve
        .post_form("/account", &format!("/invitations/{accept}/accept"), &[])
        .await;
    assert_eq!(r.status, 409);
    // The role shows on their account with who gave it, and to the administrators.
    let account = eve.get("/account").await;
    assert!(account.body.contains("Alex Admin"), "who invited");
    let list = admin.get(&members).await;
    assert!(list.body.contains("Accepted"));

    // Someone else cannot answer an invitation that is not theirs.
    let mut lead = s.signed_in("lead@riverton.example").await;
    let r = lead
        .post_form("/home", &format!("/invitations/{accept}/decline"), &[])
        .await;
    assert_eq!(r.status, 404);

    // Through the API, the same uniform answer.
    let (_, token) = session_and_token(&s, "auditor@riverton.example", &pid, Role::Auditor).await;
    let mut api = s.browser();
    let r = api
        .api(
            "POST",
            &format!("/api/v1/partnerships/{pid}/memberships"),
            Some(&token),
            Some(serde_json::json!({"email": "someone@example.org", "role": "auditor"})),
        )
        .await;
    assert_eq!(r.status, 403, "an auditor cannot invite");
    chain_is_whole(&s).await;
}

#[each_engine]
async fn tokens_end_with_the_password_the_second_factor_and_the_role_they_came_from(
    engine: Engine,
) {
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let mut api = s.browser();

    // Password change.
    let (session, token) =
        session_and_token(&s, "referrer@riverton.example", &pid, Role::Referrer).await;
    assert_eq!(me_status(&mut api, &token).await, 200);
    s.app
        .change_password(
            &session,
            DEMO_PASSWORD,
            "a brand new passphrase",
            "a brand new passphrase",
            &RequestContext::default(),
        )
        .await
        .expect("password changed");
    assert_eq!(
        me_status(&mut api, &token).await,
        401,
        "[{}] after a password change",
        engine.name()
    );

    // Two-factor reset by a system administrator.
    let (session, token) =
        session_and_token(&s, "contributor@riverton.example", &pid, Role::Contributor).await;
    assert_eq!(me_status(&mut api, &token).await, 200);
    s.app
        .reset_mfa(
            &console(Permission::UserManage, Scope::Platform),
            session.user.id,
            &RequestContext::default(),
        )
        .await
        .expect("reset");
    assert_eq!(
        me_status(&mut api, &token).await,
        401,
        "after a two-factor reset"
    );

    // A role removed and given again later does not bring the token back.
    let email = "auditor@riverton.example";
    let (_, token) = session_and_token(&s, email, &pid, Role::Auditor).await;
    assert_eq!(me_status(&mut api, &token).await, 200);
    let manage = in_partnership(&pid, Permission::MembershipManage);
    let m = membership_id(&s, &pid, email, "auditor").await;
    s.app
        .remove_member(&manage, m.parse().expect("id"), &RequestContext::default())
        .await
        .expect("removed");
    assert_eq!(me_status(&mut api, &token).await, 401);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    s.app
        .add_member(
            &manage,
            &NewMember {
                email: email.into(),
                role: "auditor".into(),
                ..Default::default()
            },
            &RequestContext::default(),
        )
        .await
        .expect("given again");
    assert_eq!(
        me_status(&mut api, &token).await,
        401,
        "not revived by giving the role again"
    );

    // A role changed away and back does not bring it back either.
    let email = "board@riverton.example";
    let (_, token) = session_and_token(&s, email, &pid, Role::BoardMember).await;
    assert_eq!(me_status(&mut api, &token).await, 200);
    let m: preventkit_services::domain::MembershipId =
        membership_id(&s, &pid, email, "board-member")
            .await
            .parse()
            .expect("id");
    let ctx = RequestContext::default();
    s.app
        .change_member_role(&manage, m, "auditor", &ctx)
        .await
        .expect("changed");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    s.app
        .change_member_role(&manage, m, "board-member", &ctx)
        .await
        .expect("changed back");
    assert_eq!(
        me_status(&mut api, &token).await,
        401,
        "not revived by changing the role back"
    );
}

#[each_engine]
async fn evidence_above_ones_clearance_cannot_be_linked(engine: Engine) {
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let read = assessment_reader(&s, &pid).await;
    let draft = draft_id(&s, &read).await;
    // The partnership's OFFICIAL-SENSITIVE item, which the police contributor cannot read.
    let linked_before = s
        .app
        .assessment_evidence(&read, &draft)
        .await
        .expect("evidence");
    let sensitive = linked_before
        .iter()
        .find(|(_, e)| !e.visible)
        .map(|(_, e)| e.id.clone())
        .expect("an item above OFFICIAL clearance");
    let (_, token) =
        session_and_token(&s, "contributor@riverton.example", &pid, Role::Contributor).await;
    let mut api = s.browser();
    let path = format!("/api/v1/partnerships/{pid}/assessments/{draft}/responses/7.1/evidence");
    let r = api
        .api(
            "POST",
            &path,
            Some(&token),
            Some(serde_json::json!({"evidence_id": sensitive})),
        )
        .await;
    assert_eq!(r.status, 422, "[{}] {}", engine.name(), r.body);
    assert!(r.body.contains("your own clearance"), "{}", r.body);
    let linked_after = s
        .app
        .assessment_evidence(&read, &draft)
        .await
        .expect("evidence");
    assert_eq!(linked_after.len(), linked_before.len(), "not linked");
    assert!(!linked_after
        .iter()
        .any(|(q, e)| q == "7.1" && e.id == sensitive));
    let refused = audit(&s)
        .await
        .into_iter()
        .any(|e| e.action == "evidence.link" && e.outcome.key() == "denied");
    assert!(refused, "the refusal is recorded");
}

#[each_engine]
async fn anonymous_refusals_are_counted_not_written_one_by_one(engine: Engine) {
    let s = Server::start_with(
        &engine,
        Options {
            web: preventkit_web::WebConfig {
                trust_forwarded_for: true,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let before = audit(&s).await.len();
    let mut flood = s.browser();
    flood
        .extra
        .push(("x-forwarded-for".into(), "192.0.2.77".into()));
    for _ in 0..60 {
        assert_eq!(flood.api("GET", "/api/v1/me", None, None).await.status, 401);
        assert_eq!(flood.get("/home").await.status, 303);
    }
    let written: Vec<AuditEvent> = audit(&s).await.into_iter().skip(before).collect();
    assert_eq!(
        written.len(),
        1,
        "[{}] one event for the first refusal: {written:?}",
        engine.name()
    );
    assert_eq!(written[0].source.as_deref(), Some("192.0.2.77"));
    // When the window closes, the rest is one event with their number.
    assert_eq!(
        s.app.flush_anonymous_refusals(true).await.expect("flush"),
        1
    );
    let written: Vec<AuditEvent> = audit(&s).await.into_iter().skip(before).collect();
    assert_eq!(written.len(), 2);
    assert_eq!(written[1].action, "access.not-signed-in-repeated");
    assert_eq!(written[1].object_id.as_deref(), Some("119"));
    // A signed-in person's refusals are still written one by one.
    let mut referrer = s.signed_in("referrer@riverton.example").await;
    let pid = s.partnership_id(RIVERTON).await;
    for _ in 0..3 {
        assert_eq!(referrer.get(&format!("/p/{pid}/audit")).await.status, 403);
    }
    let signed_in_refusals = audit(&s)
        .await
        .into_iter()
        .skip(before + 2)
        .filter(|e| e.outcome.key() == "denied" && e.actor.is_some())
        .count();
    assert_eq!(signed_in_refusals, 3);
    chain_is_whole(&s).await;
}

#[each_engine]
async fn an_id_of_another_partnership_is_a_recorded_refusal(engine: Engine) {
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let eastvale = s.partnership_id(EASTVALE).await;
    let eastvale_admin =
        membership_id(&s, &eastvale, "admin@eastvale.example", "administrator").await;
    let mut admin = s.signed_in("admin@riverton.example").await;
    let before = audit(&s).await.len();
    let r = admin
        .post_form(
            &format!("/p/{pid}/members"),
            &format!("/p/{pid}/members/{eastvale_admin}/remove"),
            &[],
        )
        .await;
    assert_eq!(r.status, 404, "[{}]", engine.name());
    let made_up = uuid::Uuid::new_v4();
    let r = admin
        .post_form(
            &format!("/p/{pid}/members"),
            &format!("/p/{pid}/members/{made_up}/remove"),
            &[],
        )
        .await;
    assert_eq!(r.status, 404);
    let refusals: Vec<AuditEvent> = audit(&s)
        .await
        .into_iter()
        .skip(before)
        .filter(|e| e.action == "access.not-found")
        .collect();
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    for e in &refusals {
        assert_eq!(e.outcome.key(), "denied");
        assert!(e.actor.is_some());
        assert_eq!(
            e.partnership.map(|p| p.to_string()).as_deref(),
            Some(pid.as_str()),
            "the partnership asked for, never the owner's"
        );
        assert_eq!(
            e.object_id.as_deref(),
            Some("POST /p/{partnership}/members/{membership}/remove")
        );
    }
    assert_eq!(
        refusals[0].object_id, refusals[1].object_id,
        "an id elsewhere and an id nowhere read the same"
    );
    // The other partnership's administrator is untouched.
    assert_eq!(
        roles_of(&s, &eastvale, "admin@eastvale.example").await,
        vec!["administrator"]
    );
}

#[each_engine]
async fn text_with_a_nul_character_is_refused_and_changes_nothing(engine: Engine) {
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let read = assessment_reader(&s, &pid).await;
    let draft = draft_id(&s, &read).await;
    let (_, token) = session_and_token(&s, "lead@riverton.example", &pid, Role::PreventLead).await;
    let mut api = s.browser();
    let path = format!("/api/v1/partnerships/{pid}/assessments/{draft}/responses/1.1");
    let current = api.api("GET", &path, Some(&token), None).await;
    assert_eq!(current.status, 200, "{}", current.body);
    let version = current.json()["version"].as_i64().expect("version");
    let r = api
            .api(
                "PUT",
                &path,
                Some(&token),
                Some(serde_json::json!({"rating": "", "details": "before\u{0}after", "version": version})),
            )
            .await;
    assert_eq!(r.status, 422, "[{}] {}", engine.name(), r.body);
    assert!(r.body.contains("control characters"), "{}", r.body);
    let after = api.api("GET", &path, Some(&token), None).await;
    assert_eq!(
        after.json()["version"].as_i64(),
        Some(version),
        "nothing changed"
    );
    // A comment keeps its line breaks and refuses the NUL character too.
    let comments = format!("{path}/comments");
    let r = api
        .api(
            "POST",
            &comments,
            Some(&token),
            Some(serde_json::json!({"body": "First line\nsecond line"})),
        )
        .await;
    assert_eq!(r.status, 204, "a comment of two lines: {}", r.body);
    let r = api
        .api(
            "POST",
            &comments,
            Some(&token),
            Some(serde_json::json!({"body": "before\u{0}after"})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let listed = api.api("GET", &comments, Some(&token), None).await;
    assert!(
        listed.body.contains("First line\\nsecond line"),
        "{}",
        listed.body
    );
    assert!(!listed.body.contains("before"), "nothing stored");
}

#[each_engine]
async fn the_pre_sign_in_cookie_is_made_by_the_server(engine: Engine) {
    let s = Server::start(&engine).await;
    // A value the client chose is not taken as the binding of the form's token.
    let chosen = "a".repeat(43);
    let mut b = s.browser();
    b.set_cookie("pk_pre", &chosen);
    let page: Page = b.get("/sign-in").await;
    let issued = b.cookies.get("pk_pre").cloned().expect("a cookie");
    assert_ne!(issued, chosen, "[{}] a new, signed value", engine.name());
    assert!(issued.contains('.'), "value and signature");
    // The form's token works with the server's cookie...
    let csrf = page.csrf().expect("csrf");
    let ok = b
        .post_raw(
            "/sign-in",
            &[
                ("email", "referrer@riverton.example"),
                ("password", DEMO_PASSWORD),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    // ... and a forged cookie with a token made for it elsewhere is refused.
    let mut forged = s.browser();
    forged.set_cookie("pk_pre", &format!("{chosen}.{}", "0".repeat(64)));
    let r = forged
        .post_raw(
            "/sign-in",
            &[
                ("email", "referrer@riverton.example"),
                ("password", DEMO_PASSWORD),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "forged binding refused");
}
