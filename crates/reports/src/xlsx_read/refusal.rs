//! The limits on an uploaded workbook, and why a file was refused.

#[allow(unused_imports)]
use super::*;

/// The limits on an uploaded workbook. Each is set well above anything this service exports:
/// the largest shipped framework has about 40 questions in 10 top-level sections, so its export
/// is a cover sheet and 10 section sheets of a header row and a few rows each, six columns wide,
/// with supporting details of at most 20,000 characters per question.
pub mod limits {
    use std::time::Duration;

    /// The largest file read at all: 16 MiB. The export of the largest framework with every
    /// supporting details cell full compresses to under 2 MiB even when the text does not
    /// compress, and the web layer accepts at most 11 MiB in a request by default.
    pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

    /// Entries in the archive: 200. The export of the largest framework has 20; a spreadsheet
    /// program adds a few per sheet for comments, drawings or printer settings.
    pub const MAX_ENTRIES: u64 = 200;

    /// Worksheets, counted both in the archive and in the workbook's list of sheets: 64. The
    /// export has one per top-level section plus the cover, 11 for the largest framework.
    pub const MAX_WORKSHEETS: usize = 64;

    /// What one part read may unpack to: 16 MiB. The largest part of an export is the shared
    /// text table: for the largest framework with 20,000 characters of details on every
    /// question, all of them four-byte characters, it is 3 MiB.
    pub const MAX_PART_BYTES: u64 = 16 * 1024 * 1024;

    /// What all the parts read may unpack to together: 32 MiB, twice one part. The shared
    /// text table holds nearly all of an export's text; the sheets hold cell references.
    pub const MAX_TOTAL_BYTES: u64 = 32 * 1024 * 1024;

    /// Rows: 5,000. The export has a header row and one row per question of a section.
    pub const MAX_ROWS: u32 = 5_000;

    /// Columns: 26, A to Z. The export fills six, A to F.
    pub const MAX_COLUMNS: u32 = 26;

    /// Entries in the shared text table: 100,000. An export has a few per question (its
    /// number, kind, question, rating, details, evidence) and some for the cover: under 300.
    pub const MAX_SHARED_STRINGS: usize = 100_000;

    /// Bytes of text kept from the shared text table: 8 MiB, more than twice the 3 MiB of
    /// the largest export written entirely in four-byte characters.
    pub const MAX_SHARED_STRING_BYTES: usize = 8 * 1024 * 1024;

    /// Text in one cell: 256 KiB. Excel holds at most 32,767 characters in a cell, at most
    /// 96 KiB of UTF-8; supporting details are limited to 20,000 characters.
    pub const MAX_CELL_TEXT_BYTES: usize = 256 * 1024;

    /// One XML tag, or one run of text between tags: 256 KiB. The longest text a cell can
    /// hold, written out with every character escaped as `&amp;`, is 160 KiB.
    pub const MAX_XML_EVENT_BYTES: usize = 256 * 1024;

    /// Element names: 128 bytes. The longest in a workbook are about 30.
    pub const MAX_XML_NAME_BYTES: usize = 128;

    /// Elements nested inside each other: 64. A worksheet nests at most seven deep
    /// (worksheet, sheetData, row, c, is, r, t); extension lists add a few more.
    pub const MAX_XML_DEPTH: usize = 64;

    /// Time spent reading: 2 seconds. A large export is read in a few milliseconds.
    pub const MAX_READ_TIME: Duration = Duration::from_secs(2);

    /// Sheet names: Excel allows 31 characters. Longer names cannot be one of ours.
    pub const MAX_SHEET_NAME_CHARS: usize = 31;

    /// A part's path inside the archive: 1,024 bytes.
    pub const MAX_PATH_BYTES: usize = 1024;
}

/// The limits in force for one reading. Always [`Limits::STANDARD`] outside tests.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub file_bytes: usize,
    pub entries: u64,
    pub worksheets: usize,
    pub part_bytes: u64,
    pub total_bytes: u64,
    pub rows: u32,
    pub columns: u32,
    pub shared_strings: usize,
    pub shared_string_bytes: usize,
    pub cell_text_bytes: usize,
    pub event_bytes: usize,
    pub depth: usize,
    pub time: Duration,
}

