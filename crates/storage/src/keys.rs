//! Each case's data key, wrapped by a key-encryption key from the key file. The database holds
//! only wrapped keys: without the key file they open nothing.

use crate::keys::CaseKeys as K;
use crate::schema::{int, ref_id, text, Step};
use crate::{Db, StorageError, Tx};
use preventkit_domain::sealed::WrappedKeyRecord;
use sea_query::{ColumnDef, Expr, Iden, Index, Order, Query, Table};

// The tables of this capability.

#[derive(Iden, Clone, Copy)]
pub enum CaseKeys {
    Table,
    CaseId,
    PartnershipId,
    KekId,
    Wrapped,
    CreatedAt,
    UpdatedAt,
}

/// `case_keys`: one wrapped data key per case. No foreign key to the cases, which come later
/// and are not needed to re-wrap keys.
pub(crate) fn migration_10() -> Vec<Step> {
    use Step::{Index as I, Table as T};
    vec![
        T(Table::create()
            .table(K::Table)
            .col(
                ColumnDef::new(K::CaseId)
                    .string_len(100)
                    .not_null()
                    .primary_key(),
            )
            .col(ref_id(K::PartnershipId))
            .col(ColumnDef::new(K::KekId).string_len(64).not_null())
            .col(text(K::Wrapped))
            .col(int(K::CreatedAt))
            .col(int(K::UpdatedAt))
            .to_owned()),
        I(Index::create()
            .name("case_keys_kek")
            .table(K::Table)
            .col(K::KekId)
            .to_owned()),
    ]
}

mod rows {
    use crate::column::col;
    use crate::StorageError;
    use preventkit_domain::sealed::WrappedKeyRecord;

    #[derive(sqlx::FromRow)]
    pub(crate) struct CaseKeyRow {
        pub case_id: String,
        pub partnership_id: String,
        pub kek_id: String,
        pub wrapped: String,
    }

    impl TryFrom<CaseKeyRow> for WrappedKeyRecord {
        type Error = StorageError;
        fn try_from(r: CaseKeyRow) -> Result<Self, StorageError> {
            Ok(WrappedKeyRecord {
                owner: r.case_id,
                partnership: col("case_keys", "partnership_id").parse(&r.partnership_id)?,
                kek_id: r.kek_id,
                wrapped: r.wrapped,
            })
        }
    }
}

use rows::CaseKeyRow;

const COLS: [K; 4] = [K::CaseId, K::PartnershipId, K::KekId, K::Wrapped];

/// Store a new case's wrapped data key.
pub async fn insert(tx: &mut Tx, record: &WrappedKeyRecord) -> Result<(), StorageError> {
    let now = crate::now_ms();
    tx.execute(&crate::insert(
        K::Table,
        [
            (K::CaseId, record.owner.clone().into()),
            (K::PartnershipId, record.partnership.to_string().into()),
            (K::KekId, record.kek_id.clone().into()),
            (K::Wrapped, record.wrapped.clone().into()),
            (K::CreatedAt, now.into()),
            (K::UpdatedAt, now.into()),
        ],
    )?)
    .await?;
    Ok(())
}

/// The wrapped data key of `owner`, if it has one.
pub async fn get(tx: &mut Tx, owner: &str) -> Result<Option<WrappedKeyRecord>, StorageError> {
    let row: Option<CaseKeyRow> = tx
        .fetch_optional(
            &Query::select()
                .columns(COLS)
                .from(K::Table)
                .and_where(Expr::col(K::CaseId).eq(owner))
                .to_owned(),
        )
        .await?;
    crate::decode::one(row)
}

/// How many data keys each key-encryption key wraps, by key id.
pub async fn count_by_kek(tx: &mut Tx) -> Result<Vec<(String, u64)>, StorageError> {
    let rows: Vec<(String, i64)> = tx
        .fetch_all(
            &Query::select()
                .column(K::KekId)
                .expr(Expr::col(K::CaseId).count())
                .from(K::Table)
                .group_by_col(K::KekId)
                .order_by(K::KekId, Order::Asc)
                .to_owned(),
        )
        .await?;
    rows.into_iter()
        .map(|(k, n)| {
            u64::try_from(n)
                .map(|n| (k, n))
                .map_err(|_| StorageError::Corrupt {
                    table: "case_keys",
                    column: "kek_id",
                })
        })
        .collect()
}

/// A batch of at most `limit` data keys wrapped under a key other than `kek_id`.
pub async fn not_under(
    tx: &mut Tx,
    kek_id: &str,
    limit: u64,
) -> Result<Vec<WrappedKeyRecord>, StorageError> {
    let rows: Vec<CaseKeyRow> = tx
        .fetch_all(
            &Query::select()
                .columns(COLS)
                .from(K::Table)
                .and_where(Expr::col(K::KekId).ne(kek_id))
                .order_by(K::CaseId, Order::Asc)
                .limit(limit)
                .to_owned(),
        )
        .await?;
    crate::decode::all(rows)
}

/// Replace `owner`'s wrapped key with `record`, only if it is still wrapped under `old_kek`
/// (so two re-wrappers never both write). Answers whether it was replaced.
pub async fn update_wrapped(
    tx: &mut Tx,
    owner: &str,
    old_kek: &str,
    record: &WrappedKeyRecord,
) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(K::Table)
                .value(K::KekId, record.kek_id.clone())
                .value(K::Wrapped, record.wrapped.clone())
                .value(K::UpdatedAt, crate::now_ms())
                .and_where(Expr::col(K::CaseId).eq(owner))
                .and_where(Expr::col(K::KekId).eq(old_kek))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// Whether any case data exists (any case has a data key).
pub async fn any(db: &Db) -> Result<bool, StorageError> {
    let row: Option<(String,)> = db
        .fetch_optional(
            &Query::select()
                .column(K::CaseId)
                .from(K::Table)
                .limit(1)
                .to_owned(),
        )
        .await?;
    Ok(row.is_some())
}
