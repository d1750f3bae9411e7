//! Reading stored text back into typed values. A value that does not decode is a
//! [`StorageError::Corrupt`] naming the table and column, never the value (it may be personal
//! data), and never replaced by a default.

use crate::StorageError;
use preventkit_domain::Timestamp;
use std::str::FromStr;

/// Parse a stored identifier or key.
pub(crate) fn parse<T: FromStr>(
    table: &'static str,
    column: &'static str,
    value: &str,
) -> Result<T, StorageError> {
    T::from_str(value).map_err(|_| StorageError::Corrupt { table, column })
}

/// Parse a stored identifier or key that may be absent.
pub(crate) fn parse_opt<T: FromStr>(
    table: &'static str,
    column: &'static str,
    value: Option<&str>,
) -> Result<Option<T>, StorageError> {
    value.map(|v| parse(table, column, v)).transpose()
}

/// A stored time (milliseconds since the Unix epoch).
pub(crate) fn time(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

/// A stored time that may be absent.
pub(crate) fn time_opt(ms: Option<i64>) -> Option<Timestamp> {
    ms.map(Timestamp::from_millis)
}

/// Decode every row of a listing.
pub(crate) fn all<R, D>(rows: Vec<R>) -> Result<Vec<D>, StorageError>
where
    D: TryFrom<R, Error = StorageError>,
{
    rows.into_iter().map(D::try_from).collect()
}

/// Decode a row that may be absent.
pub(crate) fn one<R, D>(row: Option<R>) -> Result<Option<D>, StorageError>
where
    D: TryFrom<R, Error = StorageError>,
{
    row.map(D::try_from).transpose()
}
