//! Decoding stored columns into domain values. A value that does not decode is
//! [`StorageError::Corrupt`], naming the table and column but never the value.

use crate::StorageError;
use std::str::FromStr;

/// One stored column, for naming it when its value does not decode.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    pub table: &'static str,
    pub column: &'static str,
}

pub(crate) const fn col(table: &'static str, column: &'static str) -> Column {
    Column { table, column }
}

impl Column {
    pub fn error(self) -> StorageError {
        StorageError::Corrupt {
            table: self.table,
            column: self.column,
        }
    }

    /// A value with a text form: an identifier, a key, a number.
    pub fn parse<T: FromStr>(self, text: &str) -> Result<T, StorageError> {
        text.parse().map_err(|_| self.error())
    }

    /// An optional value with a text form.
    pub fn parse_opt<T: FromStr>(self, text: Option<&str>) -> Result<Option<T>, StorageError> {
        text.map(|t| self.parse(t)).transpose()
    }

    /// A date stored as `2026-04-01`.
    pub fn date(self, text: &str) -> Result<time::Date, StorageError> {
        preventkit_domain::assessment::parse_date(text).ok_or_else(|| self.error())
    }

    /// A whole number that must fit the domain's type.
    pub fn int<T: TryFrom<i64>>(self, n: i64) -> Result<T, StorageError> {
        T::try_from(n).map_err(|_| self.error())
    }
}
