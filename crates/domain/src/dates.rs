//! Dates and times as people read them: one format everywhere ("1 April 2026",
//! "2 December 2026 at 12:01"), in UK time.
//!
//! Stored times are UTC. The people using the product are in England and Wales, so times are
//! shown in UK time: Greenwich Mean Time in winter and British Summer Time (one hour ahead)
//! from 01:00 UTC on the last Sunday of March until 01:00 UTC on the last Sunday of October.

use crate::Timestamp;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// "1 April 2026".
pub fn long_date(d: Date) -> String {
    format!("{} {} {}", d.day(), month_name(d.month()), d.year())
}

/// A stored `YYYY-MM-DD` date as "1 April 2026"; anything else is returned as it is.
pub fn long_date_from_iso(s: &str) -> String {
    match parse_iso(s) {
        Some(d) => long_date(d),
        None => s.to_owned(),
    }
}

/// A `YYYY-MM-DD` date.
pub fn parse_iso(s: &str) -> Option<Date> {
    Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// "2 December 2026 at 12:01", in UK time.
pub fn uk_date_time(t: Timestamp) -> String {
    match t.to_datetime() {
        Some(utc) => {
            let local = utc.to_offset(uk_offset(utc));
            format!(
                "{} at {:02}:{:02}",
                long_date(local.date()),
                local.hour(),
                local.minute()
            )
        }
        None => String::new(),
    }
}

/// "2 December 2026 at 12:01:05 UTC", for the audit log, where the exact second and an
/// unambiguous zone matter more than local time.
pub fn utc_date_time(t: Timestamp) -> String {
    match t.to_datetime() {
        Some(utc) => format!(
            "{} at {:02}:{:02}:{:02} UTC",
            long_date(utc.date()),
            utc.hour(),
            utc.minute(),
            utc.second()
        ),
        None => String::new(),
    }
}

/// The UK's offset from UTC at a moment.
pub fn uk_offset(utc: OffsetDateTime) -> UtcOffset {
    let year = utc.year();
    let starts = last_sunday_at_one(year, Month::March);
    let ends = last_sunday_at_one(year, Month::October);
    match (starts, ends) {
        (Some(s), Some(e)) if utc >= s && utc < e => {
            UtcOffset::from_hms(1, 0, 0).unwrap_or(UtcOffset::UTC)
        }
        _ => UtcOffset::UTC,
    }
}

/// 01:00 UTC on the last Sunday of a month.
fn last_sunday_at_one(year: i32, month: Month) -> Option<OffsetDateTime> {
    let last_day = time::util::days_in_month(month, year);
    let mut d = Date::from_calendar_date(year, month, last_day).ok()?;
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day()?;
    }
    Some(PrimitiveDateTime::new(d, Time::from_hms(1, 0, 0).ok()?).assume_utc())
}

fn month_name(m: Month) -> &'static str {
    match m {
        Month::January => "January",
        Month::February => "February",
        Month::March => "March",
        Month::April => "April",
        Month::May => "May",
        Month::June => "June",
        Month::July => "July",
        Month::August => "August",
        Month::September => "September",
        Month::October => "October",
        Month::November => "November",
        Month::December => "December",
    }
}

/// A date as someone entered it: a `YYYY-MM-DD` text (the API, spreadsheets) or the three
/// boxes of the GOV.UK date input (pages). Both are read by [`read_date`], the one rule for
/// dates entered by people, so a page and the API refuse the same things; the pages get the
/// design system's messages for the boxes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateEntry {
    Iso(String),
    Parts(DateParts),
}

impl Default for DateEntry {
    fn default() -> Self {
        Self::Iso(String::new())
    }
}

impl From<&str> for DateEntry {
    fn from(s: &str) -> Self {
        Self::Iso(s.to_owned())
    }
}

impl From<String> for DateEntry {
    fn from(s: String) -> Self {
        Self::Iso(s)
    }
}

