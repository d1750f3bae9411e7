//! What the self-assessment guards, on every engine, through the pages and the API.
//!
//! Submission: a draft goes to the board through "check your answers"; one with blank
//! questions goes only once the lead has been told so and confirms.
//!
//! Working on the answers in a spreadsheet: a file downloaded before someone saved a newer answer on the site never overwrites that answer
//! (it is refused as stale and both versions are shown, before anything is written), the rest of
//! the file is written only once the person confirms, and the exports list each question's
//! evidence with its marking (only that an item exists, for readers without clearance).

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Actor, Permission, Scope};
use preventkit_testkit::{each_engine, field_value, frameworks, upload, Browser, Engine, Server};

const ANSWERS: [&str; 2] = ["responses", "response_history"];

/// A server with the two-question framework.
async fn server(engine: &Engine) -> Server {
    let s = Server::start(engine).await;
    let g = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    s.app
        .import_framework(
            &g,
            "api-test.toml",
            frameworks::API_TEST,
            &Default::default(),
        )
        .await
        .expect("import");
    s
}

/// A fresh draft assessment of Riverton's, started through the pages by its lead: the server,
/// the partnership id, the assessment's page and id, and the lead's browser.
async fn draft(engine: &Engine) -> (Server, String, String, String, Browser) {
    let s = server(engine).await;
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let base = format!("/p/{pid}/assessments");
    let mut lead = s.signed_in("lead@riverton.example").await;
    let r = lead
        .post_form(
            &format!("{base}/new"),
            &base,
            &[
                ("title", "2026 to 2027"),
                ("framework", "api-test"),
                ("period_start", "2026-04-01"),
                ("period_end", "2027-03-31"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = r.location().expect("created").to_owned();
    let aid = page.rsplit('/').next().expect("id").to_owned();
    (s, pid, page, aid, lead)
}

/// Save an answer on the question page, based on `version`.
async fn answer(b: &mut Browser, page: &str, q: &str, version: &str, rating: &str, details: &str) {
    let path = format!("{page}/questions/{q}");
    let csrf = b.get(&path).await.csrf().expect("csrf");
    let r = b
        .post_raw(
            &path,
            &[
                ("rating", rating),
                ("details", details),
                ("version", version),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "saved: {}", r.body);
}

/// The spreadsheet as someone would save it after editing it: every sheet and cell copied as
/// text (the hidden version column included), with `edits` ((sheet, row, column), value)
/// applied.
fn edited(xlsx: &[u8], edits: &[((&str, u32, u16), &str)]) -> Vec<u8> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).expect("xlsx");
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("sheet");
        let sheet = out.add_worksheet();
        sheet.set_name(&name).expect("name");
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let text = cell.to_string();
                if !text.is_empty() {
                    sheet
                        .write_string(r0 + r as u32, (c0 as usize + c) as u16, &text)
                        .expect("write");
                }
            }
        }
        for ((s, r, c), v) in edits {
            if *s == name {
                sheet.write_string(*r, *c, *v).expect("edit");
            }
        }
    }
    out.save_to_buffer().expect("save")
}

const SHEET: &str = "1 Risk assessment";

