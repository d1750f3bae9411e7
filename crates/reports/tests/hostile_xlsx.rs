//! Uploaded workbooks built to exhaust the server: each is refused with a clear problem, within
//! a bounded amount of memory and time. And a workbook this service exports, filled in, still
//! reads back exactly.
//!
//! The hostile files are built here, part by part, so that they can lie about themselves in
//! ways no spreadsheet program would. Every test in this file runs under one lock, so the
//! allocation counter sees one reading at a time.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use flate2::write::DeflateEncoder;
use flate2::{Compress, Compression, Crc, FlushCompress};
use preventkit_domain::framework::{parse, Framework};
use preventkit_domain::shipped::{FRAMEWORKS, PREVENT_DUTY_BENCHMARK};
use preventkit_reports::assessment_sheet::{from_xlsx, to_xlsx, CellProblem, Imported, Row, Sheet};
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Counting what is allocated

/// The system allocator, counting the bytes live and the most ever live at once (a block that
/// moves is counted as if old and new were both live while the bytes move).
#[global_allocator]
static ALLOCATOR: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

/// One reading at a time, so the counter measures one.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The most memory reading one upload may take, above what was live before.
const MEMORY_BOUND: usize = 64 * 1024 * 1024;

/// A generous bound on wall-clock time; speed itself is measured by the benchmarks.
const TIME_BOUND: Duration = Duration::from_secs(10);

struct Measured {
    result: Result<Vec<Imported>, Vec<CellProblem>>,
    peak: usize,
    took: Duration,
}

fn measure(bytes: &[u8], framework: &Framework, id: &str) -> Measured {
    let base = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let started = Instant::now();
    let result = from_xlsx(bytes, framework, id);
    let took = started.elapsed();
    let peak = ALLOCATOR.peak_usage().saturating_sub(base);
    Measured { result, peak, took }
}

/// Reads `bytes` and expects one problem whose message contains `expected`, within the bounds.
fn refused(case: &str, bytes: &[u8], expected: &str) -> CellProblem {
    let f = benchmark();
    let m = measure(bytes, &f, ID);
    eprintln!("{case}: {} KiB at the peak, {:?}", m.peak / 1024, m.took);
    assert!(
        m.peak < MEMORY_BOUND,
        "{case}: reading took {} MiB at its peak",
        m.peak / (1024 * 1024)
    );
    assert!(m.took < TIME_BOUND, "{case}: reading took {:?}", m.took);
    let problems = match m.result {
        Ok(answers) => panic!("{case}: accepted, with {} answers", answers.len()),
        Err(p) => p,
    };
    assert_eq!(problems.len(), 1, "{case}: {problems:?}");
    let p = problems
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{case}"));
    assert!(
        p.message.contains(expected),
        "{case}: expected '{expected}' in: {p}"
    );
    p
}

// ---------------------------------------------------------------------------------------------
// Building archives by hand

const ID: &str = "a5e1f7c0-assessment";

struct Entry {
    name: String,
    method: u16,
    /// As stored in the archive.
    data: Vec<u8>,
    crc: u32,
    /// The uncompressed size the archive declares.
    size: u64,
}

fn crc(bytes: &[u8]) -> u32 {
    let mut c = Crc::new();
    c.update(bytes);
    c.sum()
}

fn stored(name: &str, bytes: &[u8]) -> Entry {
    Entry {
        name: name.into(),
        method: 0,
        data: bytes.to_vec(),
        crc: crc(bytes),
        size: bytes.len() as u64,
    }
}

fn deflated(name: &str, bytes: &[u8]) -> Entry {
    let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).expect("compress");
    Entry {
        name: name.into(),
        method: 8,
        data: e.finish().expect("compress"),
        crc: crc(bytes),
        size: bytes.len() as u64,
    }
}

