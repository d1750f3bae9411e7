//! Error pages follow the design system's patterns: "Page not found" says how to check the
//! address, the same whether the address names nothing or names something the person may not
//! see, and never repeats the address.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_testkit::{each_engine, Engine, Server};

fn assert_not_found_page(body: &str) {
    assert!(
        body.contains("<h1 class=\"govuk-heading-l\">Page not found</h1>"),
        "{body}"
    );
    assert!(body.contains("If you typed the web address, check it is correct."));
    assert!(body.contains("If you pasted the web address, check you copied the entire address."));
    assert!(
        body.contains("<title>Page not found"),
        "the title names the error: {body}"
    );
}

#[each_engine]
async fn page_not_found_explains_how_to_check_the_address(engine: Engine) {
    let s = Server::start(&engine).await;
    let mut anonymous = s.browser();
    let r = anonymous.get("/no-such-page-xyzzy").await;
    assert_eq!(r.status, 404);
    assert_not_found_page(&r.body);
    assert!(!r.body.contains("xyzzy"), "the address is not repeated");

    // Signed in: a malformed identifier and an identifier of another partnership are
    // answered alike.
    let riverton = s.partnership_id("Riverton Prevent Partnership").await;
    let eastvale = s.partnership_id("Eastvale Prevent Partnership").await;
    let mut lead = s.signed_in("lead@riverton.example").await;
    for path in [
        format!("/p/{riverton}/assessments/not-an-id"),
        format!("/p/{riverton}/assessments/{eastvale}"),
    ] {
        let r = lead.get(&path).await;
        assert_eq!(r.status, 404, "{path}");
        assert_not_found_page(&r.body);
    }
}