impl Limits {
    pub const STANDARD: Limits = Limits {
        file_bytes: limits::MAX_FILE_BYTES,
        entries: limits::MAX_ENTRIES,
        worksheets: limits::MAX_WORKSHEETS,
        part_bytes: limits::MAX_PART_BYTES,
        total_bytes: limits::MAX_TOTAL_BYTES,
        rows: limits::MAX_ROWS,
        columns: limits::MAX_COLUMNS,
        shared_strings: limits::MAX_SHARED_STRINGS,
        shared_string_bytes: limits::MAX_SHARED_STRING_BYTES,
        cell_text_bytes: limits::MAX_CELL_TEXT_BYTES,
        event_bytes: limits::MAX_XML_EVENT_BYTES,
        depth: limits::MAX_XML_DEPTH,
        time: limits::MAX_READ_TIME,
    };
}

/// Why an uploaded file was not read. Each says, for the person who uploaded it, what was
/// wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Empty,
    NotXlsx,
    NotAWorkbook,
    Protected,
    FileTooLarge {
        bytes: usize,
        limit: usize,
    },
    TooManyEntries {
        count: u64,
        limit: u64,
    },
    TooManyWorksheets {
        limit: usize,
    },
    Compression {
        part: String,
    },
    PartTooLarge {
        part: String,
        limit: u64,
    },
    TotalTooLarge {
        limit: u64,
    },
    TooDeep {
        part: String,
        limit: usize,
    },
    ElementTooLarge {
        part: String,
    },
    TooManyStrings {
        limit: usize,
    },
    StringsTooLarge {
        limit: usize,
    },
    /// A cell holding more text than a spreadsheet cell can. `at` is the sheet, row and
    /// column when the text is in the sheet itself rather than in the shared text table.
    CellTextTooLong {
        at: Option<(String, u32, u32)>,
    },
    CellOutOfRange {
        sheet: String,
        reference: String,
        row: u32,
        column: String,
        rows: u32,
        columns: u32,
    },
    DimensionOutOfRange {
        sheet: String,
        reference: String,
        rows: u32,
        columns: u32,
    },
    Damaged {
        part: String,
        what: &'static str,
    },
    TimedOut {
        limit: Duration,
    },
}

/// `1234567` as `1,234,567`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut groups: Vec<&str> = Vec::new();
    let mut rest = digits.as_str();
    while rest.len() > 3 {
        let (head, tail) = rest.split_at(rest.len() - 3);
        groups.push(tail);
        rest = head;
    }
    groups.push(rest);
    groups.reverse();
    groups.join(",")
}

