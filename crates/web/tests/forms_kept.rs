//! The question page's forms keep everything typed when they show an error, with the error
//! summary in the order of the fields; the evidence form reads only the field of the kind
//! chosen; a rating that needs supporting details is refused without them wherever it is
//! saved (the page, the API, the spreadsheet import); and "Save and go to the next question"
//! takes a contributor to their next assigned question.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{
    Actor, Clearance, Grant, Marking, Permission, Role, Scope, VerifiedIdentity,
};
use preventkit_testkit::{
    each_engine, extract_value, unescape_html, upload, Browser, Engine, Page, Server,
};
use serde_json::json;

const RIVERTON: &str = "Riverton Prevent Partnership";
const ANSWERS: [&str; 2] = ["responses", "response_history"];

/// A grant to read Riverton's assessments, as its lead.
async fn reader(s: &Server, pid: &str) -> Grant {
    let users = decide(&Actor::console(), Permission::UserManage, Scope::Platform).unwrap();
    let lead = s
        .app
        .find_user_by_email(&users, "lead@riverton.example")
        .await
        .unwrap();
    let partnership = pid.parse().unwrap();
    let actor = Actor::from_verified(VerifiedIdentity {
        user_id: lead.id.parse().unwrap(),
        system_admin: false,
        memberships: vec![(partnership, Role::PreventLead)],
        clearance: Clearance(Marking::OfficialSensitive),
        mfa_verified: true,
    });
    decide(
        &actor,
        Permission::AssessmentRead,
        Scope::Partnership(partnership),
    )
    .unwrap()
}

/// The demonstration's draft (this year's benchmark): the partnership id and the assessment's
/// page.
async fn draft(s: &Server) -> (String, String) {
    let pid = s.partnership_id(RIVERTON).await;
    let read = reader(s, &pid).await;
    let aid = s
        .app
        .list_assessments(&read)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.state.key() == "draft")
        .expect("a draft")
        .id;
    (pid.clone(), format!("/p/{pid}/assessments/{aid}"))
}

/// The error summary's messages, top to bottom.
fn summary(page: &Page) -> Vec<String> {
    let Some(start) = page.body.find("govuk-error-summary__list") else {
        return Vec::new();
    };
    let rest = &page.body[start..];
    let end = rest.find("</ul>").unwrap_or(rest.len());
    rest[..end]
        .split("<a href=\"")
        .skip(1)
        .map(|a| {
            let text = a.split('>').nth(1).unwrap_or_default();
            unescape_html(text.split('<').next().unwrap_or_default().trim())
        })
        .collect()
}

/// The summary's links, top to bottom.
fn summary_links(page: &Page) -> Vec<String> {
    let Some(start) = page.body.find("govuk-error-summary__list") else {
        return Vec::new();
    };
    let rest = &page.body[start..];
    let end = rest.find("</ul>").unwrap_or(rest.len());
    rest[..end]
        .split("<a href=\"")
        .skip(1)
        .map(|a| a.split('"').next().unwrap_or_default().to_owned())
        .collect()
}

/// The `<input>` tag with this id.
fn input<'a>(page: &'a Page, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\"");
    let at = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id}:\n{}", page.body));
    let start = page.body[..at].rfind('<').unwrap();
    let end = at + page.body[at..].find('>').unwrap();
    &page.body[start..=end]
}

