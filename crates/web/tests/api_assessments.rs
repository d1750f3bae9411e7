//! The self-assessment through the JSON API, on every engine: the lead starts an assessment, a
//! contributor rates a question, an edit based on an old version is refused with the stored
//! answer in the body, the lead submits, nobody approves their own submission, a board member
//! approves, the lead locks and answers freeze. Bodies with unknown fields, roles without a part
//! in the assessment, other partnerships and unknown assessments are refused.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::administration::NewMember;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Actor, Permission, Scope};
use preventkit_services::RequestContext;
use preventkit_testkit::{each_engine, frameworks, Browser, Engine, Page, Server};
use serde_json::{json, Value};

/// The framework of `assessment_pages.rs`, under its own key, without the mapping (which
/// needs a second framework) and with a second question of another kind.
const FRAMEWORK: &str = frameworks::API_TEST;

const RIVERTON: &str = "Riverton Prevent Partnership";
const EASTVALE: &str = "Eastvale Prevent Partnership";

/// The first field an error body names.
fn field(r: &Page) -> String {
    r.json()["error"]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn fields(r: &Page) -> Vec<String> {
    r.json()["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn put(b: &mut Browser, path: &str, token: &str, body: Value) -> Page {
    b.api("PUT", path, Some(token), Some(body)).await
}

#[each_engine]
async fn an_assessment_through_the_api_from_start_to_lock(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let console = |p: Permission, scope: Scope| decide(&Actor::console(), p, scope);
    let g = console(Permission::FrameworkManage, Scope::Platform).expect("grant");
    s.app
        .import_framework(&g, "api-test.toml", FRAMEWORK, &Default::default())
        .await
        .expect("import");
    let pid = s.partnership_id(RIVERTON).await;
    let eastvale = s.partnership_id(EASTVALE).await;

    // The lead also sits on the board, so the self-approval rule can be tried.
    let mg = console(
        Permission::MembershipManage,
        Scope::Partnership(pid.parse().expect("partnership id")),
    )
    .expect("grant");
    s.app
        .add_member(
            &mg,
            &NewMember {
                email: "lead@riverton.example".into(),
                role: "board-member".into(),
                display_name: String::new(),
                organisation_id: String::new(),
                password: String::new(),
            },
            &RequestContext::default(),
        )
        .await
        .expect("lead joins the board");
    let lead_tokens = s
        .tokens(
            "lead@riverton.example",
            &pid,
            &["prevent-lead", "board-member"],
        )
        .await;
    let (lead, lead_on_board) = (lead_tokens[0].as_str(), lead_tokens[1].as_str());
    let contributor = s
        .token("contributor@riverton.example", &pid, "contributor")
        .await;
    let board = s
        .token("board@riverton.example", &pid, "board-member")
        .await;
    let referrer = s.token("referrer@riverton.example", &pid, "referrer").await;
    let mut b = s.browser();

    // Frameworks on offer, to anyone with a token.
    let r = b
        .api("GET", "/api/v1/frameworks", Some(&contributor), None)
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    let list = r.json();
    let fw = list
        .as_array()
        .expect("a list")
        .iter()
        .find(|f| f["key"] == "api-test")
        .expect("the imported framework is listed")
        .clone();
    assert_eq!(fw["version"], 1);
    assert_eq!(fw["title"], "API test framework");
    assert_eq!(fw["questions"], 2);

    // Starting an assessment: bad input, unknown and missing fields, then a good one.
    let base = format!("/api/v1/partnerships/{pid}/assessments");
    let r = b
        .api(
            "POST",
            &base,
            Some(lead),
            Some(json!({"title": "", "framework": "api-test",
                    "period_start": "2026-02-30", "period_end": "2027-03-31"})),
        )
        .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert_eq!(r.json()["error"]["code"], "validation_failed");
    let named = fields(&r);
    assert!(
        named.contains(&"title".to_owned()) && named.contains(&"period_start".to_owned()),
        "[{e}] {named:?}"
    );
    let r = b
        .api(
            "POST",
            &base,
            Some(lead),
            Some(json!({"title": "x", "framework": "no-such-framework",
                    "period_start": "2026-04-01", "period_end": "2026-03-31"})),
        )
        .await;
    assert_eq!(r.status, 422);
    let named = fields(&r);
    assert!(
        named.contains(&"framework".to_owned()) && named.contains(&"period_end".to_owned()),
        "[{e}] {named:?}"
    );
    let r = b
        .api(
            "POST",
            &base,
            Some(lead),
            Some(json!({"title": "2026 to 2027", "framework": "api-test",
                    "period_start": "2026-04-01", "period_end": "2027-03-31", "owner": "me"})),
        )
        .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert_eq!(field(&r), "owner", "the unknown field is named");
    let r = b
        .api(
            "POST",
            &base,
            Some(lead),
            Some(json!({"title": "2026 to 2027", "framework": "api-test",
                    "period_end": "2027-03-31"})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(field(&r), "period_start", "the missing field is named");
    // The contributor answers but does not run assessments.
    let good = json!({"title": "2026 to 2027", "framework": "api-test",
            "period_start": "2026-04-01", "period_end": "2027-03-31"});
    let r = b
        .api("POST", &base, Some(&contributor), Some(good.clone()))
        .await;
    assert_eq!(r.status, 403);
    let r = b.api("POST", &base, Some(lead), Some(good)).await;
    assert_eq!(r.status, 201, "[{e}] {}", r.body);
    let aid = r.json()["id"].as_str().expect("an id").to_owned();
    let one = format!("{base}/{aid}");

    let r = b.api("GET", &base, Some(&board), None).await;
    assert_eq!(r.status, 200);
    let listed = r.json();
    let listed = listed.as_array().expect("a list");
    // Beside the demonstration partnership's own two benchmark assessments.
    assert_eq!(listed.len(), 3, "{listed:?}");
    let mine = listed
        .iter()
        .find(|a| a["id"] == aid.as_str())
        .expect("the new assessment is listed");
    assert_eq!(mine["state"], "draft");
    assert_eq!(mine["period_start"], "2026-04-01");

    let r = b.api("GET", &one, Some(&contributor), None).await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    let detail = r.json();
    assert_eq!(detail["state"], "draft");
    assert_eq!(detail["framework"]["key"], "api-test");
    assert_eq!(detail["framework"]["version"], 1);
    assert_eq!(
        (detail["answered"].clone(), detail["total"].clone()),
        (json!(0), json!(2))
    );
    let section = &detail["progress"][0];
    assert_eq!(section["id"], "b1");
    assert_eq!(
        (section["answered"].clone(), section["total"].clone()),
        (json!(0), json!(2))
    );
    assert_eq!(
        section["by_kind"],
        json!([
            {"kind": "expectation", "label": "Expectation of compliance", "answered": 0, "total": 1},
            {"kind": "good-practice", "label": "Good practice", "answered": 0, "total": 1},
        ])
    );

    let r = b
        .api("GET", &format!("{one}/responses"), Some(&contributor), None)
        .await;
    assert_eq!(r.status, 200);
    let answers = r.json();
    let answers = answers.as_array().expect("a list");
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0]["question"], "1.1");
    assert_eq!(answers[0]["number"], "1.1");
    assert_eq!(answers[0]["kind"], "expectation");
    assert_eq!(answers[0]["rating"], "");
    assert_eq!(answers[0]["version"], 1);
    assert_eq!(answers[1]["question"], "1.2");
    let at = answers[0]["updated_at"].as_str().expect("a time");
    assert!(
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).is_ok(),
        "RFC 3339: {at}"
    );

    // The contributor answers only once the question is assigned to them.
    let question = format!("{one}/responses/1.1");
    let r = put(
        &mut b,
        &question,
        &contributor,
        json!({"rating": "developing", "details": "Draft profile shared.", "version": 1}),
    )
    .await;
    assert_eq!(r.status, 409, "[{e}] not assigned yet: {}", r.body);
    let lead_actor = s
        .app
        .token_actor(lead)
        .await
        .expect("token")
        .expect("live token")
        .actor;
    let ag = decide(
        &lead_actor,
        Permission::AssessmentManage,
        Scope::Partnership(pid.parse().expect("partnership id")),
    )
    .expect("the lead manages assessments");
    let ug = console(Permission::UserManage, Scope::Platform).expect("grant");
    let contributor_id = s
        .app
        .find_user_by_email(&ug, "contributor@riverton.example")
        .await
        .expect("user")
        .id;
    s.app
        .assign(
            &ag,
            aid.parse().expect("an assessment id"),
            "b1",
            "",
            &contributor_id,
            &RequestContext::default(),
        )
        .await
        .expect("assign");

    // An invalid rating and an unknown field are refused, naming the field.
    let r = put(
        &mut b,
        &question,
        &contributor,
        json!({"rating": "brilliant", "details": "", "version": 1}),
    )
    .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert_eq!(field(&r), "rating");
    let r = put(
        &mut b,
        &question,
        &contributor,
        json!({"rating": "developing", "details": "", "version": 1, "colour": "red"}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(field(&r), "colour");
    let r = put(
        &mut b,
        &format!("{one}/responses/9.9"),
        &contributor,
        json!({"rating": "", "details": "", "version": 1}),
    )
    .await;
    assert_eq!(r.status, 404, "[{e}] an unknown question: {}", r.body);

    // Version 1 becomes version 2.
    let r = put(
        &mut b,
        &question,
        &contributor,
        json!({"rating": "developing", "details": "Draft profile shared.", "version": 1}),
    )
    .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    let saved = r.json();
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["rating"], "developing");
    assert_eq!(saved["updated_by"], contributor_id.as_str());

    // The lead's edit was based on version 1: nothing written, the stored answer returned.
    let r = put(
        &mut b,
        &question,
        lead,
        json!({"rating": "achieving", "details": "Lead's own words", "version": 1}),
    )
    .await;
    assert_eq!(r.status, 409, "[{e}] {}", r.body);
    let stale = r.json();
    assert_eq!(stale["error"]["code"], "stale_edit");
    assert!(stale["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert_eq!(stale["current"]["rating"], "developing");
    assert_eq!(stale["current"]["details"], "Draft profile shared.");
    assert_eq!(stale["current"]["version"], 2);
    assert!(stale["current"]["updated_at"]
        .as_str()
        .is_some_and(|t| t.contains('T')));
    assert_eq!(stale["yours"]["details"], "Lead's own words");
    // Based on version 2 the lead's edit goes through.
    let r = put(
        &mut b,
        &question,
        lead,
        json!({"rating": "achieving", "details": "Lead's own words", "version": 2}),
    )
    .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    assert_eq!(r.json()["version"], 3);
    let r = put(
        &mut b,
        &format!("{one}/responses/1.2"),
        lead,
        json!({"rating": "n/a", "details": "", "version": 1}),
    )
    .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);

    // One answer with its history, newest first.
    let r = b.api("GET", &question, Some(&board), None).await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    let one_answer = r.json();
    assert_eq!(one_answer["question"], "1.1");
    assert_eq!(one_answer["rating"], "achieving");
    assert_eq!(one_answer["version"], 3);
    assert_eq!(
        one_answer["allowed_ratings"],
        json!(["not-yet-started", "developing", "achieving", "n/a"])
    );
    let history = one_answer["history"].as_array().expect("history");
    let versions: Vec<i64> = history
        .iter()
        .filter_map(|h| h["version"].as_i64())
        .collect();
    assert_eq!(versions, vec![2, 1], "[{e}] {history:?}");
    assert_eq!(history[0]["rating"], "developing");
    let r = b
        .api("GET", &format!("{one}/responses/9.9"), Some(&board), None)
        .await;
    assert_eq!(r.status, 404);
    let r = b.api("GET", &one, Some(&board), None).await;
    assert_eq!(r.json()["answered"], 2, "a rating and n/a both count");

    // The life cycle.
    let transitions = format!("{one}/transitions");
    let approval = format!("{one}/approval");
    let r = b
        .api(
            "POST",
            &transitions,
            Some(lead),
            Some(json!({"action": "approve"})),
        )
        .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert_eq!(field(&r), "action");
    let r = b
        .api(
            "POST",
            &transitions,
            Some(lead),
            Some(json!({"action": "lock"})),
        )
        .await;
    assert_eq!(r.status, 409, "[{e}] a draft cannot be locked: {}", r.body);
    assert_eq!(r.json()["error"]["code"], "conflict");
    let r = b
        .api("POST", &approval, Some(&board), Some(json!({})))
        .await;
    assert_eq!(
        r.status, 409,
        "[{e}] a draft cannot be approved: {}",
        r.body
    );
    let r = b
        .api(
            "POST",
            &transitions,
            Some(lead),
            Some(json!({"action": "submit"})),
        )
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    assert_eq!(r.json()["state"], "submitted");
    // Answers are frozen once submitted.
    let r = put(
        &mut b,
        &question,
        lead,
        json!({"rating": "developing", "details": "", "version": 3}),
    )
    .await;
    assert_eq!(r.status, 409, "[{e}] {}", r.body);
    // The lead cannot approve what they submitted, even from the board.
    let r = b.api("POST", &approval, Some(lead), Some(json!({}))).await;
    assert_eq!(
        r.status, 403,
        "the lead's own token holds no approving role"
    );
    let r = b
        .api("POST", &approval, Some(lead_on_board), Some(json!({})))
        .await;
    assert_eq!(r.status, 409, "[{e}] self-approval: {}", r.body);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("someone else")),
        "[{e}] the reason is given: {}",
        r.body
    );
    let r = b
        .api(
            "POST",
            &approval,
            Some(&board),
            Some(json!({"note": "fine"})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(field(&r), "note");
    let r = b
        .api("POST", &approval, Some(&board), Some(json!({})))
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    assert_eq!(r.json()["state"], "approved");
    let r = b
        .api(
            "POST",
            &transitions,
            Some(lead),
            Some(json!({"action": "lock"})),
        )
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    assert_eq!(r.json()["state"], "locked");
    let r = put(
        &mut b,
        &question,
        &contributor,
        json!({"rating": "developing", "details": "", "version": 3}),
    )
    .await;
    assert_eq!(r.status, 409, "[{e}] locked: {}", r.body);
    assert_eq!(r.json()["error"]["code"], "conflict");
    assert!(r.json().get("current").is_none(), "not a stale edit");
    let r = b.api("GET", &question, Some(&board), None).await;
    assert_eq!(r.json()["version"], 3, "nothing changed after locking");
    // Reopening needs a reason.
    let r = b
        .api(
            "POST",
            &transitions,
            Some(lead),
            Some(json!({"action": "reopen"})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(field(&r), "reason");
    let r = b
        .api(
            "POST",
            &transitions,
            Some(lead),
            Some(json!({"action": "reopen", "reason": "A figure was wrong"})),
        )
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    assert_eq!(r.json()["state"], "draft");

    // A referrer has no part in the self-assessment.
    for (method, path, body) in [
        ("GET", base.clone(), None),
        ("GET", one.clone(), None),
        ("GET", format!("{one}/responses"), None),
        ("GET", question.clone(), None),
        (
            "PUT",
            question.clone(),
            Some(json!({"rating": "", "details": "", "version": 4})),
        ),
        (
            "POST",
            transitions.clone(),
            Some(json!({"action": "submit"})),
        ),
        ("POST", approval.clone(), Some(json!({}))),
    ] {
        let r = b.api(method, &path, Some(&referrer), body).await;
        assert_eq!(r.status, 403, "[{e}] referrer {method} {path}: {}", r.body);
    }
    // Another partnership's paths are refused, even for the lead.
    let other = format!("/api/v1/partnerships/{eastvale}/assessments");
    for (method, path, body) in [
        ("GET", other.clone(), None),
        ("GET", format!("{other}/{aid}"), None),
        (
            "PUT",
            format!("{other}/{aid}/responses/1.1"),
            Some(json!({"rating": "", "details": "", "version": 4})),
        ),
        (
            "POST",
            format!("{other}/{aid}/transitions"),
            Some(json!({"action": "submit"})),
        ),
    ] {
        let r = b.api(method, &path, Some(lead), body).await;
        assert_eq!(r.status, 403, "[{e}] Eastvale {method} {path}: {}", r.body);
    }
    // An assessment that does not exist.
    let missing = format!("{base}/{}", uuid::Uuid::new_v4());
    for (method, path, token, body) in [
        ("GET", missing.clone(), lead, None),
        ("GET", format!("{missing}/responses"), lead, None),
        ("GET", format!("{missing}/responses/1.1"), lead, None),
        (
            "PUT",
            format!("{missing}/responses/1.1"),
            lead,
            Some(json!({"rating": "", "details": "", "version": 1})),
        ),
        (
            "POST",
            format!("{missing}/transitions"),
            lead,
            Some(json!({"action": "submit"})),
        ),
        (
            "POST",
            format!("{missing}/approval"),
            board.as_str(),
            Some(json!({})),
        ),
    ] {
        let r = b.api(method, &path, Some(token), body).await;
        assert_eq!(r.status, 404, "[{e}] {method} {path}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "not_found");
    }
    // No token at all.
    assert_eq!(b.api("GET", &base, None, None).await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_the_assessment_api() {
    let engine = Engine::Sqlite;
    let s = Server::start(&engine).await;
    let r = s.browser().get("/api/v1/openapi.json").await;
    assert_eq!(r.status, 200);
    let doc = r.json();
    let paths = &doc["paths"];
    let a = "/api/v1/partnerships/{partnership}/assessments";
    for (path, methods) in [
        ("/api/v1/frameworks".to_owned(), &["get"][..]),
        (a.to_owned(), &["get", "post"][..]),
        (format!("{a}/{{assessment}}"), &["get"][..]),
        (format!("{a}/{{assessment}}/responses"), &["get"][..]),
        (
            format!("{a}/{{assessment}}/responses/{{question}}"),
            &["get", "put"][..],
        ),
        (format!("{a}/{{assessment}}/transitions"), &["post"][..]),
        (format!("{a}/{{assessment}}/approval"), &["post"][..]),
        (format!("{a}/{{assessment}}/evidence"), &["get"][..]),
        (
            format!("{a}/{{assessment}}/responses/{{question}}/evidence"),
            &["post"][..],
        ),
        (
            format!("{a}/{{assessment}}/responses/{{question}}/comments"),
            &["get", "post"][..],
        ),
        (format!("{a}/{{assessment}}/upgrade"), &["get", "post"][..]),
        (
            "/api/v1/partnerships/{partnership}/evidence/{evidence}/file".to_owned(),
            &["get"][..],
        ),
    ] {
        for m in methods {
            assert!(
                paths[&path][*m].is_object(),
                "{} {path} is not described",
                m.to_uppercase()
            );
        }
    }
    let schemas = &doc["components"]["schemas"];
    for name in [
        "NewAssessmentRequest",
        "ResponseUpdate",
        "StaleEditBody",
        "TransitionRequest",
        "TransitionAction",
        "AssessmentDetail",
        "EvidenceItem",
        "NewEvidenceRequest",
        "UpgradeOffer",
        "UpgradeRequest",
    ] {
        assert!(schemas[name].is_object(), "schema {name} is missing");
    }
    assert_eq!(
        schemas["TransitionAction"]["enum"],
        json!(["submit", "lock", "reopen"])
    );
}

/// Evidence, comments and moving to a newer framework version through the API, on the
/// demonstration partnership's own Prevent duty benchmark draft: marked evidence shows only
/// that it exists to someone without clearance, files come back as attachments, bad input
/// changes nothing.
#[each_engine]
async fn evidence_comments_and_framework_upgrades_through_the_api(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let lead = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let contributor = s
        .token("contributor@riverton.example", &pid, "contributor")
        .await;
    let mut b = s.browser();
    let base = format!("/api/v1/partnerships/{pid}/assessments");
    let r = b.api("GET", &base, Some(&lead), None).await;
    let list = r.json();
    let draft = list
        .as_array()
        .expect("a list")
        .iter()
        .find(|a| a["state"] == "draft" && a["period_start"] == "2026-04-01")
        .expect("the demonstration draft")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let one = format!("{base}/{draft}");

    // A sensitive link and an ordinary file on question 1.1.
    let r = b
        .api(
            "POST",
            &format!("{one}/responses/1.1/evidence"),
            Some(&lead),
            Some(json!({"title": "Threat briefing notes", "kind": "link",
                    "url": "https://intranet.riverton.example/briefing",
                    "marking": "official-sensitive", "review_date": "2027-01-31"})),
        )
        .await;
    assert_eq!(r.status, 201, "[{e}] {}", r.body);
    let sensitive = r.json()["id"].as_str().expect("id").to_owned();
    let pdf = "%PDF-1.4\n% board minutes\n";
    let r = b
        .api(
            "POST",
            &format!("{one}/responses/1.1/evidence"),
            Some(&lead),
            Some(json!({"title": "Board minutes", "kind": "file",
                    "file_name": "minutes.pdf",
                    "content_base64": base64_of(pdf.as_bytes()),
                    "marking": "official", "review_date": "2027-01-31"})),
        )
        .await;
    assert_eq!(r.status, 201, "[{e}] {}", r.body);
    let file = r.json()["id"].as_str().expect("id").to_owned();

    // Bad input: a file that is not what it claims, an unknown field, bad base64.
    let before = b
        .api("GET", &format!("{one}/evidence"), Some(&lead), None)
        .await
        .json();
    for (body, named) in [
        (
            json!({"title": "x", "kind": "file", "file_name": "x.pdf",
                    "content_base64": base64_of(b"MZ\x90\x00"), "marking": "official",
                    "review_date": "2027-01-31"}),
            "content_base64",
        ),
        (json!({"title": "x", "colour": "red"}), "colour"),
        (
            json!({"title": "x", "kind": "file", "file_name": "x.pdf",
                    "content_base64": "not base64!", "marking": "official",
                    "review_date": "2027-01-31"}),
            "content_base64",
        ),
    ] {
        let r = b
            .api(
                "POST",
                &format!("{one}/responses/1.1/evidence"),
                Some(&lead),
                Some(body),
            )
            .await;
        assert_eq!(r.status, 422, "[{e}] {}", r.body);
        assert!(
            fields(&r).contains(&named.to_owned()) || field(&r) == named,
            "[{e}] {} names {named}",
            r.body
        );
    }
    let after = b
        .api("GET", &format!("{one}/evidence"), Some(&lead), None)
        .await
        .json();
    assert_eq!(before, after, "[{e}] refused evidence changed nothing");

    // The lead (cleared) sees everything; the contributor sees that the sensitive item
    // exists and its marking, not its content.
    let items = |v: &Value, id: &str| -> Value {
        v.as_array()
            .expect("a list")
            .iter()
            .find(|i| i["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(items(&after, &sensitive)["title"], "Threat briefing notes");
    assert_eq!(
        items(&after, &file)["owner"],
        "Priya Lead",
        "[{e}] the owner is named"
    );
    let theirs = b
        .api("GET", &format!("{one}/evidence"), Some(&contributor), None)
        .await;
    assert_eq!(theirs.status, 200, "[{e}] {}", theirs.body);
    let hidden = items(&theirs.json(), &sensitive);
    assert_eq!(hidden["visible"], false, "[{e}] {hidden}");
    assert_eq!(hidden["title"], Value::Null);
    assert_eq!(hidden["url"], Value::Null);
    assert_eq!(hidden["marking"], "OFFICIAL-SENSITIVE");
    assert_eq!(hidden["owner"], Value::Null, "[{e}] nor who owns it");
    assert_eq!(
        items(&theirs.json(), &file)["owner"],
        "Priya Lead",
        "[{e}] a visible item names its owner"
    );
    assert!(!theirs.body.contains("Threat briefing"), "[{e}]");

    // The file comes back as an attachment, byte for byte.
    let r = b
        .api(
            "GET",
            &format!("/api/v1/partnerships/{pid}/evidence/{file}/file"),
            Some(&contributor),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    assert_eq!(r.body, pdf);
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"minutes.pdf\"")
    );

    // Comments: added by a contributor, read by the lead; an empty one is refused.
    let comments = format!("{one}/responses/1.1/comments");
    let r = b
        .api(
            "POST",
            &comments,
            Some(&contributor),
            Some(json!({"body": "The police view is in the briefing."})),
        )
        .await;
    assert_eq!(r.status, 204, "[{e}] {}", r.body);
    let r = b
        .api(
            "POST",
            &comments,
            Some(&contributor),
            Some(json!({"body": " "})),
        )
        .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    let r = b.api("GET", &comments, Some(&lead), None).await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    let listed = r.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "[{e}] {listed}");
    assert_eq!(listed[0]["body"], "The police view is in the briefing.");

    // Moving to a newer framework version: nothing on offer yet; then the next version.
    let r = b
        .api("GET", &format!("{one}/upgrade"), Some(&lead), None)
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    assert_eq!(r.json()["available"], false);
    let next = s.import_benchmark_next_version().await;
    let r = b
        .api("GET", &format!("{one}/upgrade"), Some(&lead), None)
        .await;
    let offer = r.json();
    assert_eq!(offer["available"], true, "[{e}] {offer}");
    assert_eq!(offer["plan"]["added"], json!(["11.1"]));
    assert_eq!(offer["plan"]["carried"].as_array().map(Vec::len), Some(38));
    let r = b
        .api(
            "POST",
            &format!("{one}/upgrade"),
            Some(&contributor),
            Some(json!({"to_version": next})),
        )
        .await;
    assert_eq!(r.status, 403, "[{e}] a contributor cannot move it");
    let r = b
        .api(
            "POST",
            &format!("{one}/upgrade"),
            Some(&lead),
            Some(json!({"to_version": next})),
        )
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    let detail = b.api("GET", &one, Some(&lead), None).await.json();
    assert_eq!(detail["framework"]["version"], next);
    assert_eq!(detail["total"], 39);
    assert_eq!(detail["answered"], 38, "[{e}] every answer carried across");
    let r = b
        .api(
            "POST",
            &format!("{one}/upgrade"),
            Some(&lead),
            Some(json!({"to_version": next})),
        )
        .await;
    assert_eq!(r.status, 409, "[{e}] {}", r.body);
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A token works only while it is live: not after it is revoked, not once its account no
/// longer holds the token's role in the partnership, and not once the account is disabled
/// (which revokes its tokens).
#[each_engine]
async fn a_token_stops_working_when_revoked_its_role_goes_or_its_account_is_disabled(
    engine: Engine,
) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let partnership: preventkit_services::domain::PartnershipId =
        pid.parse().expect("partnership id");
    let me = "/api/v1/me";
    let mut b = s.browser();
    let ctx = RequestContext::default();
    let ug = decide(&Actor::console(), Permission::UserManage, Scope::Platform).expect("g");
    let mg = decide(
        &Actor::console(),
        Permission::MembershipManage,
        Scope::Partnership(partnership),
    )
    .expect("grant");

    // Revoked.
    let contributor = s
        .token("contributor@riverton.example", &pid, "contributor")
        .await;
    assert_eq!(b.api("GET", me, Some(&contributor), None).await.status, 200);
    let user = s
        .app
        .find_user_by_email(&ug, "contributor@riverton.example")
        .await
        .expect("user");
    let user_id: preventkit_services::domain::UserId = user.id.parse().expect("id");
    for t in s.app.list_tokens(user_id).await.expect("tokens") {
        s.app
            .revoke_token(user_id, t.id.parse().expect("token id"), &ctx)
            .await
            .expect("revoke");
    }
    assert_eq!(
        b.api("GET", me, Some(&contributor), None).await.status,
        401,
        "[{e}] a revoked token"
    );

    // The role it acts through is removed.
    let board = s
        .token("board@riverton.example", &pid, "board-member")
        .await;
    assert_eq!(b.api("GET", me, Some(&board), None).await.status, 200);
    let members = s.app.list_members(&mg).await.expect("members");
    let membership = members
        .iter()
        .find(|m| m.email == "board@riverton.example")
        .expect("board member");
    s.app
        .remove_member(&mg, membership.id, &ctx)
        .await
        .expect("remove");
    assert_eq!(
        b.api("GET", me, Some(&board), None).await.status,
        401,
        "[{e}] a token whose role was removed"
    );

    // The account is disabled, then enabled again.
    let lead = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let lead_user = s
        .app
        .find_user_by_email(&ug, "lead@riverton.example")
        .await
        .expect("lead");
    let lead_id = lead_user.id.parse().expect("id");
    s.app
        .set_user_disabled(&ug, lead_id, true, &ctx)
        .await
        .expect("disable");
    assert_eq!(
        b.api("GET", me, Some(&lead), None).await.status,
        401,
        "[{e}] a disabled account's token"
    );
    // Disabling revoked it for good: enabling the account again does not bring it back.
    s.app
        .set_user_disabled(&ug, lead_id, false, &ctx)
        .await
        .expect("enable");
    assert_eq!(b.api("GET", me, Some(&lead), None).await.status, 401);
}

/// An assessment whose stored state is not one the product knows is a fault on the server:
/// the API and the pages answer 500 and never show it as some other state.
#[each_engine]
async fn an_undecodable_stored_state_is_a_server_error(e: Engine) {
    let s = Server::start(&e).await;
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let token = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let mut b = s.browser();
    let list = b
        .api(
            "GET",
            &format!("/api/v1/partnerships/{pid}/assessments"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(list.status, 200, "[{}] {}", e.name(), list.body);
    let aid = list.json()[0]["id"]
        .as_str()
        .expect("an assessment id")
        .to_owned();
    let mut sql = s.sql().await;
    sql.execute(&format!(
        "UPDATE assessments SET state = 'bogus' WHERE id = '{aid}'"
    ))
    .await;

    let detail = b
        .api(
            "GET",
            &format!("/api/v1/partnerships/{pid}/assessments/{aid}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(detail.status, 500, "[{}] {}", e.name(), detail.body);
    assert!(
        !detail.body.contains("bogus"),
        "[{}] {}",
        e.name(),
        detail.body
    );
    let listed = b
        .api(
            "GET",
            &format!("/api/v1/partnerships/{pid}/assessments"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(listed.status, 500, "[{}] {}", e.name(), listed.body);

    // The lead's account already holds the token; a board member reads the pages.
    let mut board = s.signed_in("board@riverton.example").await;
    let page = board.get(&format!("/p/{pid}/assessments/{aid}")).await;
    assert_eq!(page.status, 500, "[{}]", e.name());
    assert!(!page.body.contains("bogus"), "[{}]", e.name());
    let list_page = board.get(&format!("/p/{pid}/assessments")).await;
    assert_eq!(list_page.status, 500, "[{}]", e.name());
}
