//! The summary, comparison and capability pages, on every engine: the summary draws a bar per
//! benchmark with the counts of the answers given and the same numbers as a table and in
//! words; the comparison says which way each rating moved, counts the moves overall and per
//! benchmark, and can show the changes only; the capability summary names each capability
//! once and links the questions mapped to it.

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

/// Two benchmarks (three questions and two), three of the questions mapped to one capability.
const FRAMEWORK: &str = r##"format = 1

[framework]
id = "chart-test"
version = 1
title = "Chart test framework"
locale = "en-GB"
provider = "Prevent Toolkit tests"
published = "2026-12-01"
kinds = [{ key = "expectation", label = "Expectation of compliance" }]

[[scales]]
id = "progress"
label = "Progress"
not_applicable = "Not applicable"
not_assessed = "Not assessed"

[[scales.levels]]
key = "not-yet-started"
label = "Not yet started"
colour = "#d4351c"

[[scales.levels]]
key = "developing"
label = "Developing"
colour = "#f47738"

[[scales.levels]]
key = "achieving"
label = "Achieving"
colour = "#00703c"

[[sections]]
id = "b1"
number = "1"
title = "Leadership of the partnership"

[[sections.questions]]
id = "1.1"
number = "1.1"
kind = "expectation"
title = "A senior person chairs the board"
scale = "progress"

[[sections.questions]]
id = "1.2"
number = "1.2"
kind = "expectation"
title = "The board meets every quarter"
scale = "progress"

[[sections.questions]]
id = "1.3"
number = "1.3"
kind = "expectation"
title = "Partners report to the board"
scale = "progress"

[[sections]]
id = "b2"
number = "2"
title = "Training for staff"

[[sections.questions]]
id = "2.1"
number = "2.1"
kind = "expectation"
title = "Front-line staff are trained"
scale = "progress"

[[sections.questions]]
id = "2.2"
number = "2.2"
kind = "expectation"
title = "Contractors are trained"
scale = "progress"

[[mappings]]
question = "1.1"
target = { framework = "cap-test", question = "vulnerability" }

[[mappings]]
question = "1.2"
target = { framework = "cap-test", question = "vulnerability" }

[[mappings]]
question = "2.1"
target = { framework = "cap-test", question = "vulnerability" }
"##;

