//! The workbook: its sheets, the shared text table and the cells the import needs.

#[allow(unused_imports)]
use super::*;

/// The cells kept from one sheet: only the columns asked for, by zero-based (row, column).
pub(crate) struct SheetCells<'b> {
    pub(super) cells: BTreeMap<(u32, u32), Cow<'b, str>>,
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
    pub(super) bytes: &'a [u8],
    pub(super) entries: Vec<Entry>,
    pub(super) budget: Budget,
    /// Sheet name and the path of its part, in workbook order.
    pub(super) sheets: Vec<(String, Option<String>)>,
    pub(super) strings: Vec<String>,
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
    pub(super) fn part(&self, path: &str, label: &str) -> Result<Option<Part<'_>>, Refusal> {
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

pub(super) fn entry_name<'b>(bytes: &'b [u8], e: &Entry) -> &'b [u8] {
    bytes.get(e.name.0..e.name.0 + e.name.1).unwrap_or(&[])
}

/// Whether an archive entry is a worksheet: a part directly in `xl/worksheets/`.
pub(super) fn is_worksheet_part(name: &[u8]) -> bool {
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
pub(super) fn same_path(name: &[u8], path: &str) -> bool {
    let name = name.strip_prefix(b"/").unwrap_or(name);
    name.len() == path.len()
        && name.iter().zip(path.bytes()).all(|(a, b)| {
            let a = if *a == b'\\' { b'/' } else { *a };
            a.eq_ignore_ascii_case(&b)
        })
}

/// A relationship's target as a path in the archive: relative to `xl/` unless it starts at
/// the root.
pub(super) fn resolve(target: &str) -> String {
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
pub(super) fn read_workbook(mut xml: Xml<'_>) -> Result<Vec<(String, String)>, Refusal> {
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
pub(super) fn read_relationships(
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
pub(super) fn append(to: &mut String, text: &str, limit: usize) -> Result<(), ()> {
    if to.len().saturating_add(text.len()) > limit {
        return Err(());
    }
    to.push_str(text);
    Ok(())
}

/// The shared text table: every entry's text, rich text runs joined, phonetic guides left out.
pub(super) fn read_shared_strings(
    mut xml: Xml<'_>,
    limits: &Limits,
) -> Result<Vec<String>, Refusal> {
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
pub(super) enum Kind {
    Shared,
    Inline,
    Bool,
    /// A number, or text when it does not read as one.
    Number,
    /// Written as it is: formula text, errors, ISO dates.
    Verbatim,
}

pub(super) struct OpenCell {
    pub(super) row: u32,
    pub(super) column: u32,
    pub(super) kind: Kind,
    pub(super) keep: bool,
    pub(super) value: String,
}

/// The kept cells of one worksheet. The declared extent and every cell's position are checked
/// against the largest sheet this service exports before the cell is read.
pub(super) fn read_sheet<'b>(
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
pub(super) fn cell_value<'b>(
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
pub(super) fn check_dimension(r: &str, sheet: &str, limits: &Limits) -> Result<(), Refusal> {
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
