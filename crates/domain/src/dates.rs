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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ts(t: OffsetDateTime) -> Timestamp {
        Timestamp((t.unix_timestamp_nanos() / 1_000_000) as i64)
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
