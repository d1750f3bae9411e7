//! Statement helpers shared by the capabilities.

use crate::StorageError;
use sea_query::{Iden, InsertStatement, Query, SimpleExpr};

/// An `INSERT` of one row from column and value pairs.
pub fn insert<T, C, const N: usize>(
    table: T,
    pairs: [(C, SimpleExpr); N],
) -> Result<InsertStatement, StorageError>
where
    T: Iden + 'static,
    C: Iden + 'static,
{
    let mut cols = Vec::with_capacity(N);
    let mut vals = Vec::with_capacity(N);
    for (c, v) in pairs {
        cols.push(c);
        vals.push(v);
    }
    Ok(Query::insert()
        .into_table(table)
        .columns(cols)
        .values(vals)?
        .to_owned())
}
