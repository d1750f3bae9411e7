//! The gaps page and the actions raised from gaps: counts, questions not assessed kept apart,
//! raising an action on its own page, the list of actions, changing one under the stale-edit
//! rule, closing one after confirming, the audit log, and who may do what.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Actor, Permission, Scope};
use preventkit_testkit::{each_engine, frameworks, Browser, Engine, Server};

/// The value of the `<option>` whose text is `text`.
fn option_value(body: &str, text: &str) -> String {
    let end = body
        .find(&format!(">{text}</option>"))
        .unwrap_or_else(|| panic!("no option `{text}`: {body}"));
    let before = &body[..end];
    let start = before.rfind("value=\"").expect("a value") + "value=\"".len();
    before[start..].split('"').next().expect("value").to_owned()
}

/// The value of the input named `name` (attributes in any order within its tag).
fn input_value(body: &str, name: &str) -> Option<String> {
    let at = body.find(&format!("name=\"{name}\""))?;
    let tag_start = body[..at].rfind('<')?;
    let tag_end = at + body[at..].find('>')?;
    let tag = &body[tag_start..tag_end];
    let v = tag.find("value=\"")? + "value=\"".len();
    tag[v..]
        .split('"')
        .next()
        .map(preventkit_testkit::unescape_html)
}

/// The id of the first action linked for change on the actions page.
fn first_action_id(body: &str) -> String {
    let marker = "/actions/";
    body.match_indices(marker)
        .map(|(i, _)| &body[i + marker.len()..])
        .find(|rest| rest.split('"').next().is_some_and(|p| p.ends_with("/edit")))
        .and_then(|rest| rest.split('/').next())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no action to change: {body}"))
}

