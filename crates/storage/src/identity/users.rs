use crate::administration::tables::Memberships as M;
use crate::decode::{all, one};
use crate::identity::rows::{RecoveryCodeRow, UserRow};
use crate::identity::tables::{RecoveryCodes as RC, Users as U};
use crate::{StorageError, Tx};
use preventkit_domain::identity::{RecoveryCode, User};
use sea_query::{Expr, Order, Query, SimpleExpr};

const COLUMNS: [U; 13] = [
    U::Id,
    U::Email,
    U::DisplayName,
    U::OrganisationId,
    U::PasswordHash,
    U::TotpSecret,
    U::MfaEnrolledAt,
    U::LastTotpStep,
    U::SystemAdmin,
    U::Clearance,
    U::DisabledAt,
    U::CreatedAt,
    U::UpdatedAt,
];

pub async fn insert(tx: &mut Tx, row: &User) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        U::Table,
        [
            (U::Id, row.id.to_string().into()),
            (U::Email, row.email.clone().into()),
            (U::DisplayName, row.display_name.clone().into()),
            (U::OrganisationId, row.organisation_id.to_string().into()),
            (U::PasswordHash, row.password_hash.clone().into()),
            (U::TotpSecret, row.totp_secret.clone().into()),
            (
                U::MfaEnrolledAt,
                row.mfa_enrolled_at.map(|t| t.millis()).into(),
            ),
            (U::LastTotpStep, row.last_totp_step.into()),
            (U::SystemAdmin, i64::from(row.system_admin).into()),
            (U::Clearance, row.clearance.key().into()),
            (U::DisabledAt, row.disabled_at.map(|t| t.millis()).into()),
            (U::CreatedAt, row.created_at.millis().into()),
            (U::UpdatedAt, row.updated_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns(COLUMNS.map(|c| (U::Table, c)))
        .from(U::Table)
        .to_owned()
}

pub async fn get(tx: &mut Tx, id: &str) -> Result<Option<User>, StorageError> {
    let row: Option<UserRow> = tx
        .fetch_optional(
            &select()
                .and_where(Expr::col((U::Table, U::Id)).eq(id))
                .to_owned(),
        )
        .await?;
    one(row)
}

pub async fn find_by_email(tx: &mut Tx, email: &str) -> Result<Option<User>, StorageError> {
    let row: Option<UserRow> = tx
        .fetch_optional(
            &select()
                .and_where(Expr::col((U::Table, U::Email)).eq(email))
                .to_owned(),
        )
        .await?;
    one(row)
}

/// The display names of the accounts among `ids` that exist, by id.
pub async fn names(
    tx: &mut Tx,
    ids: &[preventkit_domain::UserId],
) -> Result<Vec<(preventkit_domain::UserId, String)>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String)> = tx
        .fetch_all(
            &Query::select()
                .columns([U::Id, U::DisplayName])
                .from(U::Table)
                .and_where(Expr::col(U::Id).is_in(ids.iter().map(ToString::to_string)))
                .to_owned(),
        )
        .await?;
    rows.into_iter()
        .map(|(id, name)| {
            id.parse()
                .map(|id| (id, name))
                .map_err(|_| StorageError::Corrupt {
                    table: "users",
                    column: "id",
                })
        })
        .collect()
}

pub async fn list(tx: &mut Tx) -> Result<Vec<User>, StorageError> {
    let rows: Vec<UserRow> = tx
        .fetch_all(
            &select()
                .order_by((U::Table, U::Email), Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// Users holding any role in a partnership.
pub async fn list_in_partnership(
    tx: &mut Tx,
    partnership_id: &str,
) -> Result<Vec<User>, StorageError> {
    let rows: Vec<UserRow> = tx
        .fetch_all(
            &select()
                .and_where(
                    Expr::col((U::Table, U::Id)).in_subquery(
                        Query::select()
                            .column(M::UserId)
                            .from(M::Table)
                            .and_where(Expr::col(M::PartnershipId).eq(partnership_id))
                            .to_owned(),
                    ),
                )
                .order_by((U::Table, U::Email), Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// Set some columns of one user, always stamping `updated_at`.
pub async fn update(
    tx: &mut Tx,
    id: &str,
    now: i64,
    values: Vec<(U, SimpleExpr)>,
) -> Result<u64, StorageError> {
    let mut values = values;
    values.push((U::UpdatedAt, now.into()));
    tx.execute(
        &Query::update()
            .table(U::Table)
            .values(values)
            .and_where(Expr::col(U::Id).eq(id))
            .to_owned(),
    )
    .await
}

/// Record a TOTP time step as used, only if it is later than the last one used. Answers
/// whether it was accepted, so a code can never be replayed, even across servers.
pub async fn claim_totp_step(tx: &mut Tx, id: &str, step: i64) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(U::Table)
                .value(U::LastTotpStep, step)
                .and_where(Expr::col(U::Id).eq(id))
                .and_where(
                    Expr::col(U::LastTotpStep)
                        .is_null()
                        .or(Expr::col(U::LastTotpStep).lt(step)),
                )
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

pub async fn replace_recovery_codes(
    tx: &mut Tx,
    user_id: &str,
    codes: &[RecoveryCode],
) -> Result<(), StorageError> {
    tx.execute(
        &Query::delete()
            .from_table(RC::Table)
            .and_where(Expr::col(RC::UserId).eq(user_id))
            .to_owned(),
    )
    .await?;
    for c in codes {
        tx.execute(&crate::insert(
            RC::Table,
            [
                (RC::Id, c.id.to_string().into()),
                (RC::UserId, c.user_id.to_string().into()),
                (RC::CodeHash, c.code_hash.clone().into()),
                (RC::UsedAt, c.used_at.map(|t| t.millis()).into()),
                (RC::CreatedAt, c.created_at.millis().into()),
            ],
        )?)
        .await?;
    }
    Ok(())
}

pub async fn unused_recovery_codes(
    tx: &mut Tx,
    user_id: &str,
) -> Result<Vec<RecoveryCode>, StorageError> {
    let rows: Vec<RecoveryCodeRow> = tx
        .fetch_all(
            &Query::select()
                .columns([RC::Id, RC::UserId, RC::CodeHash, RC::UsedAt, RC::CreatedAt])
                .from(RC::Table)
                .and_where(Expr::col(RC::UserId).eq(user_id))
                .and_where(Expr::col(RC::UsedAt).is_null())
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// Mark a recovery code used; answers false if it had already been used (by a racing request).
pub async fn use_recovery_code(tx: &mut Tx, id: &str, now: i64) -> Result<bool, StorageError> {
    let n = tx
        .execute(
            &Query::update()
                .table(RC::Table)
                .value(RC::UsedAt, now)
                .and_where(Expr::col(RC::Id).eq(id))
                .and_where(Expr::col(RC::UsedAt).is_null())
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}
