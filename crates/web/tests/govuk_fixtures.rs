//! Checks our MiniJinja ports of the GOV.UK Frontend component macros
//! (`crates/web/templates/govuk/*.html`) against the test fixtures that ship
//! with the `govuk-frontend` npm package.
//!
//! For every component we implement, each fixture's `options` are passed to
//! our macro and the output is compared with the fixture's `html`. The
//! comparison is HTML-aware rather than byte-for-byte: both sides are turned
//! into a list of tags and text nodes where
//!
//! * attributes are sorted by name and their values entity-decoded,
//! * whitespace inside `class` and `aria-describedby` is collapsed,
//! * `hidden` and `hidden=""` are the same thing,
//! * text is entity-decoded, whitespace runs are collapsed to one space and
//!   leading/trailing whitespace of each text node is dropped
//!   (`<textarea>` content is kept exactly, minus one leading newline),
//! * comments are dropped.
//!
//! Everything else (tag names, nesting, attribute names and values, text,
//! escaping of text versus markup) must match.
//!
//! The fixtures come from `assets/node_modules`, so `assets/build.sh` (or
//! `npm ci` in `assets/`) must have been run first. The test fails, rather
//! than skipping, when they are missing.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Deserialize;

/// (GOV.UK component folder name, our template file in `templates/govuk/`,
/// our macro name).
const COMPONENTS: &[(&str, &str, &str)] = &[
    ("back-link", "back-link.html", "govuk_back_link"),
    ("button", "button.html", "govuk_button"),
    ("checkboxes", "checkboxes.html", "govuk_checkboxes"),
    ("date-input", "date-input.html", "govuk_date_input"),
    ("details", "details.html", "govuk_details"),
    ("error-message", "error-message.html", "govuk_error_message"),
    ("error-summary", "error-summary.html", "govuk_error_summary"),
    ("fieldset", "fieldset.html", "govuk_fieldset"),
    ("hint", "hint.html", "govuk_hint"),
    ("input", "input.html", "govuk_input"),
    ("inset-text", "inset-text.html", "govuk_inset_text"),
    ("label", "label.html", "govuk_label"),
    (
        "notification-banner",
        "notification-banner.html",
        "govuk_notification_banner",
    ),
    ("panel", "panel.html", "govuk_panel"),
    ("radios", "radios.html", "govuk_radios"),
    ("select", "select.html", "govuk_select"),
    ("skip-link", "skip-link.html", "govuk_skip_link"),
    ("summary-list", "summary-list.html", "govuk_summary_list"),
    ("table", "table.html", "govuk_table"),
    ("tag", "tag.html", "govuk_tag"),
    ("task-list", "task-list.html", "govuk_task_list"),
    ("textarea", "textarea.html", "govuk_textarea"),
    ("warning-text", "warning-text.html", "govuk_warning_text"),
];

/// Fixtures we deliberately do not compare: (component, fixture name, reason).
/// Every entry must name a fixture that exists, and no component's
/// "default" fixture may be listed here.
const EXCLUDED: &[(&str, &str, &str)] = &[];

/// Fewer passing fixtures than this means something is badly wrong (for
/// example the fixtures file format changed and nothing was compared).
const MIN_PASSING: usize = 350;

#[derive(Deserialize)]
struct FixtureFile {
    fixtures: Vec<Fixture>,
}

#[derive(Deserialize)]
struct Fixture {
    name: String,
    options: serde_json::Value,
    html: String,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn templates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")
}

fn components_dir() -> PathBuf {
    repo_root().join("assets/node_modules/govuk-frontend/dist/govuk/components")
}

/// The macros must work with MiniJinja's default undefined behaviour, with
/// the more forgiving `Chainable` one (the application's choice) and with the
/// stricter `SemiStrict` one (printing or iterating a missing value is an
/// error), so the application is free to choose any of them.
const BEHAVIOURS: &[UndefinedBehavior] = &[
    UndefinedBehavior::Lenient,
    UndefinedBehavior::Chainable,
    UndefinedBehavior::SemiStrict,
];

/// Loads every macro file in `templates/govuk/` under the name
/// `govuk/<file>`, the same names the macros use to import each other.
fn environment(behaviour: UndefinedBehavior) -> Environment<'static> {
    let dir = templates_dir().join("govuk");
    let mut env = Environment::new();
    env.set_undefined_behavior(behaviour);
    let mut entries: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "html"))
        .collect();
    entries.sort();
    assert!(
        !entries.is_empty(),
        "no macro files found in {}",
        dir.display()
    );
    for path in entries {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        env.add_template_owned(format!("govuk/{file}"), source)
            .unwrap_or_else(|e| panic!("govuk/{file} does not parse: {e:#}"));
    }
    env
}