/// A deflate stream of `head`, then `unit` repeated to about `megabytes` MiB, then `tail`,
/// built without ever holding the whole: each piece is compressed on its own and ends on a
/// byte boundary, and the middle piece's compressed bytes are repeated.
fn bomb(name: &str, head: &[u8], unit: &[u8], megabytes: usize, tail: &[u8]) -> Entry {
    fn piece(bytes: &[u8], flush: FlushCompress) -> Vec<u8> {
        let mut c = Compress::new(Compression::best(), false);
        let mut out = Vec::with_capacity(bytes.len() + 1024);
        let status = c.compress_vec(bytes, &mut out, flush).expect("compress");
        assert_eq!(c.total_in(), bytes.len() as u64, "{status:?}");
        out
    }
    let per_mib = (1024 * 1024) / unit.len();
    let chunk = unit.repeat(per_mib.max(1));
    let mut data = piece(head, FlushCompress::Sync);
    let middle = piece(&chunk, FlushCompress::Sync);
    for _ in 0..megabytes {
        data.extend_from_slice(&middle);
    }
    data.extend_from_slice(&piece(tail, FlushCompress::Finish));
    let size = (head.len() + chunk.len() * megabytes + tail.len()) as u64;
    // The checksum matters only for a part small enough to be read to its end.
    let mut sum = Crc::new();
    if megabytes <= 16 {
        sum.update(head);
        for _ in 0..megabytes {
            sum.update(&chunk);
        }
        sum.update(tail);
    }
    Entry {
        name: name.into(),
        method: 8,
        data,
        crc: sum.sum(),
        size,
    }
}

/// The archive holding `entries`, in order.
fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let size32 = e.size.min(u64::from(u32::MAX)) as u32;
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // time and date
        out.extend_from_slice(&e.crc.to_le_bytes());
        out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&size32.to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&20u16.to_le_bytes()); // needed
        central.extend_from_slice(&0u16.to_le_bytes()); // flags
        central.extend_from_slice(&e.method.to_le_bytes());
        central.extend_from_slice(&0u32.to_le_bytes()); // time and date
        central.extend_from_slice(&e.crc.to_le_bytes());
        central.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        central.extend_from_slice(&size32.to_le_bytes());
        central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // extra
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(e.name.as_bytes());
    }
    let start = out.len() as u32;
    out.extend_from_slice(&central);
    end_record(&mut out, entries.len() as u16, central.len() as u32, start);
    out
}

fn end_record(out: &mut Vec<u8>, count: u16, size: u32, offset: u32) {
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // this disk
    out.extend_from_slice(&0u16.to_le_bytes()); // disk with the directory
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn benchmark() -> Framework {
    let (name, text) = FRAMEWORKS
        .iter()
        .find(|(name, _)| name.starts_with(PREVENT_DUTY_BENCHMARK))
        .expect("the benchmark ships");
    parse(name, text).expect("the benchmark parses")
}

/// The sheet name the export gives a top-level section.
fn section_sheet(number: &str, title: &str) -> String {
    let raw = format!("{number} {title}");
    let clean: String = raw
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    clean.chars().take(31).collect::<String>().trim().to_owned()
}

/// The sheet names of the benchmark's top-level sections, in order.
fn sections() -> Vec<String> {
    benchmark()
        .sections
        .iter()
        .map(|s| section_sheet(&s.number, &s.title))
        .collect()
}

fn first_section() -> String {
    sections().remove(0)
}

fn worksheet(data: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}"><sheetData>{data}</sheetData></worksheet>"#)
        .into_bytes()
}

fn inline(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The cover sheet of this assessment.
fn cover() -> Vec<u8> {
    worksheet(&format!(
        r#"<row r="2">{}{}</row>"#,
        inline("A2", "Assessment id"),
        inline("B2", ID)
    ))
}

/// The parts of a workbook other than its sheets and shared text.
fn frame(sheets: &[&str], shared: bool) -> Vec<Entry> {
    let mut listed = String::new();
    let mut rels = String::new();
    let mut overrides = String::new();
    for (i, name) in sheets.iter().enumerate() {
        let n = i + 1;
        listed.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
        overrides.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        ));
    }
    if shared {
        rels.push_str(&format!(
            r#"<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>"#
        ));
    }
    vec![
        deflated(
            "[Content_Types].xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{overrides}</Types>"#).as_bytes(),
        ),
        deflated(
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).as_bytes(),
        ),
        deflated(
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{listed}</sheets></workbook>"#).as_bytes(),
        ),
        deflated(
            "xl/_rels/workbook.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#).as_bytes(),
        ),
    ]
}

