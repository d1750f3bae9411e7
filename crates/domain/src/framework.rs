//! Assessment frameworks as data: the file format of `docs/frameworks.md`, parsed and checked.
//!
//! Parsing is pure (text in, [`Framework`] or [`FrameworkError`] out). Every problem is reported
//! at once, each with the file, the place (and line where it can be found), what is wrong and
//! how to fix it.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The file format version this build reads.
pub const FORMAT: u32 = 1;

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    format: u32,
    framework: Envelope,
    #[serde(default)]
    scales: Vec<Scale>,
    #[serde(default)]
    sections: Vec<Section>,
    #[serde(default)]
    mappings: Vec<Mapping>,
}

/// One imported version of an assessment framework, as stored. `source` is the file as
/// imported, so a version is reproducible and can be checked against its fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameworkVersion {
    pub id: crate::FrameworkVersionId,
    /// The framework's own id (`envelope.id`), shared by all its versions.
    pub key: String,
    pub version: u32,
    pub title: String,
    /// SHA-256 of `source`, in hex.
    pub fingerprint: String,
    pub source: String,
    pub imported_at: crate::Timestamp,
}

/// Who publishes the framework, which version, and the kinds of question it uses.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub locale: String,
    pub provider: String,
    pub published: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    pub kinds: Vec<Kind>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Kind {
    pub key: String,
    pub label: String,
}

/// An ordered rating scale. "Not applicable" and "not assessed" are outside the order.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub not_applicable: Option<String>,
    #[serde(default)]
    pub not_assessed: Option<String>,
    pub levels: Vec<Level>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
    pub colour: String,
    /// Whether an answer rated at this level must say, in its supporting details, what
    /// shows it (`details_required = true` in the file).
    ///
    /// Optional, and false when absent. A stored framework version is never edited (its
    /// fingerprint is the text as imported, and the install refuses different content under
    /// the same version), so this setting is not added to versions already published: it is
    /// carried by the newest version of the shipped benchmark (version 3), and every earlier
    /// version, and any framework a deployment imported itself, still reads and behaves as
    /// it did. A draft on an older version gains the rule when it moves to the newer one.
    #[serde(default)]
    pub details_required: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub guidance: Option<String>,
    #[serde(default)]
    pub sections: Vec<Section>,
    #[serde(default)]
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub title: String,
    pub scale: String,
    #[serde(default)]
    pub guidance: Option<String>,
    #[serde(default)]
    pub prompts: Vec<String>,
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub descriptors: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub question: String,
    pub target: MappingTarget,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MappingTarget {
    pub framework: String,
    pub question: String,
}

/// A checked framework.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Framework {
    pub envelope: Envelope,
    pub scales: Vec<Scale>,
    pub sections: Vec<Section>,
    pub mappings: Vec<Mapping>,
}

impl Framework {
    /// Every question in document order, with the id of the section that holds it.
    pub fn questions(&self) -> Vec<(&Section, &Question)> {
        fn walk<'a>(s: &'a Section, out: &mut Vec<(&'a Section, &'a Question)>) {
            for q in &s.questions {
                out.push((s, q));
            }
            for child in &s.sections {
                walk(child, out);
            }
        }
        let mut out = Vec::new();
        for s in &self.sections {
            walk(s, &mut out);
        }
        out
    }

    /// The question with this id, wherever it sits in the tree.
    pub fn question(&self, id: &str) -> Option<&Question> {
        fn find<'a>(s: &'a Section, id: &str) -> Option<&'a Question> {
            s.questions
                .iter()
                .find(|q| q.id == id)
                .or_else(|| s.sections.iter().find_map(|c| find(c, id)))
        }
        self.sections.iter().find_map(|s| find(s, id))
    }

    pub fn scale(&self, id: &str) -> Option<&Scale> {
        self.scales.iter().find(|s| s.id == id)
    }

    /// What is wrong with an answer to `question_id` rated `rating` (a level key, `n/a` or
    /// empty) whose supporting details are `details`, when its level needs details and they
    /// are empty: the one rule for every way an answer is saved (pages, the API and the
    /// spreadsheet import). `None` when the answer may be saved as it is.
    pub fn missing_details(
        &self,
        question_id: &str,
        rating: &str,
        details: &str,
    ) -> Option<String> {
        if !details.trim().is_empty() {
            return None;
        }
        let question = self.question(question_id)?;
        let level = self
            .scale(&question.scale)?
            .levels
            .iter()
            .find(|l| l.key == rating.trim() && l.details_required)?;
        Some(format!(
            "Enter supporting details: a rating of {} needs them, saying what is in place and what shows it",
            level.label
        ))
    }

    pub fn kind_label(&self, key: &str) -> Option<&str> {
        self.envelope
            .kinds
            .iter()
            .find(|k| k.key == key)
            .map(|k| k.label.as_str())
    }
}

