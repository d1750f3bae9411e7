use crate::identity::rows::ThrottleRow;
use crate::identity::tables::Throttle as T;
use crate::{StorageError, Tx};
use preventkit_domain::identity::ThrottleWindow;
use sea_query::{Expr, OnConflict, Query};

pub async fn get(tx: &mut Tx, key: &str) -> Result<Option<ThrottleWindow>, StorageError> {
    let row: Option<ThrottleRow> = tx
        .fetch_optional(
            &Query::select()
                .columns([T::Key, T::WindowStart, T::Failures])
                .from(T::Table)
                .and_where(Expr::col(T::Key).eq(key))
                .to_owned(),
        )
        .await?;
    Ok(row.map(Into::into))
}

pub async fn put(tx: &mut Tx, row: &ThrottleWindow) -> Result<(), StorageError> {
    let mut stmt = crate::insert(
        T::Table,
        [
            (T::Key, row.key.clone().into()),
            (T::WindowStart, row.window_start.millis().into()),
            (T::Failures, row.failures.into()),
        ],
    )?;
    stmt.on_conflict(
        OnConflict::column(T::Key)
            .update_columns([T::WindowStart, T::Failures])
            .to_owned(),
    );
    tx.execute(&stmt).await?;
    Ok(())
}

pub async fn clear(tx: &mut Tx, key: &str) -> Result<(), StorageError> {
    tx.execute(
        &Query::delete()
            .from_table(T::Table)
            .and_where(Expr::col(T::Key).eq(key))
            .to_owned(),
    )
    .await?;
    Ok(())
}

pub async fn delete_older_than(tx: &mut Tx, cutoff: i64) -> Result<u64, StorageError> {
    tx.execute(
        &Query::delete()
            .from_table(T::Table)
            .and_where(Expr::col(T::WindowStart).lt(cutoff))
            .to_owned(),
    )
    .await
}

/// Take one failure back from a key's current window (a reservation that turned out to be a
/// success). Never below zero; a window that has ended is left alone.
pub async fn give_back(
    tx: &mut Tx,
    key: &str,
    window_ended_before: i64,
) -> Result<(), StorageError> {
    tx.execute(
        &Query::update()
            .table(T::Table)
            .value(T::Failures, Expr::col(T::Failures).sub(1))
            .and_where(Expr::col(T::Key).eq(key))
            .and_where(Expr::col(T::Failures).gt(0))
            .and_where(Expr::col(T::WindowStart).gt(window_ended_before))
            .to_owned(),
    )
    .await?;
    Ok(())
}
