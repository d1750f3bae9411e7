//! The self-assessment through the pages, on every engine: a lead starts one, a contributor
//! rates, a stale edit shows both versions and loses nothing, the lead submits, a board member
//! approves (the lead cannot approve their own submission), the lead locks and reopens.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Actor, Permission, Scope};
use preventkit_testkit::{each_engine, frameworks, upload, Engine, Server};

const FRAMEWORK: &str = frameworks::PAGE_TEST;

const CAPABILITIES: &str = frameworks::CAP_TEST;

/// Every audit event as one text (to compare the log before and after).
const EVENTS: &str = "SELECT position || '|' || chain || '|' || seq || '|' || id || '|' || action || '|' || coalesce(object_id, '') \
                      || '|' || outcome || '|' || prev_hash || '|' || hash FROM audit_events";

#[each_engine]
async fn a_self_assessment_from_start_to_lock(engine: Engine) {
    let s = Server::start(&engine).await;
    let g = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    s.app
        .import_framework(&g, "page-test.toml", FRAMEWORK, &Default::default())
        .await
        .expect("import");
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let base = format!("/p/{pid}/assessments");

    let mut lead = s.signed_in("lead@riverton.example").await;
    // Bad input re-renders with errors.
    let r = lead
        .post_form(
            &format!("{base}/new"),
            &base,
            &[
                ("title", ""),
                ("framework", "page-test"),
                ("period_start", "2026-02-30"),
                ("period_end", "2027-03-31"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", engine.name());
    assert!(r.body.contains("href=\"#title\"") && r.body.contains("href=\"#period_start\""));

    let r = lead
        .post_form(
            &format!("{base}/new"),
            &base,
            &[
                ("title", "2026 to 2027"),
                ("framework", "page-test"),
                ("period_start", "2026-04-01"),
                ("period_end", "2027-03-31"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = r.location().expect("location").to_owned();
    let task_list = lead.get(&page).await;
    assert_eq!(task_list.status, 200);
    assert!(task_list.body.contains("0 of 1 reviewed this period"));
    assert!(task_list.body.contains("Expectation of compliance: 0 of 1"));
    let question = format!("{page}/questions/1.1");

    // The lead assigns the section to the contributor, who can then answer it.
    let ug = decide(&Actor::console(), Permission::UserManage, Scope::Platform).expect("grant");
    let partner_id = s
        .app
        .find_user_by_email(&ug, "contributor@riverton.example")
        .await
        .expect("user")
        .id;
    let mut partner = s.signed_in("contributor@riverton.example").await;
    let before = partner.get(&question).await;
    assert!(
        !before.body.contains("name=\"rating\""),
        "not assigned yet: no answer form"
    );
    let csrf = lead.get(&page).await.csrf().expect("csrf");
    let r = lead
        .post_raw(
            &format!("{page}/assign"),
            &[
                ("target", "b1"),
                ("organisation_id", ""),
                ("user_id", &partner_id),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    // Two people open the question at version 1.
    let q = partner.get(&question).await;
    assert_eq!(q.status, 200);
    assert!(
        q.body.contains("Used in every plan"),
        "per-level descriptor shown"
    );
    let csrf_partner = q.csrf().expect("csrf");
    let q_lead = lead.get(&question).await;
    let csrf_lead = q_lead.csrf().expect("csrf");

    let r = partner
        .post_raw(
            &question,
            &[
                ("rating", "developing"),
                ("details", "Draft profile shared.\n\nSecond paragraph."),
                ("version", "1"),
                ("then", "summary"),
                ("csrf_token", &csrf_partner),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    // The lead's edit was based on version 1: refused, both versions shown, theirs kept.
    let r = lead
        .post_raw(
            &question,
            &[
                ("rating", "achieving"),
                ("details", "Lead's own words"),
                ("version", "1"),
                ("then", "summary"),
                ("csrf_token", &csrf_lead),
            ],
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("Someone else changed this answer"));
    assert!(
        r.body.contains("Draft profile shared."),
        "their version shown"
    );
    assert!(
        r.body.contains("Lead&#x27;s own words") || r.body.contains("Lead's own words"),
        "the lead's text kept"
    );
    assert!(
        r.body.contains("name=\"version\" value=\"2\""),
        "the form now builds on version 2"
    );

    let task_list = lead.get(&page).await;
    assert!(task_list.body.contains("1 of 1 reviewed this period"));
    assert!(task_list.body.contains("Developing"));

    // Comments from the board and the contributor.
    let mut board = s.signed_in("board@riverton.example").await;
    let csrf_c = board.get(&question).await.csrf().expect("csrf");
    let r = board
        .post_raw(
            &format!("{question}/comments"),
            &[("comment", ""), ("csrf_token", &csrf_c)],
        )
        .await;
    assert_eq!(r.status, 422);
    let r = board
        .post_raw(
            &format!("{question}/comments"),
            &[
                ("comment", "Please attach the profile."),
                ("csrf_token", &csrf_c),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(partner
        .get(&question)
        .await
        .body
        .contains("Please attach the profile."));

    // Submit; the lead cannot approve (no board role) and a board member can.
    let csrf = lead.get(&page).await.csrf().expect("csrf");
    assert_eq!(
        lead.post_raw(&format!("{page}/submit"), &[("csrf_token", &csrf)])
            .await
            .status,
        303
    );
    let r = lead
        .post_raw(&format!("{page}/approve"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(r.status, 403, "the lead holds no approving role");
    // Answers are frozen once submitted.
    let q = partner.get(&question).await;
    assert!(
        !q.body.contains("name=\"rating\""),
        "no answer form after submission"
    );

    let csrf_b = board.get(&page).await.csrf().expect("csrf");
    // The decision page shows what was submitted; without a decision, or approving without
    // the minute reference, it comes back with the error and what was typed.
    let decide_page = board.get(&format!("{page}/approve")).await;
    assert_eq!(decide_page.status, 200);
    assert!(
        decide_page.body.contains("Approve or send back")
            && decide_page.body.contains("summary-by-rating")
    );
    let r = board
        .post_raw(
            &format!("{page}/approve"),
            &[("comments", "Kept"), ("csrf_token", &csrf_b)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("href=\"#decision\"") && r.body.contains(">Kept</textarea>"));
    let r = board
        .post_raw(
            &format!("{page}/approve"),
            &[("decision", "approve"), ("csrf_token", &csrf_b)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("href=\"#reference\""));
    assert_eq!(
        board
            .post_raw(
                &format!("{page}/approve"),
                &[
                    ("decision", "approve"),
                    ("reference", "Prevent board 12 March 2027, item 4"),
                    ("csrf_token", &csrf_b)
                ]
            )
            .await
            .status,
        303
    );
    let history = board.get(&page).await.body;
    assert!(
        history.contains("Prevent board 12 March 2027, item 4"),
        "the assessment shows the approval and its reference"
    );
    assert_eq!(
        lead.post_raw(&format!("{page}/lock"), &[("csrf_token", &csrf)])
            .await
            .status,
        303
    );
    assert!(lead.get(&page).await.body.contains("Locked"));
    // Reopening needs a reason.
    let r = lead
        .post_raw(
            &format!("{page}/reopen"),
            &[("reason", ""), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, 422);
    let r = lead
        .post_raw(
            &format!("{page}/reopen"),
            &[("reason", "A figure was wrong"), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(lead.get(&page).await.body.contains("Draft"));

    // A referrer cannot see assessments at all.
    let mut referrer = s.signed_in("referrer@riverton.example").await;
    assert_eq!(referrer.get(&page).await.status, 403);
}

#[each_engine]
async fn gaps_become_actions_and_periods_compare(engine: Engine) {
    let s = Server::start(&engine).await;
    let g = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    s.app
        .import_framework(&g, "page-test.toml", FRAMEWORK, &Default::default())
        .await
        .expect("import");
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let base = format!("/p/{pid}/assessments");
    let mut lead = s.signed_in("lead@riverton.example").await;
    let r = lead
        .post_form(
            &format!("{base}/new"),
            &base,
            &[
                ("title", "2025 to 2026"),
                ("framework", "page-test"),
                ("period_start", "2025-04-01"),
                ("period_end", "2026-03-31"),
            ],
        )
        .await;
    let first = r.location().expect("created").to_owned();
    let first_id = first.rsplit('/').next().expect("id").to_owned();
    let q = format!("{first}/questions/1.1");
    let csrf = lead.get(&q).await.csrf().expect("csrf");
    lead.post_raw(
        &q,
        &[
            ("rating", "developing"),
            ("details", ""),
            ("version", "1"),
            ("csrf_token", &csrf),
        ],
    )
    .await;

    // The gap is listed; a bad action is refused with the error linked to its field.
    let gaps = lead.get(&format!("{first}/gaps")).await;
    assert_eq!(gaps.status, 200, "{}", engine.name());
    assert!(gaps
        .body
        .contains("The partnership uses the local risk profile"));
    let new_action = lead.get(&format!("{first}/actions/new?question=1.1")).await;
    assert_eq!(new_action.status, 200, "{}", engine.name());
    let csrf = new_action.csrf().expect("csrf");
    let r = lead
        .post_raw(
            &format!("{first}/actions"),
            &[
                ("question_id", "1.1"),
                ("title", ""),
                ("owner_id", ""),
                ("due_date", "soon"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("href=\"#title\"") && r.body.contains("href=\"#due_date\""));
    let owner = new_action
        .body
        .split("<option value=\"")
        .nth(2)
        .and_then(|s| s.split('"').next())
        .map(str::to_owned)
        .filter(|v| !v.is_empty())
        .expect("an owner option");
    let r = lead
        .post_raw(
            &format!("{first}/actions"),
            &[
                ("question_id", "1.1"),
                ("title", "Share the profile with schools"),
                ("owner_id", &owner),
                ("due_date", "2026-06-30"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(lead
        .get(&format!("{first}/gaps"))
        .await
        .body
        .contains("Share the profile with schools"));

    // Next period starts from this one; a changed rating is highlighted.
    let r = lead
        .post_form(
            &format!("{base}/new"),
            &base,
            &[
                ("title", "2026 to 2027"),
                ("framework", "page-test"),
                ("period_start", "2026-04-01"),
                ("period_end", "2027-03-31"),
                ("previous_id", &first_id),
            ],
        )
        .await;
    let second = r.location().expect("created").to_owned();
    let q2 = format!("{second}/questions/1.1");
    let page = lead.get(&q2).await;
    assert!(
        page.body.contains("value=\"developing\" checked"),
        "answer carried across"
    );
    let csrf = page.csrf().expect("csrf");
    lead.post_raw(
        &q2,
        &[
            ("rating", "achieving"),
            ("details", ""),
            ("version", "1"),
            ("csrf_token", &csrf),
        ],
    )
    .await;
    let cmp = lead.get(&format!("{second}/compare")).await;
    assert_eq!(cmp.status, 200);
    assert!(cmp.body.contains("2025 to 2026") && cmp.body.contains("2026 to 2027"));
    assert!(cmp.body.contains("Developing") && cmp.body.contains("Achieving"));
    assert!(cmp.body.contains(">Improved</span>"));

    // The answers read as capabilities through the mappings.
    s.app
        .import_framework(&g, "cap-test.toml", CAPABILITIES, &Default::default())
        .await
        .expect("import capabilities");
    let caps = lead.get(&format!("{second}/capabilities")).await;
    assert_eq!(caps.status, 200);
    assert!(
        caps.body.contains("Capability test model")
            && caps.body.contains("Assessing vulnerability")
    );
    assert!(
        caps.body
            .contains("<span class=\"govuk-visually-hidden\">Question </span>1.1</a>"),
        "{}",
        caps.body
    );

    // A contributor can see gaps but cannot raise actions.
    let mut partner = s.signed_in("contributor@riverton.example").await;
    let page = partner.get(&format!("{second}/gaps")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Raise an action"));
    let csrf = page.csrf().expect("csrf");
    let r = partner
        .post_raw(
            &format!("{second}/actions"),
            &[
                ("question_id", "1.1"),
                ("title", "x"),
                ("owner_id", &owner),
                ("due_date", "2026-06-30"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
}

#[each_engine]
async fn spreadsheet_round_trip_and_bad_rows(engine: Engine) {
    let s = Server::start(&engine).await;
    let g = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    s.app
        .import_framework(&g, "page-test.toml", FRAMEWORK, &Default::default())
        .await
        .expect("import");
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let base = format!("/p/{pid}/assessments");
    let mut lead = s.signed_in("lead@riverton.example").await;
    let r = lead
        .post_form(
            &format!("{base}/new"),
            &base,
            &[
                ("title", "2026 to 2027"),
                ("framework", "page-test"),
                ("period_start", "2026-04-01"),
                ("period_end", "2027-03-31"),
            ],
        )
        .await;
    let page = r.location().expect("created").to_owned();
    let aid = page.rsplit('/').next().expect("id").to_owned();
    let q = format!("{page}/questions/1.1");
    let csrf = lead.get(&q).await.csrf().expect("csrf");
    lead.post_raw(
        &q,
        &[
            ("rating", "developing"),
            ("details", "=HYPERLINK(\"http://x\")\nline two"),
            ("version", "1"),
            ("csrf_token", &csrf),
        ],
    )
    .await;

    // CSV neutralises formulas.
    let csv = lead.get(&format!("{page}/export.csv")).await;
    assert_eq!(csv.status, 200, "{}", engine.name());
    assert!(csv
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    assert!(csv.body.contains("'=HYPERLINK"), "{}", csv.body);

    // XLSX: text cells (never formulas), laid out a sheet per section.
    let client = reqwest::Client::new();
    let cookie = lead
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let xlsx = client
        .get(format!("{}{page}/export.xlsx", s.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("export")
        .bytes()
        .await
        .expect("bytes")
        .to_vec();
    {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.clone())).expect("xlsx");
        assert_eq!(
            wb.sheet_names(),
            vec!["About".to_owned(), "1 Risk assessment".to_owned()]
        );
        let sheet = wb.worksheet_range("1 Risk assessment").expect("sheet");
        let row: Vec<String> = sheet
            .rows()
            .nth(1)
            .expect("row")
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(row[0], "1.1");
        assert_eq!(row[1], "Expectation of compliance");
        assert_eq!(row[3], "Developing");
        assert!(row[4].starts_with("=HYPERLINK"), "kept as text");
        let formulas = wb.worksheet_formula("1 Risk assessment").expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "no formulas"
        );
    }

    // Re-import unchanged: accepted, nothing changes: no answer and no history row is
    // written, no audit event is altered, and the only event added records the import itself
    // (none records a changed answer).
    let csrf = lead.get(&page).await.csrf().expect("csrf");
    let answers = ["responses", "response_history"];
    let mut sql = s.sql().await;
    let before = sql.snapshot(&[]).await.only(&answers);
    let last_event = sql.number("SELECT max(position) FROM audit_events").await;
    let log_before = sql
        .strings(&format!(
            "{EVENTS} WHERE position <= {last_event} ORDER BY position"
        ))
        .await;
    let (status, _) = upload(
        &mut lead,
        &s.base,
        &format!("{page}/import"),
        &csrf,
        xlsx.clone(),
    )
    .await;
    assert_eq!(status, 200);
    let e = engine.name();
    let after = sql.snapshot(&[]).await.only(&answers);
    assert_eq!(
        before.tables.len(),
        answers.len(),
        "{:?}",
        before.tables.keys()
    );
    assert_eq!(
        before.changed(&after),
        Vec::<String>::new(),
        "[{e}] an unchanged re-import changed no answer"
    );
    let log_after = sql
        .strings(&format!(
            "{EVENTS} WHERE position <= {last_event} ORDER BY position"
        ))
        .await;
    assert_eq!(log_before, log_after, "[{e}] no audit event was altered");
    let added = sql
        .strings(&format!(
            "SELECT action FROM audit_events WHERE position > {last_event}"
        ))
        .await;
    assert_eq!(
        added,
        ["assessment.import"],
        "[{e}] only the import is recorded"
    );
    let read = decide(
        &Actor::console(),
        Permission::AssessmentRead,
        Scope::Partnership(pid.parse().expect("pid")),
    );
    assert!(read.is_err(), "the console holds no assessment role");

    // A file with bad rows: every problem reported by sheet, row and column; nothing changes.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let about = wb.add_worksheet();
    about.set_name("About").expect("name");
    about.write_string(1, 0, "Assessment id").expect("w");
    about.write_string(1, 1, &aid).expect("w");
    let sh = wb.add_worksheet();
    sh.set_name("1 Risk assessment").expect("name");
    for (c, h) in [
        "Number",
        "Kind",
        "Question",
        "Rating",
        "Supporting details",
        "Evidence",
    ]
    .iter()
    .enumerate()
    {
        sh.write_string(0, c as u16, *h).expect("w");
    }
    sh.write_string(1, 0, "1.1").expect("w");
    sh.write_string(1, 3, "Excellent").expect("w");
    sh.write_string(1, 4, "Changed text").expect("w");
    sh.write_string(2, 0, "9.9").expect("w");
    sh.write_string(2, 3, "Achieving").expect("w");
    let bad = wb.save_to_buffer().expect("save");
    let (status, body) = upload(&mut lead, &s.base, &format!("{page}/import"), &csrf, bad).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("1 Risk assessment, row 2, column D"),
        "{body}"
    );
    assert!(
        body.contains("1 Risk assessment, row 3, column A"),
        "{body}"
    );
    let q_page = lead.get(&q).await;
    assert!(
        q_page.body.contains("line two") && !q_page.body.contains("Changed text"),
        "nothing changed"
    );

    // A good edited file changes exactly the edited answer.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let about = wb.add_worksheet();
    about.set_name("About").expect("name");
    about.write_string(1, 0, "Assessment id").expect("w");
    about.write_string(1, 1, &aid).expect("w");
    let sh = wb.add_worksheet();
    sh.set_name("1 Risk assessment").expect("name");
    sh.write_string(1, 0, "1.1").expect("w");
    sh.write_string(1, 3, "Achieving").expect("w");
    sh.write_string(1, 4, "Now in every plan").expect("w");
    // The hidden column G holds the answer's version as exported (the answer above is at 2).
    sh.write_string(1, 6, "2").expect("w");
    let good = wb.save_to_buffer().expect("save");
    let (status, body) = upload(&mut lead, &s.base, &format!("{page}/import"), &csrf, good).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Import finished"), "{body}");
    let q_page = lead.get(&q).await;
    assert!(q_page.body.contains("Now in every plan"));
    assert!(q_page.body.contains("value=\"achieving\" checked"));

    // Without the CSRF token the upload is refused.
    let (status, _) = upload(
        &mut lead,
        &s.base,
        &format!("{page}/import"),
        "forged",
        xlsx,
    )
    .await;
    assert_eq!(status, 400);
}

async fn upload_evidence(
    b: &preventkit_testkit::Browser,
    base: &str,
    path: &str,
    csrf: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, Vec<u8>)>,
) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new().text("csrf_token", csrf.to_owned());
    for (k, v) in preventkit_testkit::date_boxes(fields) {
        form = form.text(k, v);
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let cookie = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let res = client
        .post(format!("{base}{path}"))
        .header("cookie", cookie)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

#[each_engine]
async fn evidence_files_links_marking_and_carry_over(engine: Engine) {
    let s = Server::start(&engine).await;
    let g = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    s.app
        .import_framework(&g, "page-test.toml", FRAMEWORK, &Default::default())
        .await
        .expect("import");
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let base = format!("/p/{pid}/assessments");
    let mut lead = s.signed_in("lead@riverton.example").await;
    let r = lead
        .post_form(
            &format!("{base}/new"),
            &base,
            &[
                ("title", "2026 to 2027"),
                ("framework", "page-test"),
                ("period_start", "2026-04-01"),
                ("period_end", "2027-03-31"),
            ],
        )
        .await;
    let page = r.location().expect("created").to_owned();
    let aid = page.rsplit('/').next().expect("id").to_owned();
    let q = format!("{page}/questions/1.1");
    let add = format!("{q}/evidence");
    let csrf = lead.get(&q).await.csrf().expect("csrf");

    // A file that is not what its name says is refused; nothing is stored.
    let (status, body) = upload_evidence(
        &lead,
        &s.base,
        &add,
        &csrf,
        &[
            ("title", "Risk profile"),
            ("kind", "file"),
            ("marking", "official-sensitive"),
        ],
        Some(("profile.pdf", b"MZ not a pdf".to_vec())),
    )
    .await;
    assert_eq!(status, 422, "{}", engine.name());
    assert!(body.contains("is not a .pdf file"));
    // A sensitive PDF and an official link.
    let pdf = b"%PDF-1.7 local risk profile".to_vec();
    let (status, _) = upload_evidence(
        &lead,
        &s.base,
        &add,
        &csrf,
        &[
            ("title", "Local risk profile 2026"),
            ("kind", "file"),
            ("marking", "official-sensitive"),
            ("review_date", "2027-03-31"),
        ],
        Some(("profile.pdf", pdf.clone())),
    )
    .await;
    assert_eq!(status, 303);
    let (status, _) = upload_evidence(
        &lead,
        &s.base,
        &add,
        &csrf,
        &[
            ("title", "Board minutes"),
            ("kind", "link"),
            ("url", "https://intranet.example/minutes"),
            ("marking", "official"),
        ],
        None,
    )
    .await;
    assert_eq!(status, 303);

    let lead_view = lead.get(&q).await;
    assert!(
        lead_view.body.contains("Local risk profile 2026")
            && lead_view.body.contains("Board minutes")
    );
    let file_link = lead_view
        .body
        .split(&format!("/p/{pid}/evidence/"))
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("file link")
        .to_owned();
    let download = format!("/p/{pid}/evidence/{file_link}/file");
    let got = lead.get(&download).await;
    assert_eq!(got.status, 200);
    assert!(got
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    assert_eq!(got.body.as_bytes(), pdf.as_slice());

    // A contributor (OFFICIAL clearance) sees the sensitive item exists, not what it is.
    let ug = decide(&Actor::console(), Permission::UserManage, Scope::Platform).expect("grant");
    let partner_id = s
        .app
        .find_user_by_email(&ug, "contributor@riverton.example")
        .await
        .expect("user")
        .id;
    let csrf_l = lead.get(&page).await.csrf().expect("csrf");
    let r = lead
        .post_raw(
            &format!("{page}/assign"),
            &[
                ("target", "1.1"),
                ("user_id", &partner_id),
                ("csrf_token", &csrf_l),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let mut partner = s.signed_in("contributor@riverton.example").await;
    let view = partner.get(&q).await;
    assert!(view
        .body
        .contains("An evidence item you are not cleared to see"));
    assert!(!view.body.contains("Local risk profile 2026"));
    assert!(view.body.contains("Board minutes"));
    assert_eq!(partner.get(&download).await.status, 403);
    // ...and cannot mark above their own clearance.
    let csrf_p = view.csrf().expect("csrf");
    let (status, body) = upload_evidence(
        &partner,
        &s.base,
        &add,
        &csrf_p,
        &[
            ("title", "X"),
            ("kind", "link"),
            ("url", "https://x.example"),
            ("marking", "official-sensitive"),
        ],
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("up to your own clearance"));

    // The next period keeps the evidence on the same question.
    let r = lead
        .post_form(
            &format!("{base}/new"),
            &base,
            &[
                ("title", "2027 to 2028"),
                ("framework", "page-test"),
                ("period_start", "2027-04-01"),
                ("period_end", "2028-03-31"),
                ("previous_id", &aid),
            ],
        )
        .await;
    let next = r.location().expect("created").to_owned();
    let carried = lead.get(&format!("{next}/questions/1.1")).await;
    assert!(
        carried.body.contains("Local risk profile 2026") && carried.body.contains("Board minutes")
    );
}

/// The lead is offered a newer framework version on a draft's page, reviews what moving does,
/// and moves it; the answers carry across.
#[each_engine]
async fn a_draft_is_offered_and_moved_to_a_newer_framework_version(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let mut lead = s.signed_in("lead@riverton.example").await;
    let list = lead.get(&format!("/p/{pid}/assessments")).await;
    // The demonstration draft is the assessment whose page offers to submit it.
    let mut draft_id = None;
    for id in list
        .body
        .split("/assessments/")
        .skip(1)
        .filter_map(|rest| rest.get(..36))
    {
        let page = lead.get(&format!("/p/{pid}/assessments/{id}")).await;
        if page.status == 200 && page.body.contains("Check your answers and submit") {
            draft_id = Some(id.to_owned());
            break;
        }
    }
    let aid = draft_id.expect("the demonstration draft");
    let page = format!("/p/{pid}/assessments/{aid}");
    assert!(
        !lead.get(&page).await.body.contains("upgrade-offer"),
        "[{e}] nothing is offered while the draft uses the newest version"
    );

    let next = s.import_benchmark_next_version().await;

    let shown = lead.get(&page).await;
    assert!(
        shown.body.contains("upgrade-offer"),
        "[{e}] the move is offered"
    );
    let review = lead.get(&format!("{page}/upgrade")).await;
    assert_eq!(review.status, 200, "[{e}]");
    assert!(
        review.body.contains(&format!("Move to version {next}")),
        "[{e}]"
    );
    assert!(
        review.body.contains("11.1"),
        "[{e}] the new question is named"
    );
    let csrf = review.csrf().expect("csrf");
    // A stale review (the shipped version is not the newest) moves nothing.
    let r = lead
        .post_raw(
            &format!("{page}/upgrade"),
            &[
                ("to_version", &(next - 1).to_string()),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, 409, "[{e}]");
    let r = lead
        .post_raw(
            &format!("{page}/upgrade"),
            &[("to_version", &next.to_string()), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, 303, "[{e}]");
    let after = lead.get(&page).await;
    assert!(after.body.contains(&format!("(version {next})")), "[{e}]");
    assert!(!after.body.contains("upgrade-offer"), "[{e}]");
    // A contributor cannot reach the review.
    let mut partner = s.signed_in("contributor@riverton.example").await;
    assert_eq!(partner.get(&format!("{page}/upgrade")).await.status, 403);
}
