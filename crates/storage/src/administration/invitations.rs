//! Invitations to a role in a partnership. A membership made from one records who invited.

use crate::administration::tables::{Invitations as I, Partnerships as P};
use crate::identity::tables::Users as U;
use crate::records::{InvitationListRow, InvitationRow};
use crate::{StorageError, Tx};
use sea_query::{Alias, Expr, Order, Query};

pub async fn insert(tx: &mut Tx, row: &InvitationRow) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        I::Table,
        [
            (I::Id, row.id.clone().into()),
            (I::PartnershipId, row.partnership_id.clone().into()),
            (I::Email, row.email.clone().into()),
            (I::Role, row.role.clone().into()),
            (I::InvitedBy, row.invited_by.clone().into()),
            (I::CreatedAt, row.created_at.into()),
            (I::ExpiresAt, row.expires_at.into()),
            (I::AcceptedAt, row.accepted_at.into()),
            (I::DeclinedAt, row.declined_at.into()),
            (I::MembershipId, row.membership_id.clone().into()),
        ],
    )?)
    .await?;
    Ok(())
}

const COLUMNS: [I; 10] = [
    I::Id,
    I::PartnershipId,
    I::Email,
    I::Role,
    I::InvitedBy,
    I::CreatedAt,
    I::ExpiresAt,
    I::AcceptedAt,
    I::DeclinedAt,
    I::MembershipId,
];

fn listing() -> sea_query::SelectStatement {
    let mut q = Query::select();
    for c in COLUMNS {
        q.column((I::Table, c));
    }
    q.expr_as(
        Expr::col((P::Table, P::Name)),
        Alias::new("partnership_name"),
    )
    .expr_as(
        Expr::col((U::Table, U::DisplayName)),
        Alias::new("inviter_name"),
    )
    .from(I::Table)
    .inner_join(
        P::Table,
        Expr::col((P::Table, P::Id)).equals((I::Table, I::PartnershipId)),
    )
    .inner_join(
        U::Table,
        Expr::col((U::Table, U::Id)).equals((I::Table, I::InvitedBy)),
    )
    .order_by((I::Table, I::CreatedAt), Order::Desc)
    .to_owned()
}

/// Invitations for this email address that are still open at `now`.
pub async fn open_for_email(
    tx: &mut Tx,
    email: &str,
    now: i64,
) -> Result<Vec<InvitationListRow>, StorageError> {
    tx.fetch_all(
        &listing()
            .and_where(Expr::col((I::Table, I::Email)).eq(email))
            .and_where(Expr::col((I::Table, I::AcceptedAt)).is_null())
            .and_where(Expr::col((I::Table, I::DeclinedAt)).is_null())
            .and_where(Expr::col((I::Table, I::ExpiresAt)).gt(now))
            .to_owned(),
    )
    .await
}

/// A partnership's invitations, newest first (the most recent `limit`).
pub async fn of_partnership(
    tx: &mut Tx,
    partnership_id: &str,
    limit: u64,
) -> Result<Vec<InvitationListRow>, StorageError> {
    tx.fetch_all(
        &listing()
            .and_where(Expr::col((I::Table, I::PartnershipId)).eq(partnership_id))
            .limit(limit)
            .to_owned(),
    )
    .await
}

/// The accepted invitations behind a user's memberships (who gave each role, and when).
pub async fn accepted_by_membership(
    tx: &mut Tx,
    membership_ids: &[String],
) -> Result<Vec<InvitationListRow>, StorageError> {
    if membership_ids.is_empty() {
        return Ok(Vec::new());
    }
    tx.fetch_all(
        &listing()
            .and_where(Expr::col((I::Table, I::MembershipId)).is_in(membership_ids.iter().cloned()))
            .to_owned(),
    )
    .await
}

/// One invitation by id, only if it is for this email address.
pub async fn get_for_email(
    tx: &mut Tx,
    id: &str,
    email: &str,
) -> Result<Option<InvitationRow>, StorageError> {
    let mut q = Query::select();
    for c in COLUMNS {
        q.column(c);
    }
    tx.fetch_optional(
        &q.from(I::Table)
            .and_where(Expr::col(I::Id).eq(id))
            .and_where(Expr::col(I::Email).eq(email))
            .to_owned(),
    )
    .await
}

/// Close an open invitation as accepted (with the membership it made) or declined. Answers
/// whether it was still open: two answers at once settle on one.
pub async fn close(
    tx: &mut Tx,
    id: &str,
    now: i64,
    membership_id: Option<&str>,
) -> Result<bool, StorageError> {
    let mut q = Query::update();
    q.table(I::Table);
    match membership_id {
        Some(m) => {
            q.value(I::AcceptedAt, now).value(I::MembershipId, m);
        }
        None => {
            q.value(I::DeclinedAt, now);
        }
    }
    let n = tx
        .execute(
            &q.and_where(Expr::col(I::Id).eq(id))
                .and_where(Expr::col(I::AcceptedAt).is_null())
                .and_where(Expr::col(I::DeclinedAt).is_null())
                .and_where(Expr::col(I::ExpiresAt).gt(now))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}
