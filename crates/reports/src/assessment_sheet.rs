//! An assessment as XLSX and CSV, and a filled-in XLSX read back.
//!
//! Cells are always written as text, never as formulas, so nothing a user typed can run when
//! the file is opened. CSV has no cell types, so any value that a spreadsheet would read as a
//! formula (starting with `=`, `+`, `-`, `@` or their full-width forms, even behind blank or
//! invisible characters, or starting with a tab or line break) gets a leading `'`.
//!
//! An uploaded workbook is read by [`crate::xlsx_read`], within limits that keep any file, of
//! any size or shape, from taking more than a bounded amount of memory and time.

use crate::xlsx_read::{shortened, Book, Refusal};
use preventkit_domain::assessment::{Rating, State};
use preventkit_domain::framework::{Framework, Section};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::collections::{HashMap, HashSet};

/// One question's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub question_id: String,
    pub number: String,
    pub kind: String,
    pub question: String,
    /// The rating as stored: a level key, `n/a` or empty.
    pub rating: String,
    pub details: String,
    pub evidence: Vec<String>,
    /// The answer's version when exported: written in a hidden column so that an import can
    /// tell whether the answer changed on the site since.
    pub version: i64,
}

/// What the export needs to know.
#[derive(Clone, Debug)]
pub struct Sheet<'a> {
    pub assessment_id: &'a str,
    pub title: &'a str,
    pub period: &'a str,
    pub state: State,
    pub framework: &'a Framework,
    pub framework_version: i64,
    /// Answers by question id.
    pub rows: HashMap<String, Row>,
}

pub const COVER: &str = "About";
const HEADERS: [&str; 7] = [
    "Number",
    "Kind",
    "Question",
    "Rating",
    "Supporting details",
    "Evidence",
    VERSION_HEADER,
];
const COL_NUMBER: usize = 0;
const COL_RATING: usize = 3;
const COL_DETAILS: usize = 4;
/// The hidden column with each answer's version as exported. Hidden columns survive editing
/// and saving in Excel and LibreOffice Calc.
const COL_VERSION: usize = 6;
const VERSION_HEADER: &str = "Answer version (do not change)";

fn sheet_name(s: &Section) -> String {
    // Sheet names: at most 31 characters, none of []:*?/\
    let raw = format!("{} {}", s.number, s.title);
    let clean: String = raw
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    clean.chars().take(31).collect::<String>().trim().to_owned()
}

fn questions_of(s: &Section) -> Vec<&preventkit_domain::framework::Question> {
    let mut out: Vec<_> = s.questions.iter().collect();
    for c in &s.sections {
        out.extend(questions_of(c));
    }
    out
}

/// The label a rating shows in the spreadsheet.
pub fn rating_label(f: &Framework, question_id: &str, stored: &str) -> String {
    match Rating::from_stored(stored) {
        Rating::NotAssessed => String::new(),
        Rating::NotApplicable => "Not applicable".into(),
        Rating::Level(k) => f
            .questions()
            .into_iter()
            .find(|(_, q)| q.id == question_id)
            .and_then(|(_, q)| f.scale(&q.scale))
            .and_then(|s| s.levels.iter().find(|l| l.key == k))
            .map(|l| l.label.clone())
            .unwrap_or(k),
    }
}

