//! Embeds the templates and the compiled stylesheet in the binary, so that it runs from any
//! folder with nothing beside it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            collect(&p, base, out);
        } else if p.extension().is_some_and(|x| x == "html" || x == "txt") {
            if let Ok(rel) = p.strip_prefix(base) {
                out.push((rel.to_string_lossy().replace('\\', "/"), p.clone()));
            }
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let templates = root.join("templates");
    println!("cargo:rerun-if-changed={}", templates.display());
    let mut files = Vec::new();
    collect(&templates, &templates, &mut files);
    let mut code = String::from("pub static TEMPLATES: &[(&str, &str)] = &[\n");
    for (name, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");

    let css = root.join("../../assets/dist/app.css");
    println!("cargo:rerun-if-changed={}", css.display());
    if !css.exists() {
        // The stylesheet is compiled from the govuk-frontend npm package by assets/build.sh;
        // the README's commands run it. Stop with the fix rather than ship an unstyled app.
        eprintln!(
            "error: the web stylesheet has not been built. Run `./assets/build.sh` (needs Node.js and npm), then build again."
        );
        std::process::exit(1);
    }
    let _ = writeln!(
        code,
        "pub static APP_CSS: &[u8] = include_bytes!({:?});",
        css.display().to_string()
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("embedded.rs");
    if let Err(e) = std::fs::write(&out, code) {
        eprintln!("error: cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}