/// An assessment on the test framework with two questions: 1.1 (an expectation of
/// compliance) rated "developing" with long supporting details, 1.2 (good practice) blank.
async fn assessment_with_a_gap(s: &Server, lead: &mut Browser) -> String {
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
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let base = format!("/p/{pid}/assessments");
    let r = lead
        .post_form(
            &format!("{base}/new"),
            &base,
            &[
                ("title", "Actions test period"),
                ("framework", "api-test"),
                ("period_start", "2026-04-01"),
                ("period_end", "2027-03-31"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let a = r.location().expect("created").to_owned();
    let q = format!("{a}/questions/1.1");
    let details = "The profile is shared with the police and the council. ".repeat(8);
    let r = lead
        .post_form(
            &q,
            &q,
            &[
                ("rating", "developing"),
                ("details", &details),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    a
}

#[each_engine]
async fn gaps_count_and_keep_questions_not_assessed_apart(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let mut lead = s.signed_in("lead@riverton.example").await;
    let a = assessment_with_a_gap(&s, &mut lead).await;

    let gaps = lead.get(&format!("{a}/gaps")).await;
    assert_eq!(gaps.status, 200, "[{e}]");
    let b = &gaps.body;
    let counts = &b[b.find("id=\"gap-counts\"").expect("counts")..];
    let counts = &counts[..counts.find("</ul>").expect("end of counts")];
    assert!(counts.contains("<strong>1</strong> gap:"), "[{e}] {counts}");
    assert!(
        counts.contains("Expectation of compliance: <strong>1</strong>"),
        "[{e}] {counts}"
    );
    assert!(
        !counts.contains("Good practice"),
        "[{e}] the blank good-practice question is no gap: {counts}"
    );
    assert!(
        counts.contains("<strong>1</strong> question not assessed yet"),
        "[{e}] {counts}"
    );
    // 1.1 is a gap, linked to its question, with its rating and shortened details.
    assert!(b.contains("id=\"gap-1.1\""), "[{e}]");
    assert!(b.contains(&format!("href=\"{a}/questions/1.1\"")), "[{e}]");
    assert!(b.contains("Developing"), "[{e}]");
    assert!(
        b.contains("The profile is shared with the police") && b.contains('…'),
        "[{e}] long details are shortened"
    );
    // 1.2 has no rating: listed as not assessed, never as a gap.
    assert!(!b.contains("id=\"gap-1.2\""), "[{e}]");
    let not_assessed = &b[b.find("id=\"not-assessed\"").expect("not assessed")..];
    assert!(
        not_assessed.contains("Partners review the profile together"),
        "[{e}]"
    );
    // The lead may raise an action from the gap; the page links to the actions.
    assert!(
        b.contains(&format!("href=\"{a}/actions/new?question=1.1\"")),
        "[{e}]"
    );
    assert!(b.contains(&format!("href=\"{a}/actions\"")), "[{e}]");
    let task_list = lead.get(&a).await;
    assert!(
        task_list.body.contains(&format!("href=\"{a}/actions\"")),
        "[{e}]"
    );

    // An open action past its due date is flagged overdue on the actions page and the gap.
    let new_page = format!("{a}/actions/new?question=1.1");
    let form = lead.get(&new_page).await;
    let priya = option_value(&form.body, "Priya Lead");
    let r = lead
        .post_form(
            &new_page,
            &format!("{a}/actions"),
            &[
                ("question_id", "1.1"),
                ("title", "Brief the schools forum"),
                ("owner_id", &priya),
                ("due_date-day", "1"),
                ("due_date-month", "4"),
                ("due_date-year", "2020"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    let list = lead.get(&format!("{a}/actions")).await;
    assert!(
        list.body
            .contains("<strong>1</strong> open, of which <strong>1</strong> overdue"),
        "[{e}] {}",
        list.body
    );
    assert!(list.body.contains(">Overdue</strong>"), "[{e}]");
    assert!(list.body.contains("1 April 2020"), "[{e}]");
    let gaps = lead.get(&format!("{a}/gaps")).await;
    assert!(
        gaps.body
            .contains("Brief the schools forum: Priya Lead, due 1 April 2020, open"),
        "[{e}]"
    );
}

#[each_engine]
async fn raising_changing_and_closing_an_action(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let mut lead = s.signed_in("lead@riverton.example").await;
    let a = assessment_with_a_gap(&s, &mut lead).await;
    let new_page = format!("{a}/actions/new?question=1.1");
    let form = lead.get(&new_page).await;
    assert_eq!(form.status, 200, "[{e}]");
    assert!(
        form.body
            .contains("The partnership uses the local risk profile"),
        "[{e}] the page says which gap"
    );
    let priya = option_value(&form.body, "Priya Lead");
    // An unknown question names nothing.
    assert_eq!(
        lead.get(&format!("{a}/actions/new?question=9.9"))
            .await
            .status,
        404
    );

    // Nothing typed: the summary lists the errors in the order of the fields.
    let r = lead
        .post_form(
            &new_page,
            &format!("{a}/actions"),
            &[
                ("question_id", "1.1"),
                ("title", ""),
                ("owner_id", ""),
                ("due_date-day", "31"),
                ("due_date-month", "2"),
                ("due_date-year", "2027"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "[{e}]");
    let at = |href: &str| {
        r.body
            .find(&format!("href=\"#{href}\""))
            .unwrap_or_else(|| panic!("[{e}] no link to {href}: {}", r.body))
    };
    assert!(
        at("title") < at("owner_id") && at("owner_id") < at("due_date"),
        "[{e}]"
    );
    assert!(r.body.contains("Due date must be a real date"), "[{e}]");

    // A bad date alone: everything typed is kept.
    let r = lead
        .post_form(
            &new_page,
            &format!("{a}/actions"),
            &[
                ("question_id", "1.1"),
                ("title", "Share the profile with schools"),
                ("owner_id", &priya),
                ("due_date-day", "31"),
                ("due_date-month", "2"),
                ("due_date-year", "2027"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "[{e}]");
    assert!(
        r.body.contains("value=\"Share the profile with schools\""),
        "[{e}]"
    );
    assert!(
        r.body.contains(&format!("value=\"{priya}\" selected")),
        "[{e}] the owner is kept: {}",
        r.body
    );
    for (name, value) in [
        ("due_date-day", "31"),
        ("due_date-month", "2"),
        ("due_date-year", "2027"),
    ] {
        let typed = input_value(&r.body, name);
        assert_eq!(typed.as_deref(), Some(value), "[{e}] {name}");
    }
    assert!(!r.body.contains("href=\"#title\""), "[{e}]");

    // Raised: it shows on the gap and on the actions page.
    let r = lead
        .post_form(
            &new_page,
            &format!("{a}/actions"),
            &[
                ("question_id", "1.1"),
                ("title", "Share the profile with schools"),
                ("owner_id", &priya),
                ("due_date-day", "31"),
                ("due_date-month", "3"),
                ("due_date-year", "2027"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    let gaps = lead.get(&format!("{a}/gaps")).await;
    assert!(
        gaps.body
            .contains("Share the profile with schools: Priya Lead, due 31 March 2027, open"),
        "[{e}] {}",
        gaps.body
    );
    let list = lead.get(&format!("{a}/actions")).await;
    assert_eq!(list.status, 200, "[{e}]");
    assert!(
        list.body
            .contains("1.1 The partnership uses the local risk profile"),
        "[{e}]"
    );
    assert!(list.body.contains("role=\"region\""), "[{e}]");
    let action = first_action_id(&list.body);
    let edit = format!("{a}/actions/{action}/edit");

    // Changed at version 1.
    let page = lead.get(&edit).await;
    assert_eq!(page.status, 200, "[{e}]");
    assert_eq!(input_value(&page.body, "version").as_deref(), Some("1"));
    let changed = [
        ("title", "Share the profile with every school"),
        ("owner_id", priya.as_str()),
        ("due_date-day", "30"),
        ("due_date-month", "4"),
        ("due_date-year", "2027"),
        ("status", "in-progress"),
        ("version", "1"),
    ];
    let r = lead.post_form(&edit, &edit, &changed).await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);

    // Someone saving from the same version 1 again is refused; both versions are shown.
    let stale = [
        ("title", "Send the profile to colleges"),
        ("owner_id", priya.as_str()),
        ("due_date-day", "15"),
        ("due_date-month", "5"),
        ("due_date-year", "2027"),
        ("status", "open"),
        ("version", "1"),
    ];
    let r = lead.post_form(&edit, &edit, &stale).await;
    assert_eq!(r.status, 409, "[{e}] {}", r.body);
    assert!(r.body.contains("Someone else changed this action"), "[{e}]");
    assert!(
        r.body.contains("Share the profile with every school"),
        "[{e}] theirs"
    );
    assert!(r.body.contains("30 April 2027"), "[{e}] theirs");
    assert!(
        r.body.contains("value=\"Send the profile to colleges\""),
        "[{e}] yours"
    );
    assert_eq!(input_value(&r.body, "due_date-day").as_deref(), Some("15"));
    assert_eq!(
        input_value(&r.body, "version").as_deref(),
        Some("2"),
        "[{e}] saving again is based on their version"
    );
    let mut sql = s.sql().await;
    let stored = sql
        .strings(&format!(
            "SELECT title || '|' || due_date || '|' || status || '|' || version FROM actions WHERE id = '{action}'"
        ))
        .await;
    assert_eq!(
        stored,
        vec!["Share the profile with every school|2027-04-30|in-progress|2".to_owned()],
        "[{e}] the stale edit wrote nothing"
    );
    let mut kept = stale;
    kept[6] = ("version", "2");
    let r = lead.post_form(&edit, &edit, &kept).await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);

    // A bad edit re-renders with the errors and what was typed.
    let r = lead
        .post_form(
            &edit,
            &edit,
            &[
                ("title", ""),
                ("owner_id", priya.as_str()),
                ("due_date-day", "1"),
                ("due_date-month", "13"),
                ("due_date-year", "2027"),
                ("status", "open"),
                ("version", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "[{e}]");
    assert!(r.body.contains("href=\"#title\"") && r.body.contains("href=\"#due_date\""));
    assert_eq!(
        input_value(&r.body, "due_date-month").as_deref(),
        Some("13")
    );

    // Closing asks first, then closes with the note.
    let close = format!("{a}/actions/{action}/close");
    let confirm = lead.get(&close).await;
    assert_eq!(confirm.status, 200, "[{e}]");
    assert!(confirm
        .body
        .contains("Are you sure you want to close this action?"));
    assert!(confirm.body.contains("Send the profile to colleges"));
    // Closing from a version someone has since changed is refused, the note kept, nothing
    // changed; the page now offers the current version.
    let stale = lead
        .post_form(
            &close,
            &close,
            &[
                ("closing_note", "Closed from an old page"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(stale.status, 409, "[{e}] {}", stale.body);
    assert!(stale.body.contains("id=\"stale-action\""), "[{e}]");
    assert!(
        stale.body.contains("Closed from an old page"),
        "[{e}] the note is kept"
    );
    assert_eq!(
        input_value(&stale.body, "version").as_deref(),
        Some("3"),
        "[{e}]"
    );
    assert_eq!(
        s.sql()
            .await
            .strings(&format!(
                "SELECT status || '|' || version FROM actions WHERE id = '{action}'"
            ))
            .await,
        vec!["open|3".to_owned()],
        "[{e}] nothing changed"
    );
    let r = lead
        .post_form(
            &close,
            &close,
            &[("closing_note", "Sent to every college"), ("version", "3")],
        )
        .await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    let list = lead.get(&format!("{a}/actions")).await;
    assert!(list.body.contains("The action was closed."), "[{e}]");
    assert!(
        list.body.contains("Closing note: Sent to every college"),
        "[{e}]"
    );
    assert!(list.body.contains("<strong>0</strong> open"), "[{e}]");
    assert_eq!(
        lead.get(&edit).await.status,
        409,
        "[{e}] a closed action stays closed"
    );

    // Every change is in the audit log, typed.
    let events = sql
        .strings("SELECT action FROM audit_events WHERE action LIKE 'action.%' ORDER BY position")
        .await;
    assert_eq!(
        events,
        [
            "action.create",
            "action.edit",
            "action.edit",
            "action.close"
        ],
        "[{e}]"
    );

    // A member without ActionManage sees the actions but cannot change or close them.
    let mut partner = s.signed_in("contributor@riverton.example").await;
    let list = partner.get(&format!("{a}/actions")).await;
    assert_eq!(list.status, 200, "[{e}]");
    assert!(!list.body.contains("/edit\""), "[{e}]");
    assert_eq!(partner.get(&edit).await.status, 403, "[{e}]");
    assert_eq!(partner.get(&close).await.status, 403, "[{e}]");
    assert_eq!(partner.get(&new_page).await.status, 403, "[{e}]");
    let csrf = list.csrf().expect("csrf");
    let r = partner
        .post_raw(
            &edit,
            &[("title", "x"), ("version", "4"), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, 403, "[{e}]");
    let r = partner
        .post_raw(&close, &[("version", "4"), ("csrf_token", &csrf)])
        .await;
    assert_eq!(r.status, 403, "[{e}]");
}
