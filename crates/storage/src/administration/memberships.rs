use crate::administration::rows::{MemberRow, MembershipRow};
use crate::administration::tables::Memberships as M;
use crate::decode::{all, one};
use crate::identity::tables::Users as U;
use crate::{StorageError, Tx};
use preventkit_domain::administration::{Member, Membership};
use preventkit_domain::{MembershipId, PartnershipId, Role, UserId};
use sea_query::{Expr, Order, Query};

pub async fn insert(tx: &mut Tx, row: &Membership) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        M::Table,
        [
            (M::Id, row.id.to_string().into()),
            (M::PartnershipId, row.partnership_id.to_string().into()),
            (M::UserId, row.user_id.to_string().into()),
            (M::Role, row.role.key().into()),
            (M::CreatedAt, row.created_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([M::Id, M::PartnershipId, M::UserId, M::Role, M::CreatedAt])
        .from(M::Table)
        .to_owned()
}

pub async fn for_user(tx: &mut Tx, user_id: UserId) -> Result<Vec<Membership>, StorageError> {
    let rows: Vec<MembershipRow> = tx
        .fetch_all(
            &select()
                .and_where(Expr::col(M::UserId).eq(user_id.to_string()))
                .order_by(M::CreatedAt, Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// One membership, only if it belongs to the given partnership.
pub async fn get_in_partnership(
    tx: &mut Tx,
    id: MembershipId,
    partnership_id: PartnershipId,
) -> Result<Option<Membership>, StorageError> {
    let row: Option<MembershipRow> = tx
        .fetch_optional(
            &select()
                .and_where(Expr::col(M::Id).eq(id.to_string()))
                .and_where(Expr::col(M::PartnershipId).eq(partnership_id.to_string()))
                .to_owned(),
        )
        .await?;
    one(row)
}

pub async fn members_of(
    tx: &mut Tx,
    partnership_id: PartnershipId,
) -> Result<Vec<Member>, StorageError> {
    let rows: Vec<MemberRow> = tx
        .fetch_all(
            &Query::select()
                .columns([
                    (M::Table, M::Id),
                    (M::Table, M::PartnershipId),
                    (M::Table, M::UserId),
                    (M::Table, M::Role),
                    (M::Table, M::CreatedAt),
                ])
                .columns([
                    (U::Table, U::Email),
                    (U::Table, U::DisplayName),
                    (U::Table, U::DisabledAt),
                ])
                .from(M::Table)
                .inner_join(
                    U::Table,
                    Expr::col((U::Table, U::Id)).equals((M::Table, M::UserId)),
                )
                .and_where(Expr::col((M::Table, M::PartnershipId)).eq(partnership_id.to_string()))
                .order_by((U::Table, U::DisplayName), Order::Asc)
                .order_by((M::Table, M::Role), Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

pub async fn update_role(
    tx: &mut Tx,
    id: MembershipId,
    partnership_id: PartnershipId,
    role: Role,
) -> Result<u64, StorageError> {
    tx.execute(
        &Query::update()
            .table(M::Table)
            .value(M::Role, role.key())
            // A changed role is a new grant: the time is when this role was given, which also
            // keeps API tokens issued under an earlier role of this membership dead.
            .value(M::CreatedAt, crate::now_ms())
            .and_where(Expr::col(M::Id).eq(id.to_string()))
            .and_where(Expr::col(M::PartnershipId).eq(partnership_id.to_string()))
            .to_owned(),
    )
    .await
}

pub async fn delete(
    tx: &mut Tx,
    id: MembershipId,
    partnership_id: PartnershipId,
) -> Result<u64, StorageError> {
    tx.execute(
        &Query::delete()
            .from_table(M::Table)
            .and_where(Expr::col(M::Id).eq(id.to_string()))
            .and_where(Expr::col(M::PartnershipId).eq(partnership_id.to_string()))
            .to_owned(),
    )
    .await
}

/// How many memberships with this role a partnership has.
pub async fn count_role(
    tx: &mut Tx,
    partnership_id: PartnershipId,
    role: Role,
) -> Result<i64, StorageError> {
    tx.fetch_i64(
        &Query::select()
            .expr(Expr::col(M::Id).count())
            .from(M::Table)
            .and_where(Expr::col(M::PartnershipId).eq(partnership_id.to_string()))
            .and_where(Expr::col(M::Role).eq(role.key()))
            .to_owned(),
    )
    .await
}
