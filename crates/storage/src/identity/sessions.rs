use crate::identity::tables::Sessions as S;
use crate::records::SessionRow;
use crate::{StorageError, Tx};
use sea_query::{Expr, Query, SimpleExpr};

pub async fn insert(tx: &mut Tx, row: &SessionRow) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        S::Table,
        [
            (S::IdHash, row.id_hash.clone().into()),
            (S::UserId, row.user_id.clone().into()),
            (S::Stage, row.stage.clone().into()),
            (S::PendingTotpSecret, row.pending_totp_secret.clone().into()),
            (
                S::ActivePartnershipId,
                row.active_partnership_id.clone().into(),
            ),
            (S::CreatedAt, row.created_at.into()),
            (S::LastSeenAt, row.last_seen_at.into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id_hash: &str) -> Result<Option<SessionRow>, StorageError> {
    tx.fetch_optional(
        &Query::select()
            .columns([
                S::IdHash,
                S::UserId,
                S::Stage,
                S::PendingTotpSecret,
                S::ActivePartnershipId,
                S::CreatedAt,
                S::LastSeenAt,
            ])
            .from(S::Table)
            .and_where(Expr::col(S::IdHash).eq(id_hash))
            .to_owned(),
    )
    .await
}

pub async fn update(
    tx: &mut Tx,
    id_hash: &str,
    values: Vec<(S, SimpleExpr)>,
) -> Result<u64, StorageError> {
    tx.execute(
        &Query::update()
            .table(S::Table)
            .values(values)
            .and_where(Expr::col(S::IdHash).eq(id_hash))
            .to_owned(),
    )
    .await
}

pub async fn delete(tx: &mut Tx, id_hash: &str) -> Result<u64, StorageError> {
    tx.execute(
        &Query::delete()
            .from_table(S::Table)
            .and_where(Expr::col(S::IdHash).eq(id_hash))
            .to_owned(),
    )
    .await
}

pub async fn delete_for_user(tx: &mut Tx, user_id: &str) -> Result<u64, StorageError> {
    tx.execute(
        &Query::delete()
            .from_table(S::Table)
            .and_where(Expr::col(S::UserId).eq(user_id))
            .to_owned(),
    )
    .await
}

/// Remove sessions idle since before `idle_cutoff` or started before `absolute_cutoff`.
pub async fn delete_expired(
    tx: &mut Tx,
    idle_cutoff: i64,
    absolute_cutoff: i64,
) -> Result<u64, StorageError> {
    tx.execute(
        &Query::delete()
            .from_table(S::Table)
            .cond_where(
                Expr::col(S::LastSeenAt)
                    .lt(idle_cutoff)
                    .or(Expr::col(S::CreatedAt).lt(absolute_cutoff)),
            )
            .to_owned(),
    )
    .await
}
