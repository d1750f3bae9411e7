//! A bounded reader for a filled-in assessment workbook.
//!
//! Any contributor can upload a spreadsheet, so nothing in an upload may take the server down
//! or hold a core for long. An .xlsx file is a zip archive of XML parts; this reader bounds the
//! work at every step before anything large is allocated:
//!
//! - the archive: its size, its number of entries and of worksheets, and how much each part it
//!   reads really unpacks to (counted as the bytes come out, never taken from the archive's own
//!   headers) and all of them together;
//! - the XML: how deep elements nest and how large one tag or run of text may be;
//! - the cells: the sheet's declared extent and every cell reference must lie within the largest
//!   sheet this service exports, and only the cells the import needs are kept, in a sparse map;
//! - the shared text table: how many entries and how many bytes;
//! - and, last of all, a time budget.
//!
//! The first limit reached ends the reading with a [`Refusal`] that says which limit it was.
//!
//! Why the reading is done here rather than by a spreadsheet library or a zip library:
//!
//! - calamine builds a dense grid spanning every cell a sheet names (two cells, A1 and
//!   XFD1048576, ask for 512 GiB), reads the whole shared text table before a sheet is opened,
//!   and has no hook for stopping partway.
//! - The zip crate's archive reader looks for the end-of-archive record by scanning backwards
//!   through the whole file and starts again from every earlier candidate when one does not
//!   check out, so a crafted upload costs seconds before any limit here could apply. The zip
//!   layout needed here is small and fixed: the end record, at most [`limits::MAX_ENTRIES`]
//!   central directory records and a local header per part read. Parts are inflated with
//!   flate2 (the library the zip crate inflates with) and parsed with quick-xml's streaming
//!   reader (the parser calamine uses), one event at a time.

use flate2::bufread::DeflateDecoder;
use flate2::Crc;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead, Read};
use std::time::{Duration, Instant};

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

fn megabytes(bytes: u64) -> String {
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

const EXPORT_AGAIN: &str = "Export the assessment again and fill that file in";

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

// ---------------------------------------------------------------------------------------------
// The archive

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_RECORD: u32 = 0x0605_4b50;
const ZIP64_END_RECORD: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
/// The compound file format of password-protected workbooks and old .xls files.
const COMPOUND_FILE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn bytes_at<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    bytes_at(b, at).map(u16::from_le_bytes)
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    bytes_at(b, at).map(u32::from_le_bytes)
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    bytes_at(b, at).map(u64::from_le_bytes)
}

/// One entry of the central directory. Sizes and offsets as declared: they say where to look,
/// never how much to expect.
#[derive(Clone, Debug)]
struct Entry {
    /// Where the name is in the file.
    name: (usize, usize),
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    local: u64,
}

/// The end-of-archive record: the last one in the file, whose comment ends the file exactly.
fn find_end_record(b: &[u8]) -> Option<usize> {
    let last = b.len().checked_sub(22)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    (first..=last).rev().find(|&at| {
        u32_at(b, at) == Some(END_RECORD)
            && u16_at(b, at + 20).is_some_and(|c| at + 22 + usize::from(c) == b.len())
    })
}

/// The central directory, read in one pass over at most `limits.entries` records.
fn central_directory(b: &[u8], limits: &Limits) -> Result<Vec<Entry>, Refusal> {
    let end = find_end_record(b).ok_or(Refusal::NotXlsx)?;
    let field16 = |at: usize| u16_at(b, end + at).ok_or(Refusal::NotXlsx);
    let field32 = |at: usize| u32_at(b, end + at).ok_or(Refusal::NotXlsx);
    let (disk, cd_disk) = (field16(4)?, field16(6)?);
    let count16 = field16(10)?;
    let (size32, offset32) = (field32(12)?, field32(16)?);
    let (count, size, offset, directory_end) =
        if count16 == u16::MAX || size32 == u32::MAX || offset32 == u32::MAX {
            // Zip64: the real figures are in a second end record that a locator points to.
            let locator = end.checked_sub(20).ok_or(Refusal::NotXlsx)?;
            if u32_at(b, locator) != Some(ZIP64_LOCATOR) {
                return Err(Refusal::NotXlsx);
            }
            let record = u64_at(b, locator + 8)
                .and_then(|r| usize::try_from(r).ok())
                .filter(|r| *r < locator)
                .ok_or(Refusal::NotXlsx)?;
            if u32_at(b, record) != Some(ZIP64_END_RECORD) {
                return Err(Refusal::NotXlsx);
            }
            let read = |at: usize| u64_at(b, record + at).ok_or(Refusal::NotXlsx);
            (read(32)?, read(40)?, read(48)?, record)
        } else {
            (
                u64::from(count16),
                u64::from(size32),
                u64::from(offset32),
                end,
            )
        };
    if count > limits.entries {
        return Err(Refusal::TooManyEntries {
            count,
            limit: limits.entries,
        });
    }
    if disk != 0 || cd_disk != 0 {
        return Err(Refusal::NotXlsx);
    }
    let start = usize::try_from(offset).map_err(|_| Refusal::NotXlsx)?;
    let stop = usize::try_from(size)
        .ok()
        .and_then(|s| start.checked_add(s))
        .filter(|s| *s <= directory_end)
        .ok_or(Refusal::NotXlsx)?;
    let mut entries = Vec::new();
    let mut at = start;
    for _ in 0..count {
        if u32_at(b, at) != Some(CENTRAL_HEADER) {
            return Err(Refusal::NotXlsx);
        }
        let h16 = |o: usize| u16_at(b, at + o).ok_or(Refusal::NotXlsx);
        let h32 = |o: usize| u32_at(b, at + o).ok_or(Refusal::NotXlsx);
        let name_len = usize::from(h16(28)?);
        let extra_len = usize::from(h16(30)?);
        let comment_len = usize::from(h16(32)?);
        let name_at = at + 46;
        let extra_at = name_at + name_len;
        let next = extra_at + extra_len + comment_len;
        if next > stop {
            return Err(Refusal::NotXlsx);
        }
        let mut entry = Entry {
            name: (name_at, name_len),
            flags: h16(8)?,
            method: h16(10)?,
            crc: h32(16)?,
            compressed: u64::from(h32(20)?),
            uncompressed: u64::from(h32(24)?),
            local: u64::from(h32(42)?),
        };
        let extra = b.get(extra_at..extra_at + extra_len).unwrap_or(&[]);
        apply_zip64_extra(&mut entry, extra);
        entries.push(entry);
        at = next;
    }
    Ok(entries)
}

