//! Rules of the code's shape that the compiler cannot hold, checked over the source of every
//! crate: who may build an actor, how long a file may grow, and which types may cross from
//! storage into the services' and the web layer's public signatures.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Every `.rs` file under `crates/*/src`, as (path relative to the workspace, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = workspace();
    let mut files = Vec::new();
    for krate in std::fs::read_dir(root.join("crates")).expect("crates") {
        let src = krate.expect("crate").path().join("src");
        if src.is_dir() {
            walk(&src, &mut files);
        }
    }
    files.sort();
    assert!(files.len() > 50, "the walk found the sources");
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read source");
            let rel = p
                .strip_prefix(&root)
                .expect("inside the workspace")
                .to_string_lossy()
                .replace('\\', "/");
            (rel, text)
        })
        .collect()
}

#[test]
fn only_the_identity_service_builds_an_actor_for_a_person() {
    let allowed = [
        "crates/domain/src/policy/mod.rs",
        "crates/services/src/identity/mod.rs",
    ];
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(path, text)| {
            !allowed.contains(&path.as_str()) && text.contains("Actor::from_verified(")
        })
        .map(|(path, _)| path)
        .collect();
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[test]
fn no_source_file_is_longer_than_a_thousand_lines() {
    let long: Vec<(String, usize)> = sources()
        .into_iter()
        .map(|(path, text)| (path, text.lines().count()))
        .filter(|(_, n)| *n > 1000)
        .collect();
    assert!(long.is_empty(), "{long:?}");
}

/// The capabilities whose services and web layer speak only domain types: their storage rows
/// stay inside the storage crate. Each capability is added here once it is moved over.
const CAPABILITIES_WITH_DOMAIN_TYPES: [&str; 2] = ["assessment", "framework"];

/// The sources of `krate` that belong to `capability`: `src/<capability>.rs` or anything under
/// `src/<capability>/`.
fn capability_sources<'a>(
    all: &'a [(String, String)],
    krate: &str,
    capability: &str,
) -> Vec<&'a (String, String)> {
    let file = format!("crates/{krate}/src/{capability}.rs");
    let folder = format!("crates/{krate}/src/{capability}/");
    all.iter()
        .filter(|(path, _)| *path == file || path.starts_with(&folder))
        .collect()
}

/// The names in `text` that end in `Row` (`AssessmentRow`, `Row`).
fn row_types(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.ends_with("Row") && w.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(str::to_owned)
        .collect()
}

/// Every public item's declaration in `text`: a public function's signature (up to its body),
/// or a public field, struct, alias or re-export line. Items public only inside the crate
/// (`pub(crate)`, `pub(super)`) are not part of the crate's interface and are left out.
fn public_declarations(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        if line.starts_with("pub fn ") || line.starts_with("pub async fn ") {
            let mut signature = String::new();
            while i < lines.len() {
                let l = lines[i];
                let end = l.find('{').or_else(|| l.find(';'));
                signature.push_str(end.map_or(l, |e| &l[..e]));
                signature.push(' ');
                if end.is_some() {
                    break;
                }
                i += 1;
            }
            out.push(signature);
        } else if line.starts_with("pub ") {
            out.push(line.to_owned());
        }
        i += 1;
    }
    out
}

#[test]
fn storage_rows_stay_in_storage_for_capabilities_with_domain_types() {
    let all = sources();
    let mut offenders = Vec::new();
    for capability in CAPABILITIES_WITH_DOMAIN_TYPES {
        for krate in ["services", "web"] {
            let files = capability_sources(&all, krate, capability);
            // Every such capability has a service; some have no web module of their own (the
            // framework's API lives in the assessment's).
            assert!(
                krate == "web" || !files.is_empty(),
                "{krate} has no sources for {capability}"
            );
            for (path, text) in files {
                for declaration in public_declarations(text) {
                    let rows = row_types(&declaration);
                    if !rows.is_empty() {
                        offenders.push(format!("{path}: {rows:?} in `{}`", declaration.trim()));
                    }
                }
                for line in text.lines().map(str::trim_start) {
                    let re_export =
                        line.starts_with("pub use ") || line.starts_with("pub(crate) use ");
                    if krate == "services"
                        && re_export
                        && (line.contains("preventkit_storage") || line.contains("store::"))
                    {
                        offenders.push(format!("{path}: re-exports from storage: `{line}`"));
                    }
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn the_row_check_finds_rows_in_public_signatures() {
    let text = "pub async fn list(\n    g: &Grant,\n) -> Result<Vec<AssessmentRow>, E> {\n    todo()\n}\npub(crate) fn inner(r: ResponseRow) {}\npub struct View {\n    pub row: ActionRow,\n}\n";
    let found: Vec<Vec<String>> = public_declarations(text)
        .iter()
        .map(|d| row_types(d))
        .filter(|r| !r.is_empty())
        .collect();
    assert_eq!(
        found,
        vec![
            vec!["AssessmentRow".to_owned()],
            vec!["ActionRow".to_owned()]
        ]
    );
}