impl DateEntry {
    /// The boxes to show again on a page: what was typed, or a stored date split up.
    pub fn parts(&self) -> DateParts {
        match self {
            Self::Parts(p) => p.clone(),
            Self::Iso(s) => match parse_iso(s) {
                Some(d) => DateParts::of(d),
                None => DateParts::default(),
            },
        }
    }
}

/// The day, month and year boxes, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DateParts {
    pub day: String,
    pub month: String,
    pub year: String,
}

impl DateParts {
    pub fn of(d: Date) -> Self {
        Self {
            day: d.day().to_string(),
            month: u8::from(d.month()).to_string(),
            year: d.year().to_string(),
        }
    }
}

/// Why a date entered by someone cannot be read. [`DateProblem::message`] words it as the
/// GOV.UK date input pattern does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateProblem {
    /// Nothing entered where a date is needed.
    Missing,
    /// Some boxes left empty: the names of the missing ones ("day", "month", "year").
    Incomplete(Vec<&'static str>),
    /// A year not written with four numbers.
    Year,
    /// Not a date on the calendar (31 February, month 13, letters, a malformed text).
    NotReal,
}

impl DateProblem {
    /// The message for a date called `what` ("review date"): "Enter the review date",
    /// "Review date must include a month", "Review date must be a real date".
    pub fn message(&self, what: &str) -> String {
        let mut named = what.to_owned();
        if let Some(first) = named.get(..1) {
            let upper = first.to_uppercase();
            named.replace_range(..1, &upper);
        }
        match self {
            Self::Missing => format!("Enter the {what}"),
            Self::Incomplete(missing) => {
                format!("{named} must include a {}", missing.join(" and "))
            }
            Self::Year => "Year must include 4 numbers".to_owned(),
            Self::NotReal => format!("{named} must be a real date"),
        }
    }
}

/// Read a date someone entered. `Ok(None)` when nothing was entered at all (the caller decides
/// whether that is allowed). Months may be numbers or names ("4", "Apr", "April"); spaces
/// around each box are ignored. Years before 1900 or after 2200 are not real for this product.
pub fn read_date(entry: &DateEntry) -> Result<Option<Date>, DateProblem> {
    match entry {
        DateEntry::Iso(s) if s.trim().is_empty() => Ok(None),
        DateEntry::Iso(s) => parse_iso(s)
            .filter(|d| (1900..=2200).contains(&d.year()))
            .map(Some)
            .ok_or(DateProblem::NotReal),
        DateEntry::Parts(p) => {
            let (day, month, year) = (p.day.trim(), p.month.trim(), p.year.trim());
            if day.is_empty() && month.is_empty() && year.is_empty() {
                return Ok(None);
            }
            let missing: Vec<&'static str> = [("day", day), ("month", month), ("year", year)]
                .into_iter()
                .filter(|(_, v)| v.is_empty())
                .map(|(n, _)| n)
                .collect();
            if !missing.is_empty() {
                return Err(DateProblem::Incomplete(missing));
            }
            // Bounded before parsing: a box holds a few characters, never a novel.
            if day.len() > 2 || month.len() > 9 {
                return Err(DateProblem::NotReal);
            }
            if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DateProblem::Year);
            }
            let year: i32 = year.parse().map_err(|_| DateProblem::Year)?;
            let day: u8 = day.parse().map_err(|_| DateProblem::NotReal)?;
            let month = month_from_text(month).ok_or(DateProblem::NotReal)?;
            if !(1900..=2200).contains(&year) {
                return Err(DateProblem::NotReal);
            }
            Date::from_calendar_date(year, month, day)
                .map(Some)
                .map_err(|_| DateProblem::NotReal)
        }
    }
}