/// Sizes and offsets too large for the 32-bit fields are in the Zip64 extra field, in order,
/// for those fields that hold 0xFFFFFFFF.
fn apply_zip64_extra(e: &mut Entry, extra: &[u8]) {
    let mut at = 0;
    while let (Some(id), Some(len)) = (u16_at(extra, at), u16_at(extra, at + 2)) {
        let body = extra.get(at + 4..at + 4 + usize::from(len)).unwrap_or(&[]);
        if id == 1 {
            let mut field = 0;
            let mut next = || {
                let v = u64_at(body, field);
                field += 8;
                v
            };
            for slot in [&mut e.uncompressed, &mut e.compressed, &mut e.local] {
                if *slot == u64::from(u32::MAX) {
                    if let Some(v) = next() {
                        *slot = v;
                    }
                }
            }
            return;
        }
        at += 4 + usize::from(len);
    }
}

// ---------------------------------------------------------------------------------------------
// Reading one part

/// What the whole reading may still spend, shared by the parts it opens.
struct Budget {
    limits: Limits,
    deadline: Option<Instant>,
    total: Cell<u64>,
    /// The limit that stopped a reader, kept here because the XML parser only passes on an
    /// I/O error.
    tripped: RefCell<Option<Refusal>>,
}

impl Budget {
    fn new(limits: Limits) -> Self {
        Budget {
            limits,
            deadline: Instant::now().checked_add(limits.time),
            total: Cell::new(0),
            tripped: RefCell::new(None),
        }
    }

    fn trip(&self, r: Refusal) -> io::Error {
        let mut t = self.tripped.borrow_mut();
        if t.is_none() {
            *t = Some(r);
        }
        io::Error::other("a limit on uploaded spreadsheets was reached")
    }

    fn out_of_time(&self) -> bool {
        self.deadline.is_none_or(|d| Instant::now() > d)
    }

    fn check_time(&self) -> Result<(), Refusal> {
        if self.out_of_time() {
            Err(Refusal::TimedOut {
                limit: self.limits.time,
            })
        } else {
            Ok(())
        }
    }

    /// The refusal behind a failed read: a limit if one was reached, otherwise damage.
    fn failure(&self, part: &str, what: &'static str) -> Refusal {
        self.tripped
            .borrow_mut()
            .take()
            .unwrap_or(Refusal::Damaged {
                part: part.to_owned(),
                what,
            })
    }
}

enum Source<'a> {
    Stored(&'a [u8]),
    Deflated(Box<DeflateDecoder<&'a [u8]>>),
}

impl Read for Source<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Stored(s) => s.read(out),
            Source::Deflated(d) => d.read(out),
        }
    }
}

const CHUNK: usize = 16 * 1024;

/// A part's bytes as they unpack, counted against the part's limit, the whole reading's limit
/// and the time budget as they come out, and against the size of one XML event as the parser
/// takes them.
struct Part<'a> {
    label: String,
    source: Source<'a>,
    chunk: Box<[u8]>,
    pos: usize,
    filled: usize,
    produced: u64,
    crc: Crc,
    declared_crc: u32,
    declared_size: u64,
    /// Bytes the parser has taken since the current event began.
    event: usize,
    budget: &'a Budget,
}

impl Part<'_> {
    /// Read to the end, then check the part against its checksum and declared size.
    fn finish(mut self) -> Result<(), Refusal> {
        loop {
            self.event = 0;
            let n = match self.fill_buf() {
                Ok(rest) => rest.len(),
                Err(_) => return Err(self.budget.failure(&self.label, "cannot be unpacked")),
            };
            if n == 0 {
                break;
            }
            self.consume(n);
        }
        if self.produced != self.declared_size || self.crc.sum() != self.declared_crc {
            return Err(Refusal::Damaged {
                part: self.label,
                what: "does not match its checksum",
            });
        }
        Ok(())
    }
}

