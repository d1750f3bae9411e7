//! Channel case management: cases, their timelines and exceptional access.
//!
//! Storage only keeps and finds; who may see a case is decided in `domain::policy` from the
//! facts [`facts`] fetches, and sealed values are opened only by the case service.

pub mod tables;

mod rows;

pub(crate) use tables::migration_11;

use crate::decode::{all, one};
use crate::{StorageError, Tx};
use preventkit_domain::assessment::date_text;
use preventkit_domain::channel::{
    CaseEventRecord, CaseListing, CaseRecord, CaseStage, ExceptionalAccess, ScreeningOutcome,
};
use preventkit_domain::policy::CaseFacts;
use preventkit_domain::sealed::Sealed;
use preventkit_domain::{CaseId, PartnershipId, Timestamp, UserId};
use rows::{CaseRow, EventRow, ExceptionRow, ListingRow};
use sea_query::{Expr, Func, Order, Query, SelectStatement};
use tables::{CaseEvents as V, CaseExceptions as X, Cases as C};

const LISTING: [C; 11] = [
    C::Id,
    C::Reference,
    C::Stage,
    C::Outcome,
    C::ConcernType,
    C::Sector,
    C::ReferredAt,
    C::ReferrerId,
    C::CaseOfficerId,
    C::UpdatedAt,
    C::Version,
];

const REST: [C; 17] = [
    C::PartnershipId,
    C::Year,
    C::Number,
    C::Aware,
    C::Gender,
    C::AgeBand,
    C::AttachedTo,
    C::IdentityIndex,
    C::PersonName,
    C::DateOfBirth,
    C::ApproximateAge,
    C::Address,
    C::Contact,
    C::Professionals,
    C::Concern,
    C::Organisation,
    C::ReferredAt,
];

fn listings(partnership: PartnershipId) -> SelectStatement {
    Query::select()
        .columns(LISTING)
        .from(C::Table)
        .and_where(Expr::col(C::PartnershipId).eq(partnership.to_string()))
        .to_owned()
}

fn stored(s: &Sealed) -> String {
    s.as_stored().to_owned()
}

fn stored_opt(s: &Option<Sealed>) -> Option<String> {
    s.as_ref().map(stored)
}

/// The next number for a case referred in `year` in a partnership. The caller holds the
/// partnership's chain lock, so two referrals never take the same number.
pub async fn next_number(
    tx: &mut Tx,
    partnership: PartnershipId,
    year: i32,
) -> Result<i64, StorageError> {
    let max = tx
        .fetch_i64(
            &Query::select()
                .expr(Func::coalesce([
                    Expr::col(C::Number).max(),
                    Expr::val(0i64).into(),
                ]))
                .from(C::Table)
                .and_where(Expr::col(C::PartnershipId).eq(partnership.to_string()))
                .and_where(Expr::col(C::Year).eq(i64::from(year)))
                .to_owned(),
        )
        .await?;
    Ok(max + 1)
}

pub async fn insert(tx: &mut Tx, c: &CaseRecord) -> Result<(), StorageError> {
    let l = &c.listing;
    let s = &c.sealed;
    tx.execute(&crate::insert(
        C::Table,
        [
            (C::Id, l.id.to_string().into()),
            (C::PartnershipId, c.partnership.to_string().into()),
            (C::Reference, l.reference.as_str().into()),
            (C::Year, i64::from(c.year).into()),
            (C::Number, c.number.into()),
            (C::Stage, l.stage.key().into()),
            (C::Outcome, l.outcome.map(|o| o.key()).into()),
            (C::ConcernType, l.concern.key().into()),
            (C::Sector, l.sector.key().into()),
            (C::Aware, c.aware.key().into()),
            (C::Gender, c.gender.key().into()),
            (C::AgeBand, c.age_band.key().into()),
            (C::ReferrerId, l.referrer.to_string().into()),
            (
                C::CaseOfficerId,
                l.case_officer.map(|u| u.to_string()).into(),
            ),
            (C::AttachedTo, c.attached_to.map(|u| u.to_string()).into()),
            (C::IdentityIndex, c.identity_index.clone().into()),
            (C::PersonName, stored(&s.person_name).into()),
            (C::DateOfBirth, stored_opt(&s.date_of_birth).into()),
            (C::ApproximateAge, stored_opt(&s.approximate_age).into()),
            (C::Address, stored(&s.address).into()),
            (C::Contact, stored_opt(&s.contact).into()),
            (C::Professionals, stored_opt(&s.professionals).into()),
            (C::Concern, stored(&s.concern).into()),
            (C::Organisation, stored(&s.organisation).into()),
            (C::ReferredAt, l.referred_at.millis().into()),
            (C::UpdatedAt, l.updated_at.millis().into()),
            (C::Version, l.version.into()),
        ],
    )?)
    .await?;
    Ok(())
}