fn load_fixtures(component: &str) -> Vec<Fixture> {
    let dir = components_dir();
    if !dir.is_dir() {
        panic!(
            "GOV.UK Frontend fixtures not found at {}.\n\
             Run assets/build.sh (it installs the npm packages into assets/node_modules) \
             and run this test again.",
            dir.display()
        );
    }
    let path = dir.join(component).join("fixtures.json");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nRun assets/build.sh to (re)install govuk-frontend.",
            path.display()
        )
    });
    let file: FixtureFile = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
    file.fixtures
}

fn render(
    env: &Environment<'_>,
    file: &str,
    macro_name: &str,
    options: &serde_json::Value,
) -> Result<String, String> {
    let source =
        format!("{{% from \"govuk/{file}\" import {macro_name} %}}{{{{ {macro_name}(params) }}}}");
    env.render_named_str(
        "fixture.html",
        &source,
        minijinja::context! { params => Value::from_serialize(options) },
    )
    .map_err(|e| {
        let mut msg = format!("{e:#}");
        let mut source = std::error::Error::source(&e);
        while let Some(inner) = source {
            let _ = write!(msg, "\n  caused by: {inner}");
            source = inner.source();
        }
        msg
    })
}

#[test]
fn govuk_macros_match_govuk_frontend_fixtures() {
    // The exclusion list must stay honest.
    for (component, fixture, reason) in EXCLUDED {
        assert!(
            COMPONENTS.iter().any(|(c, _, _)| c == component),
            "excluded fixture {component}/{fixture} names a component we do not implement"
        );
        assert!(
            *fixture != "default",
            "the default fixture of {component} must not be excluded"
        );
        assert!(
            !reason.trim().is_empty(),
            "excluded fixture {component}/{fixture} needs a reason"
        );
    }

    let mut passed = 0usize;
    let mut failures = Vec::new();
    let mut excluded_seen = BTreeSet::new();

    let envs: Vec<_> = BEHAVIOURS.iter().map(|b| (*b, environment(*b))).collect();
    for (component, file, macro_name) in COMPONENTS {
        let fixtures = load_fixtures(component);
        assert!(
            fixtures.iter().any(|f| f.name == "default"),
            "{component} has no default fixture"
        );
        for fixture in &fixtures {
            if EXCLUDED
                .iter()
                .any(|(c, f, _)| c == component && *f == fixture.name)
            {
                excluded_seen.insert((component.to_string(), fixture.name.clone()));
                continue;
            }
            let expected = normalise(&fixture.html);
            let mut ok = true;
            for (behaviour, env) in &envs {
                let problem = match render(env, file, macro_name, &fixture.options) {
                    Err(err) => Some(format!("render error: {err}")),
                    Ok(ours) => {
                        let actual = normalise(&ours);
                        (expected != actual).then(|| {
                            format!(
                                "output differs\n{}",
                                describe_difference(&expected, &actual)
                            )
                        })
                    }
                };
                if let Some(problem) = problem {
                    ok = false;
                    failures.push(format!(
                        "{component} / {:?} (undefined behaviour {behaviour:?}): {problem}\n  options: {}",
                        fixture.name, fixture.options
                    ));
                    break;
                }
            }
            if ok {
                passed += 1;
            }
        }
    }

    for (component, fixture, _) in EXCLUDED {
        assert!(
            excluded_seen.contains(&(component.to_string(), fixture.to_string())),
            "excluded fixture {component}/{fixture} does not exist (any more); remove it from EXCLUDED"
        );
    }

    if !failures.is_empty() {
        panic!(
            "{} GOV.UK fixture(s) failed ({passed} passed, {} excluded):\n\n{}",
            failures.len(),
            EXCLUDED.len(),
            failures.join("\n\n")
        );
    }
    assert!(
        passed >= MIN_PASSING,
        "only {passed} fixtures were compared; expected at least {MIN_PASSING}"
    );
    eprintln!(
        "{passed} GOV.UK fixtures match, {} excluded",
        EXCLUDED.len()
    );
}

/// Every component has a macro file defining the expected macro, and every
/// macro file in the folder is used by a component (or is a helper).
#[test]
fn every_component_has_its_macro() {
    let env = environment(UndefinedBehavior::Lenient);
    for (component, file, macro_name) in COMPONENTS {
        let source = format!(
            "{{% from \"govuk/{file}\" import {macro_name} %}}{{{{ 'yes' if {macro_name} is defined else 'no' }}}}"
        );
        let out = env
            .render_named_str("check.html", &source, ())
            .unwrap_or_else(|e| panic!("{component}: {e:#}"));
        assert_eq!(out, "yes", "govuk/{file} does not define {macro_name}");
    }
}

