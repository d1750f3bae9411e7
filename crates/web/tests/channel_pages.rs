//! Channel through the pages: a referral (errors keep what was typed and are listed in the
//! form's order; "check your answers"; sent), the referrer's statuses, the chair assigning a
//! case officer, the officer screening the case to the panel, another case officer reading it
//! only by exceptional access with a reason, and the auditor's view of who opened it. No page
//! title or address ever carries the person's name.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_testkit::{each_engine, field_value, Browser, Engine, Page, Server};

/// The fictional person of the referral: their name must never be in a title or an address.
const NAME: &str = "Taylor Quillfeather";
const NARRATIVE: &str = "Shared a violent video in the library (fictional narrative).";
const GATHERED: &str = "Youth service note: attends a boxing club (fictional).";

/// Every page and redirect seen, to check titles and addresses at the end.
#[derive(Default)]
struct Seen {
    titles: Vec<String>,
    addresses: Vec<String>,
}

impl Seen {
    fn note(&mut self, path: &str, p: &Page) {
        self.addresses.push(path.to_owned());
        if let Some(l) = p.location() {
            self.addresses.push(l.to_owned());
        }
        if let Some(t) = p
            .body
            .split("<title>")
            .nth(1)
            .and_then(|r| r.split("</title>").next())
        {
            self.titles.push(t.to_owned());
        }
    }
}

async fn get(b: &mut Browser, seen: &mut Seen, path: &str) -> Page {
    let p = b.get(path).await;
    seen.note(path, &p);
    p
}

/// Post `fields` to `path` with the CSRF token of `form_page`.
async fn post(
    b: &mut Browser,
    seen: &mut Seen,
    form_page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> Page {
    let p = b.post_form(form_page, path, fields).await;
    seen.note(path, &p);
    p
}

/// The `href`s of the error summary, in order.
fn summary_links(body: &str) -> Vec<String> {
    let list = body
        .split("govuk-error-summary__list")
        .nth(1)
        .and_then(|r| r.split("</ul>").next())
        .unwrap_or_else(|| panic!("no error summary: {body}"));
    list.split("href=\"#")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().to_owned())
        .collect()
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

/// The value of the `<option>` whose text is `text`.
fn option_value(body: &str, text: &str) -> String {
    let end = body
        .find(&format!(">{text}</option>"))
        .unwrap_or_else(|| panic!("no option `{text}`: {body}"));
    let before = &body[..end];
    let start = before.rfind("value=\"").expect("a value") + "value=\"".len();
    before[start..].split('"').next().expect("value").to_owned()
}

fn referral_fields<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("person_name", NAME),
        ("date_of_birth-day", "2"),
        ("date_of_birth-month", "4"),
        ("date_of_birth-year", "2009"),
        ("approximate_age", ""),
        ("gender", "not-known"),
        ("address", "North Riverton"),
        ("contact", ""),
        ("professionals", "School safeguarding lead"),
        ("concern_type", "extreme-right-wing"),
        ("concern", NARRATIVE),
        ("organisation", "Riverton Academy"),
        ("sector", "education"),
        ("aware", "no"),
    ]
}

