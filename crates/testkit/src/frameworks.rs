//! The sample framework files the tests import (in `crates/testkit/frameworks/`).

/// `mini`: one section, two questions of two kinds (1.1 an expectation, 1.2 good practice),
/// on a three-level progress scale.
pub const MINI: &str = include_str!("../frameworks/mini.toml");

/// `page-test`: one question (1.1) with a prompt and a descriptor, mapped to `cap-test`.
pub const PAGE_TEST: &str = include_str!("../frameworks/page-test.toml");

/// `cap-test`: a capability model with one question on a two-stage scale, the target of
/// `page-test`'s mapping.
pub const CAP_TEST: &str = include_str!("../frameworks/cap-test.toml");

/// `api-test`: `page-test` without the mapping and with a second question (1.2) of another
/// kind.
pub const API_TEST: &str = include_str!("../frameworks/api-test.toml");

/// The Prevent duty benchmark exactly as version 1 was published, for tests that start from a
/// database holding it (a stored version never changes, so this text never does either).
pub const BENCHMARK_VERSION_1: &str = include_str!("../frameworks/prevent-duty-benchmark-1.toml");

/// The Prevent duty benchmark exactly as version 2 was published (before its levels said
/// which ratings need supporting details).
pub const BENCHMARK_VERSION_2: &str = include_str!("../frameworks/prevent-duty-benchmark-2.toml");

/// `text` published as its next version: the envelope's `version = N` raised to N + 1 and
/// nothing else changed. Answers (N + 1, the new text).
pub fn next_version(text: &str) -> (u32, String) {
    const KEY: &str = "\nversion = ";
    let start = text.find(KEY).expect("a framework file has a version") + KEY.len();
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let version: u32 = text[start..end]
        .trim()
        .parse()
        .expect("the version is a whole number");
    let next = version + 1;
    (next, format!("{}{next}{}", &text[..start], &text[end..]))
}

/// The next version of the shipped Prevent duty benchmark (one above the version that ships)
/// that adds one question (11.1) and changes nothing else, so drafts on the shipped version are
/// offered the move. Answers (that version, its text).
pub fn benchmark_next_version() -> (u32, String) {
    let (_, text) = preventkit_services::domain::shipped::FRAMEWORKS[2];
    let (version, text) = next_version(text);
    (
        version,
        format!(
            "{text}\n[[sections]]\nid = \"b11\"\nnumber = \"11\"\ntitle = \"Local priorities\"\n\n\
             [[sections.questions]]\nid = \"11.1\"\nnumber = \"11.1\"\nkind = \"good-practice\"\n\
             title = \"Are local priorities reviewed each year?\"\nscale = \"progress\"\n"
        ),
    )
}