/// `{% call %}` blocks (not covered by the GOV.UK fixtures) supply the content
/// of the components that accept it, and take precedence over `html`/`text`.
#[test]
fn call_blocks_supply_content() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "fieldset.html",
            r#"{% call govuk_fieldset({"legend": {"text": "Date"}, "html": "<p>ignored</p>"}) %}<input name="d">{% endcall %}"#,
            r#"<fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend">Date</legend><input name="d"></fieldset>"#,
        ),
        (
            "inset-text.html",
            r#"{% call govuk_inset_text({"text": "ignored"}) %}<p>a &amp; b</p>{% endcall %}"#,
            r#"<div class="govuk-inset-text"><p>a &amp; b</p></div>"#,
        ),
        (
            "details.html",
            r#"{% call govuk_details({"summaryText": "More"}) %}Body{% endcall %}"#,
            r#"<details class="govuk-details"><summary class="govuk-details__summary"><span class="govuk-details__summary-text">More</span></summary><div class="govuk-details__text">Body</div></details>"#,
        ),
        (
            "error-summary.html",
            r#"{% call govuk_error_summary({"titleText": "There is a problem"}) %}Check {{ "<b>" }}{% endcall %}"#,
            r#"<div class="govuk-error-summary" data-module="govuk-error-summary"><div role="alert"><h2 class="govuk-error-summary__title">There is a problem</h2><div class="govuk-error-summary__body"><p>Check &lt;b&gt;</p></div></div></div>"#,
        ),
        (
            "notification-banner.html",
            r#"{% call govuk_notification_banner({"type": "success"}) %}<p>Saved</p>{% endcall %}"#,
            r#"<div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="govuk-notification-banner-title" data-module="govuk-notification-banner"><div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="govuk-notification-banner-title">Success</h2></div><div class="govuk-notification-banner__content"><p>Saved</p></div></div>"#,
        ),
        (
            "panel.html",
            r#"{% call govuk_panel({"titleText": "Done"}) %}Ref <strong>X1</strong>{% endcall %}"#,
            r#"<div class="govuk-panel govuk-panel--confirmation"><h1 class="govuk-panel__title">Done</h1><div class="govuk-panel__body">Ref <strong>X1</strong></div></div>"#,
        ),
    ];
    for behaviour in BEHAVIOURS {
        let env = environment(*behaviour);
        for (file, body, expected) in cases {
            let macro_name = format!("govuk_{}", file.trim_end_matches(".html").replace('-', "_"));
            let source = format!("{{% from \"govuk/{file}\" import {macro_name} %}}{body}");
            let out = env
                .render_named_str("call.html", &source, ())
                .unwrap_or_else(|e| panic!("{file} ({behaviour:?}): {e:#}"));
            let (expected, actual) = (normalise(expected), normalise(&out));
            assert!(
                expected == actual,
                "{file} ({behaviour:?}) call block output differs:\n{}",
                describe_difference(&expected, &actual)
            );
        }
    }
}

/// The comparison must notice real differences and ignore cosmetic ones.
#[test]
fn normaliser_is_strict_where_it_matters() {
    let same = |a: &str, b: &str| normalise(a) == normalise(b);
    // Cosmetic differences are ignored.
    assert!(same(
        "<a href=\"/x\" class=\"a  b\">\n  Text\n</a>",
        "<a class=\"a b\" href=\"&#x2f;x\">Text</a>"
    ));
    assert!(same("<input disabled>", "<input disabled=\"\">"));
    assert!(same("<p>It&#39;s</p>", "<p>It&#x27;s</p>"));
    assert!(same("<div>\n  <p>a</p>\n</div>", "<div><p>a</p></div>"));
    // Real differences are not.
    assert!(!same("<a class=\"a b\">x</a>", "<a class=\"b a\">x</a>"));
    assert!(!same("<p>&lt;b&gt;x&lt;/b&gt;</p>", "<p><b>x</b></p>"));
    assert!(!same("<p>a b</p>", "<p>a  c</p>"));
    assert!(!same("<input value=\"a\">", "<input value=\"a \">"));
    assert!(!same("<input>", "<input disabled>"));
    assert!(!same("<div><p>a</p></div>", "<div><p>a</div></p>"));
    assert!(!same(
        "<textarea>a\nb</textarea>",
        "<textarea>a b</textarea>"
    ));
}

// ---------------------------------------------------------------------------
// HTML normaliser
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Open {
        name: String,
        attrs: Vec<(String, String)>,
    },
    Close(String),
    Text(String),
}