/// Post the add-evidence form as a browser does (multipart), with `file` as (name, bytes).
async fn add_evidence(
    b: &mut Browser,
    base: &str,
    question_page: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Page {
    let csrf = b.get(question_page).await.csrf().expect("csrf");
    let mut form = reqwest::multipart::Form::new().text("csrf_token", csrf);
    for (k, v) in fields {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    let part = match file {
        Some((name, bytes)) => {
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned())
        }
        // A file input left empty still sends an empty part.
        None => reqwest::multipart::Part::bytes(Vec::new()).file_name(""),
    };
    form = form.part("file", part);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .post(format!("{base}{question_page}/evidence"))
        .header("cookie", b.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    Page {
        status,
        headers,
        body: res.text().await.unwrap_or_default(),
    }
}

#[each_engine]
async fn the_evidence_form_keeps_everything_typed_and_lists_errors_in_field_order(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let (_, page) = draft(&s).await;
    let question = format!("{page}/questions/1.1");
    let mut lead = s.signed_in("lead@riverton.example").await;

    // No title, no kind chosen, a link typed, a date that is not real.
    let r = add_evidence(
        &mut lead,
        &s.base,
        &question,
        &[
            ("title", ""),
            ("url", "https://intranet.riverton.example/plan"),
            ("marking", "official-sensitive"),
            ("review_date-day", "31"),
            ("review_date-month", "2"),
            ("review_date-year", "2027"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert_eq!(
        summary(&r),
        [
            "Enter a title for the evidence",
            "Choose whether the evidence is a file or a link",
            "Review date must be a real date",
        ],
        "[{e}] the summary follows the fields"
    );
    assert_eq!(
        summary_links(&r),
        ["#title", "#kind", "#review_date"],
        "[{e}]"
    );
    assert!(
        unescape_html(input(&r, "url"))
            .contains("value=\"https://intranet.riverton.example/plan\""),
        "[{e}] the link is kept: {}",
        input(&r, "url")
    );
    assert!(input(&r, "review_date").contains("value=\"31\""), "[{e}]");
    assert!(
        input(&r, "review_date-month").contains("value=\"2\""),
        "[{e}]"
    );
    assert!(
        input(&r, "review_date-year").contains("value=\"2027\""),
        "[{e}]"
    );
    assert!(
        r.body
            .contains("<option value=\"official-sensitive\" selected>"),
        "[{e}] the marking is kept"
    );
    assert!(
        r.body.contains("<details class=\"govuk-details\" open>"),
        "[{e}] the evidence form is open"
    );

    // Title, kind and link kept; the date boxes each have their own message.
    let r = add_evidence(
        &mut lead,
        &s.base,
        &question,
        &[
            ("title", "Partnership plan 2026"),
            ("kind", "link"),
            ("url", "not a web address"),
            ("marking", "official"),
            ("review_date-day", "12"),
            ("review_date-month", ""),
            ("review_date-year", "2027"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert_eq!(
        summary(&r),
        [
            "Enter a web address starting with https://",
            "Review date must include a month",
        ],
        "[{e}]"
    );
    assert!(
        input(&r, "title").contains("value=\"Partnership plan 2026\""),
        "[{e}]"
    );
    assert!(
        input(&r, "url").contains("value=\"not a web address\""),
        "[{e}]"
    );
    assert!(
        input(&r, "kind-2").contains("checked"),
        "[{e}] A link stays chosen"
    );
    assert!(!input(&r, "kind").contains("checked"), "[{e}]");
    assert!(input(&r, "review_date").contains("value=\"12\""), "[{e}]");
    // Only the missing box is marked in error, as the design system asks.
    assert!(
        input(&r, "review_date-month").contains("govuk-input--error"),
        "[{e}]"
    );
    assert!(
        !input(&r, "review_date").contains("govuk-input--error"),
        "[{e}] the day was given"
    );
    assert!(
        !input(&r, "review_date-year").contains("govuk-input--error"),
        "[{e}] the year was given"
    );
    // A two-number year marks the year alone.
    let r = add_evidence(
        &mut lead,
        &s.base,
        &question,
        &[
            ("title", "Partnership plan 2026"),
            ("kind", "link"),
            ("url", "https://intranet.riverton.example/plan"),
            ("marking", "official"),
            ("review_date-day", "12"),
            ("review_date-month", "3"),
            ("review_date-year", "27"),
        ],
        None,
    )
    .await;
    assert_eq!(summary(&r), ["Year must include 4 numbers"], "[{e}]");
    assert!(input(&r, "review_date-year").contains("govuk-input--error"));
    assert!(!input(&r, "review_date").contains("govuk-input--error"));
    assert!(!input(&r, "review_date-month").contains("govuk-input--error"));

    // A good file with something else wrong: the person is told to choose the file again.
    let r = add_evidence(
        &mut lead,
        &s.base,
        &question,
        &[("title", ""), ("kind", "file"), ("marking", "official")],
        Some(("plan.pdf", b"%PDF-1.7 plan")),
    )
    .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    let messages = summary(&r);
    assert_eq!(messages.len(), 2, "[{e}] {messages:?}");
    assert_eq!(messages[0], "Enter a title for the evidence");
    assert!(
        messages[1].starts_with("Choose the file plan.pdf again"),
        "[{e}] {messages:?}"
    );
    assert!(
        input(&r, "kind").contains("checked"),
        "[{e}] A file stays chosen"
    );

    // The comment form keeps what was typed too.
    let long = "A comment that runs on. ".repeat(220);
    let r = lead
        .post_form(
            &question,
            &format!("{question}/comments"),
            &[("comment", &long)],
        )
        .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert_eq!(summary_links(&r), ["#comment"], "[{e}]");
    assert!(
        r.body.contains(long.trim_end()),
        "[{e}] the comment is kept"
    );
}

#[each_engine]
async fn only_the_chosen_kind_of_evidence_is_read(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let (pid, page) = draft(&s).await;
    let question = format!("{page}/questions/1.1");
    let mut lead = s.signed_in("lead@riverton.example").await;

    // "A file" with a link typed as well: the link is ignored.
    let r = add_evidence(
        &mut lead,
        &s.base,
        &question,
        &[
            ("title", "Risk assessment method"),
            ("kind", "file"),
            ("url", "https://typed.before.choosing.example/"),
            ("marking", "official"),
        ],
        Some(("method.pdf", b"%PDF-1.7 method")),
    )
    .await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    // "A link" with a file chosen as well (even one that is not allowed): the file is ignored.
    let r = add_evidence(
        &mut lead,
        &s.base,
        &question,
        &[
            ("title", "Board minutes, March"),
            ("kind", "link"),
            ("url", "https://intranet.riverton.example/board/march"),
            ("marking", "official"),
            ("review_date-day", "1"),
            ("review_date-month", "4"),
            ("review_date-year", "2027"),
        ],
        Some(("run.exe", b"MZ\x90\x00")),
    )
    .await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);

    let read = reader(&s, &pid).await;
    let aid = page.rsplit('/').next().unwrap();
    let items = s.app.assessment_evidence(&read, aid).await.unwrap();
    let find = |title: &str| {
        items
            .iter()
            .map(|(_, v)| v)
            .find(|v| v.title.as_deref() == Some(title))
            .unwrap_or_else(|| panic!("[{e}] {title} is listed"))
    };
    let file = find("Risk assessment method");
    assert_eq!(file.kind, "file", "[{e}]");
    assert_eq!(file.file_name.as_deref(), Some("method.pdf"), "[{e}]");
    assert_eq!(file.url, None, "[{e}] the link typed was ignored");
    let link = find("Board minutes, March");
    assert_eq!(link.kind, "link", "[{e}]");
    assert_eq!(
        link.url.as_deref(),
        Some("https://intranet.riverton.example/board/march"),
        "[{e}]"
    );
    assert_eq!(link.file_name, None, "[{e}] the file chosen was ignored");
    assert_eq!(link.size, None, "[{e}]");

    // The page shows the review date in words.
    let shown = lead.get(&question).await;
    assert!(shown.body.contains("Review by 1 April 2027"), "[{e}]");
}

#[each_engine]
async fn developing_without_details_is_refused_everywhere(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let (pid, page) = draft(&s).await;
    let aid = page.rsplit('/').next().unwrap().to_owned();
    let mut lead = s.signed_in("lead@riverton.example").await;

    // The page: refused on the details field, the rating chosen kept.
    let question = format!("{page}/questions/1.1");
    let shown = lead.get(&question).await;
    assert!(
        shown
            .body
            .contains("A rating of Developing or Achieving needs them."),
        "[{e}] the details box says what is expected"
    );
    let version = extract_value(&shown.body, "name=\"version\" value=\"").unwrap();
    let csrf = shown.csrf().unwrap();
    let r = lead
        .post_raw(
            &question,
            &[
                ("csrf_token", &csrf),
                ("version", &version),
                ("rating", "developing"),
                ("details", "  "),
                ("then", "summary"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert_eq!(summary_links(&r), ["#details"], "[{e}]");
    assert!(
        summary(&r)[0].starts_with("Enter supporting details: a rating of Developing needs them"),
        "[{e}] {:?}",
        summary(&r)
    );
    assert!(
        input(&r, "rating-2").contains("checked"),
        "[{e}] Developing stays chosen"
    );
    // Not yet started needs none.
    let r = lead
        .post_raw(
            &question,
            &[
                ("csrf_token", &csrf),
                ("version", &version),
                ("rating", "not-yet-started"),
                ("details", ""),
                ("then", "summary"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);

    // The API: 422 naming the field.
    let police_token = s
        .token("contributor@riverton.example", &pid, "contributor")
        .await;
    let r = lead
        .api(
            "PUT",
            &format!("/api/v1/partnerships/{pid}/assessments/{aid}/responses/7.1"),
            Some(&police_token),
            Some(json!({"rating": "achieving", "details": "", "version": 1})),
        )
        .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert_eq!(r.json()["error"]["field"], "details", "[{e}] {}", r.body);

    // The spreadsheet: the row and column are named and nothing is written.
    let (status, xlsx) = lead.get_bytes(&format!("{page}/export.xlsx")).await;
    assert_eq!(status, 200, "[{e}]");
    let file = edited(&xlsx, "1 ", &[((1, 3), "Developing"), ((1, 4), "")]);
    let mut sql = s.sql().await;
    let before = sql.snapshot(&[]).await.only(&ANSWERS);
    let csrf = lead.get(&format!("{page}/import")).await.csrf().unwrap();
    let (status, body) = upload(&mut lead, &s.base, &format!("{page}/import"), &csrf, file).await;
    assert_eq!(status, 422, "[{e}] {body}");
    assert!(
        body.contains(
            "row 2, column E: Enter supporting details: a rating of Developing needs them"
        ),
        "[{e}] {body}"
    );
    let after = sql.snapshot(&[]).await.only(&ANSWERS);
    assert_eq!(
        before.changed(&after),
        Vec::<String>::new(),
        "[{e}] nothing written"
    );
}

/// The spreadsheet as saved after editing: every cell copied as text, with `edits` ((row,
/// column), value) made on the sheet whose name starts with `sheet`.
fn edited(xlsx: &[u8], sheet: &str, edits: &[((u32, u16), &str)]) -> Vec<u8> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        let ws = out.add_worksheet();
        ws.set_name(&name).unwrap();
        let target = name.starts_with(sheet);
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let at = (r0 + r as u32, (c0 as usize + c) as u16);
                if target && edits.iter().any(|(p, _)| *p == at) {
                    continue;
                }
                let text = cell.to_string();
                if !text.is_empty() {
                    ws.write_string(at.0, at.1, &text).unwrap();
                }
            }
        }
        if target {
            for ((r, c), v) in edits {
                if !v.is_empty() {
                    ws.write_string(*r, *c, *v).unwrap();
                }
            }
        }
    }
    out.save_to_buffer().unwrap()
}

/// Save an answer through the page with "Save and go to the next question"; answers where it
/// went.
async fn save_and_next(b: &mut Browser, question: &str) -> Page {
    let shown = b.get(question).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(
        shown.body.contains("Save and go to the next question"),
        "the button is offered on {question}"
    );
    let version = extract_value(&shown.body, "name=\"version\" value=\"").unwrap();
    let csrf = shown.csrf().unwrap();
    b.post_raw(
        question,
        &[
            ("csrf_token", &csrf),
            ("version", &version),
            ("rating", "achieving"),
            (
                "details",
                "Every member of staff in scope is trained; records checked.",
            ),
            ("then", "next"),
        ],
    )
    .await
}

#[each_engine]
async fn a_contributor_goes_on_to_their_next_assigned_question(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let (_, page) = draft(&s).await;
    // The demonstration assigns benchmark 7 (7.1 to 7.9) to the police, the contributor's
    // organisation.
    let mut police = s.signed_in("contributor@riverton.example").await;
    let r = save_and_next(&mut police, &format!("{page}/questions/7.1")).await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    assert_eq!(
        r.location(),
        Some(format!("{page}/questions/7.2").as_str()),
        "[{e}]"
    );
    // After their last one, back to the task list with a message.
    let r = save_and_next(&mut police, &format!("{page}/questions/7.9")).await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    assert_eq!(r.location(), Some(page.as_str()), "[{e}]");
    let list = police.get(&page).await;
    assert!(
        list.body
            .contains("The answer was saved. There are no more questions for you after that one."),
        "[{e}]"
    );
    // A question assigned to someone else says why it cannot be changed.
    let other = police.get(&format!("{page}/questions/8.1")).await;
    assert!(
        other.body.contains(
            "This question is assigned to someone else, so you can read it but not change it."
        ),
        "[{e}]"
    );
    assert!(
        !other.body.contains("Save and go to the next question"),
        "[{e}]"
    );

    // The lead goes on to the next question of the framework.
    let mut lead = s.signed_in("lead@riverton.example").await;
    let r = save_and_next(&mut lead, &format!("{page}/questions/7.9")).await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    assert_eq!(
        r.location(),
        Some(format!("{page}/questions/8.1").as_str()),
        "[{e}]"
    );
}
