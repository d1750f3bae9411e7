//! Invitations to a role in a partnership. A membership made from one records who invited.

use crate::administration::rows::{InvitationListRow, InvitationRow};
use crate::administration::tables::{Invitations as I, Partnerships as P};
use crate::decode::{all, one};
use crate::identity::tables::Users as U;
use crate::{StorageError, Tx};
use preventkit_domain::administration::{Invitation, InvitationListing};
use preventkit_domain::{InvitationId, MembershipId, PartnershipId, Timestamp};
use sea_query::{Alias, Expr, Order, Query};

pub async fn insert(tx: &mut Tx, row: &Invitation) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        I::Table,
        [
            (I::Id, row.id.to_string().into()),
            (I::PartnershipId, row.partnership_id.to_string().into()),
            (I::Email, row.email.clone().into()),
            (I::Role, row.role.key().into()),
            (I::InvitedBy, row.invited_by.to_string().into()),
            (I::CreatedAt, row.created_at.millis().into()),
            (I::ExpiresAt, row.expires_at.millis().into()),
            (I::AcceptedAt, row.accepted_at.map(Timestamp::millis).into()),
            (I::DeclinedAt, row.declined_at.map(Timestamp::millis).into()),
            (
                I::MembershipId,
                row.membership_id.map(|m| m.to_string()).into(),
            ),
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
    now: Timestamp,
) -> Result<Vec<InvitationListing>, StorageError> {
    let rows: Vec<InvitationListRow> = tx
        .fetch_all(
            &listing()
                .and_where(Expr::col((I::Table, I::Email)).eq(email))
                .and_where(Expr::col((I::Table, I::AcceptedAt)).is_null())
                .and_where(Expr::col((I::Table, I::DeclinedAt)).is_null())
                .and_where(Expr::col((I::Table, I::ExpiresAt)).gt(now.millis()))
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// A partnership's invitations, newest first (the most recent `limit`).
pub async fn of_partnership(
    tx: &mut Tx,
    partnership_id: PartnershipId,
    limit: u64,
) -> Result<Vec<InvitationListing>, StorageError> {
    let rows: Vec<InvitationListRow> = tx
        .fetch_all(
            &listing()
                .and_where(Expr::col((I::Table, I::PartnershipId)).eq(partnership_id.to_string()))
                .limit(limit)
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// The accepted invitations behind a user's memberships (who gave each role, and when).
pub async fn accepted_by_membership(
    tx: &mut Tx,
    membership_ids: &[MembershipId],
) -> Result<Vec<InvitationListing>, StorageError> {
    if membership_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<InvitationListRow> = tx
        .fetch_all(
            &listing()
                .and_where(
                    Expr::col((I::Table, I::MembershipId))
                        .is_in(membership_ids.iter().map(|m| m.to_string())),
                )
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// One invitation by id, only if it is for this email address.
pub async fn get_for_email(
    tx: &mut Tx,
    id: InvitationId,
    email: &str,
) -> Result<Option<Invitation>, StorageError> {
    let mut q = Query::select();
    for c in COLUMNS {
        q.column(c);
    }
    let row: Option<InvitationRow> = tx
        .fetch_optional(
            &q.from(I::Table)
                .and_where(Expr::col(I::Id).eq(id.to_string()))
                .and_where(Expr::col(I::Email).eq(email))
                .to_owned(),
        )
        .await?;
    one(row)
}

/// Close an open invitation as accepted (with the membership it made) or declined. Answers
/// whether it was still open: two answers at once settle on one.
pub async fn close(
    tx: &mut Tx,
    id: InvitationId,
    now: Timestamp,
    membership_id: Option<MembershipId>,
) -> Result<bool, StorageError> {
    let mut q = Query::update();
    q.table(I::Table);
    match membership_id {
        Some(m) => {
            q.value(I::AcceptedAt, now.millis())
                .value(I::MembershipId, m.to_string());
        }
        None => {
            q.value(I::DeclinedAt, now.millis());
        }
    }
    let n = tx
        .execute(
            &q.and_where(Expr::col(I::Id).eq(id.to_string()))
                .and_where(Expr::col(I::AcceptedAt).is_null())
                .and_where(Expr::col(I::DeclinedAt).is_null())
                .and_where(Expr::col(I::ExpiresAt).gt(now.millis()))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}
