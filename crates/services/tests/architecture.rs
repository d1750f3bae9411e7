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

/// Every capability. Each speaks only domain types in its services and web layer: its storage
/// rows stay inside the storage crate.
const CAPABILITIES: [&str; 10] = [
    "assessment",
    "framework",
    "administration",
    "identity",
    "evidence",
    "audit",
    "work",
    "keys",
    "channel",
    "panel",
];

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

/// The sources of every file of `krate`.
fn crate_sources<'a>(all: &'a [(String, String)], krate: &str) -> Vec<&'a (String, String)> {
    let folder = format!("crates/{krate}/src/");
    all.iter()
        .filter(|(path, _)| path.starts_with(&folder))
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
/// a re-export (up to its semicolon, however many lines it takes), or a public field, struct
/// or alias line. Items public only inside the crate (`pub(crate)`, `pub(super)`) are not part
/// of the crate's interface and are left out.
fn public_declarations(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        let is_fn = line.starts_with("pub fn ") || line.starts_with("pub async fn ");
        let is_use = line.starts_with("pub use ");
        if is_fn || is_use {
            let mut declaration = String::new();
            while i < lines.len() {
                let l = lines[i];
                let end = if is_use {
                    l.find(';').map(|e| e + 1)
                } else {
                    l.find('{').or_else(|| l.find(';'))
                };
                declaration.push_str(end.map_or(l, |e| &l[..e]));
                declaration.push(' ');
                if end.is_some() {
                    break;
                }
                i += 1;
            }
            out.push(declaration);
        } else if line.starts_with("pub ") {
            out.push(line.to_owned());
        }
        i += 1;
    }
    out
}

/// The names of the row types declared in the storage crate (`struct UserRow`).
fn storage_row_types(all: &[(String, String)]) -> Vec<String> {
    let mut rows: Vec<String> = crate_sources(all, "storage")
        .into_iter()
        .flat_map(|(_, text)| text.lines())
        .filter_map(|line| line.split("struct ").nth(1))
        .flat_map(row_types)
        .collect();
    rows.sort();
    rows.dedup();
    rows
}

/// Where `(path, text)` shows a storage row in its interface: a public declaration naming a
/// `*Row` type (any of `rows`, or any at all with `every_row`), or a re-export from storage.
fn leaks(path: &str, text: &str, rows: &[String], every_row: bool) -> Vec<String> {
    let mut found = Vec::new();
    for declaration in public_declarations(text) {
        let named: Vec<String> = row_types(&declaration)
            .into_iter()
            .filter(|r| every_row || rows.contains(r))
            .collect();
        if !named.is_empty() {
            found.push(format!("{path}: {named:?} in `{}`", declaration.trim()));
        }
    }
    for line in text.lines().map(str::trim_start) {
        let re_export = line.starts_with("pub use ") || line.starts_with("pub(crate) use ");
        if re_export && (line.contains("preventkit_storage") || line.contains("store::")) {
            found.push(format!("{path}: re-exports from storage: `{line}`"));
        }
    }
    found
}

/// Storage rows stay in storage: no row type is public outside its crate; the services and web
/// modules of every capability name no `*Row` type in a public item and re-export nothing from
/// storage; and no other file of the services or the web layer names a storage row in a public
/// item either.
#[test]
fn storage_rows_stay_in_storage() {
    let all = sources();
    let rows = storage_row_types(&all);
    assert!(
        rows.iter().any(|r| r == "UserRow") && rows.iter().any(|r| r == "AssessmentRow"),
        "the storage rows are found: {rows:?}"
    );
    let mut offenders = Vec::new();
    for (path, text) in crate_sources(&all, "storage") {
        for line in text.lines().map(str::trim_start) {
            if line.starts_with("pub struct ") && !row_types(line).is_empty() {
                offenders.push(format!("{path}: a public row: `{line}`"));
            }
        }
    }
    for capability in CAPABILITIES {
        for krate in ["services", "web"] {
            let files = capability_sources(&all, krate, capability);
            // Every capability has a service; some have no web module of their own (the
            // framework's API lives in the assessment's).
            assert!(
                krate == "web" || !files.is_empty(),
                "{krate} has no sources for {capability}"
            );
            for (path, text) in files {
                offenders.extend(leaks(path, text, &rows, true));
            }
        }
    }
    for krate in ["services", "web"] {
        for (path, text) in crate_sources(&all, krate) {
            offenders.extend(leaks(path, text, &rows, false));
        }
    }
    offenders.sort();
    offenders.dedup();
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn the_row_check_finds_rows_in_public_signatures() {
    let text = "pub async fn list(\n    g: &Grant,\n) -> Result<Vec<AssessmentRow>, E> {\n    todo()\n}\npub(crate) fn inner(r: ResponseRow) {}\npub struct View {\n    pub row: ActionRow,\n}\npub fn fine(&self) -> Member {\n}\npub use preventkit_domain::{\n    Member,\n    MemberRow as Member2,\n};\n";
    let found: Vec<Vec<String>> = public_declarations(text)
        .iter()
        .map(|d| row_types(d))
        .filter(|r| !r.is_empty())
        .collect();
    assert_eq!(
        found,
        vec![
            vec!["AssessmentRow".to_owned()],
            vec!["ActionRow".to_owned()],
            vec!["MemberRow".to_owned()]
        ]
    );
    assert!(row_types("pub fn rows(&self) -> Vec<Member>").is_empty());
    assert!(row_types("pub fn throw(&self) -> Throw").is_empty());

    // Outside the capabilities only storage's own rows count; a re-export from storage always
    // does.
    let rows = vec!["UserRow".to_owned()];
    let text = "pub fn a() -> UserRow {\n}\npub fn b() -> TableRow {\n}\npub use preventkit_storage::Db;\n";
    let found = leaks("x.rs", text, &rows, false);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].contains("UserRow") && found[1].contains("re-exports from storage"));
    assert_eq!(leaks("x.rs", text, &rows, true).len(), 3);

    // Rows are found where storage declares them.
    let storage = vec![(
        "crates/storage/src/x/rows.rs".to_owned(),
        "pub(crate) struct UserRow {\n}\nstruct Other;\n".to_owned(),
    )];
    assert_eq!(storage_row_types(&storage), vec!["UserRow".to_owned()]);
}
