use crate::administration::tables::Memberships as M;
use crate::decode::{all, one};
use crate::identity::rows::{ApiTokenRow, TokenIdentityRow};
use crate::identity::tables::{ApiTokens as T, Users as U};
use crate::{Db, StorageError, Tx};
use preventkit_domain::identity::{ApiToken, TokenIdentity};
use sea_query::{Expr, Order, Query};

pub async fn insert(tx: &mut Tx, row: &ApiToken) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        T::Table,
        [
            (T::Id, row.id.to_string().into()),
            (T::UserId, row.user_id.to_string().into()),
            (T::PartnershipId, row.partnership_id.to_string().into()),
            (T::Role, row.role.key().into()),
            (T::Name, row.name.clone().into()),
            (T::TokenHash, row.token_hash.clone().into()),
            (T::CreatedAt, row.created_at.millis().into()),
            (T::ExpiresAt, row.expires_at.millis().into()),
            (T::RevokedAt, row.revoked_at.map(|t| t.millis()).into()),
            (T::LastUsedAt, row.last_used_at.map(|t| t.millis()).into()),
        ],
    )?)
    .await?;
    Ok(())
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            T::Id,
            T::UserId,
            T::PartnershipId,
            T::Role,
            T::Name,
            T::TokenHash,
            T::CreatedAt,
            T::ExpiresAt,
            T::RevokedAt,
            T::LastUsedAt,
        ])
        .from(T::Table)
        .to_owned()
}

/// The token with this hash, its account and the membership it acts through, in one
/// statement (a single statement is a consistent read, so no transaction is opened: every API
/// request resolves its token, and each round trip to the database counts).
pub async fn identity_by_hash(db: &Db, hash: &str) -> Result<Option<TokenIdentity>, StorageError> {
    let row: Option<TokenIdentityRow> = db
        .fetch_optional(
            &Query::select()
                .expr_as(
                    Expr::col((T::Table, T::Id)),
                    sea_query::Alias::new("token_id"),
                )
                .expr_as(
                    Expr::col((T::Table, T::UserId)),
                    sea_query::Alias::new("user_id"),
                )
                .expr_as(
                    Expr::col((T::Table, T::PartnershipId)),
                    sea_query::Alias::new("partnership_id"),
                )
                .expr_as(
                    Expr::col((T::Table, T::Role)),
                    sea_query::Alias::new("role"),
                )
                .column((T::Table, T::ExpiresAt))
                .column((T::Table, T::RevokedAt))
                .column((T::Table, T::LastUsedAt))
                .column((U::Table, U::Clearance))
                .column((U::Table, U::DisabledAt))
                .from(T::Table)
                .inner_join(
                    U::Table,
                    Expr::col((U::Table, U::Id)).equals((T::Table, T::UserId)),
                )
                .inner_join(
                    M::Table,
                    Expr::col((M::Table, M::UserId))
                        .equals((T::Table, T::UserId))
                        .and(
                            Expr::col((M::Table, M::PartnershipId))
                                .equals((T::Table, T::PartnershipId)),
                        )
                        .and(Expr::col((M::Table, M::Role)).equals((T::Table, T::Role)))
                        // Bound to the membership it was issued through: a role given again
                        // later is a new grant, and does not bring an old token back.
                        .and(
                            Expr::col((M::Table, M::CreatedAt))
                                .lte(Expr::col((T::Table, T::CreatedAt))),
                        ),
                )
                .and_where(Expr::col((T::Table, T::TokenHash)).eq(hash))
                .limit(1)
                .to_owned(),
        )
        .await?;
    one(row)
}

pub async fn for_user(tx: &mut Tx, user_id: &str) -> Result<Vec<ApiToken>, StorageError> {
    let rows: Vec<ApiTokenRow> = tx
        .fetch_all(
            &select()
                .and_where(Expr::col(T::UserId).eq(user_id))
                .order_by(T::CreatedAt, Order::Desc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// Revoke one of a user's tokens; answers whether a live token was revoked.
pub async fn revoke(tx: &mut Tx, id: &str, user_id: &str, now: i64) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(T::Table)
                .value(T::RevokedAt, now)
                .and_where(Expr::col(T::Id).eq(id))
                .and_where(Expr::col(T::UserId).eq(user_id))
                .and_where(Expr::col(T::RevokedAt).is_null())
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

pub async fn revoke_all_for_user(
    tx: &mut Tx,
    user_id: &str,
    now: i64,
) -> Result<u64, StorageError> {
    tx.execute(
        &Query::update()
            .table(T::Table)
            .value(T::RevokedAt, now)
            .and_where(Expr::col(T::UserId).eq(user_id))
            .and_where(Expr::col(T::RevokedAt).is_null())
            .to_owned(),
    )
    .await
}

pub async fn touch(tx: &mut Tx, id: &str, now: i64) -> Result<(), StorageError> {
    tx.execute(
        &Query::update()
            .table(T::Table)
            .value(T::LastUsedAt, now)
            .and_where(Expr::col(T::Id).eq(id))
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Revoke the live tokens that act through one role of one user in one partnership (the role
/// was changed or removed).
pub async fn revoke_for_role(
    tx: &mut Tx,
    user_id: &str,
    partnership_id: &str,
    role: &str,
    now: i64,
) -> Result<u64, StorageError> {
    tx.execute(
        &Query::update()
            .table(T::Table)
            .value(T::RevokedAt, now)
            .and_where(Expr::col(T::UserId).eq(user_id))
            .and_where(Expr::col(T::PartnershipId).eq(partnership_id))
            .and_where(Expr::col(T::Role).eq(role))
            .and_where(Expr::col(T::RevokedAt).is_null())
            .to_owned(),
    )
    .await
}