/// One problem with a framework file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where in the document, such as `sections[b2].questions[2.3].scale`.
    pub place: String,
    /// The line, where it could be found.
    pub line: Option<usize>,
    pub message: String,
    pub fix: String,
}

/// Everything wrong with one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameworkError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl std::fmt::Display for FrameworkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match p.line {
                Some(l) => write!(
                    f,
                    "{}:{}: {}: {}. Fix: {}",
                    self.file, l, p.place, p.message, p.fix
                )?,
                None => write!(
                    f,
                    "{}: {}: {}. Fix: {}",
                    self.file, p.place, p.message, p.fix
                )?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for FrameworkError {}

struct Checker<'a> {
    source: &'a str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    /// The first line holding `needle` (for ids, which are unique when the file is right).
    fn line_of(&self, needle: &str) -> Option<usize> {
        self.source
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
    }

    fn add(&mut self, place: String, line: Option<usize>, message: String, fix: String) {
        self.problems.push(Problem {
            place,
            line,
            message,
            fix,
        });
    }

    fn id_line(&self, id: &str) -> Option<usize> {
        self.line_of(&format!("id = \"{id}\""))
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' || c == '_'
        })
}

fn valid_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && s.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Parse and check one framework file. `file` names it in messages.
pub fn parse(file: &str, source: &str) -> Result<Framework, FrameworkError> {
    let doc: FileDoc = match toml::from_str(source) {
        Ok(d) => d,
        Err(e) => {
            let line = e
                .span()
                .map(|s| source[..s.start.min(source.len())].matches('\n').count() + 1);
            let message = e.message().trim().to_owned();
            let fix = if message.contains("unknown field") {
                "remove or correct the key; docs/frameworks.md lists every allowed key"
            } else if message.contains("missing field") {
                "add the missing key (see docs/frameworks.md)"
            } else {
                "correct the TOML syntax or the value's type at that place"
            };
            return Err(FrameworkError {
                file: file.to_owned(),
                problems: vec![Problem {
                    place: "document".into(),
                    line,
                    message,
                    fix: fix.into(),
                }],
            });
        }
    };
    let mut c = Checker {
        source,
        problems: Vec::new(),
    };
    check(&doc, &mut c);
    if c.problems.is_empty() {
        Ok(Framework {
            envelope: doc.framework,
            scales: doc.scales,
            sections: doc.sections,
            mappings: doc.mappings,
        })
    } else {
        Err(FrameworkError {
            file: file.to_owned(),
            problems: c.problems,
        })
    }
}

