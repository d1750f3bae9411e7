use crate::framework::FrameworkVersions as F;
use crate::records::FrameworkVersionRow;
use crate::schema::{id, int, text, Step};
use crate::{StorageError, Tx};
#[allow(unused_imports)]
use sea_query::{ColumnDef, ForeignKey, Iden, Index, Table};
use sea_query::{Expr, Order, Query};

// The tables of this capability.

#[derive(Iden, Clone, Copy)]
pub enum FrameworkVersions {
    Table,
    Id,
    FrameworkKey,
    Version,
    Title,
    Fingerprint,
    Source,
    ImportedAt,
}

pub(crate) fn migration_2() -> Vec<Step> {
    vec![
        Step::Table(
            Table::create()
                .table(FrameworkVersions::Table)
                .col(id(FrameworkVersions::Id))
                .col(
                    ColumnDef::new(FrameworkVersions::FrameworkKey)
                        .string_len(100)
                        .not_null(),
                )
                .col(int(FrameworkVersions::Version))
                .col(text(FrameworkVersions::Title))
                .col(
                    ColumnDef::new(FrameworkVersions::Fingerprint)
                        .string_len(64)
                        .not_null(),
                )
                .col(text(FrameworkVersions::Source))
                .col(int(FrameworkVersions::ImportedAt))
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("framework_versions_key_version")
                .table(FrameworkVersions::Table)
                .col(FrameworkVersions::FrameworkKey)
                .col(FrameworkVersions::Version)
                .unique()
                .to_owned(),
        ),
    ]
}

pub async fn insert(tx: &mut Tx, row: &FrameworkVersionRow) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
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