fn month_from_text(s: &str) -> Option<Month> {
    if let Ok(n) = s.parse::<u8>() {
        return Month::try_from(n).ok();
    }
    let lower = s.to_ascii_lowercase();
    (1..=12u8)
        .filter_map(|n| Month::try_from(n).ok())
        .find(|m| {
            let name = month_name(*m).to_ascii_lowercase();
            lower.len() >= 3 && name.starts_with(&lower)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ts(t: OffsetDateTime) -> Timestamp {
        Timestamp((t.unix_timestamp_nanos() / 1_000_000) as i64)
    }

    fn parts(d: &str, m: &str, y: &str) -> DateEntry {
        DateEntry::Parts(DateParts {
            day: d.into(),
            month: m.into(),
            year: y.into(),
        })
    }

    #[test]
    fn the_date_input_reads_day_month_and_year() {
        let d = time::macros::date!(2027 - 03 - 31);
        assert_eq!(read_date(&parts("31", "3", "2027")), Ok(Some(d)));
        assert_eq!(read_date(&parts(" 31 ", "Mar", "2027")), Ok(Some(d)));
        assert_eq!(read_date(&parts("31", "march", "2027")), Ok(Some(d)));
        assert_eq!(read_date(&"2027-03-31".into()), Ok(Some(d)));
        assert_eq!(read_date(&parts("", " ", "")), Ok(None));
        assert_eq!(read_date(&"".into()), Ok(None));
    }

    #[test]
    fn the_date_input_says_what_is_wrong_in_the_design_systems_words() {
        let what = "review date";
        let msg = |e: DateEntry| read_date(&e).map_err(|p| p.message(what));
        assert_eq!(
            msg(parts("31", "", "2027")),
            Err("Review date must include a month".into())
        );
        assert_eq!(
            msg(parts("", "", "2027")),
            Err("Review date must include a day and month".into())
        );
        assert_eq!(
            msg(parts("30", "2", "2027")),
            Err("Review date must be a real date".into())
        );
        assert_eq!(
            msg(parts("1", "13", "2027")),
            Err("Review date must be a real date".into())
        );
        assert_eq!(
            msg(parts("1", "2", "27")),
            Err("Year must include 4 numbers".into())
        );
        assert_eq!(
            msg(parts("1", "2", &"9".repeat(100_000))),
            Err("Year must include 4 numbers".into())
        );
        assert_eq!(
            msg("2027-02-30".into()),
            Err("Review date must be a real date".into())
        );
        assert_eq!(DateProblem::Missing.message(what), "Enter the review date");
        // A stored date shows again in the boxes.
        assert_eq!(
            DateEntry::from("2027-03-31").parts(),
            DateParts {
                day: "31".into(),
                month: "3".into(),
                year: "2027".into()
            }
        );
    }

    #[test]
    fn dates_read_as_day_month_year() {
        assert_eq!(long_date_from_iso("2026-04-01"), "1 April 2026");
        assert_eq!(long_date_from_iso("2026-12-25"), "25 December 2026");
        assert_eq!(long_date_from_iso("not a date"), "not a date");
    }

    #[test]
    fn times_are_in_uk_time_with_summer_time() {
        // Winter: GMT.
        assert_eq!(
            uk_date_time(ts(datetime!(2026-12-02 12:01:30 UTC))),
            "2 December 2026 at 12:01"
        );
        // Summer: BST, an hour ahead, across midnight.
        assert_eq!(
            uk_date_time(ts(datetime!(2026-07-31 23:30 UTC))),
            "1 August 2026 at 00:30"
        );
        // 2026's changes: 29 March and 25 October, at 01:00 UTC.
        assert_eq!(
            uk_date_time(ts(datetime!(2026-03-29 00:59 UTC))),
            "29 March 2026 at 00:59"
        );
        assert_eq!(
            uk_date_time(ts(datetime!(2026-03-29 01:00 UTC))),
            "29 March 2026 at 02:00"
        );
        assert_eq!(
            uk_date_time(ts(datetime!(2026-10-25 00:59 UTC))),
            "25 October 2026 at 01:59"
        );
        assert_eq!(
            uk_date_time(ts(datetime!(2026-10-25 01:00 UTC))),
            "25 October 2026 at 01:00"
        );
    }

    #[test]
    fn the_audit_log_keeps_seconds_in_utc() {
        assert_eq!(
            utc_date_time(ts(datetime!(2026-07-01 09:05:07 UTC))),
            "1 July 2026 at 09:05:07 UTC"
        );
    }
}
