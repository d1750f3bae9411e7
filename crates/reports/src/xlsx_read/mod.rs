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

mod archive;
mod part;
mod refusal;
mod workbook;

#[allow(unused_imports)]
use archive::*;
#[allow(unused_imports)]
use part::*;
pub use refusal::limits;
#[allow(unused_imports)]
pub(crate) use refusal::*;
#[allow(unused_imports)]
pub use workbook::*;

use flate2::bufread::DeflateDecoder;
use flate2::Crc;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead, Read};
use std::time::{Duration, Instant};

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