fn check(doc: &FileDoc, c: &mut Checker<'_>) {
    if doc.format != FORMAT {
        c.add(
            "format".into(),
            c.line_of("format"),
            format!(
                "format {} is not known to this version of Prevent Toolkit",
                doc.format
            ),
            format!("write the file in format {FORMAT}, or upgrade Prevent Toolkit"),
        );
    }
    let env = &doc.framework;
    if !valid_id(&env.id) {
        c.add(
            "framework.id".into(),
            c.id_line(&env.id),
            format!("\"{}\" is not a valid id", env.id),
            "use lower-case letters, digits, '-', '.' or '_'".into(),
        );
    }
    if env.version == 0 {
        c.add(
            "framework.version".into(),
            c.line_of("version"),
            "the version must be 1 or more".into(),
            "start at version = 1 and raise it for every change".into(),
        );
    }
    if !valid_date(&env.published) {
        c.add(
            "framework.published".into(),
            c.line_of("published"),
            format!("\"{}\" is not a date", env.published),
            "write the date as YYYY-MM-DD".into(),
        );
    }
    let mut kinds = HashSet::new();
    for k in &env.kinds {
        if !kinds.insert(k.key.as_str()) {
            c.add(
                format!("framework.kinds[{}]", k.key),
                c.line_of(&format!("key = \"{}\"", k.key)),
                format!("the kind \"{}\" is declared twice", k.key),
                "keep one declaration of each kind".into(),
            );
        }
    }
    if env.kinds.is_empty() {
        c.add(
            "framework.kinds".into(),
            c.line_of("kinds"),
            "no question kinds are declared".into(),
            "declare at least one kind, e.g. kinds = [{ key = \"question\", label = \"Question\" }]".into(),
        );
    }

    // Scales and their levels.
    let mut scales: HashMap<&str, HashSet<&str>> = HashMap::new();
    for s in &doc.scales {
        let place = format!("scales[{}]", s.id);
        if scales.contains_key(s.id.as_str()) {
            c.add(
                place.clone(),
                c.id_line(&s.id),
                format!("the scale id \"{}\" is used twice", s.id),
                "give each scale its own id".into(),
            );
        }
        let mut levels = HashSet::new();
        for l in &s.levels {
            if !levels.insert(l.key.as_str()) {
                c.add(
                    format!("{place}.levels[{}]", l.key),
                    c.line_of(&format!("key = \"{}\"", l.key)),
                    format!(
                        "the level \"{}\" appears twice in scale \"{}\"",
                        l.key, s.id
                    ),
                    "give each level of a scale its own key".into(),
                );
            }
            if !valid_colour(&l.colour) {
                c.add(
                    format!("{place}.levels[{}].colour", l.key),
                    c.line_of(&format!("colour = \"{}\"", l.colour)),
                    format!("\"{}\" is not a colour", l.colour),
                    "write colours as #rrggbb, e.g. \"#00703c\"".into(),
                );
            }
            let lowered = l.key.to_lowercase();
            if lowered == "not-applicable" || lowered == "not-assessed" || lowered == "n/a" {
                c.add(
                    format!("{place}.levels[{}]", l.key),
                    c.line_of(&format!("key = \"{}\"", l.key)),
                    "\"not applicable\" and \"not assessed\" are not levels of the scale".into(),
                    "remove the level and set the scale's not_applicable / not_assessed labels instead".into(),
                );
            }
        }
        if s.levels.len() < 2 {
            c.add(
                format!("{place}.levels"),
                c.id_line(&s.id),
                format!(
                    "the scale \"{}\" has {} level(s); a rating scale needs at least two",
                    s.id,
                    s.levels.len()
                ),
                "add the missing levels, lowest first".into(),
            );
        }
        scales.insert(s.id.as_str(), levels);
    }

    // Sections and questions share one id space.
    let mut ids: HashSet<String> = HashSet::new();
    let mut questions: HashSet<String> = HashSet::new();
    fn walk(
        s: &Section,
        path: &str,
        c: &mut Checker<'_>,
        ids: &mut HashSet<String>,
        questions: &mut HashSet<String>,
        scales: &HashMap<&str, HashSet<&str>>,
        kinds: &HashSet<&str>,
    ) {
        let place = format!("{path}sections[{}]", s.id);
        if !ids.insert(s.id.clone()) {
            c.add(
                place.clone(),
                c.id_line(&s.id),
                format!("the id \"{}\" is used twice", s.id),
                "give every section and question its own id".into(),
            );
        }
        for q in &s.questions {
            let qp = format!("{place}.questions[{}]", q.id);
            if !ids.insert(q.id.clone()) {
                c.add(
                    qp.clone(),
                    c.id_line(&q.id),
                    format!("the id \"{}\" is used twice", q.id),
                    "give every section and question its own id".into(),
                );
            }
            questions.insert(q.id.clone());
            let line = c.id_line(&q.id);
            if !kinds.contains(q.kind.as_str()) {
                c.add(
                    format!("{qp}.kind"),
                    line,
                    format!("the kind \"{}\" is not declared", q.kind),
                    format!(
                        "use one of the kinds in [framework].kinds: {}",
                        sorted(kinds)
                    ),
                );
            }
            match scales.get(q.scale.as_str()) {
                None => c.add(
                    format!("{qp}.scale"),
                    line,
                    format!("the scale \"{}\" is not declared", q.scale),
                    format!(
                        "use one of the declared scales: {}",
                        sorted(&scales.keys().copied().collect())
                    ),
                ),
                Some(levels) => {
                    for key in q.descriptors.keys() {
                        if !levels.contains(key.as_str()) {
                            c.add(
                                format!("{qp}.descriptors.{key}"),
                                line,
                                format!("\"{key}\" is not a level of the scale \"{}\"", q.scale),
                                format!("describe only these levels: {}", sorted(levels)),
                            );
                        }
                    }
                }
            }
            if q.title.trim().is_empty() {
                c.add(
                    format!("{qp}.title"),
                    line,
                    "the question has no title".into(),
                    "write the question".into(),
                );
            }
        }
        for child in &s.sections {
            walk(
                child,
                &format!("{place}."),
                c,
                ids,
                questions,
                scales,
                kinds,
            );
        }
    }
    for s in &doc.sections {
        walk(s, "", c, &mut ids, &mut questions, &scales, &kinds);
    }
    if questions.is_empty() {
        c.add(
            "sections".into(),
            None,
            "the framework has no questions".into(),
            "add sections with questions".into(),
        );
    }
    for (i, m) in doc.mappings.iter().enumerate() {
        if !questions.contains(&m.question) {
            c.add(
                format!("mappings[{i}].question"),
                c.line_of(&format!("question = \"{}\"", m.question)),
                format!("\"{}\" is not a question of this framework", m.question),
                "map only questions defined in this file".into(),
            );
        }
        if m.target.framework == env.id {
            c.add(
                format!("mappings[{i}].target"),
                c.line_of(&format!("question = \"{}\"", m.question)),
                "a mapping points at its own framework".into(),
                "map to a question of another framework".into(),
            );
        }
    }
}