/// A workbook of the cover, `first` as the first section's sheet and the other sections'
/// sheets empty, with `shared` as its shared text table.
fn with_sections(first: Entry, shared: Option<Entry>) -> Vec<u8> {
    let names = sections();
    let mut listed: Vec<&str> = vec!["About"];
    listed.extend(names.iter().map(String::as_str));
    let mut entries = frame(&listed, shared.is_some());
    entries.push(deflated("xl/worksheets/sheet1.xml", &cover()));
    entries.push(Entry {
        name: "xl/worksheets/sheet2.xml".into(),
        ..first
    });
    for i in 1..names.len() {
        entries.push(deflated(
            &format!("xl/worksheets/sheet{}.xml", i + 2),
            &worksheet(""),
        ));
    }
    if let Some(shared) = shared {
        entries.push(Entry {
            name: "xl/sharedStrings.xml".into(),
            ..shared
        });
    }
    zip(&entries)
}

fn with_section(sheet: Entry) -> Vec<u8> {
    with_sections(sheet, None)
}

/// A workbook whose cover sheet is `about`.
fn with_cover(about: Entry) -> Vec<u8> {
    let mut entries = frame(&["About"], false);
    entries.push(Entry {
        name: "xl/worksheets/sheet1.xml".into(),
        ..about
    });
    zip(&entries)
}

/// A workbook with the cover and a shared text table `shared`.
fn with_shared(shared: Entry) -> Vec<u8> {
    let mut entries = frame(&["About"], true);
    entries.push(deflated("xl/worksheets/sheet1.xml", &cover()));
    entries.push(Entry {
        name: "xl/sharedStrings.xml".into(),
        ..shared
    });
    zip(&entries)
}

fn sst_head() -> Vec<u8> {
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">"#).into_bytes()
}

// ---------------------------------------------------------------------------------------------
// The hostile files

#[test]
fn cells_beyond_the_largest_exported_sheet_are_refused() {
    let _one = serial();

    // Two cells, A1 and the last cell a sheet can have.
    let far = with_cover(deflated(
        "",
        &worksheet(&format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            inline("A1", "x"),
            inline("XFD1048576", "y")
        )),
    ));
    let p = refused("A1 and XFD1048576", &far, "a cell at XFD1048576");
    assert!(p.message.contains("(column Z, row 5,000)"), "{p}");
    assert!(p.message.contains("Export the assessment again"), "{p}");
    assert_eq!(
        (p.sheet.as_str(), p.row, p.column.as_str()),
        ("About", 1_048_576, "XFD")
    );

    // Two cells in a section sheet, A1 and CV200000.
    let tall = with_section(deflated(
        "",
        &worksheet(&format!(
            r#"<row r="1">{}</row><row r="200000"><c r="CV200000"><v>1</v></c></row>"#,
            inline("A1", "Number")
        )),
    ));
    let p = refused("A1 and CV200000", &tall, "a cell at CV200000");
    assert_eq!(p.sheet, first_section());
    assert_eq!((p.row, p.column.as_str()), (200_000, "CV"));

    // Just past the limits, in either direction.
    for (reference, row) in [("AA1", 1), ("A5001", 5001)] {
        let past = with_section(deflated(
            "",
            &worksheet(&format!(
                r#"<row r="{row}">{}</row>"#,
                inline(reference, "x")
            )),
        ));
        refused(reference, &past, &format!("a cell at {reference}"));
    }

    // Cells that do not say where they are take the next place along.
    let implicit = with_section(deflated(
        "",
        &worksheet(&format!("<row>{}</row>", "<c><v>1</v></c>".repeat(30))),
    ));
    refused("cells without references", &implicit, "a cell at AA1");

    // A declared extent of the whole grid, with few cells.
    let declared = with_cover(deflated(
        "",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="A1:XFD1048576"/><sheetData><row r="2">{}{}</row></sheetData></worksheet>"#,
            inline("A2", "Assessment id"),
            inline("B2", ID)
        )
        .as_bytes(),
    ));
    let p = refused("dimension A1:XFD1048576", &declared, "A1:XFD1048576");
    assert!(p.message.contains("(column Z, row 5,000)"), "{p}");
}