/// The workbook: a cover sheet, then one sheet per top-level section.
pub fn to_xlsx(sheet: &Sheet<'_>) -> Result<Vec<u8>, XlsxError> {
    let f = sheet.framework;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    {
        let ws = wb.add_worksheet();
        ws.set_name(COVER)?;
        let facts = [
            ("Assessment", sheet.title.to_owned()),
            ("Assessment id", sheet.assessment_id.to_owned()),
            ("Framework", f.envelope.title.clone()),
            ("Framework id", f.envelope.id.clone()),
            ("Framework version", sheet.framework_version.to_string()),
            ("Period", sheet.period.to_owned()),
            ("Status", sheet.state.label().to_owned()),
            (
                "How to fill in",
                "Choose a rating from the list in each benchmark sheet and write supporting details. Leave the Number column and the hidden version column as they are. Upload the file on the assessment page to bring the answers back: an answer that someone changed on the site after this file was exported is not overwritten, and you are shown both versions.".to_owned(),
            ),
        ];
        for (i, (k, v)) in facts.iter().enumerate() {
            let r = i as u32;
            ws.write_string_with_format(r, 0, *k, &bold)?;
            ws.write_string_with_format(r, 1, v, &wrap)?;
        }
        ws.set_column_width(0, 22)?;
        ws.set_column_width(1, 80)?;
    }
    for s in &f.sections {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(s))?;
        for (c, h) in HEADERS.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        let widths = [8.0, 22.0, 60.0, 18.0, 60.0, 40.0, 12.0];
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        ws.set_column_hidden(COL_VERSION as u16)?;
        for (i, q) in questions_of(s).into_iter().enumerate() {
            let r = (i + 1) as u32;
            let row = sheet.rows.get(&q.id);
            let rating = row
                .map(|x| rating_label(f, &q.id, &x.rating))
                .unwrap_or_default();
            let values = [
                q.number.clone(),
                f.kind_label(&q.kind).unwrap_or(&q.kind).to_owned(),
                q.title.clone(),
                rating,
                row.map(|x| x.details.clone()).unwrap_or_default(),
                row.map(|x| x.evidence.join("\n")).unwrap_or_default(),
                row.map(|x| x.version.to_string()).unwrap_or_default(),
            ];
            for (c, v) in values.iter().enumerate() {
                ws.write_string_with_format(r, c as u16, v, &wrap)?;
            }
            // The rating cell offers the scale's labels as a list.
            if let Some(scale) = f.scale(&q.scale) {
                let mut labels: Vec<String> =
                    scale.levels.iter().map(|l| l.label.clone()).collect();
                if scale.not_applicable.is_some() {
                    labels.push("Not applicable".into());
                }
                let dv = rust_xlsxwriter::DataValidation::new().allow_list_strings(&labels)?;
                ws.add_data_validation(r, COL_RATING as u16, r, COL_RATING as u16, &dv)?;
            }
        }
    }
    wb.save_to_buffer()
}

/// Characters a spreadsheet passes over before deciding whether a cell is a formula: all
/// Unicode white space (space, tab, CR, LF, no-break space and the rest) and the characters
/// that take up no space at all.
fn is_blank_or_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}' // soft hyphen
                | '\u{061C}' // Arabic letter mark
                | '\u{180E}' // Mongolian vowel separator
                | '\u{200B}'..='\u{200F}' // zero-width space, non-joiner, joiner; direction marks
                | '\u{202A}'..='\u{202E}' // direction embeddings and overrides
                | '\u{2060}'..='\u{2064}' // word joiner and invisible operators
                | '\u{2066}'..='\u{2069}' // direction isolates
                | '\u{FEFF}' // zero-width no-break space (byte order mark)
        )
}

/// A first character that makes a spreadsheet read the cell as a formula, in its ordinary or
/// full-width form.
fn starts_formula(c: char) -> bool {
    matches!(
        c,
        '=' | '+' | '-' | '@' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}'
    )
}

