//! A stored value that cannot be read back (an unknown key, a malformed identifier) is a
//! server error on the pages and in the API, never quietly shown as some default.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Actor, Permission, Scope};
use preventkit_testkit::{each_engine, Browser, Engine, Server};

const RIVERTON: &str = "Riverton Prevent Partnership";

#[each_engine]
async fn an_unknown_membership_role_is_a_server_error_not_a_default(engine: Engine) {
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let mut admin = s.signed_in("admin@riverton.example").await;
    let members = format!("/p/{pid}/members");
    assert_eq!(admin.get(&members).await.status, 200);
    let grant = decide(
        &Actor::console(),
        Permission::MembershipRead,
        Scope::Partnership(pid.parse().expect("partnership id")),
    )
    .expect("console grant");
    assert!(s.app.list_members(&grant).await.is_ok());

    let mut sql = s.sql().await;
    sql.execute(&format!(
        "UPDATE memberships SET role = 'superuser' WHERE partnership_id = '{pid}' \
         AND user_id = (SELECT id FROM users WHERE email = 'referrer@riverton.example')"
    ))
    .await;

    let page = admin.get(&members).await;
    assert_eq!(page.status, 500, "the members page");
    assert!(
        !page.body.contains("superuser"),
        "the stored value is not shown"
    );
    let refused = s
        .app
        .list_members(&grant)
        .await
        .expect_err("the service call fails");
    assert!(
        !format!("{refused} {refused:?}").contains("superuser"),
        "the stored value is not in the error"
    );
}

/// A server, a browser, Riverton's administrator's token and the address of Riverton in the
/// API, which answers before anything is changed.
async fn partnership_api(engine: &Engine) -> (Server, Browser, String, String) {
    let s = Server::start(engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let token = s
        .token("admin@riverton.example", &pid, "administrator")
        .await;
    let mut b = s.browser();
    let api = format!("/api/v1/partnerships/{pid}");
    assert_eq!(b.api("GET", &api, Some(&token), None).await.status, 200);
    (s, b, token, api)
}

#[each_engine]
async fn an_unknown_organisation_type_is_a_server_error_not_a_default(engine: Engine) {
    let (s, mut b, token, api) = partnership_api(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;

    let mut sql = s.sql().await;
    sql.execute(&format!(
        "UPDATE organisations SET org_type = 'secret-society' WHERE id IN \
         (SELECT organisation_id FROM partnership_organisations WHERE partnership_id = '{pid}')"
    ))
    .await;

    let answer = b.api("GET", &api, Some(&token), None).await;
    assert_eq!(answer.status, 500, "the partnership API");
    assert!(
        !answer.body.contains("secret-society"),
        "the stored value is not shown"
    );
}

#[each_engine]
async fn an_unknown_clearance_is_a_server_error_not_the_lowest(engine: Engine) {
    let (s, mut b, token, api) = partnership_api(&engine).await;

    let mut sql = s.sql().await;
    sql.execute(
        "UPDATE users SET clearance = 'cosmic-top-secret' WHERE email = 'admin@riverton.example'",
    )
    .await;

    let answer = b.api("GET", &api, Some(&token), None).await;
    assert_eq!(answer.status, 500, "the API with the account's token");
    assert!(
        !answer.body.contains("cosmic-top-secret"),
        "the stored value is not shown"
    );
}

#[each_engine]
async fn an_unreadable_audit_event_is_a_server_error_and_verification_calls_it_edited(
    engine: Engine,
) {
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let mut admin = s.signed_in("admin@riverton.example").await;
    let log = format!("/p/{pid}/audit");
    assert_eq!(admin.get(&log).await.status, 200);
    assert!(s.app.verify_audit().await.expect("verify").is_ok());

    // The chain's newest event, which the first page of the log shows.
    let chain = format!("partnership:{pid}");
    let mut sql = s.sql().await;
    let last = sql
        .number(&format!(
            "SELECT max(seq) FROM audit_events WHERE chain = '{chain}'"
        ))
        .await;
    sql.execute(&format!(
        "UPDATE audit_events SET outcome = 'perhaps' WHERE chain = '{chain}' AND seq = {last}"
    ))
    .await;

    let page = admin.get(&log).await;
    assert_eq!(page.status, 500, "the audit log page");
    assert!(
        !page.body.contains("perhaps"),
        "the stored value is not shown"
    );
    // Verification reads the text as stored, so the edit is found where it was made.
    let report = s.app.verify_audit().await.expect("verify");
    assert_eq!(
        report.break_of(&chain).map(|b| (b.kind(), b.seq())),
        Some(("edited", last))
    );
}