impl Read for Part<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let rest = self.fill_buf()?;
        let n = rest.len().min(out.len());
        if let (Some(to), Some(from)) = (out.get_mut(..n), rest.get(..n)) {
            to.copy_from_slice(from);
        }
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Part<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let limits = self.budget.limits;
        if self.event > limits.event_bytes {
            return Err(self.budget.trip(Refusal::ElementTooLarge {
                part: self.label.clone(),
            }));
        }
        if self.pos >= self.filled {
            if self.budget.out_of_time() {
                return Err(self.budget.trip(Refusal::TimedOut { limit: limits.time }));
            }
            let n = self.source.read(&mut self.chunk)?;
            let got = self.chunk.get(..n).unwrap_or(&[]);
            self.crc.update(got);
            self.produced = self.produced.saturating_add(n as u64);
            self.budget
                .total
                .set(self.budget.total.get().saturating_add(n as u64));
            if self.produced > limits.part_bytes {
                return Err(self.budget.trip(Refusal::PartTooLarge {
                    part: self.label.clone(),
                    limit: limits.part_bytes,
                }));
            }
            if self.budget.total.get() > limits.total_bytes {
                return Err(self.budget.trip(Refusal::TotalTooLarge {
                    limit: limits.total_bytes,
                }));
            }
            self.pos = 0;
            self.filled = n;
        }
        Ok(self.chunk.get(self.pos..self.filled).unwrap_or(&[]))
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.filled.saturating_sub(self.pos));
        self.pos += n;
        self.event = self.event.saturating_add(n);
    }
}

/// A part's XML, event by event, with its depth and event size bounded.
struct Xml<'a> {
    reader: Reader<Part<'a>>,
    depth: usize,
    budget: &'a Budget,
    label: String,
    /// Whether the root element has been seen.
    rooted: bool,
}

impl<'a> Xml<'a> {
    fn new(part: Part<'a>) -> Self {
        let label = part.label.clone();
        let budget = part.budget;
        let mut reader = Reader::from_reader(part);
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = false;
        config.check_comments = false;
        config.expand_empty_elements = false;
        Xml {
            reader,
            depth: 0,
            budget,
            label,
            rooted: false,
        }
    }

    fn damaged(&self, what: &'static str) -> Refusal {
        Refusal::Damaged {
            part: self.label.clone(),
            what,
        }
    }

    /// The next event. The first element must be `root`; text before it must be blank.
    fn next<'b>(&mut self, buf: &'b mut Vec<u8>, root: &[u8]) -> Result<Event<'b>, Refusal> {
        buf.clear();
        self.reader.get_mut().event = 0;
        let event = match self.reader.read_event_into(buf) {
            Ok(e) => e,
            Err(_) => return Err(self.budget.failure(&self.label, "is not well-formed XML")),
        };
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                if e.name().as_ref().len() > limits::MAX_XML_NAME_BYTES {
                    return Err(Refusal::ElementTooLarge {
                        part: self.label.clone(),
                    });
                }
                if !self.rooted {
                    if e.local_name().as_ref() != root {
                        return Err(self.damaged("does not hold what its name says"));
                    }
                    self.rooted = true;
                }
                if matches!(event, Event::Start(_)) {
                    self.depth += 1;
                    if self.depth > self.budget.limits.depth {
                        return Err(Refusal::TooDeep {
                            part: self.label.clone(),
                            limit: self.budget.limits.depth,
                        });
                    }
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            Event::Text(t) if !self.rooted && !t.iter().all(u8::is_ascii_whitespace) => {
                return Err(self.damaged("does not hold what its name says"));
            }
            Event::CData(_) if !self.rooted => {
                return Err(self.damaged("does not hold what its name says"));
            }
            Event::Eof if !self.rooted => {
                return Err(self.damaged("is empty"));
            }
            _ => {}
        }
        Ok(event)
    }

    fn decoder(&self) -> quick_xml::encoding::Decoder {
        self.reader.decoder()
    }

    fn finish(self) -> Result<(), Refusal> {
        self.reader.into_inner().finish()
    }
}

/// The value of the attribute whose local name is `local` (and, when `prefixed`, that has a
/// namespace prefix), unescaped. Attributes are read without the parser's duplicate check,
/// whose cost grows with the square of their number.
fn attribute<'e>(
    e: &'e BytesStart<'_>,
    local: &[u8],
    prefixed: bool,
    xml: &Xml<'_>,
) -> Result<Option<Cow<'e, str>>, Refusal> {
    let mut attrs = e.attributes();
    attrs.with_checks(false);
    for a in attrs {
        let a = a.map_err(|_| xml.damaged("has an attribute that cannot be read"))?;
        if a.key.local_name().as_ref() == local && a.key.prefix().is_some() == prefixed {
            return a
                .decode_and_unescape_value(xml.decoder())
                .map(Some)
                .map_err(|_| xml.damaged("has an attribute that cannot be read"));
        }
    }
    Ok(None)
}