impl Node {
    fn render(&self) -> String {
        match self {
            Node::Open { name, attrs } => {
                let mut out = format!("<{name}");
                for (key, value) in attrs {
                    let _ = write!(out, " {key}=\"{}\"", escape(value, true));
                }
                out.push('>');
                out
            }
            Node::Close(name) => format!("</{name}>"),
            Node::Text(text) => escape(text, false),
        }
    }
}

fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if !attribute => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

/// Elements whose content is taken literally (no tags inside).
const RAW_TEXT: &[&str] = &["textarea", "script", "style"];
/// Attributes that hold whitespace-separated token lists.
const TOKEN_LISTS: &[&str] = &["class", "aria-describedby"];

fn normalise(html: &str) -> Vec<Node> {
    let bytes = html.as_bytes();
    let mut nodes = Vec::new();
    let mut text = String::new();
    let mut i = 0;

    fn flush(text: &mut String, nodes: &mut Vec<Node>) {
        let collapsed = decode_entities(text)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !collapsed.is_empty() {
            nodes.push(Node::Text(collapsed));
        }
        text.clear();
    }

    while i < bytes.len() {
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            flush(&mut text, &mut nodes);
            i += rest.find("-->").map(|end| end + 3).unwrap_or(rest.len());
        } else if rest.starts_with("</") && rest[2..].starts_with(|c: char| c.is_ascii_alphabetic())
        {
            flush(&mut text, &mut nodes);
            let end = rest.find('>').unwrap_or(rest.len());
            let name = rest[2..end].trim().to_ascii_lowercase();
            nodes.push(Node::Close(name));
            i += (end + 1).min(rest.len());
        } else if rest.starts_with('<') && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic())
        {
            flush(&mut text, &mut nodes);
            let (node, used) = parse_start_tag(rest);
            i += used;
            if let Node::Open { name, .. } = &node {
                if RAW_TEXT.contains(&name.as_str()) {
                    let name = name.clone();
                    nodes.push(node);
                    let close = format!("</{name}");
                    let body_end = html[i..]
                        .to_ascii_lowercase()
                        .find(&close)
                        .map(|p| i + p)
                        .unwrap_or(html.len());
                    let body = decode_entities(&html[i..body_end]);
                    let body = body.strip_prefix('\n').unwrap_or(&body).to_string();
                    if !body.is_empty() {
                        nodes.push(Node::Text(body));
                    }
                    i = body_end;
                    continue;
                }
            }
            nodes.push(node);
        } else {
            let c = rest.chars().next().unwrap();
            text.push(c);
            i += c.len_utf8();
        }
    }
    flush(&mut text, &mut nodes);
    nodes
}

/// Parses `<name attr="v" ...>` at the start of `s`; returns the node and the
/// number of bytes consumed.
fn parse_start_tag(s: &str) -> (Node, usize) {
    let bytes = s.as_bytes();
    let mut i = 1;
    let name_start = i;
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' && bytes[i] != b'/'
    {
        i += 1;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        if bytes[i] == b'>' {
            i += 1;
            break;
        }
        let key_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && bytes[i] != b'='
            && bytes[i] != b'>'
            && !(bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'>'))
        {
            i += 1;
        }
        let key = s[key_start..i].to_ascii_lowercase();
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut value = String::new();
        if j < bytes.len() && bytes[j] == b'=' {
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                let quote = bytes[j];
                let start = j + 1;
                let end = s[start..]
                    .find(quote as char)
                    .map(|p| start + p)
                    .unwrap_or(s.len());
                value = s[start..end].to_string();
                j = (end + 1).min(s.len());
            } else {
                let start = j;
                while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                    j += 1;
                }
                value = s[start..j].to_string();
            }
            i = j;
        }
        let mut value = decode_entities(&value);
        if TOKEN_LISTS.contains(&key.as_str()) {
            value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        attrs.push((key, value));
    }
    attrs.sort();
    (Node::Open { name, attrs }, i)
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                    u32::from_str_radix(&entity[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, semi + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn describe_difference(expected: &[Node], actual: &[Node]) -> String {
    let first = expected
        .iter()
        .zip(actual.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let from = first.saturating_sub(3);
    let mut out = String::new();
    let _ = writeln!(out, "  first difference at node {first}:");
    let _ = writeln!(out, "  expected (GOV.UK):");
    for (n, node) in expected.iter().enumerate().skip(from).take(8) {
        let _ = writeln!(
            out,
            "    {} {}",
            if n == first { ">" } else { " " },
            node.render()
        );
    }
    let _ = writeln!(out, "  actual (ours):");
    for (n, node) in actual.iter().enumerate().skip(from).take(8) {
        let _ = writeln!(
            out,
            "    {} {}",
            if n == first { ">" } else { " " },
            node.render()
        );
    }
    out
}
