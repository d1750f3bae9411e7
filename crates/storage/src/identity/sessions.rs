use crate::decode::one;
use crate::identity::rows::SessionRow;
use crate::identity::tables::Sessions as S;
use crate::{StorageError, Tx};
use preventkit_domain::identity::Session;
use sea_query::{Expr, Query, SimpleExpr};

pub async fn insert(tx: &mut Tx, row: &Session) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        S::Table,
        [
            (S::IdHash, row.id_hash.clone().into()),
            (S::UserId, row.user_id.to_string().into()),
            (S::Stage, row.stage.key().into()),
            (S::PendingTotpSecret, row.pending_totp_secret.clone().into()),
            (
                S::ActivePartnershipId,
                row.active_partnership.map(|p| p.to_string()).into(),
            ),
            (S::CreatedAt, row.created_at.millis().into()),
            (S::LastSeenAt, row.last_seen_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id_hash: &str) -> Result<Option<Session>, StorageError> {
    let row: Option<SessionRow> = tx
        .fetch_optional(
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
        .await?;
    one(row)
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