/// A value safe to put in a CSV cell that a spreadsheet will open: a value that starts with
/// tab, CR or LF, or whose first character after any blank or invisible ones is `=`, `+`, `-`,
/// `@` or a full-width form of one of them, gets a leading `'` so it is shown as text.
pub fn neutralise(value: &str) -> String {
    let starts_with_break = value.starts_with(['\t', '\r', '\n']);
    let first_visible = value.chars().find(|c| !is_blank_or_invisible(*c));
    if starts_with_break || first_visible.is_some_and(starts_formula) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// The same content as CSV: one row per question.
pub fn to_csv(sheet: &Sheet<'_>) -> Result<String, csv::Error> {
    let f = sheet.framework;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "Section",
        "Number",
        "Kind",
        "Question",
        "Rating",
        "Supporting details",
        "Evidence",
    ])?;
    for s in &f.sections {
        for q in questions_of(s) {
            let row = sheet.rows.get(&q.id);
            let record = [
                format!("{} {}", s.number, s.title),
                q.number.clone(),
                f.kind_label(&q.kind).unwrap_or(&q.kind).to_owned(),
                q.title.clone(),
                row.map(|x| rating_label(f, &q.id, &x.rating))
                    .unwrap_or_default(),
                row.map(|x| x.details.clone()).unwrap_or_default(),
                row.map(|x| x.evidence.join("; ")).unwrap_or_default(),
            ];
            w.write_record(record.iter().map(|v| neutralise(v)))?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// One problem in an uploaded spreadsheet: the sheet, the row and column as a spreadsheet
/// shows them (row 1 is the header; columns are letters), and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellProblem {
    pub sheet: String,
    pub row: u32,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for CellProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, row {}, column {}: {}",
            self.sheet, self.row, self.column, self.message
        )
    }
}

/// An answer read from the spreadsheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub question_id: String,
    /// The question's number, as the person sees it.
    pub number: String,
    /// The answer's version when the file was exported, if the row still carries it.
    pub exported_version: Option<i64>,
    /// As stored: a level key, `n/a` or empty.
    pub rating: String,
    pub details: String,
}