/// One case of a partnership, with its sealed fields.
pub async fn get(
    tx: &mut Tx,
    partnership: PartnershipId,
    id: CaseId,
) -> Result<Option<CaseRecord>, StorageError> {
    let row: Option<CaseRow> = tx
        .fetch_optional(
            &listings(partnership)
                .columns(REST.into_iter().filter(|c| !matches!(c, C::ReferredAt)))
                .and_where(Expr::col(C::Id).eq(id.to_string()))
                .to_owned(),
        )
        .await?;
    one(row)
}

/// One case of a partnership as lists show it.
pub async fn listing(
    tx: &mut Tx,
    partnership: PartnershipId,
    id: CaseId,
) -> Result<Option<CaseListing>, StorageError> {
    let row: Option<ListingRow> = tx
        .fetch_optional(
            &listings(partnership)
                .and_where(Expr::col(C::Id).eq(id.to_string()))
                .to_owned(),
        )
        .await?;
    one(row)
}

/// The facts the relationship rules need about one case for one person, with the case as
/// lists show it; `None` when the partnership has no such case.
pub async fn facts(
    tx: &mut Tx,
    partnership: PartnershipId,
    id: CaseId,
    user: UserId,
) -> Result<Option<(CaseListing, CaseFacts)>, StorageError> {
    let Some(listing) = listing(tx, partnership, id).await? else {
        return Ok(None);
    };
    let until: Option<(Option<i64>,)> = tx
        .fetch_optional(
            &Query::select()
                .expr(Expr::col(X::Until).max())
                .from(X::Table)
                .and_where(Expr::col(X::CaseId).eq(id.to_string()))
                .and_where(Expr::col(X::UserId).eq(user.to_string()))
                .to_owned(),
        )
        .await?;
    let agenda_windows = crate::panel::windows(tx, partnership, id, user).await?;
    let facts = CaseFacts {
        referrer: Some(listing.referrer),
        case_officer: listing.case_officer,
        exceptional_until: until.and_then(|(u,)| u).map(Timestamp::from_millis),
        agenda_windows,
    };
    Ok(Some((listing, facts)))
}