/// Text as Office writes it: a character that XML cannot carry is written `_xHHHH_`.
fn decode_office_escapes(s: String) -> String {
    if !s.contains("_x") {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("_x") {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        let code = from
            .get(2..6)
            .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
            .filter(|_| from.as_bytes().get(6) == Some(&b'_'))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match code {
            Some(c) => {
                out.push(c);
                rest = from.get(7..).unwrap_or("");
            }
            None => {
                out.push_str("_x");
                rest = from.get(2..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// A cell reference such as `D12`, as one-based (row, column). Letters may be either case.
/// Figures beyond any sheet saturate rather than wrap.
fn parse_reference(r: &[u8]) -> Option<(u64, u64)> {
    let letters = r.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let (col, row) = r.split_at(letters);
    if col.is_empty() || row.is_empty() || !row.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let column = col.iter().fold(0u64, |n, c| {
        n.saturating_mul(26)
            .saturating_add(u64::from(c.to_ascii_uppercase() - b'A' + 1))
    });
    let row = parse_number(row)?;
    (row > 0).then_some((row, column))
}

fn parse_number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

// ---------------------------------------------------------------------------------------------
// The workbook

/// The cells kept from one sheet: only the columns asked for, by zero-based (row, column).
pub(crate) struct SheetCells<'b> {
    cells: BTreeMap<(u32, u32), Cow<'b, str>>,
}

impl SheetCells<'_> {
    /// The text of a cell; empty when the cell is empty or was not kept.
    pub(crate) fn text(&self, row: u32, column: u32) -> &str {
        self.cells.get(&(row, column)).map_or("", |c| c.as_ref())
    }

    /// The zero-based rows that have a kept cell, in order.
    pub(crate) fn rows(&self) -> Vec<u32> {
        let mut rows: Vec<u32> = self.cells.keys().map(|k| k.0).collect();
        rows.dedup();
        rows
    }
}

/// An opened workbook: its archive checked, its list of sheets and its shared text read.
/// Sheets are read one at a time, on request.
pub(crate) struct Book<'a> {
    bytes: &'a [u8],
    entries: Vec<Entry>,
    budget: Budget,
    /// Sheet name and the path of its part, in workbook order.
    sheets: Vec<(String, Option<String>)>,
    strings: Vec<String>,
}

impl<'a> Book<'a> {
    pub(crate) fn open(bytes: &'a [u8]) -> Result<Self, Refusal> {
        Self::open_with(bytes, Limits::STANDARD)
    }

    pub(crate) fn open_with(bytes: &'a [u8], limits: Limits) -> Result<Self, Refusal> {
        let budget = Budget::new(limits);
        if bytes.is_empty() {
            return Err(Refusal::Empty);
        }
        if bytes.starts_with(&COMPOUND_FILE) {
            return Err(Refusal::Protected);
        }
        if bytes.len() > limits.file_bytes {
            return Err(Refusal::FileTooLarge {
                bytes: bytes.len(),
                limit: limits.file_bytes,
            });
        }
        if u32_at(bytes, 0) != Some(LOCAL_HEADER) {
            return Err(Refusal::NotXlsx);
        }
        let entries = central_directory(bytes, &limits)?;
        let worksheets = entries
            .iter()
            .filter(|e| is_worksheet_part(entry_name(bytes, e)))
            .count();
        if worksheets > limits.worksheets {
            return Err(Refusal::TooManyWorksheets {
                limit: limits.worksheets,
            });
        }
        let mut book = Book {
            bytes,
            entries,
            budget,
            sheets: Vec::new(),
            strings: Vec::new(),
        };
        book.budget.check_time()?;
        let Some(workbook) = book.part("xl/workbook.xml", "The list of sheets")? else {
            return Err(Refusal::NotAWorkbook);
        };
        let listed = read_workbook(Xml::new(workbook))?;
        let Some(rels) = book.part("xl/_rels/workbook.xml.rels", "The list of parts")? else {
            return Err(Refusal::Damaged {
                part: "The list of parts".into(),
                what: "is missing",
            });
        };
        let wanted: Vec<&str> = listed.iter().map(|(_, id)| id.as_str()).collect();
        let (targets, shared) = read_relationships(Xml::new(rels), &wanted)?;
        book.sheets = listed
            .into_iter()
            .map(|(name, id)| {
                let path = targets.get(&id).map(|t| resolve(t));
                (name, path)
            })
            .collect();
        let shared_path = shared.map_or_else(|| "xl/sharedStrings.xml".to_owned(), |t| resolve(&t));
        if let Some(part) = book.part(&shared_path, "The text of the cells")? {
            book.strings = read_shared_strings(Xml::new(part), &limits)?;
        }
        book.budget.check_time()?;
        Ok(book)
    }

    /// The part at `path`, ready to read, or `None` when the archive has no such part.
    fn part(&self, path: &str, label: &str) -> Result<Option<Part<'_>>, Refusal> {
        let Some(e) = self
            .entries
            .iter()
            .find(|e| same_path(entry_name(self.bytes, e), path))
        else {
            return Ok(None);
        };
        let damaged = |what| Refusal::Damaged {
            part: label.to_owned(),
            what,
        };
        if e.flags & 1 != 0 {
            return Err(Refusal::Protected);
        }
        let local = usize::try_from(e.local).map_err(|_| damaged("cannot be found"))?;
        if u32_at(self.bytes, local) != Some(LOCAL_HEADER) {
            return Err(damaged("cannot be found"));
        }
        let name_len = u16_at(self.bytes, local + 26).ok_or(damaged("cannot be found"))?;
        let extra_len = u16_at(self.bytes, local + 28).ok_or(damaged("cannot be found"))?;
        let start = local + 30 + usize::from(name_len) + usize::from(extra_len);
        let data = usize::try_from(e.compressed)
            .ok()
            .and_then(|n| self.bytes.get(start..start.checked_add(n)?))
            .ok_or(damaged("is cut short"))?;
        let source = match e.method {
            0 => Source::Stored(data),
            8 => Source::Deflated(Box::new(DeflateDecoder::new(data))),
            _ => {
                return Err(Refusal::Compression {
                    part: label.to_owned(),
                })
            }
        };
        Ok(Some(Part {
            label: label.to_owned(),
            source,
            chunk: vec![0; CHUNK].into_boxed_slice(),
            pos: 0,
            filled: 0,
            produced: 0,
            crc: Crc::new(),
            declared_crc: e.crc,
            declared_size: e.uncompressed,
            event: 0,
            budget: &self.budget,
        }))
    }

    /// The sheet called `name`, keeping the zero-based `columns` only; `None` when the workbook
    /// has no such sheet.
    pub(crate) fn sheet(
        &self,
        name: &str,
        columns: &[u32],
    ) -> Result<Option<SheetCells<'_>>, Refusal> {
        self.budget.check_time()?;
        let Some((_, path)) = self.sheets.iter().find(|(n, _)| n == name) else {
            return Ok(None);
        };
        let label = format!("The sheet '{name}'");
        let Some(path) = path else {
            return Err(Refusal::Damaged {
                part: label,
                what: "cannot be found",
            });
        };
        let Some(part) = self.part(path, &label)? else {
            return Err(Refusal::Damaged {
                part: label,
                what: "is missing",
            });
        };
        let cells = read_sheet(Xml::new(part), name, columns, &self.strings)?;
        self.budget.check_time()?;
        Ok(Some(cells))
    }
}

fn entry_name<'b>(bytes: &'b [u8], e: &Entry) -> &'b [u8] {
    bytes.get(e.name.0..e.name.0 + e.name.1).unwrap_or(&[])
}