#[test]
fn a_shared_text_table_that_unpacks_to_hundreds_of_megabytes_is_refused() {
    let _one = serial();
    let tail = b"</sst>";

    // Hundreds of MB of short entries.
    let many = with_shared(bomb("", &sst_head(), b"<si><t>x</t></si>", 300, tail));
    refused(
        "many entries",
        &many,
        "more than 100,000 different pieces of text",
    );

    // Hundreds of MB of long entries.
    let long_entry = format!("<si><t>{}</t></si>", "y".repeat(4000));
    let long = with_shared(bomb("", &sst_head(), long_entry.as_bytes(), 300, tail));
    refused("long entries", &long, "more than 8 MB of text");

    // One entry of hundreds of MB of text.
    let mut head = sst_head();
    head.extend_from_slice(b"<si><t>");
    let endless = with_shared(bomb("", &head, b"z", 300, b"</t></si></sst>"));
    refused("one endless entry", &endless, "a single element larger");

    // One entry of hundreds of MB of rich text runs.
    let mut head = sst_head();
    head.extend_from_slice(b"<si>");
    let runs = with_shared(bomb(
        "",
        &head,
        format!("<r><t>{}</t></r>", "w".repeat(1000)).as_bytes(),
        300,
        b"</si></sst>",
    ));
    refused(
        "endless runs",
        &runs,
        "more text than a spreadsheet cell can",
    );

    // Hundreds of MB of elements that are not text at all.
    let filler = format!("<x>{}</x>", " ".repeat(1000));
    let padding = with_shared(bomb("", &sst_head(), filler.as_bytes(), 300, tail));
    refused("padding", &padding, "unpacks to more than 16 MB");
}

#[test]
fn an_archive_of_thousands_of_entries_is_refused() {
    let _one = serial();
    let mut entries = frame(&["About"], false);
    entries.push(deflated("xl/worksheets/sheet1.xml", &cover()));
    for i in 0..5000 {
        entries.push(stored(&format!("xl/media/image{i}.png"), b"x"));
    }
    let p = refused("5,000 entries", &zip(&entries), "made of 5,005 parts");
    assert!(p.message.contains("at most 200"), "{p}");

    // An end record that claims more entries than it has.
    let mut claims = zip(&frame(&["About"], false));
    let at = claims.len() - 22;
    claims.truncate(at);
    let directory = u32::from_le_bytes(
        zip(&frame(&["About"], false))[at + 16..at + 20]
            .try_into()
            .expect("offset"),
    );
    end_record(&mut claims, u16::MAX - 1, 100, directory);
    refused("a claimed 65,534 entries", &claims, "made of 65,534 parts");
}

#[test]
fn a_zip64_end_record_claiming_billions_of_entries_is_refused() {
    let _one = serial();
    let mut bytes = zip(&frame(&["About"], false));
    let end = bytes.len() - 22;
    bytes.truncate(end);
    // The Zip64 end record, its locator, then an end record that defers to them.
    let record = bytes.len() as u64;
    bytes.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
    bytes.extend_from_slice(&44u64.to_le_bytes());
    bytes.extend_from_slice(&45u16.to_le_bytes());
    bytes.extend_from_slice(&45u16.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&4_000_000_000u64.to_le_bytes());
    bytes.extend_from_slice(&4_000_000_000u64.to_le_bytes());
    bytes.extend_from_slice(&100u64.to_le_bytes());
    bytes.extend_from_slice(&0u64.to_le_bytes());
    bytes.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&record.to_le_bytes());
    bytes.extend_from_slice(&1u32.to_le_bytes());
    end_record(&mut bytes, u16::MAX, u32::MAX, u32::MAX);
    refused("Zip64 claim", &bytes, "made of 4,000,000,000 parts");
}

#[test]
fn a_workbook_of_hundreds_of_sheets_is_refused() {
    let _one = serial();
    // Declared in the workbook.
    let names: Vec<String> = (0..300).map(|i| format!("Sheet {i}")).collect();
    let mut listed: Vec<&str> = vec!["About"];
    listed.extend(names.iter().map(String::as_str));
    let mut entries = frame(&listed, false);
    entries.push(deflated("xl/worksheets/sheet1.xml", &cover()));
    refused("300 sheets listed", &zip(&entries), "more than 64 sheets");

    // Present in the archive.
    let mut entries = frame(&["About"], false);
    entries.push(deflated("xl/worksheets/sheet1.xml", &cover()));
    for i in 2..=100 {
        entries.push(deflated(
            &format!("xl/worksheets/sheet{i}.xml"),
            &worksheet(""),
        ));
    }
    refused("100 sheet parts", &zip(&entries), "more than 64 sheets");
}