async fn answer(lead: &mut Browser, page: &str, question: &str, rating: &str) {
    let q = format!("{page}/questions/{question}");
    let csrf = lead.get(&q).await.csrf().expect("csrf");
    let r = lead
        .post_raw(
            &q,
            &[
                ("rating", rating),
                ("details", ""),
                ("version", "1"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "answer {question}: {}", r.body);
}

async fn start(lead: &mut Browser, base: &str, title: &str, year: u32, previous: &str) -> String {
    let start = format!("{year}-04-01");
    let end = format!("{}-03-31", year + 1);
    let r = lead
        .post_form(
            &format!("{base}/new"),
            base,
            &[
                ("title", title),
                ("framework", "chart-test"),
                ("period_start", &start),
                ("period_end", &end),
                ("previous_id", previous),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().expect("created").to_owned()
}

/// Two periods: last year's answers, and this year's moved on from them.
async fn two_periods(s: &Server) -> (Browser, String, String) {
    let g = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    s.app
        .import_framework(
            &g,
            "cap-test.toml",
            frameworks::CAP_TEST,
            &Default::default(),
        )
        .await
        .expect("import capabilities");
    s.app
        .import_framework(&g, "chart-test.toml", FRAMEWORK, &Default::default())
        .await
        .expect("import");
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let base = format!("/p/{pid}/assessments");
    let mut lead = s.signed_in("lead@riverton.example").await;
    let first = start(&mut lead, &base, "Last year", 2025, "").await;
    for (q, r) in [
        ("1.1", "developing"),
        ("1.2", "achieving"),
        ("2.1", "not-yet-started"),
        ("2.2", "n/a"),
    ] {
        answer(&mut lead, &first, q, r).await;
    }
    let first_id = first.rsplit('/').next().expect("id").to_owned();
    let second = start(&mut lead, &base, "This year", 2026, &first_id).await;
    // 1.1 improves, 1.2 declines, 1.3 is assessed for the first time; 2.1 and 2.2 stay.
    for (q, r) in [
        ("1.1", "achieving"),
        ("1.2", "developing"),
        ("1.3", "developing"),
    ] {
        answer(&mut lead, &second, q, r).await;
    }
    (lead, first, second)
}

/// The text of the element that starts at `marker`, up to its closing `end`.
fn part<'a>(body: &'a str, marker: &str, end: &str) -> &'a str {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("no `{marker}` in:\n{body}"));
    let rest = &body[start..];
    &rest[..rest.find(end).map_or(rest.len(), |i| i + end.len())]
}

/// The numbers in the cells of one table row, found by its header's text.
fn row_numbers(table: &str, header: &str) -> Vec<u32> {
    let row = part(table, header, "</tr>");
    row.split("<td")
        .skip(1)
        .filter_map(|cell| {
            let text = cell.split_once('>')?.1.split('<').next()?;
            text.trim().parse().ok()
        })
        .collect()
}

#[each_engine]
async fn the_summary_draws_the_counts_as_a_chart_a_table_and_words(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let (mut lead, _, second) = two_periods(&s).await;
    let page = lead.get(&format!("{second}/summary")).await;
    assert_eq!(page.status, 200, "{e}: {}", page.body);
    let body = &page.body;
    assert!(body.contains("<title>Summary: This year"), "{e}");

    // The chart: one bar per benchmark, a segment per rating used, named for screen readers.
    let svg = part(
        body,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pk-chart\"",
        "</svg>",
    );
    assert!(svg.contains("role=\"img\""), "{e}");
    assert!(
        svg.contains("<title>Benchmark 1: Achieving 1</title>"),
        "{e}: {svg}"
    );
    assert!(
        svg.contains("<title>Benchmark 1: Developing 2</title>"),
        "{e}: {svg}"
    );
    assert!(
        svg.contains("<title>Benchmark 2: Not yet started 1</title>"),
        "{e}: {svg}"
    );
    assert!(
        svg.contains("<title>Benchmark 2: Not applicable 1</title>"),
        "{e}: {svg}"
    );
    assert!(
        !svg.contains("Benchmark 1: Not assessed"),
        "{e}: nothing left unassessed"
    );
    assert!(
        svg.contains("Benchmark 1: Developing 2, Achieving 1. Benchmark 2: Not yet started 1, Not applicable 1"),
        "{e}: the description says the numbers: {svg}"
    );
    // The legend names every rating.
    for label in [
        "Not yet started",
        "Developing",
        "Achieving",
        "Not applicable",
        "Not assessed",
    ] {
        assert!(
            svg.contains(&format!(">{label}</text>")),
            "{e}: legend {label}"
        );
    }

    // The table beneath: the same counts, by benchmark, with totals and a key to the shading.
    let table = part(
        body,
        "<table class=\"govuk-table pk-heatmap pk-counts\" id=\"summary-table\"",
        "</table>",
    );
    assert_eq!(
        row_numbers(table, "1. Leadership of the partnership"),
        [0, 2, 1, 0, 0, 3],
        "{e}"
    );
    assert_eq!(
        row_numbers(table, "2. Training for staff"),
        [1, 0, 0, 1, 0, 2],
        "{e}"
    );
    assert_eq!(
        row_numbers(table, "All benchmarks"),
        [1, 2, 1, 1, 0, 5],
        "{e}"
    );
    assert!(
        table.contains("pk-shade--4\">2<"),
        "{e}: the largest count is darkest"
    );
    assert!(
        table.contains("pk-shade--0\">0<"),
        "{e}: nothing counted, no shade"
    );
    assert!(
        body.contains("The darker a cell, the more questions it counts"),
        "{e}"
    );
    assert!(
        body.contains("role=\"region\""),
        "{e}: the table scrolls in its own box"
    );
    // Ratings in the head carry their key swatch and their words.
    assert!(
        table.contains("<span class=\"pk-rating pk-rating--level\"><svg class=\"pk-rating__key\"")
    );

    // And in words.
    assert!(
        body.contains("1 of 5 questions rated Achieving, 2 Developing and 1 Not yet started; 1 not applicable."),
        "{e}: {body}"
    );
    // The state is a tag of its own colour.
    assert!(
        body.contains("govuk-tag pk-state govuk-tag--grey\">Draft<"),
        "{e}"
    );

    // Anyone who can read the assessment can read its summary; others cannot.
    let mut partner = s.signed_in("contributor@riverton.example").await;
    assert_eq!(
        partner.get(&format!("{second}/summary")).await.status,
        200,
        "{e}"
    );
    let mut stranger = s.browser();
    assert_ne!(
        stranger.get(&format!("{second}/summary")).await.status,
        200,
        "{e}"
    );
}

#[each_engine]
async fn the_comparison_says_which_way_each_rating_moved(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let (mut lead, first, second) = two_periods(&s).await;
    let page = lead.get(&format!("{second}/compare")).await;
    assert_eq!(page.status, 200, "{e}");
    let body = &page.body;

    // The counts at the top.
    let counts = part(body, "id=\"change-counts\"", "</ul>");
    for (n, word) in [
        (1, "improved"),
        (1, "declined"),
        (2, "unchanged"),
        (1, "newly assessed"),
    ] {
        assert!(
            counts.contains(&format!(
                "<span class=\"pk-change-counts__number\">{n}</span> <span class=\"pk-change pk-change--{}\">{word}</span>",
                word.replace(' ', "-")
            )),
            "{e}: {n} {word} in {counts}"
        );
    }
    // Per benchmark: improved, declined, unchanged, newly assessed.
    let by_benchmark = part(body, "id=\"changes-by-benchmark\"", "</table>");
    assert_eq!(
        row_numbers(by_benchmark, "1. Leadership of the partnership"),
        [1, 1, 0, 1],
        "{e}"
    );
    assert_eq!(
        row_numbers(by_benchmark, "2. Training for staff"),
        [0, 0, 2, 0],
        "{e}"
    );

    // Each question says in words which way it moved.
    let rows = part(
        body,
        "<table class=\"govuk-table pk-compare pk-counts\"",
        "</table>",
    );
    for (question, word) in [
        ("1.1 A senior person chairs the board", "Improved"),
        ("1.2 The board meets every quarter", "Declined"),
        ("1.3 Partners report to the board", "Newly assessed"),
        ("2.1 Front-line staff are trained", "Unchanged"),
        ("2.2 Contractors are trained", "Unchanged"),
    ] {
        let row = part(rows, question, "</tr>");
        assert!(
            row.contains(&format!("\">{word}</span>")),
            "{e}: {question} {word}: {row}"
        );
    }
    let row = part(rows, "1.1 A senior person chairs the board", "</tr>");
    assert!(
        row.contains("pk-rating__key") && row.contains("Developing") && row.contains("Achieving")
    );
    assert!(
        rows.contains("2.2 Contractors are trained"),
        "{e}: all questions by default"
    );
    assert!(body.contains("Showing all 5 questions."), "{e}");
    assert!(
        !body.contains("name=\"changes\" type=\"checkbox\" value=\"only\" checked"),
        "{e}"
    );

    // Changes only, from a plain GET form.
    let page = lead.get(&format!("{second}/compare?changes=only")).await;
    assert_eq!(page.status, 200, "{e}");
    let body = &page.body;
    assert!(
        body.contains("name=\"changes\" type=\"checkbox\" value=\"only\" checked"),
        "{e}"
    );
    assert!(
        body.contains("Showing the 3 of 5 questions whose rating changed."),
        "{e}"
    );
    let rows = part(
        body,
        "<table class=\"govuk-table pk-compare pk-counts\"",
        "</table>",
    );
    for shown in ["1.1 A senior", "1.2 The board", "1.3 Partners"] {
        assert!(rows.contains(shown), "{e}: {shown} changed");
    }
    for hidden in ["2.1 Front-line", "2.2 Contractors"] {
        assert!(!rows.contains(hidden), "{e}: {hidden} did not change");
    }
    // The counts still cover every question.
    assert!(body.contains("<span class=\"pk-change-counts__number\">2</span> <span class=\"pk-change pk-change--unchanged\">unchanged</span>"));

    // The first period has nothing to compare with.
    let page = lead.get(&format!("{first}/compare")).await;
    assert_eq!(page.status, 200, "{e}");
    assert!(page.body.contains("nothing to compare yet"), "{e}");
    assert!(!page.body.contains("id=\"change-counts\""), "{e}");
}

#[each_engine]
async fn the_capability_summary_names_each_capability_once_and_links_its_questions(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let (mut lead, _, second) = two_periods(&s).await;
    let page = lead.get(&format!("{second}/capabilities")).await;
    assert_eq!(page.status, 200, "{e}");
    let body = &page.body;
    assert!(body.contains("Capability test model"), "{e}");
    assert_eq!(
        body.matches("Assessing vulnerability").count(),
        1,
        "{e}: {body}"
    );
    let row = part(body, "Assessing vulnerability</th>", "</tr>");
    let aid = second.rsplit('/').next().unwrap();
    for q in ["1.1", "1.2", "2.1"] {
        assert!(
            row.contains(&format!(
                "href=\"{second}/questions/{q}\"><span class=\"govuk-visually-hidden\">Question </span>{q}</a>"
            )),
            "{e}: {q} linked in {row}"
        );
    }
    assert!(
        !row.contains("questions/1.3"),
        "{e}: 1.3 is not mapped ({aid})"
    );
    // 1.1 achieving, 1.2 developing, 2.1 not yet started; none not applicable or unassessed.
    assert_eq!(
        row_numbers(row, "Assessing vulnerability"),
        [1, 1, 1, 0, 0],
        "{e}"
    );
    assert!(body.contains("role=\"region\""), "{e}");
    assert!(
        body.contains("pk-rating__key"),
        "{e}: the columns carry the rating key"
    );
}

#[each_engine]
async fn ratings_show_a_key_and_words_and_states_are_tags(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let (mut lead, _, second) = two_periods(&s).await;
    let swatch = |colour: &str, label: &str| {
        format!(
            "<span class=\"pk-rating pk-rating--level\"><svg class=\"pk-rating__key\" viewBox=\"0 0 16 16\" width=\"16\" height=\"16\" aria-hidden=\"true\" focusable=\"false\"><rect x=\"0.5\" y=\"0.5\" width=\"15\" height=\"15\" fill=\"{colour}\" stroke=\"#0b0c0c\" stroke-width=\"1\"/></svg>{label}</span>"
        )
    };
    // Gaps: the rating is a key and words, not a status tag.
    let gaps = lead.get(&format!("{second}/gaps")).await;
    assert_eq!(gaps.status, 200, "{e}");
    assert!(
        gaps.body.contains(&swatch("#f47738", "Developing")),
        "{e}: {}",
        gaps.body
    );
    assert!(
        !gaps.body.contains("<strong class=\"govuk-tag\">Developing"),
        "{e}"
    );
    // The question's history shows each saved rating the same way.
    let question = lead.get(&format!("{second}/questions/1.1")).await;
    assert!(
        question.body.contains(&swatch("#f47738", "Developing")),
        "{e}: {}",
        question.body
    );
    // The list of assessments: each state a tag of its own colour.
    let list = second.rsplit_once('/').unwrap().0;
    let page = lead.get(list).await;
    assert!(
        page.body
            .contains("<strong class=\"govuk-tag pk-state govuk-tag--grey\">Draft</strong>"),
        "{e}: {}",
        page.body
    );
}
