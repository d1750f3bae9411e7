//! Administration, account and audit pages: removing a member, disabling an account and
//! revoking a token each ask first on their own page and act only once confirmed; the audit
//! log shows people by name and actions in words, and filters by both; refusing to leave a
//! partnership without an administrator shows the error summary; new recovery codes can be
//! downloaded only while they are being shown; the page for an address that does not exist.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::demo::SYSTEM_ADMIN_EMAIL;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Actor, Permission, Role, Scope};
use preventkit_services::Grant;
use preventkit_testkit::{each_engine, extract_value, field_value, Browser, Engine, Page, Server};

const RIVERTON: &str = "Riverton Prevent Partnership";

fn console(p: Permission, scope: Scope) -> Grant {
    decide(&Actor::console(), p, scope).unwrap()
}

async fn membership_of(s: &Server, pid: &str, email: &str, role: Role) -> Option<String> {
    let g = console(
        Permission::MembershipManage,
        Scope::Partnership(pid.parse().unwrap()),
    );
    s.app
        .list_members(&g)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.email == email && m.role == role)
        .map(|m| m.id.to_string())
}

async fn user_disabled(s: &Server, email: &str) -> bool {
    let g = console(Permission::UserManage, Scope::Platform);
    s.app.find_user_by_email(&g, email).await.unwrap().disabled
}

/// The ids of the records of audit events with this action key (all chains: object ids are
/// unique across them; the partnership is named only for the reader).
async fn audited(s: &Server, _partnership: Option<&str>, action: &str) -> Vec<String> {
    let g = console(Permission::PlatformAuditRead, Scope::Platform);
    let q = preventkit_services::audit::AuditQuery {
        action_prefix: Some(action.into()),
        limit: 100,
        ..Default::default()
    };
    s.app
        .audit_events(&g, &q)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.object_id.unwrap_or_default())
        .collect()
}

/// A confirmation page as the design system has it: the question, a red button posting with
/// the CSRF token and `confirm=yes`, and a way back.
fn assert_confirmation(e: &str, page: &Page, question: &str, action: &str, cancel: &str) {
    assert_eq!(page.status, 200, "[{e}] {}", page.body);
    assert!(
        page.body
            .contains(&format!("<h1 class=\"govuk-heading-l\">{question}</h1>")),
        "[{e}] the question `{question}`:\n{}",
        page.body
    );
    assert!(page.body.contains("govuk-warning-text"), "[{e}] warning");
    assert!(
        page.body.contains("govuk-summary-list"),
        "[{e}] a summary of what is affected"
    );
    assert!(
        page.body.contains(&format!("action=\"{action}\"")),
        "[{e}] the form posts to {action}"
    );
    assert!(
        page.body.contains("name=\"confirm\" value=\"yes\""),
        "[{e}] confirm"
    );
    assert!(page.csrf().is_some(), "[{e}] CSRF token");
    assert!(
        page.body
            .contains("class=\"govuk-button govuk-button--warning\""),
        "[{e}] a warning button"
    );
    assert!(
        page.body.contains(&format!(
            "<a class=\"govuk-link\" href=\"{cancel}\">Cancel</a>"
        )),
        "[{e}] cancel link back to {cancel}"
    );
}

async fn follow(b: &mut Browser, res: &Page) -> Page {
    assert_eq!(res.status, 303, "{}", res.body);
    b.get(res.location().unwrap()).await
}