fn column_letter(c: usize) -> String {
    let mut n = c + 1;
    let mut s = String::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        s.insert(0, (b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    s
}

/// At most this many problems are listed for one file; the rest are counted in a last line.
/// A file with more has not been filled in from an export, and the list would only grow with
/// the file.
const MAX_PROBLEMS: usize = 100;

/// Characters of a cell quoted back in a problem.
const QUOTE_CHARS: usize = 40;

/// The problems found in a file, listed up to [`MAX_PROBLEMS`].
struct Problems {
    listed: Vec<CellProblem>,
    more: usize,
}

impl Problems {
    fn new() -> Self {
        Problems {
            listed: Vec::new(),
            more: 0,
        }
    }

    fn push(&mut self, p: CellProblem) {
        if self.listed.len() < MAX_PROBLEMS {
            self.listed.push(p);
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    fn into_vec(mut self) -> Vec<CellProblem> {
        if self.more > 0 {
            self.listed.push(CellProblem {
                sheet: "(file)".into(),
                row: 0,
                column: "-".into(),
                message: format!(
                    "{} more problems are not listed. Correct the ones above and upload the file again",
                    self.more
                ),
            });
        }
        self.listed
    }
}

fn refused(r: Refusal) -> CellProblem {
    let (sheet, row, column) = r.place();
    CellProblem {
        sheet,
        row,
        column,
        message: r.to_string(),
    }
}

/// Read a filled-in workbook for `framework`. Either every answer, or every problem: a file
/// with any problem changes nothing.
///
/// The file is read within the limits of [`crate::xlsx_read::limits`], which sit well above
/// anything this service exports; the first limit an upload goes past ends the reading with a
/// problem that says which.
pub fn from_xlsx(
    bytes: &[u8],
    framework: &Framework,
    assessment_id: &str,
) -> Result<Vec<Imported>, Vec<CellProblem>> {
    let book = Book::open(bytes).map_err(|r| vec![refused(r)])?;
    // The cover sheet must name this assessment.
    let cover = match book.sheet(COVER, &[0, 1]) {
        Ok(Some(cover)) => cover,
        Ok(None) => {
            return Err(vec![CellProblem {
            sheet: COVER.into(),
            row: 0,
            column: "-".into(),
            message:
                "The 'About' sheet is missing. Upload a spreadsheet exported from this assessment"
                    .into(),
        }])
        }
        Err(r) => return Err(vec![refused(r)]),
    };
    let id = cover
        .rows()
        .into_iter()
        .find(|r| cover.text(*r, 0) == "Assessment id")
        .map(|r| cover.text(r, 1))
        .unwrap_or_default();
    if id != assessment_id {
        return Err(vec![CellProblem {
            sheet: COVER.into(),
            row: 2,
            column: "B".into(),
            message: "This spreadsheet was exported from a different assessment. Export this assessment and fill that in".into(),
        }]);
    }
    let by_number: HashMap<&str, &preventkit_domain::framework::Question> = framework
        .questions()
        .into_iter()
        .map(|(_, q)| (q.number.as_str(), q))
        .collect();
    let columns = [
        COL_NUMBER as u32,
        COL_RATING as u32,
        COL_DETAILS as u32,
        COL_VERSION as u32,
    ];
    let mut problems = Problems::new();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for s in &framework.sections {
        let name = sheet_name(s);
        let range = match book.sheet(&name, &columns) {
            Ok(Some(range)) => range,
            Ok(None) => {
                problems.push(CellProblem {
                    sheet: name.clone(),
                    row: 0,
                    column: "-".into(),
                    message: "This sheet is missing. Keep every sheet of the exported file".into(),
                });
                continue;
            }
            Err(r) => {
                problems.push(refused(r));
                return Err(problems.into_vec());
            }
        };
        // Cells are kept by absolute position, so an empty header row or column shifts nothing.
        // Row 0 is the header.
        for abs_row in range.rows().into_iter().filter(|r| *r >= 1) {
            let cell = |c: usize| range.text(abs_row, c as u32);
            let row_no = abs_row + 1;
            let number = cell(COL_NUMBER).trim();
            let rating_text = cell(COL_RATING).trim();
            let details = cell(COL_DETAILS);
            if number.is_empty() && rating_text.is_empty() && details.trim().is_empty() {
                continue;
            }
            let Some(q) = by_number.get(number) else {
                problems.push(CellProblem {
                    sheet: name.clone(),
                    row: row_no,
                    column: column_letter(COL_NUMBER),
                    message: format!(
                        "'{}' is not a question number of this framework. Leave the Number column as exported",
                        shortened(number, QUOTE_CHARS)
                    ),
                });
                continue;
            };
            if !seen.insert(q.id.clone()) {
                problems.push(CellProblem {
                    sheet: name.clone(),
                    row: row_no,
                    column: column_letter(COL_NUMBER),
                    message: format!(
                        "Question {number} appears more than once. Keep one row for it"
                    ),
                });
                continue;
            }
            let scale = framework.scale(&q.scale);
            let rating = if rating_text.is_empty()
                || rating_text.eq_ignore_ascii_case("not assessed")
            {
                Some(String::new())
            } else if rating_text.eq_ignore_ascii_case("not applicable")
                && scale.is_some_and(|s| s.not_applicable.is_some())
            {
                Some("n/a".to_owned())
            } else {
                scale.and_then(|s| {
                    s.levels
                        .iter()
                        .find(|l| l.label.eq_ignore_ascii_case(rating_text) || l.key == rating_text)
                        .map(|l| l.key.clone())
                })
            };
            let Some(rating) = rating else {
                let choices = scale
                    .map(|s| {
                        s.levels
                            .iter()
                            .map(|l| l.label.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                problems.push(CellProblem {
                    sheet: name.clone(),
                    row: row_no,
                    column: column_letter(COL_RATING),
                    message: format!(
                        "'{}' is not a rating. Choose one of: {choices}, or leave it empty",
                        shortened(rating_text, QUOTE_CHARS)
                    ),
                });
                continue;
            };
            if details.chars().count() > 20_000 {
                problems.push(CellProblem {
                    sheet: name.clone(),
                    row: row_no,
                    column: column_letter(COL_DETAILS),
                    message: "Supporting details must be 20,000 characters or fewer".into(),
                });
                continue;
            }
            if let Some(m) = framework.missing_details(&q.id, &rating, details) {
                problems.push(CellProblem {
                    sheet: name.clone(),
                    row: row_no,
                    column: column_letter(COL_DETAILS),
                    message: m,
                });
                continue;
            }
            let version_text = cell(COL_VERSION).trim();
            let exported_version = if version_text.is_empty() {
                None
            } else {
                match version_text.parse::<i64>() {
                    Ok(v) if v >= 1 => Some(v),
                    _ => {
                        problems.push(CellProblem {
                            sheet: name.clone(),
                            row: row_no,
                            column: column_letter(COL_VERSION),
                            message: "The hidden answer version was changed. Export the assessment again and fill that in".into(),
                        });
                        continue;
                    }
                }
            };
            out.push(Imported {
                question_id: q.id.clone(),
                number: q.number.clone(),
                exported_version,
                rating,
                details: details.to_owned(),
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.into_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_in_csv() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-1+2"), "'-1+2");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("plain"), "plain");
    }

    #[test]
    fn full_width_formula_characters_are_neutralised() {
        assert_eq!(neutralise("\u{FF1D}1+1"), "'\u{FF1D}1+1");
        assert_eq!(neutralise("\u{FF0B}1"), "'\u{FF0B}1");
        assert_eq!(neutralise("\u{FF0D}1"), "'\u{FF0D}1");
        assert_eq!(neutralise("\u{FF20}SUM(A1)"), "'\u{FF20}SUM(A1)");
    }

    #[test]
    fn formulas_behind_white_space_are_neutralised() {
        assert_eq!(neutralise(" =1+1"), "' =1+1");
        assert_eq!(neutralise("   +1"), "'   +1");
        assert_eq!(neutralise("\u{A0}=1"), "'\u{A0}=1");
        assert_eq!(neutralise("\u{3000}=1"), "'\u{3000}=1");
        assert_eq!(neutralise("\u{2003}@x"), "'\u{2003}@x");
        assert_eq!(neutralise(" \u{A0} \u{FF1D}1"), "' \u{A0} \u{FF1D}1");
    }

    #[test]
    fn formulas_behind_invisible_characters_are_neutralised() {
        assert_eq!(neutralise("\u{200B}=1"), "'\u{200B}=1");
        assert_eq!(neutralise("\u{200C}=1"), "'\u{200C}=1");
        assert_eq!(neutralise("\u{200D}-1"), "'\u{200D}-1");
        assert_eq!(neutralise("\u{2060}+1"), "'\u{2060}+1");
        assert_eq!(neutralise("\u{FEFF}=1"), "'\u{FEFF}=1");
        assert_eq!(neutralise("\u{00AD}@x"), "'\u{00AD}@x");
        assert_eq!(
            neutralise("\u{200B} \u{A0}\u{FEFF}=1"),
            "'\u{200B} \u{A0}\u{FEFF}=1"
        );
    }

    #[test]
    fn cells_starting_with_a_tab_or_line_break_are_neutralised() {
        assert_eq!(neutralise("\tplain"), "'\tplain");
        assert_eq!(neutralise("\rplain"), "'\rplain");
        assert_eq!(neutralise("\nplain"), "'\nplain");
        assert_eq!(neutralise("\t=1"), "'\t=1");
        assert_eq!(neutralise("\r\n=1"), "'\r\n=1");
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        assert_eq!(neutralise(""), "");
        assert_eq!(neutralise("   "), "   ");
        assert_eq!(neutralise(" plain"), " plain");
        assert_eq!(neutralise("\u{A0}plain"), "\u{A0}plain");
        assert_eq!(neutralise("\u{200B}plain"), "\u{200B}plain");
        assert_eq!(neutralise("a=b"), "a=b");
        assert_eq!(neutralise("1-2"), "1-2");
        assert_eq!(neutralise("name@example.org"), "name@example.org");
        assert_eq!(neutralise("'=1"), "'=1");
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(3), "D");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }
}