fn sorted(set: &HashSet<&str>) -> String {
    let mut v: Vec<&str> = set.iter().copied().collect();
    v.sort_unstable();
    v.join(", ")
}

/// Check mappings against other loaded frameworks: every target must exist.
pub fn check_mappings(framework: &Framework, others: &[&Framework]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, m) in framework.mappings.iter().enumerate() {
        let Some(target) = others.iter().find(|f| f.envelope.id == m.target.framework) else {
            continue;
        };
        if !target
            .questions()
            .iter()
            .any(|(_, q)| q.id == m.target.question)
        {
            problems.push(Problem {
                place: format!("mappings[{i}].target"),
                line: None,
                message: format!(
                    "\"{}\" is not a question of {} version {}",
                    m.target.question, target.envelope.id, target.envelope.version
                ),
                fix: "point the mapping at an existing question id".into(),
            });
        }
    }
    problems
}

/// Whether a new version may be published beside the stored ones: versions only grow, and a
/// stored version never changes. `stored` holds (version, content fingerprint) of the same id.
pub fn check_publishable(
    new_version: u32,
    new_fingerprint: &str,
    stored: &[(u32, String)],
) -> Result<(), Problem> {
    if let Some((_, fp)) = stored.iter().find(|(v, _)| *v == new_version) {
        if fp == new_fingerprint {
            return Ok(());
        }
        return Err(Problem {
            place: "framework.version".into(),
            line: None,
            message: format!("version {new_version} is already published with different content"),
            fix: format!(
                "publish the change as version {}",
                stored.iter().map(|(v, _)| *v).max().unwrap_or(new_version) + 1
            ),
        });
    }
    let newest = stored.iter().map(|(v, _)| *v).max().unwrap_or(0);
    if new_version < newest {
        return Err(Problem {
            place: "framework.version".into(),
            line: None,
            message: format!("version {new_version} is older than the published version {newest}"),
            fix: format!("versions only grow: publish as version {}", newest + 1),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r##"
format = 1

[framework]
id = "sample"
version = 2
title = "Sample"
locale = "en-GB"
provider = "Prevent Toolkit"
published = "2026-11-22"
kinds = [{ key = "expectation", label = "Expectation" }, { key = "good-practice", label = "Good practice" }]

[[scales]]
id = "progress"
label = "Progress"
not_applicable = "Not applicable"
not_assessed = "Not assessed"

[[scales.levels]]
key = "low"
label = "Low"
colour = "#d4351c"

[[scales.levels]]
key = "high"
label = "High"
colour = "#00703c"

[[sections]]
id = "s1"
number = "1"
title = "Section one"

[[sections.questions]]
id = "1.1"
number = "1.1"
kind = "expectation"
title = "First question"
scale = "progress"
prompts = ["A prompt"]

[sections.questions.descriptors]
low = "Little done"
high = "Done well"

[[sections.questions]]
id = "1.2"
number = "1.2"
kind = "good-practice"
title = "Second question"
scale = "progress"

[[mappings]]
question = "1.1"
target = { framework = "other", question = "x" }
"##;

    fn problems(src: &str) -> Vec<Problem> {
        parse("sample.toml", src).expect_err("should fail").problems
    }

    #[test]
    fn a_good_file_loads() {
        let f = parse("sample.toml", GOOD).expect("loads");
        assert_eq!(f.envelope.version, 2);
        let qs = f.questions();
        assert_eq!(qs.len(), 2);
        assert_eq!(
            qs[0].1.descriptors.get("high").map(String::as_str),
            Some("Done well")
        );
        assert_eq!(f.kind_label("good-practice"), Some("Good practice"));
    }

    #[test]
    fn unknown_key_names_the_line_and_the_fix() {
        let bad = GOOD.replace("prompts = [\"A prompt\"]", "promts = [\"A prompt\"]");
        let e = parse("sample.toml", &bad).expect_err("unknown key");
        let p = &e.problems[0];
        assert!(
            p.message.contains("unknown field `promts`"),
            "{}",
            p.message
        );
        assert!(p.fix.contains("remove or correct"));
        let line = p.line.expect("line");
        assert!(
            bad.lines()
                .nth(line - 1)
                .is_some_and(|l| l.contains("promts")),
            "line {line}"
        );
        assert!(e.to_string().starts_with(&format!("sample.toml:{line}:")));
    }

    #[test]
    fn dangling_references_are_reported() {
        let bad = GOOD
            .replace(
                "scale = \"progress\"\nprompts",
                "scale = \"stages\"\nprompts",
            )
            .replace(
                "kind = \"good-practice\"\ntitle",
                "kind = \"capability\"\ntitle",
            )
            .replace("question = \"1.1\"\ntarget", "question = \"9.9\"\ntarget");
        let ps = problems(&bad);
        let places: Vec<&str> = ps.iter().map(|p| p.place.as_str()).collect();
        assert!(
            places.contains(&"sections[s1].questions[1.1].scale"),
            "{places:?}"
        );
        assert!(
            places.contains(&"sections[s1].questions[1.2].kind"),
            "{places:?}"
        );
        assert!(places.contains(&"mappings[0].question"), "{places:?}");
        assert!(ps.iter().all(|p| !p.fix.is_empty()));
    }

    #[test]
    fn duplicate_ids_are_reported() {
        let bad = GOOD.replace("id = \"1.2\"", "id = \"1.1\"");
        let ps = problems(&bad);
        assert!(
            ps.iter()
                .any(|p| p.message.contains("\"1.1\" is used twice")),
            "{ps:?}"
        );
    }

    #[test]
    fn levels_must_exist_and_be_enough() {
        let bad = GOOD.replace("low = \"Little done\"", "medium = \"Half done\"");
        let ps = problems(&bad);
        assert!(
            ps.iter().any(|p| p.place.ends_with("descriptors.medium")),
            "{ps:?}"
        );

        let one_level = GOOD.replace(
            "[[scales.levels]]\nkey = \"high\"\nlabel = \"High\"\ncolour = \"#00703c\"\n",
            "",
        );
        let ps = problems(&one_level);
        assert!(
            ps.iter().any(|p| p.message.contains("at least two")),
            "{ps:?}"
        );

        let na_level = GOOD.replace("key = \"low\"", "key = \"not-applicable\"");
        let ps = problems(&na_level);
        assert!(
            ps.iter()
                .any(|p| p.message.contains("not levels of the scale")),
            "{ps:?}"
        );
    }

    #[test]
    fn versions_only_grow_and_never_change_in_place() {
        let stored = vec![(1, "aaa".to_owned()), (2, "bbb".to_owned())];
        assert!(check_publishable(3, "ccc", &stored).is_ok());
        assert!(
            check_publishable(2, "bbb", &stored).is_ok(),
            "same content again is fine"
        );
        let changed = check_publishable(2, "zzz", &stored).expect_err("changed in place");
        assert!(changed.fix.contains("version 3"));
        let back = check_publishable(1, "new", &[(2, "bbb".to_owned())]).expect_err("backwards");
        assert!(back.message.contains("older"));
    }

    #[test]
    fn mapping_targets_are_checked_against_the_other_framework() {
        let f = parse("sample.toml", GOOD).expect("loads");
        let other_src = GOOD
            .replace("id = \"sample\"", "id = \"other\"")
            .replace("[[mappings]]\nquestion = \"1.1\"\ntarget = { framework = \"other\", question = \"x\" }\n", "");
        let other = parse("other.toml", &other_src).expect("loads");
        let ps = check_mappings(&f, &[&other]);
        assert_eq!(ps.len(), 1);
        assert!(ps[0].message.contains("\"x\" is not a question of other"));
    }
}