#[each_engine]
async fn a_referral_is_made_screened_to_the_panel_and_every_reading_is_recorded(engine: Engine) {
    let s = Server::start(&engine).await;
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let mut seen = Seen::default();
    let new = format!("/p/{pid}/referrals/new");

    // The form: the warning first, then who sees it.
    let mut referrer = s.signed_in("referrer@riverton.example").await;
    let form = get(&mut referrer, &mut seen, &new).await;
    assert_eq!(form.status, 200);
    let warning = form
        .body
        .find("999")
        .expect("the warning to call the police");
    assert!(warning < form.body.find("name=\"person_name\"").unwrap());
    assert!(form.body.contains("Who will see this referral"));

    // Errors keep everything typed and are listed in the form's order.
    let partial = [
        ("person_name", NAME),
        ("concern", NARRATIVE),
        ("concern_type", "islamist"),
        ("address", "North Riverton"),
    ];
    let r = post(&mut referrer, &mut seen, &new, &new, &partial).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(NAME) && r.body.contains("North Riverton"));
    assert!(r.body.contains("(fictional narrative)"));
    assert!(
        r.body.contains("value=\"islamist\" checked"),
        "the chosen radio is kept"
    );
    assert_eq!(
        summary_links(&r.body),
        ["date_of_birth", "gender", "organisation", "sector", "aware"],
        "errors in the order of the form"
    );

    // Valid: check your answers, with every value carried in hidden fields.
    let fields = referral_fields();
    let check = post(&mut referrer, &mut seen, &new, &new, &fields).await;
    assert_eq!(check.status, 200, "{}", check.body);
    assert!(check.body.contains("Check your answers"));
    assert!(check.body.contains("2 April 2009") && check.body.contains("Extreme right-wing"));
    assert_eq!(
        field_value(&check.body, "person_name").as_deref(),
        Some(NAME)
    );
    assert_eq!(
        field_value(&check.body, "concern").as_deref(),
        Some(NARRATIVE)
    );

    // "Change" goes back to the form with everything kept, and nothing is sent.
    let mut change = fields.clone();
    change.push(("change", "person_name"));
    let back = post(&mut referrer, &mut seen, &new, &new, &change).await;
    assert_eq!(back.status, 200);
    assert!(back.body.contains("Make a Channel referral"));
    assert_eq!(
        input_value(&back.body, "person_name").as_deref(),
        Some(NAME)
    );
    assert!(back.body.contains("value=\"education\" checked"));
    assert!(!back.body.contains("govuk-error-summary"));

    // Send: the confirmation names the reference and nothing about the person.
    let sent = post(
        &mut referrer,
        &mut seen,
        &new,
        &format!("/p/{pid}/referrals"),
        &fields,
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let sent_path = sent.location().unwrap().to_owned();
    let case = sent_path
        .strip_prefix(&format!("/p/{pid}/referrals/"))
        .and_then(|r| r.strip_suffix("/sent"))
        .expect("the confirmation of the new case")
        .to_owned();
    let confirmation = get(&mut referrer, &mut seen, &sent_path).await;
    assert_eq!(confirmation.status, 200);
    assert!(confirmation.body.contains("Referral sent"));
    let reference = confirmation
        .body
        .split("id=\"reference\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the reference")
        .to_owned();
    assert!(reference.starts_with("CH-"), "{reference}");
    assert!(
        !confirmation.body.contains(NAME) && !confirmation.body.contains("fictional narrative")
    );

    // The referrer sees the status, never the narrative, and cannot open the case.
    let mine = get(&mut referrer, &mut seen, &format!("/p/{pid}/referrals")).await;
    assert!(mine.body.contains(&reference));
    assert!(mine.body.contains("Referred, waiting for screening"));
    assert!(!mine.body.contains(NAME) && !mine.body.contains("fictional narrative"));
    let case_path = format!("/p/{pid}/cases/{case}");
    assert_eq!(referrer.get(&case_path).await.status, 403);

    // The chair sees it in the list and assigns the case officer.
    let mut chair = s.signed_in("chair@riverton.example").await;
    let list = get(&mut chair, &mut seen, &format!("/p/{pid}/cases")).await;
    assert!(list.body.contains(&reference));
    assert!(!list.body.contains(NAME));
    let page = get(&mut chair, &mut seen, &case_path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(NAME) && page.body.contains("(fictional narrative)"));
    let officer = option_value(&page.body, "Kim Case");
    let r = post(
        &mut chair,
        &mut seen,
        &case_path,
        &format!("{case_path}/officer"),
        &[("officer", "")],
    )
    .await;
    assert_eq!(r.status, 422);
    let r = post(
        &mut chair,
        &mut seen,
        &case_path,
        &format!("{case_path}/officer"),
        &[("officer", &officer)],
    )
    .await;
    assert_eq!(r.status, 303);
    let page = get(&mut chair, &mut seen, &case_path).await;
    assert!(page.body.contains("The case officer was assigned."));
    assert!(page.body.contains("Being screened"));

    // The officer screens it: deconfliction (a mistake first, typed values kept),
    // information, and the outcome checked, then recorded.
    let mut kim = s.signed_in("caseofficer@riverton.example").await;
    let page = get(&mut kim, &mut seen, &case_path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Record the police deconfliction"));
    let outcome_path = format!("{case_path}/outcome");
    let early = post(
        &mut kim,
        &mut seen,
        &outcome_path,
        &outcome_path,
        &[
            ("outcome", "to-panel"),
            ("reasons", "Needs multi-agency support"),
        ],
    )
    .await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert!(early
        .body
        .contains("Record the police deconfliction before the outcome"));
    assert!(
        early.body.contains("value=\"to-panel\" checked")
            && early.body.contains("id=\"conditional-outcome-2\""),
        "every outcome is offered, signposting with its services to reveal"
    );
    assert!(
        early.body.contains("Needs multi-agency support"),
        "the reasons are kept"
    );

    let dec = format!("{case_path}/deconfliction");
    let r = post(
        &mut kim,
        &mut seen,
        &dec,
        &dec,
        &[
            ("on-day", "1"),
            ("on-month", "12"),
            ("on-year", "2026"),
            ("with_whom", "Counter Terrorism Policing North"),
        ],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Counter Terrorism Policing North"));
    assert_eq!(summary_links(&r.body), ["result"]);
    let r = post(
        &mut kim,
        &mut seen,
        &dec,
        &dec,
        &[
            ("on-day", "1"),
            ("on-month", "12"),
            ("on-year", "2026"),
            ("with_whom", "Counter Terrorism Policing North"),
            ("result", "no-conflict"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let info = format!("{case_path}/information");
    let r = post(
        &mut kim,
        &mut seen,
        &info,
        &info,
        &[
            ("source", "Riverton youth service"),
            ("received-day", "2"),
            ("received-month", "12"),
            ("received-year", "2026"),
            ("narrative", GATHERED),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = get(&mut kim, &mut seen, &case_path).await;
    assert!(page.body.contains("The information was added to the case."));
    assert!(page.body.contains("Police deconfliction") && page.body.contains(GATHERED));

    let check = post(
        &mut kim,
        &mut seen,
        &outcome_path,
        &outcome_path,
        &[
            ("outcome", "to-panel"),
            ("reasons", "Needs multi-agency support"),
        ],
    )
    .await;
    assert_eq!(check.status, 200, "{}", check.body);
    assert!(check.body.contains("Check the outcome"));
    let version = field_value(&check.body, "version").expect("the version");
    let r = post(
        &mut kim,
        &mut seen,
        &outcome_path,
        &format!("{outcome_path}/confirm"),
        &[
            ("outcome", "to-panel"),
            ("reasons", "Needs multi-agency support"),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = get(&mut kim, &mut seen, &case_path).await;
    assert!(page.body.contains("The outcome of screening was recorded."));
    assert!(page.body.contains("Waiting for the Channel panel"));
    assert!(
        !page.body.contains("Record the police deconfliction"),
        "screening is over"
    );

    // The referrer is told the outcome's category, nothing more.
    let mine = get(&mut referrer, &mut seen, &format!("/p/{pid}/referrals")).await;
    assert!(
        mine.body.contains("Screened: sent to the Channel panel"),
        "{}",
        mine.body
    );
    assert!(!mine.body.contains("multi-agency") && !mine.body.contains("boxing"));

    // Another case officer opens it only by exceptional access, with a reason.
    let mut jo = s.signed_in("caseofficer2@riverton.example").await;
    let ask = get(&mut jo, &mut seen, &case_path).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("You need exceptional access"));
    assert!(!ask.body.contains(NAME) && !ask.body.contains("fictional narrative"));
    let give = format!("{case_path}/exceptional-access");
    let r = post(&mut jo, &mut seen, &case_path, &give, &[("reason", "  ")]).await;
    assert_eq!(r.status, 422);
    let r = post(
        &mut jo,
        &mut seen,
        &case_path,
        &give,
        &[("reason", "Covering while the case officer is on leave")],
    )
    .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some(case_path.as_str()));
    let page = get(&mut jo, &mut seen, &case_path).await;
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains("You are reading this case by exceptional access"));
    assert!(page.body.contains(NAME));

    // The auditor sees who opened it, each reading once, and the exceptional access.
    let mut auditor = s.signed_in("auditor@riverton.example").await;
    let log = get(&mut auditor, &mut seen, &format!("{case_path}/access")).await;
    assert_eq!(log.status, 200, "{}", log.body);
    assert!(!log.body.contains(NAME) && !log.body.contains("fictional narrative"));
    let count = |words: &str| log.body.matches(words).count();
    // The chair's page was shown five times: twice on its own, twice for the token of the
    // assign form, and once again with the assign form's error.
    assert_eq!(count("Case opened by the panel chair"), 5);
    assert_eq!(count("Case opened by its case officer"), 3);
    assert_eq!(count("Case opened by exceptional access"), 1);
    assert_eq!(count("Exceptional access to a case given"), 1);
    assert!(
        log.body.contains("Sam Chair")
            && log.body.contains("Kim Case")
            && log.body.contains("Jo Second")
    );
    let review = get(&mut auditor, &mut seen, &format!("/p/{pid}/case-access")).await;
    assert!(review.body.contains(&reference));
    assert!(review
        .body
        .contains("Covering while the case officer is on leave"));

    // No title and no address ever named the person.
    let first = NAME.split(' ').next().unwrap();
    for t in &seen.titles {
        assert!(
            !t.contains(first) && !t.contains("Quillfeather"),
            "title {t}"
        );
    }
    for a in &seen.addresses {
        assert!(
            !a.contains(first) && !a.contains("Quillfeather"),
            "address {a}"
        );
    }
}
