use crate::records::FrameworkVersionRow;
use crate::schema::FrameworkVersions as F;
use crate::{StorageError, Tx};
use sea_query::{Expr, Order, Query};

pub async fn insert(tx: &mut Tx, row: &FrameworkVersionRow) -> Result<(), StorageError> {
    tx.execute(&super::insert(
        F::Table,
        [
            (F::Id, row.id.clone().into()),
            (F::FrameworkKey, row.framework_key.clone().into()),
            (F::Version, row.version.into()),
            (F::Title, row.title.clone().into()),
            (F::Fingerprint, row.fingerprint.clone().into()),
            (F::Source, row.source.clone().into()),
            (F::ImportedAt, row.imported_at.into()),
        ],
    )?)
    .await?;
    Ok(())
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            F::Id,
            F::FrameworkKey,
            F::Version,
            F::Title,
            F::Fingerprint,
            F::Source,
            F::ImportedAt,
        ])
        .from(F::Table)
        .to_owned()
}

/// Every stored version, by framework and version.
pub async fn list(tx: &mut Tx) -> Result<Vec<FrameworkVersionRow>, StorageError> {
    tx.fetch_all(
        &select()
            .order_by(F::FrameworkKey, Order::Asc)
            .order_by(F::Version, Order::Asc)
            .to_owned(),
    )
    .await
}

/// One stored version by its id.
pub async fn get(tx: &mut Tx, id: &str) -> Result<Option<FrameworkVersionRow>, StorageError> {
    tx.fetch_optional(&select().and_where(Expr::col(F::Id).eq(id)).to_owned())
        .await
}

pub async fn versions_of(tx: &mut Tx, key: &str) -> Result<Vec<FrameworkVersionRow>, StorageError> {
    tx.fetch_all(
        &select()
            .and_where(Expr::col(F::FrameworkKey).eq(key))
            .order_by(F::Version, Order::Asc)
            .to_owned(),
    )
    .await
}