/// The letters of a zero-based column index: 0 is A, 26 is AA.
pub(crate) fn column_letters(c: u64) -> String {
    let mut n = c.saturating_add(1);
    let mut s = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        s.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

pub(super) fn megabytes(bytes: u64) -> String {
    grouped(bytes.div_ceil(1024 * 1024))
}

/// At most `max` characters of `s`, marked when shortened.
pub(crate) fn shortened(s: &str, max: usize) -> String {
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

pub(super) const EXPORT_AGAIN: &str = "Export the assessment again and fill that file in";

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Empty => write!(
                f,
                "The file is empty. Export the assessment, fill it in and upload that file"
            ),
            Refusal::NotXlsx => write!(
                f,
                "The file is not an .xlsx spreadsheet. Export the assessment, fill it in and upload that file"
            ),
            Refusal::NotAWorkbook => write!(
                f,
                "The file is a compressed archive but not an Excel workbook. Export the assessment, fill it in and upload that file"
            ),
            Refusal::Protected => write!(
                f,
                "The file is password-protected or in the older .xls format. Save it as an Excel workbook (.xlsx) without a password and upload it again"
            ),
            Refusal::FileTooLarge { bytes, limit } => write!(
                f,
                "The file is {} MB, larger than any spreadsheet this service exports (at most {} MB). {EXPORT_AGAIN}",
                megabytes(*bytes as u64),
                megabytes(*limit as u64)
            ),
            Refusal::TooManyEntries { count, limit } => write!(
                f,
                "The file is made of {} parts, more than any spreadsheet this service exports (at most {}). {EXPORT_AGAIN}, without adding pictures or other content",
                grouped(*count),
                grouped(*limit)
            ),
            Refusal::TooManyWorksheets { limit } => write!(
                f,
                "The spreadsheet has more than {} sheets; no spreadsheet this service exports has that many. Remove the sheets you added, or export the assessment again and fill that file in",
                grouped(*limit as u64)
            ),
            Refusal::Compression { part } => write!(
                f,
                "{part} is compressed in a way spreadsheet programs do not use for .xlsx files. Save the file again from your spreadsheet program and upload it"
            ),
            Refusal::PartTooLarge { part, limit } => write!(
                f,
                "{part} unpacks to more than {} MB, far more than any spreadsheet this service exports. {EXPORT_AGAIN}",
                megabytes(*limit)
            ),
            Refusal::TotalTooLarge { limit } => write!(
                f,
                "The spreadsheet unpacks to more than {} MB, far more than any spreadsheet this service exports. {EXPORT_AGAIN}",
                megabytes(*limit)
            ),
            Refusal::TooDeep { part, limit } => write!(
                f,
                "{part} has elements nested more than {limit} levels deep, which no spreadsheet program writes. {EXPORT_AGAIN}"
            ),
            Refusal::ElementTooLarge { part } => write!(
                f,
                "{part} has a single element larger than any spreadsheet program writes. {EXPORT_AGAIN}"
            ),
            Refusal::TooManyStrings { limit } => write!(
                f,
                "The spreadsheet holds more than {} different pieces of text, far more than any spreadsheet this service exports. {EXPORT_AGAIN}",
                grouped(*limit as u64)
            ),
            Refusal::StringsTooLarge { limit } => write!(
                f,
                "The spreadsheet holds more than {} MB of text, far more than any spreadsheet this service exports. {EXPORT_AGAIN}",
                megabytes(*limit as u64)
            ),
            Refusal::CellTextTooLong { .. } => write!(
                f,
                "A cell holds more text than a spreadsheet cell can (32,767 characters). Shorten it, or export the assessment again and fill that file in"
            ),
            Refusal::CellOutOfRange {
                reference,
                rows,
                columns,
                ..
            } => write!(
                f,
                "The spreadsheet has a cell at {}, beyond the largest sheet this service exports (column {}, row {}). {EXPORT_AGAIN}",
                shortened(reference, 20),
                column_letters(u64::from(columns.saturating_sub(1))),
                grouped(u64::from(*rows))
            ),
            Refusal::DimensionOutOfRange {
                reference,
                rows,
                columns,
                ..
            } => write!(
                f,
                "The sheet says it uses the cells {}, beyond the largest sheet this service exports (column {}, row {}). Delete any rows and columns you added beyond the table, or export the assessment again and fill that file in",
                shortened(reference, 30),
                column_letters(u64::from(columns.saturating_sub(1))),
                grouped(u64::from(*rows))
            ),
            Refusal::Damaged { part, what } => write!(
                f,
                "{part} {what}: the spreadsheet is damaged. Save it again from your spreadsheet program, or export the assessment again and fill that file in"
            ),
            Refusal::TimedOut { limit } => write!(
                f,
                "The spreadsheet took more than {} seconds to read, far longer than any spreadsheet this service exports. {EXPORT_AGAIN}",
                limit.as_secs().max(1)
            ),
        }
    }
}

impl std::error::Error for Refusal {}

impl Refusal {
    /// Where the problem is: the sheet (or `(file)`), the row as a spreadsheet shows it (0 when
    /// it is not one row) and the column letters (`-` when it is not one column).
    pub(crate) fn place(&self) -> (String, u32, String) {
        match self {
            Refusal::CellOutOfRange {
                sheet, row, column, ..
            } => (sheet.clone(), *row, column.clone()),
            Refusal::CellTextTooLong {
                at: Some((sheet, row, column)),
            } => (
                sheet.clone(),
                row.saturating_add(1),
                column_letters(u64::from(*column)),
            ),
            Refusal::DimensionOutOfRange { sheet, .. } => (sheet.clone(), 0, "-".into()),
            _ => ("(file)".into(), 0, "-".into()),
        }
    }
}
