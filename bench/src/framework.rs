//! A generated framework for the benchmark: ten sections of five questions, each with
//! guidance, prompts, typical evidence and level descriptors, so that the stored framework is
//! about as large as a real one (the API parses it on every assessment read). The lean form
//! keeps the same sections and questions without their help text, to show how much of the cost
//! of a request comes from the framework's size.

/// The key the generated framework is imported under.
pub const KEY: &str = "bench-prevent-duty";

/// The rating levels of the generated scale, lowest first. `n/a` is allowed as well.
pub const LEVELS: [&str; 4] = ["not-yet-started", "developing", "achieving", "embedded"];

const SECTIONS: [(&str, &str); 10] = [
    ("Risk assessment", "the local risk picture"),
    ("Partnership governance", "the partnership's oversight"),
    ("Delivery plan", "the delivery plan"),
    ("Training", "training for staff and volunteers"),
    ("Venues and facilities", "the policy on hiring out venues"),
    ("Safeguarding and referral", "the referral pathway"),
    ("Channel panel", "the Channel panel's work"),
    ("Communications", "communications with residents"),
    ("Education settings", "support to schools and colleges"),
    ("Online safety", "filtering on public computers"),
];

const ASPECTS: [(&str, &str); 5] = [
    (
        "expectation",
        "has a named senior officer who answers for it",
    ),
    (
        "expectation",
        "is reviewed at least once a year with every partner",
    ),
    (
        "expectation",
        "draws on information supplied by each partner",
    ),
    (
        "good-practice",
        "is understood by front-line staff who apply it",
    ),
    ("good-practice", "is checked against outcomes and improved"),
];

/// The framework file, in the format of docs/frameworks.md; `lean` leaves out every optional
/// text (outcomes, guidance, prompts, evidence, descriptors).
pub fn source(lean: bool) -> String {
    let mut s = String::with_capacity(64 * 1024);
    s.push_str(
        r##"format = 1

[framework]
id = "bench-prevent-duty"
version = 1
title = "Benchmark framework (generated)"
locale = "en-GB"
provider = "Prevent Toolkit load benchmark"
published = "2026-01-01"
summary = "A generated framework used only to measure the JSON API under load. Its size and shape follow a real self-assessment: ten areas, five questions in each, with guidance and level descriptors."
kinds = [
    { key = "expectation", label = "Expectation of compliance" },
    { key = "good-practice", label = "Good practice activity" },
]

[[scales]]
id = "progress"
label = "Progress"
not_applicable = "Not applicable"
not_assessed = "Not assessed"

[[scales.levels]]
key = "not-yet-started"
label = "Not yet started"
description = "Nothing is in place yet, or work has only been discussed."
colour = "#d4351c"

[[scales.levels]]
key = "developing"
label = "Developing"
description = "Work has begun but is not yet complete or consistent across partners."
colour = "#f47738"

[[scales.levels]]
key = "achieving"
label = "Achieving"
description = "The expectation is met across the partnership and can be shown with evidence."
colour = "#00703c"

[[scales.levels]]
key = "embedded"
label = "Embedded"
description = "The expectation is met, routinely reviewed and improved, and others learn from it."
colour = "#005ea5"
"##,
    );
    for (i, (title, topic)) in SECTIONS.iter().enumerate() {
        let n = i + 1;
        s.push_str(&format!(
            "\n[[sections]]\nid = \"s{n}\"\nnumber = \"{n}\"\ntitle = \"{title}\"\n"
        ));
        if lean {
            for (j, (kind, aspect)) in ASPECTS.iter().enumerate() {
                let q = format!("{n}.{}", j + 1);
                s.push_str(&format!(
                    "\n[[sections.questions]]\nid = \"{q}\"\nnumber = \"{q}\"\n\
                     kind = \"{kind}\"\ntitle = \"{cap} {aspect}\"\nscale = \"progress\"\n",
                    cap = capitalise(topic),
                ));
            }
            continue;
        }
        s.push_str(&format!(
            "outcome = \"The partnership can show that {topic} is sound, owned and kept up to date.\"\n\
             guidance = \"Answer for the partnership as a whole rather than for one organisation. \
             Where partners differ, describe the weakest position and what is being done about it.\"\n"
        ));
        for (j, (kind, aspect)) in ASPECTS.iter().enumerate() {
            let q = format!("{n}.{}", j + 1);
            s.push_str(&format!(
                "\n[[sections.questions]]\nid = \"{q}\"\nnumber = \"{q}\"\nkind = \"{kind}\"\n\
                 title = \"{cap} {aspect}\"\nscale = \"progress\"\n\
                 guidance = \"Describe how {topic} {aspect}, who is involved, and when this was last \
                 confirmed. Refer to documents by title and date so that a reviewer can find them.\"\n\
                 prompts = [\"Who is accountable and how would staff know?\", \
                 \"When did partners last look at this together?\", \
                 \"What changed as a result of the last review?\"]\n\
                 evidence = [\"Minutes of the partnership board\", \"Terms of reference\", \
                 \"Records of staff briefings\"]\n\n\
                 [sections.questions.descriptors]\n\
                 not-yet-started = \"No arrangement exists for this, or it exists only on paper.\"\n\
                 developing = \"An arrangement exists but is not yet applied by every partner.\"\n\
                 achieving = \"Every partner applies the arrangement and records show it.\"\n\
                 embedded = \"The arrangement is reviewed each year and improvements are tracked.\"\n",
                cap = capitalise(topic),
            ));
        }
    }
    s
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
