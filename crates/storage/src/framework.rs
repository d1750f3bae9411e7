use crate::column::{col, Column};
use crate::framework::FrameworkVersions as F;
use crate::schema::{id, int, text, Step};
use crate::{StorageError, Tx};
use preventkit_domain::framework::FrameworkVersion;
use preventkit_domain::{FrameworkVersionId, Timestamp};
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

/// One imported version of an assessment framework, as stored.
#[derive(Clone, Debug, sqlx::FromRow, PartialEq, Eq)]
pub(crate) struct FrameworkVersionRow {
    pub id: String,
    pub framework_key: String,
    pub version: i64,
    pub title: String,
    pub fingerprint: String,
    pub source: String,
    pub imported_at: i64,
}

const fn column(name: &'static str) -> Column {
    col("framework_versions", name)
}

impl TryFrom<FrameworkVersionRow> for FrameworkVersion {
    type Error = StorageError;

    fn try_from(r: FrameworkVersionRow) -> Result<Self, StorageError> {
        Ok(FrameworkVersion {
            id: column("id").parse(&r.id)?,
            key: r.framework_key,
            version: column("version").int(r.version)?,
            title: r.title,
            fingerprint: r.fingerprint,
            source: r.source,
            imported_at: Timestamp::from_millis(r.imported_at),
        })
    }
}

fn decode(rows: Vec<FrameworkVersionRow>) -> Result<Vec<FrameworkVersion>, StorageError> {
    rows.into_iter().map(FrameworkVersion::try_from).collect()
}

pub async fn insert(tx: &mut Tx, v: &FrameworkVersion) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        F::Table,
        [
            (F::Id, v.id.to_string().into()),
            (F::FrameworkKey, v.key.clone().into()),
            (F::Version, i64::from(v.version).into()),
            (F::Title, v.title.clone().into()),
            (F::Fingerprint, v.fingerprint.clone().into()),
            (F::Source, v.source.clone().into()),
            (F::ImportedAt, v.imported_at.millis().into()),
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
pub async fn list(tx: &mut Tx) -> Result<Vec<FrameworkVersion>, StorageError> {
    let rows: Vec<FrameworkVersionRow> = tx
        .fetch_all(
            &select()
                .order_by(F::FrameworkKey, Order::Asc)
                .order_by(F::Version, Order::Asc)
                .to_owned(),
        )
        .await?;
    decode(rows)
}

/// One stored version by its id.
pub async fn get(
    tx: &mut Tx,
    id: FrameworkVersionId,
) -> Result<Option<FrameworkVersion>, StorageError> {
    let row: Option<FrameworkVersionRow> = tx
        .fetch_optional(
            &select()
                .and_where(Expr::col(F::Id).eq(id.to_string()))
                .to_owned(),
        )
        .await?;
    row.map(FrameworkVersion::try_from).transpose()
}

/// Every stored version of one framework, oldest first.
pub async fn versions_of(tx: &mut Tx, key: &str) -> Result<Vec<FrameworkVersion>, StorageError> {
    let rows: Vec<FrameworkVersionRow> = tx
        .fetch_all(
            &select()
                .and_where(Expr::col(F::FrameworkKey).eq(key))
                .order_by(F::Version, Order::Asc)
                .to_owned(),
        )
        .await?;
    decode(rows)
}
