//! Stored rows stay inside storage: the public functions of the identity, administration,
//! evidence and audit capabilities in the services and the web layer take and answer domain
//! types, and nothing re-exports a storage row.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

/// The capabilities held to this rule, each as the files or folders of its services and web
/// modules (relative to the workspace).
const CHECKED: &[&str] = &[
    "crates/services/src/administration",
    "crates/web/src/administration",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn files(root: &Path, entry: &str) -> Vec<(String, String)> {
    fn walk(path: &Path, out: &mut Vec<PathBuf>) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).expect("read folder") {
                walk(&entry.expect("entry").path(), out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.to_path_buf());
        }
    }
    let mut found = Vec::new();
    walk(&root.join(entry), &mut found);
    assert!(!found.is_empty(), "{entry} has sources");
    found
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read source");
            (p.to_string_lossy().into_owned(), text)
        })
        .collect()
}

/// Whether `text` names a type whose name ends in `Row` (a storage row).
fn names_a_row(text: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|word| word.len() > 3 && word.ends_with("Row") && word.starts_with(char::is_uppercase))
}

/// The public signatures (`pub fn`, `pub async fn`, up to the body) and `pub use` items in a
/// source, each with its line number.
fn public_items(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        let starts = ["pub fn ", "pub async fn ", "pub use "];
        if starts.iter().any(|s| line.starts_with(s)) {
            // A signature ends where its body begins; a re-export at its semicolon.
            let is_use = line.starts_with("pub use ");
            let mut item = String::new();
            let first = i;
            while i < lines.len() {
                item.push_str(lines[i]);
                item.push('\n');
                let end = lines[i].trim_end().ends_with(';') || (!is_use && lines[i].contains('{'));
                if end {
                    break;
                }
                i += 1;
            }
            let head = if is_use {
                item
            } else {
                item.split('{').next().unwrap_or_default().to_owned()
            };
            out.push((first + 1, head));
        }
        i += 1;
    }
    out
}

fn offenders(root: &Path, entries: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in entries {
        for (path, text) in files(root, entry) {
            for (line, item) in public_items(&text) {
                if names_a_row(&item) {
                    found.push(format!("{path}:{line}: {}", item.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn no_storage_row_crosses_a_public_signature() {
    let found = offenders(&workspace(), CHECKED);
    assert!(
        found.is_empty(),
        "public functions and re-exports name storage rows; answer domain types instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_a_row_in_a_signature_and_a_re_export() {
    let text = "impl App {\n    pub async fn members(\n        &self,\n    ) -> Result<Vec<MemberRow>, E> {\n    }\n    pub fn fine(&self) -> Member {\n    }\n}\npub use preventkit_storage::{MemberRow as Member};\n";
    let rows: Vec<_> = public_items(text)
        .into_iter()
        .filter(|(_, item)| names_a_row(item))
        .map(|(line, _)| line)
        .collect();
    assert_eq!(rows, vec![2, 9]);
    assert!(!names_a_row("pub fn rows(&self) -> Vec<Member>"));
    assert!(!names_a_row("pub fn throw(&self) -> Row"));
}
