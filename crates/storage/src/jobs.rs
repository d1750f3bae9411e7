//! Leases for background jobs, so that with several servers on one database each periodic job
//! runs on one server at a time.

use crate::jobs::Jobs as J;
use crate::{StorageError, Tx};
use sea_query::Iden;
use sea_query::{Expr, OnConflict, Query};

// The tables of this capability.

#[derive(Iden, Clone, Copy)]
pub enum Jobs {
    Table,
    Name,
    LockedUntil,
    LockedBy,
    LastRunAt,
}

/// Take the lease on `name` until `until` if nobody holds it at `now`. Answers whether this
/// caller got it.
pub async fn try_lease(
    tx: &mut Tx,
    name: &str,
    holder: &str,
    now: i64,
    until: i64,
) -> Result<bool, StorageError> {
    let mut create = crate::insert(
        J::Table,
        [
            (J::Name, name.into()),
            (J::LockedUntil, 0i64.into()),
            (J::LockedBy, Option::<String>::None.into()),
            (J::LastRunAt, Option::<i64>::None.into()),
        ],
    )?;
    create.on_conflict(OnConflict::column(J::Name).do_nothing().to_owned());
    tx.execute(&create).await?;
    let n = tx
        .execute(
            &Query::update()
                .table(J::Table)
                .value(J::LockedUntil, until)
                .value(J::LockedBy, holder)
                .value(J::LastRunAt, now)
                .and_where(Expr::col(J::Name).eq(name))
                .and_where(Expr::col(J::LockedUntil).lt(now))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}