#[test]
fn nested_archives_and_deeply_nested_xml_are_refused() {
    let _one = serial();
    // An archive holding a workbook rather than being one.
    let inner = export(&benchmark(), &HashMap::new());
    let outer = zip(&[stored("assessment.xlsx", &inner)]);
    refused(
        "a workbook inside an archive",
        &outer,
        "not an Excel workbook",
    );

    // A sheet that is itself an archive, which holds an archive in turn.
    let deeper = zip(&[deflated("inner.zip", &outer)]);
    let nested = with_section(deflated("", &deeper));
    refused("an archive as a sheet", &nested, "is damaged");

    // Elements nested a hundred thousand deep.
    let deep = with_section(bomb(
        "",
        format!(r#"<worksheet xmlns="{MAIN}"><sheetData>"#).as_bytes(),
        b"<a>",
        1,
        b"</sheetData></worksheet>",
    ));
    let p = refused("deep elements", &deep, "nested more than 64 levels deep");
    assert!(p.message.contains(&first_section()), "{p}");
}

#[test]
fn a_part_larger_than_its_declared_size_is_refused() {
    let _one = serial();
    // The archive says the sheet unpacks to 100 bytes; it unpacks to 300 MB.
    let mut sheet = bomb(
        "",
        format!(r#"<worksheet xmlns="{MAIN}"><sheetData>"#).as_bytes(),
        format!("<x>{}</x>", "p".repeat(100_000)).as_bytes(),
        300,
        b"</sheetData></worksheet>",
    );
    sheet.size = 100;
    let lying = with_section(sheet);
    refused("a lying size", &lying, "unpacks to more than 16 MB");

    // A sheet whose data stops short of what the archive says.
    let full = worksheet("");
    let mut short = deflated("", &full);
    short.size += 10;
    refused(
        "a short part",
        &with_section(short),
        "does not match its checksum",
    );
}

#[test]
fn parts_that_together_unpack_to_too_much_are_refused() {
    let _one = serial();
    let f = benchmark();
    let names: Vec<String> = f
        .sections
        .iter()
        .map(|s| section_sheet(&s.number, &s.title))
        .collect();
    let mut listed: Vec<&str> = vec!["About"];
    listed.extend(names.iter().map(String::as_str));
    let mut entries = frame(&listed, false);
    entries.push(deflated("xl/worksheets/sheet1.xml", &cover()));
    // Each sheet just under the limit on one part.
    for i in 0..names.len() {
        entries.push(bomb(
            &format!("xl/worksheets/sheet{}.xml", i + 2),
            format!(r#"<worksheet xmlns="{MAIN}"><sheetData></sheetData>"#).as_bytes(),
            format!("<x>{}</x>", "q".repeat(100_000)).as_bytes(),
            12,
            b"</worksheet>",
        ));
    }
    refused(
        "too much together",
        &zip(&entries),
        "unpacks to more than 32 MB",
    );
}

#[test]
fn files_that_are_not_workbooks_are_refused() {
    let _one = serial();
    refused("empty", b"", "The file is empty");
    let garbage: Vec<u8> = (0u32..100_000)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    refused("garbage", &garbage, "not an .xlsx spreadsheet");
    refused(
        "text",
        b"Number,Rating\n1.1,Achieving\n",
        "not an .xlsx spreadsheet",
    );
    let mut compound = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    compound.extend_from_slice(&[0; 512]);
    refused("protected", &compound, "password-protected");
    // A zip signature followed by nothing a zip has.
    let mut fake = 0x0403_4b50u32.to_le_bytes().to_vec();
    fake.extend_from_slice(&[0xAB; 4096]);
    refused("a zip signature only", &fake, "not an .xlsx spreadsheet");
    // Larger than any export.
    let mut huge = zip(&frame(&["About"], false));
    huge.resize(17 * 1024 * 1024, 0);
    refused(
        "17 MB",
        &huge,
        "larger than any spreadsheet this service exports",
    );
    // Compressed in a way spreadsheet programs do not use.
    let mut odd = deflated("", &cover());
    odd.method = 12;
    refused("other compression", &with_cover(odd), "compressed in a way");
}

// ---------------------------------------------------------------------------------------------
// Files this service exports

fn export(f: &Framework, rows: &HashMap<String, Row>) -> Vec<u8> {
    let sheet = Sheet {
        assessment_id: ID,
        title: "2026 to 2027",
        period: "2026-04-01 to 2027-03-31",
        state: preventkit_domain::assessment::State::Draft,
        framework: f,
        framework_version: 1,
        rows: rows.clone(),
    };
    to_xlsx(&sheet).expect("export")
}

fn answer(question_id: &str, rating: &str, details: &str) -> Row {
    Row {
        question_id: question_id.into(),
        number: String::new(),
        kind: String::new(),
        question: String::new(),
        rating: rating.into(),
        details: details.into(),
        evidence: vec!["Board minutes, March".into()],
        version: 3,
    }
}

fn sorted(mut v: Vec<Imported>) -> Vec<Imported> {
    v.sort_by(|a, b| a.question_id.cmp(&b.question_id));
    v
}

#[test]
fn an_exported_workbook_reads_back_as_written() {
    let _one = serial();
    let f = benchmark();
    let questions: Vec<String> = f.questions().iter().map(|(_, q)| q.id.clone()).collect();
    let details = [
        "",
        "Reviewed each quarter by the board",
        "=HYPERLINK(\"http://example.org\")\nline two",
        "Windows line ends\r\nsecond line\r\n",
        "Ampersands & <angle brackets> and \"quotes\" and 'apostrophes'",
        "Non-ASCII: café, Ŵales, 日本語, 🙂",
        "  leading and trailing spaces  ",
    ];
    let ratings = ["", "not-yet-started", "developing", "achieving", "n/a"];
    let mut rows = HashMap::new();
    for (i, q) in questions.iter().enumerate() {
        let rating = ratings[i % ratings.len()];
        // A rating that needs supporting details always has some; the others may be blank.
        let d = match details[i % details.len()] {
            "" if f.missing_details(q, rating, "").is_some() => "Details given",
            d => d,
        };
        rows.insert(q.clone(), answer(q, rating, d));
    }
    let bytes = export(&f, &rows);
    let m = measure(&bytes, &f, ID);
    assert!(m.peak < MEMORY_BOUND);
    let read = sorted(m.result.expect("an exported workbook reads back"));
    let expected = sorted(
        questions
            .iter()
            .map(|q| Imported {
                question_id: q.clone(),
                number: f
                    .questions()
                    .iter()
                    .find(|(_, x)| &x.id == q)
                    .map(|(_, x)| x.number.clone())
                    .unwrap(),
                exported_version: Some(3),
                rating: rows[q].rating.clone(),
                details: rows[q].details.clone(),
            })
            .collect(),
    );
    assert_eq!(read, expected);

    // Unanswered questions read back as not assessed, with no details.
    let blank = export(&f, &HashMap::new());
    let read = from_xlsx(&blank, &f, ID).expect("a blank export reads back");
    assert_eq!(read.len(), questions.len());
    assert!(read
        .iter()
        .all(|a| a.rating.is_empty() && a.details.is_empty() && a.exported_version.is_none()));

    // Another assessment's file is refused.
    let other = from_xlsx(&bytes, &f, "another-assessment").expect_err("another id");
    assert_eq!((other[0].sheet.as_str(), other[0].row), ("About", 2));
}

#[test]
fn the_largest_export_reads_back_within_the_limits() {
    let _one = serial();
    for (name, text) in FRAMEWORKS {
        let f = parse(name, text).expect("parses");
        // Every question answered with the longest details allowed, each different, in
        // four-byte characters.
        let longest = |id: &str| -> String {
            format!("{id} &")
                .chars()
                .chain(std::iter::repeat('🙂'))
                .take(20_000)
                .collect()
        };
        let mut rows = HashMap::new();
        for (_, q) in f.questions() {
            let level = f
                .scale(&q.scale)
                .and_then(|s| s.levels.last())
                .map(|l| l.key.clone())
                .unwrap_or_default();
            rows.insert(q.id.clone(), answer(&q.id, &level, &longest(&q.id)));
        }
        let bytes = export(&f, &rows);
        let m = measure(&bytes, &f, ID);
        assert!(
            m.peak < MEMORY_BOUND,
            "{name}: {} MiB",
            m.peak / (1024 * 1024)
        );
        assert!(m.took < TIME_BOUND, "{name}: {:?}", m.took);
        let read = m.result.unwrap_or_else(|p| panic!("{name}: {p:?}"));
        assert_eq!(read.len(), f.questions().len(), "{name}");
        assert!(
            read.iter().all(|a| a.details == longest(&a.question_id)),
            "{name}"
        );
    }
}

#[test]
fn cells_written_as_numbers_inline_text_or_shared_text_are_all_read() {
    let _one = serial();
    let f = benchmark();
    let q = &f.sections[0].questions[0];
    let shared = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="2" uniqueCount="2"><si><t>Achieving</t></si><si><r><t>Split </t></r><r><rPr><b/></rPr><t>across runs</t></r><rPh><t>phonetic</t></rPh></si></sst>"#
    );
    // The question number as a number, the rating as shared text, details as rich text; an
    // empty header row; cells left as empty elements.
    let number = q.number.clone();
    let sheet = worksheet(&format!(
        r#"<row r="2" spans="1:6"><c r="A2"><v>{number}</v></c><c r="B2" s="1"/><c r="D2" t="s"><v>0</v></c><c r="E2" t="s"><v>1</v></c></row>"#
    ));
    let bytes = with_sections(deflated("", &sheet), Some(deflated("", shared.as_bytes())));
    let read = from_xlsx(&bytes, &f, ID).expect("reads");
    assert_eq!(
        read,
        vec![Imported {
            question_id: q.id.clone(),
            number: q.number.clone(),
            exported_version: None,
            rating: "achieving".into(),
            details: "Split across runs".into(),
        }]
    );
}

#[test]
fn every_bad_row_is_reported_and_nothing_is_imported() {
    let _one = serial();
    let f = benchmark();
    let q = &f.sections[0].questions[0];
    let sheet = worksheet(&format!(
        r#"<row r="2">{}{}</row><row r="3">{}{}</row><row r="4">{}</row>"#,
        inline("A2", &q.number),
        inline("D2", "Excellent"),
        inline("A3", "9.9"),
        inline("D3", "Achieving"),
        inline("A4", &q.number),
    ));
    let bytes = with_section(deflated("", &sheet));
    let problems = from_xlsx(&bytes, &f, ID).expect_err("bad rows");
    let places: Vec<(u32, &str)> = problems
        .iter()
        .filter(|p| p.sheet == first_section())
        .map(|p| (p.row, p.column.as_str()))
        .collect();
    assert_eq!(places, vec![(2, "D"), (3, "A"), (4, "A")]);
    assert_eq!(problems.len(), 3, "{problems:?}");

    // A changed hidden version is reported in its column.
    let sheet = worksheet(&format!(
        r#"<row r="2">{}{}{}{}</row>"#,
        inline("A2", &q.number),
        inline("D2", "Achieving"),
        inline("E2", "Reviewed by the board"),
        inline("G2", "latest"),
    ));
    let problems = from_xlsx(&with_section(deflated("", &sheet)), &f, ID).expect_err("bad version");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].row, problems[0].column.as_str()), (2, "G"));
    assert!(
        problems[0].message.contains("hidden answer version"),
        "{problems:?}"
    );

    // A rating that needs supporting details, without them, is reported in the details column.
    let sheet = worksheet(&format!(
        r#"<row r="2">{}{}{}</row>"#,
        inline("A2", &q.number),
        inline("D2", "Developing"),
        inline("E2", "   "),
    ));
    let problems = from_xlsx(&with_section(deflated("", &sheet)), &f, ID).expect_err("no details");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].row, problems[0].column.as_str()), (2, "E"));
    assert!(
        problems[0]
            .message
            .starts_with("Enter supporting details: a rating of Developing needs them"),
        "{problems:?}"
    );

    // A missing sheet is named.
    let names = sections();
    let mut listed: Vec<&str> = vec!["About"];
    listed.extend(names.iter().take(names.len() - 1).map(String::as_str));
    let mut entries = frame(&listed, false);
    entries.push(deflated("xl/worksheets/sheet1.xml", &cover()));
    for i in 1..names.len() {
        entries.push(deflated(
            &format!("xl/worksheets/sheet{}.xml", i + 1),
            &worksheet(""),
        ));
    }
    let problems = from_xlsx(&zip(&entries), &f, ID).expect_err("a missing sheet");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].sheet, names[names.len() - 1]);
    assert!(problems[0].message.contains("This sheet is missing"));

    // A file with very many bad rows lists the first hundred and counts the rest.
    let mut rows = String::new();
    for r in 2..=400 {
        rows.push_str(&format!(
            r#"<row r="{r}">{}</row>"#,
            inline(&format!("A{r}"), "0.0")
        ));
    }
    let bytes = with_section(deflated("", &worksheet(&rows)));
    let problems = from_xlsx(&bytes, &f, ID).expect_err("bad rows");
    assert_eq!(problems.len(), 101);
    assert!(
        problems[100].message.starts_with("299 more problems"),
        "{}",
        problems[100]
    );
}