#[each_engine]
async fn removing_a_member_asks_first_and_is_audited(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let mid = membership_of(&s, &pid, "auditor@riverton.example", Role::Auditor)
        .await
        .unwrap();
    let mut b = s.signed_in("admin@riverton.example").await;
    let members = format!("/p/{pid}/members");
    let remove = format!("/p/{pid}/members/{mid}/remove");

    let list = b.get(&members).await;
    assert!(
        list.body.contains(&format!("href=\"{remove}\"")),
        "[{e}] the members page links to the confirmation page"
    );
    let page = b.get(&remove).await;
    assert_confirmation(
        e,
        &page,
        &format!("Are you sure you want to remove Ada Auditor from {RIVERTON}?"),
        &remove,
        &members,
    );

    // Without `confirm=yes` nothing is removed: the question is asked again.
    let again = b.post_form(&remove, &remove, &[]).await;
    assert_eq!(again.status, 200, "[{e}]");
    assert!(again
        .body
        .contains("Are you sure you want to remove Ada Auditor"));
    assert!(
        membership_of(&s, &pid, "auditor@riverton.example", Role::Auditor)
            .await
            .is_some(),
        "[{e}] still a member"
    );
    assert!(
        !audited(&s, Some(&pid), "membership.delete")
            .await
            .contains(&mid),
        "[{e}] nothing audited yet"
    );

    let done = b.post_form(&remove, &remove, &[("confirm", "yes")]).await;
    assert_eq!(done.location(), Some(members.as_str()), "[{e}]");
    let after = follow(&mut b, &done).await;
    assert!(
        after.body.contains("govuk-notification-banner--success")
            && after.body.contains("The member was removed"),
        "[{e}] success banner:\n{}",
        after.body
    );
    assert!(
        membership_of(&s, &pid, "auditor@riverton.example", Role::Auditor)
            .await
            .is_none(),
        "[{e}] removed"
    );
    assert!(
        audited(&s, Some(&pid), "membership.delete")
            .await
            .contains(&mid),
        "[{e}] the removal is audited"
    );

    // The audit log names the person and says what happened in words, keeping the key.
    let log = b
        .get(&format!(
            "/p/{pid}/audit?person=alex&action=membership.delete"
        ))
        .await;
    assert_eq!(log.status, 200, "[{e}] {}", log.body);
    assert!(log.body.contains("Alex Admin"), "[{e}] the name");
    assert!(
        log.body.contains("Membership removed<br><code"),
        "[{e}] the readable action"
    );
    assert!(
        log.body.contains(">membership.delete</code>"),
        "[{e}] the key"
    );
    // The filters keep their values.
    let person = &log.body[log.body.find("id=\"person\"").unwrap()..];
    let person = &person[..person.find('>').unwrap()];
    assert!(person.contains("value=\"alex\""), "[{e}] {person}");
    assert!(
        log.body
            .contains("<option value=\"membership.delete\" selected>Membership removed</option>"),
        "[{e}] the chosen action stays chosen:\n{}",
        log.body
    );
    // Someone else's name, or another action, finds no removal.
    let other = b
        .get(&format!(
            "/p/{pid}/audit?person=Priya&action=membership.delete"
        ))
        .await;
    assert!(
        !other.body.contains("Membership removed<br>"),
        "[{e}] only that person's events"
    );
    assert!(other.body.contains("No events match these filters."));
    let other = b
        .get(&format!(
            "/p/{pid}/audit?person=Alex&action=invitation.create"
        ))
        .await;
    assert!(
        !other.body.contains("Membership removed<br>"),
        "[{e}] only that action"
    );
    // Unfiltered, the actor appears by name, never by bare id.
    let all = b.get(&format!("/p/{pid}/audit")).await;
    assert!(all.body.contains("Alex Admin"), "[{e}]");
    let admin_id = {
        let g = console(Permission::UserManage, Scope::Platform);
        s.app
            .find_user_by_email(&g, "admin@riverton.example")
            .await
            .unwrap()
            .id
    };
    assert!(
        !all.body.contains(&admin_id),
        "[{e}] the person's id is not shown"
    );

    // Dates are GOV.UK date inputs: a box left empty is named, everything typed stays.
    let bad = b
        .get(&format!(
            "/p/{pid}/audit?person=alex&from-day=1&from-month=&from-year=2026"
        ))
        .await;
    assert_eq!(bad.status, 422, "[{e}] {}", bad.body);
    assert!(
        bad.body.contains("From date must include a month") && bad.body.contains("href=\"#from\""),
        "[{e}] the design system's message, linked to the day box:\n{}",
        bad.body
    );
    assert!(
        bad.body
            .contains(r#"name="from-year" type="text" value="2026""#),
        "[{e}] the year typed is kept"
    );
    // A range in the future finds nothing; one that includes today finds the removal.
    let today = time::OffsetDateTime::now_utc().date();
    let later = today + time::Duration::days(2);
    let none = b
        .get(&format!(
            "/p/{pid}/audit?action=membership.delete&from-day={}&from-month={}&from-year={}",
            later.day(),
            u8::from(later.month()),
            later.year()
        ))
        .await;
    assert_eq!(none.status, 200, "[{e}]");
    assert!(!none.body.contains("Membership removed<br>"), "[{e}]");
    let some = b
        .get(&format!(
            "/p/{pid}/audit?action=membership.delete&to-day={}&to-month={}&to-year={}",
            later.day(),
            u8::from(later.month()),
            later.year()
        ))
        .await;
    assert!(some.body.contains("Membership removed<br>"), "[{e}]");
}

#[each_engine]
async fn the_api_keeps_the_action_key(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let token = s.token("auditor@riverton.example", &pid, "auditor").await;
    let mut b = s.browser();
    let res = b
        .api(
            "GET",
            &format!("/api/v1/partnerships/{pid}/audit-events?limit=500"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "[{e}] {}", res.body);
    let events = res.json();
    let first = &events.as_array().unwrap()[0];
    assert!(first["action"].as_str().unwrap().contains('.'), "[{e}] key");
    assert!(first["action_label"].is_string(), "[{e}] label");
}

#[each_engine]
async fn disabling_an_account_asks_first_and_is_audited(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let g = console(Permission::UserManage, Scope::Platform);
    let board = s
        .app
        .find_user_by_email(&g, "board@riverton.example")
        .await
        .unwrap()
        .id;
    let mut b = s.signed_in(SYSTEM_ADMIN_EMAIL).await;
    let disable = format!("/admin/users/{board}/disable");
    let list = b.get("/admin/users").await;
    assert!(list.body.contains(&format!("href=\"{disable}\"")), "[{e}]");
    let page = b.get(&disable).await;
    assert_confirmation(
        e,
        &page,
        "Are you sure you want to disable the account of Bola Board?",
        &disable,
        "/admin/users",
    );
    let again = b.post_form(&disable, &disable, &[]).await;
    assert_eq!(again.status, 200, "[{e}]");
    assert!(!user_disabled(&s, "board@riverton.example").await, "[{e}]");
    assert!(!audited(&s, None, "user.disable").await.contains(&board));

    let done = b.post_form(&disable, &disable, &[("confirm", "yes")]).await;
    let after = follow(&mut b, &done).await;
    assert!(
        after.body.contains("The account was disabled"),
        "[{e}] banner"
    );
    assert!(user_disabled(&s, "board@riverton.example").await, "[{e}]");
    assert!(
        audited(&s, None, "user.disable").await.contains(&board),
        "[{e}] audited"
    );
}

#[each_engine]
async fn revoking_a_token_asks_first(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let mut b = s.signed_in("lead@riverton.example").await;
    let made = b
        .post_form(
            "/account/tokens",
            "/account/tokens",
            &[
                ("name", "Reporting script"),
                ("scope", &format!("{pid}|prevent-lead")),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "[{e}] {}", made.body);
    let secret = extract_value(&made.body, "<code id=\"new-token\" class=\"pk-token\">").unwrap();
    let secret = secret.split('<').next().unwrap().to_owned();
    let id = extract_value(&made.body, "href=\"/account/tokens/").unwrap();
    let id = id.split('/').next().unwrap().to_owned();
    let revoke = format!("/account/tokens/{id}/revoke");
    let works = |status: u16| status == 200;
    let mut api = s.browser();
    assert!(works(
        api.api("GET", "/api/v1/me", Some(&secret), None)
            .await
            .status
    ));

    let page = b.get(&revoke).await;
    assert_confirmation(
        e,
        &page,
        "Are you sure you want to revoke the token ‘Reporting script’?",
        &revoke,
        "/account/tokens",
    );
    let again = b.post_form(&revoke, &revoke, &[]).await;
    assert_eq!(again.status, 200, "[{e}]");
    assert!(
        works(
            api.api("GET", "/api/v1/me", Some(&secret), None)
                .await
                .status
        ),
        "[{e}] the token still works"
    );
    let done = b.post_form(&revoke, &revoke, &[("confirm", "yes")]).await;
    let after = follow(&mut b, &done).await;
    assert!(after.body.contains("The token was revoked"), "[{e}]");
    assert_eq!(
        api.api("GET", "/api/v1/me", Some(&secret), None)
            .await
            .status,
        401,
        "[{e}] the token no longer works"
    );
    assert!(
        audited(&s, Some(&pid), "api-token.revoke")
            .await
            .contains(&id),
        "[{e}] audited"
    );
    // A revoked token has no confirmation page any more.
    assert_eq!(b.get(&revoke).await.status, 404, "[{e}]");
}

#[each_engine]
async fn the_last_administrator_is_refused_in_the_error_summary(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let mid = membership_of(&s, &pid, "admin@riverton.example", Role::Administrator)
        .await
        .unwrap();
    let mut b = s.signed_in(SYSTEM_ADMIN_EMAIL).await;
    let remove = format!("/p/{pid}/members/{mid}/remove");
    let before = audited(&s, Some(&pid), "membership.delete").await.len();
    let res = b.post_form(&remove, &remove, &[("confirm", "yes")]).await;
    assert_eq!(res.status, 409, "[{e}] {}", res.body);
    assert!(
        res.body.contains("govuk-error-summary")
            && res.body.contains("There is a problem")
            && res
                .body
                .contains("A partnership must keep at least one administrator")
            && res.body.contains("href=\"#members\""),
        "[{e}] the error summary:\n{}",
        res.body
    );
    assert!(res.body.contains("<title>Error: Members"), "[{e}] title");
    assert!(
        res.body.contains("id=\"members\"") && res.body.contains("Alex Admin"),
        "[{e}] with the members list"
    );
    assert!(
        membership_of(&s, &pid, "admin@riverton.example", Role::Administrator)
            .await
            .is_some(),
        "[{e}] still the administrator"
    );
    assert_eq!(
        audited(&s, Some(&pid), "membership.delete").await.len(),
        before,
        "[{e}] nothing removed"
    );

    // Demoting the last administrator is refused the same way.
    let role = format!("/p/{pid}/members/{mid}/role");
    let res = b
        .post_form(&format!("/p/{pid}/members"), &role, &[("role", "auditor")])
        .await;
    assert_eq!(res.status, 409, "[{e}]");
    assert!(res.body.contains("govuk-error-summary"), "[{e}]");

    // The platform's administrator cannot disable their own account.
    let g = console(Permission::UserManage, Scope::Platform);
    let me = s
        .app
        .find_user_by_email(&g, SYSTEM_ADMIN_EMAIL)
        .await
        .unwrap()
        .id;
    let own = format!("/admin/users/{me}/disable");
    let res = b.post_form(&own, &own, &[("confirm", "yes")]).await;
    assert!(
        res.body.contains("govuk-error-summary")
            && res.body.contains("You cannot disable your own account")
            && res.body.contains("Create an account"),
        "[{e}] the accounts page with its error summary:\n{}",
        res.body
    );
    assert!(!user_disabled(&s, SYSTEM_ADMIN_EMAIL).await, "[{e}]");
}

#[each_engine]
async fn recovery_codes_download_only_while_shown(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let mut b = s.signed_in("lead@riverton.example").await;
    let shown = b
        .post_form("/account", "/account/recovery-codes", &[])
        .await;
    assert_eq!(shown.status, 200, "[{e}] {}", shown.body);
    let codes = field_value(&shown.body, "codes").unwrap();
    assert_eq!(codes.split(' ').count(), 10, "[{e}] {codes}");
    assert!(
        shown
            .body
            .contains("action=\"/account/recovery-codes/download\""),
        "[{e}] a download form (never a link with the codes in it)"
    );
    assert!(shown.body.contains("print"), "[{e}] how to print");
    let csrf = shown.csrf().unwrap();

    let res = b
        .post_raw(
            "/account/recovery-codes/download",
            &[("csrf_token", &csrf), ("codes", &codes)],
        )
        .await;
    assert_eq!(res.status, 200, "[{e}] {}", res.body);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(res
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(res.header("cache-control"), Some("no-store"), "[{e}]");
    for c in codes.split(' ') {
        assert!(res.body.contains(c), "[{e}] {c} in the file");
    }

    // Not for someone else.
    let mut other = s.signed_in("contributor@riverton.example").await;
    let their = other.get("/account").await.csrf().unwrap();
    let res = other
        .post_raw(
            "/account/recovery-codes/download",
            &[("csrf_token", &their), ("codes", &codes)],
        )
        .await;
    assert_eq!(res.status, 409, "[{e}] someone else is refused");
    assert!(!res.body.contains(codes.split(' ').next().unwrap()));
    // Not for part of them, or codes made up.
    let part: Vec<&str> = codes.split(' ').take(9).collect();
    let res = b
        .post_raw(
            "/account/recovery-codes/download",
            &[("csrf_token", &csrf), ("codes", &part.join(" "))],
        )
        .await;
    assert_eq!(res.status, 409, "[{e}] part of the codes");
    // Not once the page's time has passed.
    s.advance_clock(16 * 60 * 1000);
    let res = b
        .post_raw(
            "/account/recovery-codes/download",
            &[("csrf_token", &csrf), ("codes", &codes)],
        )
        .await;
    assert_eq!(res.status, 409, "[{e}] afterwards: {}", res.body);
    assert!(res
        .body
        .contains("These recovery codes can no longer be downloaded"));
}

#[each_engine]
async fn replaced_recovery_codes_cannot_be_downloaded(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let mut b = s.signed_in("lead@riverton.example").await;
    let first = b
        .post_form("/account", "/account/recovery-codes", &[])
        .await;
    let old = field_value(&first.body, "codes").unwrap();
    let _second = b
        .post_form("/account", "/account/recovery-codes", &[])
        .await;
    let csrf = b.get("/account").await.csrf().unwrap();
    let res = b
        .post_raw(
            "/account/recovery-codes/download",
            &[("csrf_token", &csrf), ("codes", &old)],
        )
        .await;
    assert_eq!(res.status, 409, "[{e}] the old set is gone");
}

#[each_engine]
async fn page_not_found(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let mut b = s.signed_in("lead@riverton.example").await;
    let res = b.get("/no/such/page").await;
    assert_eq!(res.status, 404, "[{e}]");
    for text in [
        "<h1 class=\"govuk-heading-l\">Page not found</h1>",
        "If you typed the web address, check it is correct.",
        "If you pasted the web address, check you copied the entire address.",
        "href=\"/\"",
    ] {
        assert!(res.body.contains(text), "[{e}] `{text}`:\n{}", res.body);
    }
}

#[each_engine]
async fn nobody_is_asked_to_remove_their_own_role(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let own = membership_of(&s, &pid, "admin@riverton.example", Role::Administrator)
        .await
        .unwrap();
    let mut b = s.signed_in("admin@riverton.example").await;
    let res = b.get(&format!("/p/{pid}/members/{own}/remove")).await;
    assert_eq!(res.status, 403, "[{e}]");
    assert!(
        res.body.contains("govuk-error-summary")
            && res
                .body
                .contains("You cannot change or remove your own roles"),
        "[{e}] {}",
        res.body
    );
    assert!(
        !res.body.contains("name=\"confirm\""),
        "[{e}] nothing to confirm"
    );
}

#[each_engine]
async fn codes_made_at_set_up_can_be_downloaded_from_their_page(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let mut b = s.browser();
    let r = b
        .post_form(
            "/sign-in",
            "/sign-in",
            &[
                ("email", "chair@riverton.example"),
                ("password", preventkit_services::demo::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.location(), Some("/sign-in/mfa/set-up"), "[{e}]");
    let setup = b.get("/sign-in/mfa/set-up").await;
    let secret = preventkit_testkit::element_text(&setup.body, "id=\"totp-secret\">")
        .unwrap()
        .replace(' ', "");
    let code = preventkit_testkit::totp_at(&secret, preventkit_testkit::current_step());
    let shown = b
        .post_form(
            "/sign-in/mfa/set-up",
            "/sign-in/mfa/set-up",
            &[("code", &code)],
        )
        .await;
    assert_eq!(shown.status, 200, "[{e}] {}", shown.body);
    let codes = field_value(&shown.body, "codes").unwrap();
    // The page's form carries the new session's CSRF token, so the download works from it.
    let csrf = shown.csrf().unwrap();
    let res = b
        .post_raw(
            "/account/recovery-codes/download",
            &[("csrf_token", &csrf), ("codes", &codes)],
        )
        .await;
    assert_eq!(res.status, 200, "[{e}] {}", res.body);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert!(res.body.contains(codes.split(' ').next().unwrap()));
}