#[each_engine]
async fn a_stale_spreadsheet_never_overwrites_a_newer_answer(engine: Engine) {
    let e = engine.name();
    let (s, _pid, page, _aid, mut lead) = draft(&engine).await;
    answer(&mut lead, &page, "1.1", "1", "developing", "First words").await;

    // The contributor's copy: downloaded now (1.1 at version 2, 1.2 at version 1).
    let (status, xlsx) = lead.get_bytes(&format!("{page}/export.xlsx")).await;
    assert_eq!(status, 200, "[{e}]");
    // Meanwhile a newer answer to 1.1 is saved on the site.
    answer(
        &mut lead,
        &page,
        "1.1",
        "2",
        "achieving",
        "Newer, typed on the site",
    )
    .await;
    // The old file comes back with 1.1 as it was downloaded and 1.2 filled in.
    let file = edited(
        &xlsx,
        &[
            ((SHEET, 2, 3), "Developing"),
            ((SHEET, 2, 4), "Filled in offline"),
        ],
    );

    let mut sql = s.sql().await;
    let before = sql.snapshot(&[]).await.only(&ANSWERS);
    let csrf = lead
        .get(&format!("{page}/import"))
        .await
        .csrf()
        .expect("csrf");
    let (status, body) = upload(&mut lead, &s.base, &format!("{page}/import"), &csrf, file).await;
    assert_eq!(status, 200, "[{e}] {body}");
    assert!(
        body.contains("Check the import before anything is saved"),
        "{body}"
    );
    // Question by question: 1.1 refused as stale with both versions, 1.2 to change.
    let stale = body
        .split("id=\"stale-1.1\"")
        .nth(1)
        .expect("1.1 is refused as stale");
    assert!(stale.contains("Newer, typed on the site") && stale.contains("First words"));
    assert!(stale.contains("Version 3") && stale.contains("Downloaded at version 2"));
    let changed = body
        .split("id=\"import-changed\"")
        .nth(1)
        .expect("changes listed");
    assert!(changed.contains("Question 1.2") && changed.contains("Filled in offline"));
    assert!(!changed.contains("Question 1.1"));
    let after = sql.snapshot(&[]).await.only(&ANSWERS);
    assert_eq!(
        before.changed(&after),
        Vec::<String>::new(),
        "[{e}] nothing is written before the person confirms"
    );

    // Confirming writes 1.2 and leaves 1.1 as it is on the site.
    let rows = field_value(&body, "rows").expect("the rows are carried");
    let csrf = field_value(&body, "csrf_token").expect("csrf");
    let r = lead
        .post_raw(
            &format!("{page}/import/confirm"),
            &[("rows", &rows), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    assert!(r.body.contains("Import finished"), "{}", r.body);
    assert!(r.body.contains("1 answer changed from the spreadsheet"));
    let q1 = lead.get(&format!("{page}/questions/1.1")).await.body;
    assert!(q1.contains("Newer, typed on the site") && q1.contains("value=\"achieving\" checked"));
    let q2 = lead.get(&format!("{page}/questions/1.2")).await.body;
    assert!(q2.contains("Filled in offline") && q2.contains("value=\"developing\" checked"));

    // Sending the same confirmation again changes nothing more: 1.2 is now the same, and 1.1
    // is still refused.
    let before = sql.snapshot(&[]).await.only(&ANSWERS);
    let r = lead
        .post_raw(
            &format!("{page}/import/confirm"),
            &[("rows", &rows), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"stale-1.1\""));
    assert!(r.body.contains("0 answers changed from the spreadsheet"));
    let after = sql.snapshot(&[]).await.only(&ANSWERS);
    assert_eq!(before.changed(&after), Vec::<String>::new(), "[{e}]");

    // Rows tampered with on the way are checked again as if just read: nothing changes.
    let forged = rows
        .replace("Filled in offline", "x")
        .replace("developing", "excellent");
    let r = lead
        .post_raw(
            &format!("{page}/import/confirm"),
            &[("rows", &forged), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert!(r
        .body
        .contains("Question 1.2: choose a rating from the list"));
    let r = lead
        .post_raw(
            &format!("{page}/import/confirm"),
            &[("rows", "not json"), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        before.changed(&sql.snapshot(&[]).await.only(&ANSWERS)),
        Vec::<String>::new()
    );
}

#[each_engine]
async fn a_current_spreadsheet_is_imported_at_once_and_listed(engine: Engine) {
    let e = engine.name();
    let (s, _pid, page, _aid, mut lead) = draft(&engine).await;
    let (_, xlsx) = lead.get_bytes(&format!("{page}/export.xlsx")).await;
    let file = edited(
        &xlsx,
        &[
            ((SHEET, 1, 3), "Achieving"),
            ((SHEET, 1, 4), "In every plan"),
        ],
    );
    let csrf = lead
        .get(&format!("{page}/import"))
        .await
        .csrf()
        .expect("csrf");
    let (status, body) = upload(&mut lead, &s.base, &format!("{page}/import"), &csrf, file).await;
    assert_eq!(status, 200, "[{e}] {body}");
    assert!(body.contains("Import finished"));
    let changed = body
        .split("id=\"import-changed\"")
        .nth(1)
        .expect("changes listed");
    assert!(changed.contains("Question 1.1") && changed.contains("In every plan"));
    assert!(
        body.contains("1 already the same"),
        "1.2 was left as it was: {body}"
    );
    let q1 = lead.get(&format!("{page}/questions/1.1")).await.body;
    assert!(q1.contains("In every plan"));
}

#[each_engine]
async fn the_api_refuses_a_stale_spreadsheet_and_writes_the_rest_only_when_confirmed(
    engine: Engine,
) {
    let e = engine.name();
    // Through the API alone, as a system would: one token, no pages.
    let s = server(&engine).await;
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let token = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let mut client = s.browser();
    let r = client
        .api(
            "POST",
            &format!("/api/v1/partnerships/{pid}/assessments"),
            Some(&token),
            Some(serde_json::json!({
                "title": "2026 to 2027",
                "framework": "api-test",
                "period_start": "2026-04-01",
                "period_end": "2027-03-31",
            })),
        )
        .await;
    assert_eq!(r.status, 201, "[{e}] {}", r.body);
    let aid = r.json()["id"].as_str().expect("id").to_owned();
    let api = format!("/api/v1/partnerships/{pid}/assessments/{aid}");
    let put = |version: i64, rating: &str, details: &str| serde_json::json!({"version": version, "rating": rating, "details": details});
    let r = client
        .api(
            "PUT",
            &format!("{api}/responses/1.1"),
            Some(&token),
            Some(put(1, "developing", "First words")),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let r = client
        .api("GET", &format!("{api}/export.xlsx"), Some(&token), None)
        .await;
    assert_eq!(r.status, 200, "[{e}]");
    assert!(r
        .header("content-type")
        .is_some_and(|t| t.contains("spreadsheetml")));
    let xlsx = {
        let res = reqwest::Client::new()
            .get(format!("{}{api}/export.xlsx", s.base))
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await
            .expect("export");
        res.bytes().await.expect("bytes").to_vec()
    };
    // A newer answer through the API, after the download.
    let r = client
        .api(
            "PUT",
            &format!("{api}/responses/1.1"),
            Some(&token),
            Some(put(2, "achieving", "Newer, from the API")),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let file = edited(&xlsx, &[((SHEET, 2, 3), "Developing")]);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&file);

    let mut sql = s.sql().await;
    let before = sql.snapshot(&[]).await.only(&ANSWERS);
    let r = client
        .api(
            "POST",
            &format!("{api}/import"),
            Some(&token),
            Some(serde_json::json!({"file": encoded})),
        )
        .await;
    assert_eq!(r.status, 409, "[{e}] {}", r.body);
    let plan = r.json();
    assert_eq!(plan["applied"], false);
    assert_eq!(plan["stale"][0]["question"], "1.1");
    assert_eq!(plan["stale"][0]["exported_version"], 2);
    assert_eq!(plan["stale"][0]["current_version"], 3);
    assert_eq!(
        plan["stale"][0]["current"]["details"],
        "Newer, from the API"
    );
    assert_eq!(plan["stale"][0]["file"]["details"], "First words");
    assert_eq!(plan["changed"][0]["question"], "1.2");
    assert_eq!(plan["changed"][0]["answer"]["rating"], "developing");
    assert_eq!(
        before.changed(&sql.snapshot(&[]).await.only(&ANSWERS)),
        Vec::<String>::new(),
        "[{e}] nothing written without confirmation"
    );

    let r = client
        .api(
            "POST",
            &format!("{api}/import"),
            Some(&token),
            Some(serde_json::json!({"file": encoded, "confirm": true})),
        )
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    assert_eq!(r.json()["applied"], true);
    let r = client
        .api("GET", &format!("{api}/responses/1.1"), Some(&token), None)
        .await;
    assert_eq!(
        r.json()["details"],
        "Newer, from the API",
        "[{e}] not overwritten"
    );
    let r = client
        .api("GET", &format!("{api}/responses/1.2"), Some(&token), None)
        .await;
    assert_eq!(r.json()["rating"], "developing", "[{e}]");

    // A file that is not base64, or not a spreadsheet: a structured error, nothing written.
    let before = sql.snapshot(&[]).await.only(&ANSWERS);
    for body in [
        serde_json::json!({"file": "%%%"}),
        serde_json::json!({"file": base64::engine::general_purpose::STANDARD.encode(b"not a spreadsheet")}),
    ] {
        let r = client
            .api("POST", &format!("{api}/import"), Some(&token), Some(body))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["error"]["code"], "validation_failed");
    }
    assert_eq!(
        before.changed(&sql.snapshot(&[]).await.only(&ANSWERS)),
        Vec::<String>::new()
    );
}

async fn add_link(b: &mut Browser, base: &str, page: &str, title: &str, marking: &str) {
    add_link_reviewed(b, base, page, title, marking, "").await;
}

/// Add a link as evidence to question 1.1, with a review date (`""` for none).
async fn add_link_reviewed(
    b: &mut Browser,
    base: &str,
    page: &str,
    title: &str,
    marking: &str,
    review_date: &str,
) {
    let path = format!("{page}/questions/1.1/evidence");
    let csrf = b
        .get(&format!("{page}/questions/1.1"))
        .await
        .csrf()
        .expect("csrf");
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in preventkit_testkit::date_boxes(&[
        ("csrf_token", &csrf),
        ("title", title),
        ("kind", "link"),
        ("url", "https://intranet.example/doc"),
        ("marking", marking),
        ("review_date", review_date),
    ]) {
        form = form.text(k, v);
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let res = client
        .post(format!("{base}{path}"))
        .header("cookie", b.cookie_header())
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(
        res.status().as_u16(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
}

#[each_engine]
async fn exports_list_each_questions_evidence_with_its_marking(engine: Engine) {
    let e = engine.name();
    let (s, pid, page, aid, mut lead) = draft(&engine).await;
    add_link(&mut lead, &s.base, &page, "Board minutes March", "official").await;
    add_link(
        &mut lead,
        &s.base,
        &page,
        "Local risk profile",
        "official-sensitive",
    )
    .await;

    // The lead (cleared for OFFICIAL-SENSITIVE) sees both titles with their markings.
    let (_, csv) = lead.get_bytes(&format!("{page}/export.csv")).await;
    let csv = String::from_utf8(csv).expect("utf-8");
    let row = csv.lines().find(|l| l.contains(",1.1,")).expect("row 1.1");
    assert!(
        row.contains("Board minutes March (OFFICIAL)"),
        "[{e}] {row}"
    );
    assert!(
        row.contains("Local risk profile (OFFICIAL-SENSITIVE)"),
        "[{e}] {row}"
    );
    let (_, xlsx) = lead.get_bytes(&format!("{page}/export.xlsx")).await;
    let cell = {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("xlsx");
        let sheet = wb.worksheet_range(SHEET).expect("sheet");
        sheet.rows().nth(1).expect("row 1.1")[5].to_string()
    };
    assert!(
        cell.contains("Board minutes March (OFFICIAL)")
            && cell.contains("Local risk profile (OFFICIAL-SENSITIVE)"),
        "[{e}] {cell}"
    );

    // A partner with OFFICIAL clearance, through the API: only that the sensitive item exists.
    let token = s
        .token("contributor@riverton.example", &pid, "contributor")
        .await;
    let mut client = s.browser();
    let r = client
        .api(
            "GET",
            &format!("/api/v1/partnerships/{pid}/assessments/{aid}/export.csv"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    let row = r
        .body
        .lines()
        .find(|l| l.contains(",1.1,"))
        .expect("row 1.1")
        .to_owned();
    assert!(
        row.contains("Board minutes March (OFFICIAL)"),
        "[{e}] {row}"
    );
    assert!(!row.contains("Local risk profile"), "[{e}] {row}");
    assert!(
        row.contains("An item marked OFFICIAL-SENSITIVE"),
        "[{e}] {row}"
    );
}

#[each_engine]
async fn a_draft_with_blank_questions_is_submitted_only_once_the_lead_confirms(engine: Engine) {
    let e = engine.name();
    let (s, _pid, page, aid, mut lead) = draft(&engine).await;
    answer(&mut lead, &page, "1.1", "1", "developing", "").await;
    let state = format!("SELECT state FROM assessments WHERE id = '{aid}'");
    let mut sql = s.sql().await;

    let check = lead.get(&format!("{page}/submit")).await;
    assert_eq!(check.status, 200, "[{e}]");
    let body = &check.body;
    assert!(body.contains("Check your answers before submitting to the board"));
    assert!(body.contains("1 of 2 questions are not answered"), "{body}");
    let section = |id: &str| {
        body.split(&format!("id=\"{id}\""))
            .nth(1)
            .and_then(|r| {
                r.split("</ul>")
                    .next()
                    .or_else(|| r.split("</table>").next())
            })
            .unwrap_or_default()
            .to_owned()
    };
    assert!(section("summary-unanswered").contains("1.2 Partners review the profile together"));
    assert!(
        section("summary-below-top").contains("1.1 The partnership uses the local risk profile")
    );
    assert!(section("summary-without-details").contains("1.1"));
    let by_rating = body
        .split("id=\"summary-by-rating\"")
        .nth(1)
        .expect("counts");
    let by_rating = by_rating.split("</table>").next().expect("table");
    assert!(
        by_rating.contains(
            "Developing</th><td class=\"govuk-table__cell govuk-table__cell--numeric\">1<"
        ),
        "{by_rating}"
    );
    assert!(
        by_rating.contains(
            "Not assessed</th><td class=\"govuk-table__cell govuk-table__cell--numeric\">1<"
        ),
        "{by_rating}"
    );

    // Without the confirmation: the page again with the error, and the draft stays a draft.
    let csrf = check.csrf().expect("csrf");
    let r = lead
        .post_raw(&format!("{page}/submit"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(r.status, 422, "[{e}]");
    assert!(
        r.body.contains("govuk-error-summary") && r.body.contains("href=\"#confirm_unanswered\"")
    );
    assert!(r.body.contains("1 question is not answered"));
    assert_eq!(sql.strings(&state).await, ["draft"], "[{e}]");

    // Confirmed: submitted, and the confirmation says what happens next.
    let r = lead
        .post_raw(
            &format!("{page}/submit"),
            &[("confirm_unanswered", "yes"), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    assert_eq!(r.location(), Some(format!("{page}/submitted").as_str()));
    let done = lead.get(&format!("{page}/submitted")).await;
    assert!(
        done.body.contains("Self-assessment submitted") && done.body.contains("What happens next")
    );
    assert_eq!(sql.strings(&state).await, ["submitted"], "[{e}]");
    // A submitted assessment has nothing to check: its page instead.
    assert_eq!(lead.get(&format!("{page}/submit")).await.status, 303);
}

#[each_engine]
async fn the_api_submits_a_draft_with_blank_questions_only_when_told_to(engine: Engine) {
    let e = engine.name();
    let s = server(&engine).await;
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let token = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let mut client = s.browser();
    let r = client
        .api(
            "POST",
            &format!("/api/v1/partnerships/{pid}/assessments"),
            Some(&token),
            Some(serde_json::json!({
                "title": "Blank",
                "framework": "api-test",
                "period_start": "2026-04-01",
                "period_end": "2027-03-31",
            })),
        )
        .await;
    let aid = r.json()["id"].as_str().expect("id").to_owned();
    let moves = format!("/api/v1/partnerships/{pid}/assessments/{aid}/transitions");
    let r = client
        .api(
            "POST",
            &moves,
            Some(&token),
            Some(serde_json::json!({"action": "submit"})),
        )
        .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert_eq!(r.json()["error"]["field"], "confirm_unanswered");
    let r = client
        .api(
            "POST",
            &moves,
            Some(&token),
            Some(serde_json::json!({"action": "submit", "confirm_unanswered": true})),
        )
        .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    assert_eq!(r.json()["state"], "submitted");
}

#[each_engine]
async fn the_board_sends_a_submission_back_to_the_lead_with_comments(engine: Engine) {
    let e = engine.name();
    let (s, _pid, page, aid, mut lead) = draft(&engine).await;
    answer(&mut lead, &page, "1.1", "1", "achieving", "In every plan").await;
    answer(&mut lead, &page, "1.2", "1", "developing", "Twice a year").await;
    let csrf = lead
        .get(&format!("{page}/submit"))
        .await
        .csrf()
        .expect("csrf");
    let r = lead
        .post_raw(&format!("{page}/submit"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(
        r.status, 303,
        "[{e}] a fully answered draft needs no confirmation"
    );

    let mut board = s.signed_in("board@riverton.example").await;
    let decide = board.get(&format!("{page}/approve")).await;
    assert_eq!(decide.status, 200, "[{e}]");
    let csrf = decide.csrf().expect("csrf");
    let r = board
        .post_raw(
            &format!("{page}/approve"),
            &[
                ("decision", "send-back"),
                ("reference", "Typed"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "[{e}] comments are needed to send it back");
    assert!(r.body.contains("href=\"#comments\"") && r.body.contains("value=\"Typed\""));
    let r = board
        .post_raw(
            &format!("{page}/approve"),
            &[
                ("decision", "send-back"),
                ("comments", "Add the training figures to 1.2."),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    let mut sql = s.sql().await;
    assert_eq!(
        sql.strings(&format!("SELECT state FROM assessments WHERE id = '{aid}'"))
            .await,
        ["draft"],
        "[{e}] back to the lead as a draft"
    );
    let task_list = lead.get(&page).await.body;
    let history = task_list
        .split("id=\"assessment-history\"")
        .nth(1)
        .expect("history");
    assert!(history.contains("Sent back") && history.contains("Add the training figures to 1.2."));
    assert!(history.contains("Submitted"));
    let events = sql
        .strings("SELECT action FROM audit_events WHERE action = 'assessment.send-back'")
        .await;
    assert_eq!(events.len(), 1, "[{e}] the decision is in the audit log");
}

#[each_engine]
async fn evidence_past_its_review_date_is_flagged_as_overdue(engine: Engine) {
    let e = engine.name();
    let (s, _pid, page, _aid, mut lead) = draft(&engine).await;
    for (title, review) in [
        ("Partnership plan 2025", "2026-01-31"),
        ("Partnership plan 2027", "2099-01-31"),
    ] {
        add_link_reviewed(&mut lead, &s.base, &page, title, "official", review).await;
    }
    let body = lead.get(&format!("{page}/questions/1.1")).await.body;
    let item = |title: &str| {
        body.split("<li")
            .find(|li| li.contains(title))
            .expect("listed")
            .to_owned()
    };
    assert!(
        item("Partnership plan 2025").contains("Review overdue"),
        "[{e}]"
    );
    assert!(
        !item("Partnership plan 2027").contains("Review overdue"),
        "[{e}]"
    );
}
