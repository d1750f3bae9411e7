//! Benchmark of reading uploaded spreadsheets: how long the import reader takes and how much
//! memory it allocates at its peak, for the largest file the product itself exports and for
//! hostile files that describe enormous sheets or hold far more text than an export could.
//! Results and the command are in docs/BENCHMARKS.md.

#![forbid(unsafe_code)]
// Test support, never in the binary: a failed unwrap, expect, panic or index fails the test
// or the run that uses it, as it should.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_domain::framework::{parse, Framework};
use preventkit_domain::shipped::FRAMEWORKS;
use preventkit_reports::assessment_sheet::{from_xlsx, to_xlsx, Row, Sheet};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The system allocator, counting the bytes held and the most held at once.
#[global_allocator]
static ALLOCATOR: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

const ID: &str = "00000000-0000-4000-8000-000000000001";
const RUNS: usize = 20;

fn benchmark() -> anyhow::Result<Framework> {
    let (name, text) = FRAMEWORKS[2];
    parse(name, text).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The largest export: every question rated, with the longest details allowed.
fn largest_export(f: &Framework) -> anyhow::Result<Vec<u8>> {
    let mut rows = HashMap::new();
    for (_, q) in f.questions() {
        let details: String = format!("{} ", q.id)
            .chars()
            .chain(std::iter::repeat('é'))
            .take(20_000)
            .collect();
        rows.insert(
            q.id.clone(),
            Row {
                question_id: q.id.clone(),
                number: q.number.clone(),
                kind: q.kind.clone(),
                question: q.title.clone(),
                rating: f
                    .scale(&q.scale)
                    .and_then(|s| s.levels.last())
                    .map(|l| l.key.clone())
                    .unwrap_or_default(),
                details,
                evidence: Vec::new(),
                version: 1,
            },
        );
    }
    Ok(to_xlsx(&Sheet {
        assessment_id: ID,
        title: "Benchmark",
        period: "2026 to 2027",
        state: preventkit_domain::assessment::State::Draft,
        framework: f,
        framework_version: 1,
        rows,
    })?)
}

/// A workbook shaped like the export with one cell far away on the first benchmark sheet.
fn far_cell(f: &Framework, row: u32, col: u16) -> anyhow::Result<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let cover = wb.add_worksheet();
    cover.set_name("About")?;
    cover.write_string(1, 0, "Assessment id")?;
    cover.write_string(1, 1, ID)?;
    for (i, s) in f.sections.iter().enumerate() {
        let raw = format!("{} {}", s.number, s.title);
        let name: String = raw
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
            .take(31)
            .collect::<String>()
            .trim()
            .to_owned();
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        ws.write_string(0, 0, "Number")?;
        if i == 0 {
            ws.write_string(row, col, "far away")?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// A sheet filled to the largest size the product exports (A1:Z5000), every cell a different
/// kilobyte of text: about 130 MB of text in a file of a few megabytes.
fn full_of_text(f: &Framework) -> anyhow::Result<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let cover = wb.add_worksheet();
    cover.set_name("About")?;
    cover.write_string(1, 0, "Assessment id")?;
    cover.write_string(1, 1, ID)?;
    let filler = "x".repeat(1_000);
    for (i, s) in f.sections.iter().enumerate() {
        let name: String = format!("{} {}", s.number, s.title)
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
            .take(31)
            .collect::<String>()
            .trim()
            .to_owned();
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        if i == 0 {
            for r in 1..5_000u32 {
                for c in 0..26u16 {
                    ws.write_string(r, c, format!("{r}.{c} {filler}"))?;
                }
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

fn measure(label: &str, bytes: &[u8], f: &Framework) {
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut peak = 0usize;
    let mut outcome = String::new();
    for _ in 0..RUNS {
        let base = ALLOCATOR.current_usage();
        ALLOCATOR.reset_peak_usage();
        let started = Instant::now();
        let read = from_xlsx(bytes, f, ID);
        times.push(started.elapsed());
        peak = peak.max(ALLOCATOR.peak_usage().saturating_sub(base));
        outcome = match read {
            Ok(answers) => format!("read {} answers", answers.len()),
            Err(problems) => problems
                .first()
                .map(|p| format!("refused: {}", p.message))
                .unwrap_or_default(),
        };
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {label} | {:.0} KB | {:.1} ms | {:.1} ms | {:.1} MiB | {} |",
        bytes.len() as f64 / 1024.0,
        ms(times[RUNS / 2]),
        ms(times[RUNS - 1]),
        peak as f64 / (1024.0 * 1024.0),
        outcome.chars().take(90).collect::<String>()
    );
}

fn main() -> anyhow::Result<()> {
    let f = benchmark()?;
    println!("| file | size | median | slowest | peak allocated | outcome |");
    println!("| --- | --- | --- | --- | --- | --- |");
    measure(
        "largest export (38 answers, 20,000 characters each)",
        &largest_export(&f)?,
        &f,
    );
    measure(
        "cells A1 and XFD1048576",
        &far_cell(&f, 1_048_575, 16_383)?,
        &f,
    );
    measure("cells A1 and CV200000", &far_cell(&f, 199_999, 99)?, &f);
    measure("A1:Z5000 full, 1 KB of text a cell", &full_of_text(&f)?, &f);
    Ok(())
}