/// Every case of a partnership, newest first.
pub async fn list(
    tx: &mut Tx,
    partnership: PartnershipId,
) -> Result<Vec<CaseListing>, StorageError> {
    let rows: Vec<ListingRow> = tx
        .fetch_all(
            &listings(partnership)
                .order_by(C::ReferredAt, Order::Desc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// The referrals one person made in a partnership, newest first, each with the case it was
/// attached to (if any).
pub async fn referred_by(
    tx: &mut Tx,
    partnership: PartnershipId,
    user: UserId,
) -> Result<Vec<(CaseListing, Option<CaseId>)>, StorageError> {
    let rows: Vec<(String,)> = tx
        .fetch_all(
            &Query::select()
                .column(C::Id)
                .from(C::Table)
                .and_where(Expr::col(C::PartnershipId).eq(partnership.to_string()))
                .and_where(Expr::col(C::ReferrerId).eq(user.to_string()))
                .order_by(C::ReferredAt, Order::Desc)
                .to_owned(),
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id,) in rows {
        let id: CaseId = id.parse().map_err(|_| StorageError::Corrupt {
            table: "cases",
            column: "id",
        })?;
        if let Some(c) = get(tx, partnership, id).await? {
            out.push((c.listing, c.attached_to));
        }
    }
    Ok(out)
}

/// Other cases of the partnership for the same person (the same blind index), not attached
/// to another case.
pub async fn same_identity(
    tx: &mut Tx,
    partnership: PartnershipId,
    index: &str,
    except: CaseId,
) -> Result<Vec<CaseListing>, StorageError> {
    let rows: Vec<ListingRow> = tx
        .fetch_all(
            &listings(partnership)
                .and_where(Expr::col(C::IdentityIndex).eq(index))
                .and_where(Expr::col(C::Id).ne(except.to_string()))
                .and_where(Expr::col(C::AttachedTo).is_null())
                .order_by(C::ReferredAt, Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// The referrals attached to a case.
pub async fn attached(
    tx: &mut Tx,
    partnership: PartnershipId,
    to: CaseId,
) -> Result<Vec<CaseListing>, StorageError> {
    let rows: Vec<ListingRow> = tx
        .fetch_all(
            &listings(partnership)
                .and_where(Expr::col(C::AttachedTo).eq(to.to_string()))
                .order_by(C::ReferredAt, Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

/// What a change to a case sets, applied only if the case is still at `version`.
#[derive(Clone, Debug, Default)]
pub struct CaseChange {
    pub stage: Option<CaseStage>,
    pub outcome: Option<ScreeningOutcome>,
    pub case_officer: Option<UserId>,
    pub attached_to: Option<CaseId>,
}

/// Apply a change to a case if it is still at `version`; whether it was.
pub async fn change(
    tx: &mut Tx,
    partnership: PartnershipId,
    id: CaseId,
    version: i64,
    change: &CaseChange,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let mut q = Query::update();
    q.table(C::Table)
        .value(C::UpdatedAt, now.millis())
        .value(C::Version, version + 1)
        .and_where(Expr::col(C::Id).eq(id.to_string()))
        .and_where(Expr::col(C::PartnershipId).eq(partnership.to_string()))
        .and_where(Expr::col(C::Version).eq(version));
    if let Some(s) = change.stage {
        q.value(C::Stage, s.key());
    }
    if let Some(o) = change.outcome {
        q.value(C::Outcome, o.key());
    }
    if let Some(u) = change.case_officer {
        q.value(C::CaseOfficerId, u.to_string());
    }
    if let Some(c) = change.attached_to {
        q.value(C::AttachedTo, c.to_string());
    }
    Ok(tx.execute(&q).await? == 1)
}

pub async fn insert_event(tx: &mut Tx, e: &CaseEventRecord) -> Result<(), StorageError> {
    let result = match (e.deconfliction, e.outcome, e.decision) {
        (Some(d), _, _) => Some(d.key()),
        (None, Some(o), _) => Some(o.key()),
        (None, None, Some(d)) => Some(d.key()),
        (None, None, None) => None,
    };
    tx.execute(&crate::insert(
        V::Table,
        [
            (V::Id, e.id.to_string().into()),
            (V::CaseId, e.case.to_string().into()),
            (V::PartnershipId, e.partnership.to_string().into()),
            (V::Kind, e.kind.key().into()),
            (V::At, e.at.millis().into()),
            (V::ByUser, e.by.to_string().into()),
            (V::OnDate, e.on.map(date_text).into()),
            (V::Result, result.into()),
            (V::UserRef, e.user.map(|u| u.to_string()).into()),
            (V::CaseRef, e.other_case.map(|c| c.to_string()).into()),
            (V::Detail, e.detail.as_ref().map(stored).into()),
        ],
    )?)
    .await?;
    Ok(())
}

/// A case's timeline, oldest first.
pub async fn events(
    tx: &mut Tx,
    partnership: PartnershipId,
    case: CaseId,
) -> Result<Vec<CaseEventRecord>, StorageError> {
    let rows: Vec<EventRow> = tx
        .fetch_all(
            &Query::select()
                .columns([
                    V::Id,
                    V::CaseId,
                    V::PartnershipId,
                    V::Kind,
                    V::At,
                    V::ByUser,
                    V::OnDate,
                    V::Result,
                    V::UserRef,
                    V::CaseRef,
                    V::Detail,
                ])
                .from(V::Table)
                .and_where(Expr::col(V::CaseId).eq(case.to_string()))
                .and_where(Expr::col(V::PartnershipId).eq(partnership.to_string()))
                .order_by(V::At, Order::Asc)
                .order_by(V::Id, Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

pub async fn insert_exception(tx: &mut Tx, e: &ExceptionalAccess) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        X::Table,
        [
            (X::Id, uuid::Uuid::new_v4().to_string().into()),
            (X::CaseId, e.case.to_string().into()),
            (X::PartnershipId, e.partnership.to_string().into()),
            (X::UserId, e.user.to_string().into()),
            (X::Reason, e.reason.clone().into()),
            (X::GivenAt, e.given_at.millis().into()),
            (X::Until, e.until.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

/// Exceptional access given in a partnership, newest first.
pub async fn exceptions(
    tx: &mut Tx,
    partnership: PartnershipId,
) -> Result<Vec<ExceptionalAccess>, StorageError> {
    let rows: Vec<ExceptionRow> = tx
        .fetch_all(
            &Query::select()
                .columns([
                    X::CaseId,
                    X::PartnershipId,
                    X::UserId,
                    X::Reason,
                    X::GivenAt,
                    X::Until,
                ])
                .from(X::Table)
                .and_where(Expr::col(X::PartnershipId).eq(partnership.to_string()))
                .order_by(X::GivenAt, Order::Desc)
                .to_owned(),
        )
        .await?;
    all(rows)
}
