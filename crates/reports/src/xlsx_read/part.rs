//! Reading one part of the archive: inflating it within the budget and parsing its XML.

#[allow(unused_imports)]
use super::*;

/// What the whole reading may still spend, shared by the parts it opens.
pub(super) struct Budget {
    pub(super) limits: Limits,
    pub(super) deadline: Option<Instant>,
    pub(super) total: Cell<u64>,
    /// The limit that stopped a reader, kept here because the XML parser only passes on an
    /// I/O error.
    pub(super) tripped: RefCell<Option<Refusal>>,
}

impl Budget {
    pub(super) fn new(limits: Limits) -> Self {
        Budget {
            limits,
            deadline: Instant::now().checked_add(limits.time),
            total: Cell::new(0),
            tripped: RefCell::new(None),
        }
    }

    pub(super) fn trip(&self, r: Refusal) -> io::Error {
        let mut t = self.tripped.borrow_mut();
        if t.is_none() {
            *t = Some(r);
        }
        io::Error::other("a limit on uploaded spreadsheets was reached")
    }

    pub(super) fn out_of_time(&self) -> bool {
        self.deadline.is_none_or(|d| Instant::now() > d)
    }

    pub(super) fn check_time(&self) -> Result<(), Refusal> {
        if self.out_of_time() {
            Err(Refusal::TimedOut {
                limit: self.limits.time,
            })
        } else {
            Ok(())
        }
    }

    /// The refusal behind a failed read: a limit if one was reached, otherwise damage.
    pub(super) fn failure(&self, part: &str, what: &'static str) -> Refusal {
        self.tripped
            .borrow_mut()
            .take()
            .unwrap_or(Refusal::Damaged {
                part: part.to_owned(),
                what,
            })
    }
}

pub(super) enum Source<'a> {
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

pub(super) const CHUNK: usize = 16 * 1024;

/// A part's bytes as they unpack, counted against the part's limit, the whole reading's limit
/// and the time budget as they come out, and against the size of one XML event as the parser
/// takes them.
pub(super) struct Part<'a> {
    pub(super) label: String,
    pub(super) source: Source<'a>,
    pub(super) chunk: Box<[u8]>,
    pub(super) pos: usize,
    pub(super) filled: usize,
    pub(super) produced: u64,
    pub(super) crc: Crc,
    pub(super) declared_crc: u32,
    pub(super) declared_size: u64,
    /// Bytes the parser has taken since the current event began.
    pub(super) event: usize,
    pub(super) budget: &'a Budget,
}

impl Part<'_> {
    /// Read to the end, then check the part against its checksum and declared size.
    pub(super) fn finish(mut self) -> Result<(), Refusal> {
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
pub(super) struct Xml<'a> {
    pub(super) reader: Reader<Part<'a>>,
    pub(super) depth: usize,
    pub(super) budget: &'a Budget,
    pub(super) label: String,
    /// Whether the root element has been seen.
    pub(super) rooted: bool,
}

impl<'a> Xml<'a> {
    pub(super) fn new(part: Part<'a>) -> Self {
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

    pub(super) fn damaged(&self, what: &'static str) -> Refusal {
        Refusal::Damaged {
            part: self.label.clone(),
            what,
        }
    }

    /// The next event. The first element must be `root`; text before it must be blank.
    pub(super) fn next<'b>(
        &mut self,
        buf: &'b mut Vec<u8>,
        root: &[u8],
    ) -> Result<Event<'b>, Refusal> {
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

    pub(super) fn decoder(&self) -> quick_xml::encoding::Decoder {
        self.reader.decoder()
    }

    pub(super) fn finish(self) -> Result<(), Refusal> {
        self.reader.into_inner().finish()
    }
}

/// The value of the attribute whose local name is `local` (and, when `prefixed`, that has a
/// namespace prefix), unescaped. Attributes are read without the parser's duplicate check,
/// whose cost grows with the square of their number.
pub(super) fn attribute<'e>(
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
pub(super) fn decode_office_escapes(s: String) -> String {
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
pub(super) fn parse_reference(r: &[u8]) -> Option<(u64, u64)> {
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

pub(super) fn parse_number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

// ---------------------------------------------------------------------------------------------
