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

/// A version 2 of the shipped Prevent duty benchmark that adds one question (11.1) and
/// changes nothing else, so drafts on version 1 are offered the move.
pub fn benchmark_version_2() -> String {
    let (_, text) = preventkit_services::domain::shipped::FRAMEWORKS[2];
    format!(
        "{}\n[[sections]]\nid = \"b11\"\nnumber = \"11\"\ntitle = \"Local priorities\"\n\n\
         [[sections.questions]]\nid = \"11.1\"\nnumber = \"11.1\"\nkind = \"good-practice\"\n\
         title = \"Local priorities are reviewed each year.\"\nscale = \"progress\"\n",
        text.replacen("version = 1", "version = 2", 1)
    )
}
