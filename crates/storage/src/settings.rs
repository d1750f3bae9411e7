use crate::settings::Settings as S;
use crate::{StorageError, Tx};
use sea_query::Iden;
use sea_query::{Expr, OnConflict, Query};

// The tables of this capability.

#[derive(Iden, Clone, Copy)]
pub enum Settings {
    Table,
    Key,
    Value,
}

pub async fn get(tx: &mut Tx, key: &str) -> Result<Option<String>, StorageError> {
    let row: Option<(String,)> = tx
        .fetch_optional(
            &Query::select()
                .column(S::Value)
                .from(S::Table)
                .and_where(Expr::col(S::Key).eq(key))
                .to_owned(),
        )
        .await?;
    Ok(row.map(|(v,)| v))
}

/// Store a value unless one is stored already (the first writer wins on every server).
pub async fn insert_if_absent(tx: &mut Tx, key: &str, value: &str) -> Result<(), StorageError> {
    let mut stmt = crate::insert(S::Table, [(S::Key, key.into()), (S::Value, value.into())])?;
    stmt.on_conflict(OnConflict::column(S::Key).do_nothing().to_owned());
    tx.execute(&stmt).await?;
    Ok(())
}