/// Whether an archive entry is a worksheet: a part directly in `xl/worksheets/`.
fn is_worksheet_part(name: &[u8]) -> bool {
    const FOLDER: &[u8] = b"xl/worksheets/";
    let name = name.strip_prefix(b"/").unwrap_or(name);
    let Some((folder, file)) = name.split_at_checked(FOLDER.len()) else {
        return false;
    };
    let slash = |c: &u8| *c == b'/' || *c == b'\\';
    folder
        .iter()
        .zip(FOLDER)
        .all(|(a, b)| a.eq_ignore_ascii_case(b) || (slash(a) && *b == b'/'))
        && !file.is_empty()
        && !file.iter().any(slash)
}

/// Whether an archive entry's name is `path`, ignoring case and the direction of slashes.
fn same_path(name: &[u8], path: &str) -> bool {
    let name = name.strip_prefix(b"/").unwrap_or(name);
    name.len() == path.len()
        && name.iter().zip(path.bytes()).all(|(a, b)| {
            let a = if *a == b'\\' { b'/' } else { *a };
            a.eq_ignore_ascii_case(&b)
        })
}

/// A relationship's target as a path in the archive: relative to `xl/` unless it starts at
/// the root.
fn resolve(target: &str) -> String {
    let full = match target.strip_prefix('/') {
        Some(abs) => abs.to_owned(),
        None => format!("xl/{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in full.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The workbook's sheets: name and relationship id, in order.
fn read_workbook(mut xml: Xml<'_>) -> Result<Vec<(String, String)>, Refusal> {
    let limit = xml.budget.limits.worksheets;
    let mut sheets = Vec::new();
    let mut count = 0usize;
    let mut buf = Vec::new();
    loop {
        match xml.next(&mut buf, b"workbook")? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"sheet" => {
                count += 1;
                if count > limit {
                    return Err(Refusal::TooManyWorksheets { limit });
                }
                let name = attribute(&e, b"name", false, &xml)?;
                let id = attribute(&e, b"id", true, &xml)?;
                if let (Some(name), Some(id)) = (name, id) {
                    // A longer name is not one this service exports; it is counted, not kept.
                    if name.chars().count() <= limits::MAX_SHEET_NAME_CHARS
                        && id.len() <= limits::MAX_PATH_BYTES
                    {
                        sheets.push((name.into_owned(), id.into_owned()));
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    xml.finish()?;
    Ok(sheets)
}

/// The targets of the relationships in `wanted`, and the target of the shared text table.
fn read_relationships(
    mut xml: Xml<'_>,
    wanted: &[&str],
) -> Result<(HashMap<String, String>, Option<String>), Refusal> {
    let mut targets = HashMap::new();
    let mut shared = None;
    let mut buf = Vec::new();
    loop {
        match xml.next(&mut buf, b"Relationships")? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                let (Some(id), Some(target)) = (
                    attribute(&e, b"Id", false, &xml)?,
                    attribute(&e, b"Target", false, &xml)?,
                ) else {
                    continue;
                };
                if target.len() > limits::MAX_PATH_BYTES {
                    continue;
                }
                let kind = attribute(&e, b"Type", false, &xml)?;
                if shared.is_none() && kind.is_some_and(|k| k.ends_with("/sharedStrings")) {
                    shared = Some(target.clone().into_owned());
                }
                if wanted.contains(&id.as_ref()) && !targets.contains_key(id.as_ref()) {
                    targets.insert(id.into_owned(), target.into_owned());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    xml.finish()?;
    Ok((targets, shared))
}

/// Appends text to a cell's text, within the limit on one cell.
fn append(to: &mut String, text: &str, limit: usize) -> Result<(), ()> {
    if to.len().saturating_add(text.len()) > limit {
        return Err(());
    }
    to.push_str(text);
    Ok(())
}

/// The shared text table: every entry's text, rich text runs joined, phonetic guides left out.
fn read_shared_strings(mut xml: Xml<'_>, limits: &Limits) -> Result<Vec<String>, Refusal> {
    let mut strings = Vec::new();
    let mut bytes = 0usize;
    let mut current: Option<String> = None;
    let mut in_text = false;
    let mut phonetic = 0usize;
    let mut buf = Vec::new();
    let too_long = || Refusal::CellTextTooLong { at: None };
    loop {
        let event = xml.next(&mut buf, b"sst")?;
        let finished = match event {
            Event::Start(e) => {
                match e.local_name().as_ref() {
                    b"si" => current = Some(String::new()),
                    b"rPh" => phonetic += 1,
                    b"t" => in_text = current.is_some() && phonetic == 0,
                    _ => {}
                }
                None
            }
            Event::Empty(e) if e.local_name().as_ref() == b"si" => Some(String::new()),
            Event::End(e) => match e.local_name().as_ref() {
                b"si" => current.take(),
                b"rPh" => {
                    phonetic = phonetic.saturating_sub(1);
                    None
                }
                b"t" => {
                    in_text = false;
                    None
                }
                _ => None,
            },
            Event::Text(t) if in_text => {
                let text = t
                    .unescape()
                    .map_err(|_| xml.damaged("has text that cannot be read"))?;
                if let Some(s) = current.as_mut() {
                    append(s, &text, limits.cell_text_bytes).map_err(|_| too_long())?;
                }
                None
            }
            Event::CData(t) if in_text => {
                let text = t
                    .decode()
                    .map_err(|_| xml.damaged("has text that cannot be read"))?;
                if let Some(s) = current.as_mut() {
                    append(s, &text, limits.cell_text_bytes).map_err(|_| too_long())?;
                }
                None
            }
            Event::Eof => break,
            _ => None,
        };
        if let Some(s) = finished {
            if strings.len() >= limits.shared_strings {
                return Err(Refusal::TooManyStrings {
                    limit: limits.shared_strings,
                });
            }
            bytes = bytes.saturating_add(s.len());
            if bytes > limits.shared_string_bytes {
                return Err(Refusal::StringsTooLarge {
                    limit: limits.shared_string_bytes,
                });
            }
            strings.push(decode_office_escapes(s));
            in_text = false;
        }
    }
    xml.finish()?;
    Ok(strings)
}

/// How a cell's value is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Shared,
    Inline,
    Bool,
    /// A number, or text when it does not read as one.
    Number,
    /// Written as it is: formula text, errors, ISO dates.
    Verbatim,
}

struct OpenCell {
    row: u32,
    column: u32,
    kind: Kind,
    keep: bool,
    value: String,
}

/// The kept cells of one worksheet. The declared extent and every cell's position are checked
/// against the largest sheet this service exports before the cell is read.
fn read_sheet<'b>(
    mut xml: Xml<'_>,
    sheet: &str,
    columns: &[u32],
    strings: &'b [String],
) -> Result<SheetCells<'b>, Refusal> {
    let limits = xml.budget.limits;
    let mut cells: BTreeMap<(u32, u32), Cow<'b, str>> = BTreeMap::new();
    let mut in_data = false;
    // The zero-based position the next row and cell take when they do not say theirs.
    let mut next_row: u32 = 0;
    let mut next_column: u32 = 0;
    let mut cell: Option<OpenCell> = None;
    // What text is being collected: a value, or the text of an inline string.
    let mut in_value = false;
    let mut in_inline = false;
    let mut in_text = false;
    let mut phonetic = 0usize;
    let mut buf = Vec::new();
    let out_of_range = |reference: String, row: u64, column: u64| Refusal::CellOutOfRange {
        sheet: sheet.to_owned(),
        reference,
        row: u32::try_from(row).unwrap_or(u32::MAX),
        column: column_letters(column.saturating_sub(1)),
        rows: limits.rows,
        columns: limits.columns,
    };
    loop {
        let event = xml.next(&mut buf, b"worksheet")?;
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            match e.local_name().as_ref() {
                b"dimension" if !in_data => {
                    if let Some(r) = attribute(e, b"ref", false, &xml)? {
                        check_dimension(&r, sheet, &limits)?;
                    }
                }
                b"sheetData" => in_data = !empty,
                b"row" if in_data => {
                    if let Some(r) = attribute(e, b"r", false, &xml)? {
                        let n = parse_number(r.trim().as_bytes())
                            .filter(|n| *n > 0)
                            .ok_or_else(|| xml.damaged("has a row with no row number"))?;
                        next_row = u32::try_from(n - 1).unwrap_or(u32::MAX);
                    }
                    next_column = 0;
                    if empty {
                        next_row = next_row.saturating_add(1);
                    }
                }
                b"c" if in_data => {
                    let (row, column) = match attribute(e, b"r", false, &xml)? {
                        Some(r) => {
                            let (row, column) = parse_reference(r.trim().as_bytes())
                                .ok_or_else(|| xml.damaged("has a cell with no position"))?;
                            if row > u64::from(limits.rows) || column > u64::from(limits.columns) {
                                return Err(out_of_range(r.trim().to_owned(), row, column));
                            }
                            (row, column)
                        }
                        None => {
                            let (row, column) =
                                (u64::from(next_row) + 1, u64::from(next_column) + 1);
                            if row > u64::from(limits.rows) || column > u64::from(limits.columns) {
                                let reference = format!("{}{row}", column_letters(column - 1));
                                return Err(out_of_range(reference, row, column));
                            }
                            (row, column)
                        }
                    };
                    // Within the limits checked above, so these fit.
                    let (row, column) = ((row - 1) as u32, (column - 1) as u32);
                    next_column = column.saturating_add(1);
                    let kind = match attribute(e, b"t", false, &xml)?.as_deref() {
                        Some("s") => Kind::Shared,
                        Some("inlineStr") => Kind::Inline,
                        Some("b") => Kind::Bool,
                        Some("n") | None => Kind::Number,
                        Some(_) => Kind::Verbatim,
                    };
                    // A cell written as one empty element has no value to keep.
                    if !empty {
                        cell = Some(OpenCell {
                            row,
                            column,
                            kind,
                            keep: columns.contains(&column),
                            value: String::new(),
                        });
                    }
                }
                b"v" if cell.as_ref().is_some_and(|c| c.keep) => in_value = !empty,
                b"is" if cell.as_ref().is_some_and(|c| c.keep) => in_inline = !empty,
                b"rPh" if !empty => phonetic += 1,
                b"t" if in_inline && phonetic == 0 => in_text = !empty,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Text(t) if in_value || in_text => {
                let text = t
                    .unescape()
                    .map_err(|_| xml.damaged("has text that cannot be read"))?;
                if let Some(c) = cell.as_mut() {
                    append(&mut c.value, &text, limits.cell_text_bytes).map_err(|_| {
                        Refusal::CellTextTooLong {
                            at: Some((sheet.to_owned(), c.row, c.column)),
                        }
                    })?;
                }
            }
            Event::CData(t) if in_value || in_text => {
                let text = t
                    .decode()
                    .map_err(|_| xml.damaged("has text that cannot be read"))?;
                if let Some(c) = cell.as_mut() {
                    append(&mut c.value, &text, limits.cell_text_bytes).map_err(|_| {
                        Refusal::CellTextTooLong {
                            at: Some((sheet.to_owned(), c.row, c.column)),
                        }
                    })?;
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"v" => in_value = false,
                b"t" => in_text = false,
                b"is" => in_inline = false,
                b"rPh" => phonetic = phonetic.saturating_sub(1),
                b"c" => {
                    in_value = false;
                    in_inline = false;
                    in_text = false;
                    if let Some(c) = cell.take().filter(|c| c.keep) {
                        let key = (c.row, c.column);
                        if let Some(v) = cell_value(c, strings, &xml)? {
                            cells.insert(key, v);
                        }
                    }
                }
                b"row" if in_data => {
                    next_row = next_row.saturating_add(1);
                    next_column = 0;
                }
                b"sheetData" => break,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    xml.finish()?;
    Ok(SheetCells { cells })
}

/// What a spreadsheet shows in a cell, as text; `None` when it shows nothing.
fn cell_value<'b>(
    c: OpenCell,
    strings: &'b [String],
    xml: &Xml<'_>,
) -> Result<Option<Cow<'b, str>>, Refusal> {
    let v = c.value;
    let text: Cow<'b, str> = match c.kind {
        Kind::Shared => {
            let s = v
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|i| strings.get(i))
                .ok_or_else(|| xml.damaged("has a cell whose text is missing"))?;
            Cow::Borrowed(s.as_str())
        }
        Kind::Inline | Kind::Verbatim => Cow::Owned(decode_office_escapes(v)),
        Kind::Bool => Cow::Borrowed(if v.trim() == "0" { "false" } else { "true" }),
        Kind::Number => match v.parse::<f64>() {
            Ok(n) => Cow::Owned(n.to_string()),
            Err(_) => Cow::Owned(decode_office_escapes(v)),
        },
    };
    Ok((!text.is_empty()).then_some(text))
}

/// The declared extent, such as `A1:F41`, `A1` or (as some programs write) `1:41`.
fn check_dimension(r: &str, sheet: &str, limits: &Limits) -> Result<(), Refusal> {
    let refuse = || Refusal::DimensionOutOfRange {
        sheet: sheet.to_owned(),
        reference: r.to_owned(),
        rows: limits.rows,
        columns: limits.columns,
    };
    for corner in r.trim().split(':') {
        let corner = corner.trim().as_bytes();
        if let Some((row, column)) = parse_reference(corner) {
            if row > u64::from(limits.rows) || column > u64::from(limits.columns) {
                return Err(refuse());
            }
        } else if let Some(row) = parse_number(corner) {
            if row > u64::from(limits.rows) {
                return Err(refuse());
            }
        }
        // A corner that reads as neither is only a declaration: the cells are checked anyway.
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(parse_reference(b"A1"), Some((1, 1)));
        assert_eq!(parse_reference(b"d12"), Some((12, 4)));
        assert_eq!(parse_reference(b"XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(parse_reference(b"A0"), None);
        assert_eq!(parse_reference(b"12"), None);
        assert_eq!(parse_reference(b"A"), None);
        assert_eq!(parse_reference(b"1A"), None);
        assert_eq!(parse_reference(b"A1B"), None);
        assert!(parse_reference(b"ZZZZZZZZZZZZZZZZZZZZZZ99999999999999999999999999").is_some());
    }

    #[test]
    fn letters_and_figures() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
        assert_eq!(grouped(5_000), "5,000");
        assert_eq!(grouped(1_048_576), "1,048,576");
        assert_eq!(grouped(12), "12");
        assert_eq!(shortened("abcdef", 3), "abc…");
        assert_eq!(shortened("abc", 3), "abc");
    }

    #[test]
    fn office_escapes() {
        assert_eq!(decode_office_escapes("a_x000D_\nb".into()), "a\r\nb");
        assert_eq!(decode_office_escapes("_x005F_x000D_".into()), "_x000D_");
        assert_eq!(
            decode_office_escapes("_x12_ _xZZZZ_ _x".into()),
            "_x12_ _xZZZZ_ _x"
        );
        assert_eq!(decode_office_escapes("plain".into()), "plain");
    }

    #[test]
    fn dimensions() {
        let l = Limits::STANDARD;
        assert!(check_dimension("A1:F41", "s", &l).is_ok());
        assert!(check_dimension("A1", "s", &l).is_ok());
        assert!(check_dimension("1:41", "s", &l).is_ok());
        assert!(check_dimension("A1:Z5000", "s", &l).is_ok());
        assert!(check_dimension("A1:AA1", "s", &l).is_err());
        assert!(check_dimension("A1:A5001", "s", &l).is_err());
        assert!(check_dimension("1:1048576", "s", &l).is_err());
        assert!(check_dimension("A1:XFD1048576", "s", &l).is_err());
    }

    #[test]
    fn paths() {
        assert_eq!(resolve("worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(
            resolve("/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(resolve("../xl/./worksheets/s.xml"), "xl/worksheets/s.xml");
        assert!(same_path(
            b"XL\\Worksheets\\Sheet1.xml",
            "xl/worksheets/sheet1.xml"
        ));
        assert!(!same_path(
            b"xl/worksheets/sheet10.xml",
            "xl/worksheets/sheet1.xml"
        ));
    }

    #[test]
    fn an_exhausted_time_budget_stops_the_reading() {
        let limits = Limits {
            time: Duration::ZERO,
            ..Limits::STANDARD
        };
        // The archive is checked first; the time budget applies before any part is read.
        let mut zip = Vec::new();
        zip.extend_from_slice(&LOCAL_HEADER.to_le_bytes());
        zip.extend_from_slice(&[0; 26]);
        let cd = zip.len();
        zip.extend_from_slice(&END_RECORD.to_le_bytes());
        zip.extend_from_slice(&[0; 8]);
        zip.extend_from_slice(&0u32.to_le_bytes());
        zip.extend_from_slice(&(cd as u32).to_le_bytes());
        zip.extend_from_slice(&[0; 2]);
        std::thread::sleep(Duration::from_millis(2));
        match Book::open_with(&zip, limits) {
            Err(r) => assert_eq!(
                r,
                Refusal::TimedOut {
                    limit: Duration::ZERO
                }
            ),
            Ok(_) => panic!("read past its time budget"),
        }
    }
}
