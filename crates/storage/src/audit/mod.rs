//! The audit log: one hash chain per partnership and one for the platform, each with its head
//! row in `audit_chain_heads`. Appending an event locks the head of its chain only.

use crate::decode::all;
use crate::schema::{AuditChainHeads as H, AuditEvents as A, AuditHead as OldHead, DataStep, Step};
use crate::{now_ms, Engine, StorageError, Tx};
use preventkit_domain::audit::{
    AuditEvent, AuditQuery, AuditRecord, Chain, NewAuditEvent, GENESIS_HASH,
};
use preventkit_domain::{AuditEventId, PartnershipId};
use rows::AuditEventRow;

mod rows;
use crate::identity::tables::Users;
use sea_query::{ColumnDef, Expr, Func, Iden, Index, LockType, OnConflict, Order, Query, Table};
use std::collections::HashMap;

/// Lock the head of `chain` until the transaction ends and answer its last sequence number
/// and hash. The head row of a chain that has none yet is made first; two transactions making
/// it at once both succeed (`ON CONFLICT DO NOTHING`) and then queue on the row's lock. On
/// PostgreSQL the lock is `SELECT ... FOR UPDATE` of that row alone; SQLite serialises every
/// writer anyway.
pub async fn lock_chain(tx: &mut Tx, chain: &Chain) -> Result<(i64, String), StorageError> {
    let key = chain.key();
    if let Some(h) = tx.audit_heads.get(&key) {
        return Ok(h.clone());
    }
    let head = match select_head_for_update(tx, &key).await? {
        Some(h) => h,
        None => {
            let mut make = crate::insert(
                H::Table,
                [
                    (H::Chain, key.clone().into()),
                    (H::LastSeq, 0i64.into()),
                    (H::LastHash, GENESIS_HASH.into()),
                    (H::TouchedAt, now_ms().into()),
                ],
            )?;
            make.on_conflict(OnConflict::column(H::Chain).do_nothing().to_owned());
            tx.execute(&make).await?;
            select_head_for_update(tx, &key).await?.ok_or_else(|| {
                StorageError::Inconsistent(format!("the head of audit chain {key} went missing"))
            })?
        }
    };
    tx.audit_heads.insert(key, head.clone());
    Ok(head)
}

async fn select_head_for_update(
    tx: &mut Tx,
    key: &str,
) -> Result<Option<(i64, String)>, StorageError> {
    if tx.engine() == Engine::Sqlite {
        // An update takes SQLite's write lock at once and answers the head in one statement.
        return tx
            .fetch_optional(
                &Query::update()
                    .table(H::Table)
                    .value(H::TouchedAt, now_ms())
                    .and_where(Expr::col(H::Chain).eq(key))
                    .returning(Query::returning().columns([H::LastSeq, H::LastHash]))
                    .to_owned(),
            )
            .await;
    }
    tx.fetch_optional(
        &Query::select()
            .columns([H::LastSeq, H::LastHash])
            .from(H::Table)
            .and_where(Expr::col(H::Chain).eq(key))
            .lock(LockType::Update)
            .to_owned(),
    )
    .await
}

/// The head (last sequence number and hash) of every chain that has one, by chain key.
pub async fn heads(tx: &mut Tx) -> Result<Vec<(String, i64, String)>, StorageError> {
    tx.fetch_all(
        &Query::select()
            .columns([H::Chain, H::LastSeq, H::LastHash])
            .from(H::Table)
            .order_by(H::Chain, Order::Asc)
            .to_owned(),
    )
    .await
}

/// The keys of every chain that has events.
pub async fn chains_with_events(tx: &mut Tx) -> Result<Vec<String>, StorageError> {
    let rows: Vec<(String,)> = tx
        .fetch_all(
            &Query::select()
                .distinct()
                .column(A::Chain)
                .from(A::Table)
                .order_by(A::Chain, Order::Asc)
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// Append an event at the end of its partnership's chain (or the platform's). Must run in a
/// transaction from [`crate::Db::write`]; it locks the chain's head until the transaction
/// ends.
pub async fn append(tx: &mut Tx, event: &NewAuditEvent) -> Result<AuditRecord, StorageError> {
    append_all(tx, std::slice::from_ref(event))
        .await?
        .pop()
        .ok_or_else(|| StorageError::Inconsistent("an appended audit event went missing".into()))
}

/// Append events, in order, each at the end of its own chain, with one insert and one update
/// of each chain's head. The heads are locked in order of chain key, so two transactions
/// writing to the same chains never wait for each other in a circle.
pub async fn append_all(
    tx: &mut Tx,
    events: &[NewAuditEvent],
) -> Result<Vec<AuditRecord>, StorageError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut chains: Vec<Chain> = events.iter().map(|e| Chain::of(e.partnership)).collect();
    chains.sort();
    chains.dedup();
    let mut ends: HashMap<String, (i64, String)> = lock_chains(tx, &chains).await?;
    let mut insert = Query::insert()
        .into_table(A::Table)
        .columns(COLUMNS)
        .to_owned();
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let chain = Chain::of(event.partnership).key();
        let (seq, prev) = ends.get(&chain).cloned().ok_or_else(|| {
            StorageError::Inconsistent(format!("the head of audit chain {chain} was not locked"))
        })?;
        let mut e = AuditRecord {
            chain: chain.clone(),
            seq: seq + 1,
            id: AuditEventId::new().to_string(),
            occurred_at: now_ms(),
            actor: event.actor.map(|a| a.to_string()),
            partnership: event.partnership.map(|p| p.to_string()),
            action: event.action.key().to_owned(),
            object_type: event.object_type.clone(),
            object_id: event.object_id.clone(),
            outcome: event.outcome.key().to_owned(),
            source: event.source.clone(),
            prev_hash: prev,
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        insert.values(row_values(&e))?;
        ends.insert(chain, (e.seq, e.hash.clone()));
        out.push(e);
    }
    tx.execute(&insert).await?;
    // Every head moved by this batch, in one statement: a batch of answers from many
    // partnerships would otherwise pay one round trip per chain.
    let moved: Vec<(String, i64, String)> = chains
        .iter()
        .filter_map(|c| {
            let key = c.key();
            ends.remove(&key).map(|(seq, hash)| (key, seq, hash))
        })
        .collect();
    if let [(key, seq, hash)] = moved.as_slice() {
        tx.execute(
            &Query::update()
                .table(H::Table)
                .value(H::LastSeq, *seq)
                .value(H::LastHash, hash.clone())
                .and_where(Expr::col(H::Chain).eq(key.as_str()))
                .to_owned(),
        )
        .await?;
    } else if !moved.is_empty() {
        let mut last_seq = sea_query::CaseStatement::new();
        let mut last_hash = sea_query::CaseStatement::new();
        for (key, seq, hash) in &moved {
            last_seq = last_seq.case(Expr::col(H::Chain).eq(key.as_str()), *seq);
            last_hash = last_hash.case(Expr::col(H::Chain).eq(key.as_str()), hash.as_str());
        }
        tx.execute(
            &Query::update()
                .table(H::Table)
                .value(H::LastSeq, last_seq)
                .value(H::LastHash, last_hash)
                .and_where(Expr::col(H::Chain).is_in(moved.iter().map(|(k, _, _)| k.as_str())))
                .to_owned(),
        )
        .await?;
    }
    for (key, seq, hash) in moved {
        tx.audit_heads.insert(key, (seq, hash));
    }
    Ok(out)
}

/// Lock the heads of `chains` (sorted, without repeats) and answer each one's last sequence
/// number and hash, by chain key. Heads already locked by this transaction are taken from it;
/// the others are locked together in one statement, in chain order (so two batches never wait
/// on each other crosswise). A chain without a head row yet is made by [`lock_chain`].
async fn lock_chains(
    tx: &mut Tx,
    chains: &[Chain],
) -> Result<HashMap<String, (i64, String)>, StorageError> {
    let mut found: HashMap<String, (i64, String)> = HashMap::new();
    let mut wanted: Vec<String> = Vec::new();
    for chain in chains {
        let key = chain.key();
        match tx.audit_heads.get(&key) {
            Some(h) => {
                found.insert(key, h.clone());
            }
            None => wanted.push(key),
        }
    }
    if wanted.len() > 1 {
        let rows: Vec<(String, i64, String)> = if tx.engine() == Engine::Sqlite {
            // An update takes SQLite's write lock at once and answers the heads.
            tx.fetch_all(
                &Query::update()
                    .table(H::Table)
                    .value(H::TouchedAt, now_ms())
                    .and_where(Expr::col(H::Chain).is_in(wanted.iter().map(String::as_str)))
                    .returning(Query::returning().columns([H::Chain, H::LastSeq, H::LastHash]))
                    .to_owned(),
            )
            .await?
        } else {
            tx.fetch_all(
                &Query::select()
                    .columns([H::Chain, H::LastSeq, H::LastHash])
                    .from(H::Table)
                    .and_where(Expr::col(H::Chain).is_in(wanted.iter().map(String::as_str)))
                    .order_by(H::Chain, Order::Asc)
                    .lock(LockType::Update)
                    .to_owned(),
            )
            .await?
        };
        for (key, seq, hash) in rows {
            tx.audit_heads.insert(key.clone(), (seq, hash.clone()));
            found.insert(key, (seq, hash));
        }
    }
    // One chain, or a chain whose head row does not exist yet: one at a time.
    for chain in chains {
        if let std::collections::hash_map::Entry::Vacant(slot) = found.entry(chain.key()) {
            slot.insert(lock_chain(tx, chain).await?);
        }
    }
    Ok(found)
}

fn row_values(e: &AuditRecord) -> [sea_query::SimpleExpr; 13] {
    [
        e.chain.clone().into(),
        e.seq.into(),
        e.id.clone().into(),
        e.occurred_at.into(),
        e.actor.clone().into(),
        e.partnership.clone().into(),
        e.action.clone().into(),
        e.object_type.clone().into(),
        e.object_id.clone().into(),
        e.outcome.clone().into(),
        e.source.clone().into(),
        e.prev_hash.clone().into(),
        e.hash.clone().into(),
    ]
}

/// The columns written on append (`position` is given by the database).
const COLUMNS: [A; 13] = [
    A::Chain,
    A::Seq,
    A::Id,
    A::OccurredAt,
    A::ActorId,
    A::PartnershipId,
    A::Action,
    A::ObjectType,
    A::ObjectId,
    A::Outcome,
    A::Source,
    A::PrevHash,
    A::Hash,
];

/// The columns read into an `AuditEventRow`.
const ROW_COLUMNS: [A; 14] = [
    A::Position,
    A::Chain,
    A::Seq,
    A::Id,
    A::OccurredAt,
    A::ActorId,
    A::PartnershipId,
    A::Action,
    A::ObjectType,
    A::ObjectId,
    A::Outcome,
    A::Source,
    A::PrevHash,
    A::Hash,
];

/// One chain's events in order of `seq`, `limit` at a time: from the first (whatever its
/// number, so a row renumbered to 0 or below is seen), then from after `after_seq` (for
/// verification).
pub async fn batch_after(
    tx: &mut Tx,
    chain: &str,
    after_seq: Option<i64>,
    limit: u64,
) -> Result<Vec<AuditRecord>, StorageError> {
    let mut q = Query::select()
        .columns(ROW_COLUMNS)
        .from(A::Table)
        .and_where(Expr::col(A::Chain).eq(chain))
        .to_owned();
    if let Some(after) = after_seq {
        q.and_where(Expr::col(A::Seq).gt(after));
    }
    let rows: Vec<AuditEventRow> = tx
        .fetch_all(&q.order_by(A::Seq, Order::Asc).limit(limit).to_owned())
        .await?;
    Ok(rows.into_iter().map(AuditRecord::from).collect())
}

/// The events of one partnership (or of every chain, with `None`) that `f` asks for, newest
/// first (in the order events were written, across chains). Every field of `f` narrows the
/// result.
pub async fn search(
    tx: &mut Tx,
    partnership: Option<PartnershipId>,
    f: &AuditQuery,
) -> Result<Vec<AuditEvent>, StorageError> {
    let mut q = Query::select()
        .columns(ROW_COLUMNS)
        .from(A::Table)
        .to_owned();
    if let Some(p) = partnership {
        q.and_where(Expr::col(A::PartnershipId).eq(p.to_string()));
    }
    if let Some(a) = &f.actor {
        q.and_where(Expr::col(A::ActorId).eq(a.to_string()));
    }
    if let Some(name) = f
        .actor_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        // People by any part of their name, in the same statement: every match counts.
        let pattern = format!("%{}%", like_escaped(&name.to_lowercase()));
        q.and_where(
            Expr::col(A::ActorId).in_subquery(
                Query::select()
                    .column(Users::Id)
                    .from(Users::Table)
                    .and_where(
                        Expr::expr(Func::lower(Expr::col(Users::DisplayName)))
                            .like(sea_query::LikeExpr::new(pattern).escape('\\')),
                    )
                    .to_owned(),
            ),
        );
    }
    if let Some(prefix) = &f.action_prefix {
        let escaped = like_escaped(prefix);
        q.and_where(
            Expr::col(A::Action).like(sea_query::LikeExpr::new(format!("{escaped}%")).escape('\\')),
        );
    }
    if let Some(o) = &f.outcome {
        q.and_where(Expr::col(A::Outcome).eq(o.key()));
    }
    if let Some(id) = &f.object_id {
        q.and_where(Expr::col(A::ObjectId).eq(id.as_str()));
    }
    if let Some(from) = f.from_ms {
        q.and_where(Expr::col(A::OccurredAt).gte(from));
    }
    if let Some(to) = f.to_ms {
        q.and_where(Expr::col(A::OccurredAt).lt(to));
    }
    if let Some(before) = f.before_position {
        q.and_where(Expr::col(A::Position).lt(before));
    }
    q.order_by(A::Position, Order::Desc)
        .limit(f.limit.clamp(1, 500));
    let rows: Vec<AuditEventRow> = tx.fetch_all(&q).await?;
    all(rows)
}

/// Text for a `LIKE` pattern with `\` as the escape: its wildcards match only themselves.
fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

// ---------------------------------------------------------------------------------------------
// Migration 8: from the single chain to one chain per partnership and one for the platform.
// ---------------------------------------------------------------------------------------------

/// The new log is built beside the old one under this name, then takes the old one's name.
#[derive(Iden, Clone, Copy)]
enum AuditEventsChained {
    Table,
}

/// The single chain's table as schema versions 1 to 7 made it.
#[derive(Debug, sqlx::FromRow)]
struct SingleChainRow {
    seq: i64,
    id: String,
    occurred_at: i64,
    actor_id: Option<String>,
    partnership_id: Option<String>,
    action: String,
    object_type: Option<String>,
    object_id: Option<String>,
    outcome: String,
    source: Option<String>,
    prev_hash: String,
    hash: String,
}

pub(crate) fn migration_8() -> Vec<Step> {
    use Step::{Drop as D, Index as I, Rename as R, Table as T};
    let rechain: DataStep = |tx| Box::pin(rechain(tx));
    vec![
        T(Table::create()
            .table(H::Table)
            .col(
                ColumnDef::new(H::Chain)
                    .string_len(64)
                    .not_null()
                    .primary_key(),
            )
            .col(crate::schema::int(H::LastSeq))
            .col(ColumnDef::new(H::LastHash).string_len(64).not_null())
            .col(crate::schema::int(H::TouchedAt))
            .to_owned()),
        T(Table::create()
            .table(AuditEventsChained::Table)
            .col(
                ColumnDef::new(A::Position)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(A::Chain).string_len(64).not_null())
            .col(crate::schema::int(A::Seq))
            .col(ColumnDef::new(A::Id).string_len(36).not_null().unique_key())
            .col(crate::schema::int(A::OccurredAt))
            .col(crate::schema::ref_id_null(A::ActorId))
            .col(crate::schema::ref_id_null(A::PartnershipId))
            .col(crate::schema::text(A::Action))
            .col(crate::schema::text_null(A::ObjectType))
            .col(crate::schema::text_null(A::ObjectId))
            .col(crate::schema::text(A::Outcome))
            .col(crate::schema::text_null(A::Source))
            .col(ColumnDef::new(A::PrevHash).string_len(64).not_null())
            .col(ColumnDef::new(A::Hash).string_len(64).not_null())
            .to_owned()),
        Step::Data(rechain),
        D(Table::drop().table(A::Table).to_owned()),
        D(Table::drop().table(OldHead::Table).to_owned()),
        R(Box::new(
            Table::rename()
                .table(AuditEventsChained::Table, A::Table)
                .to_owned(),
        )),
        I(Index::create()
            .name("audit_events_chain_seq")
            .table(A::Table)
            .col(A::Chain)
            .col(A::Seq)
            .unique()
            .to_owned()),
        I(Index::create()
            .name("audit_events_partnership")
            .table(A::Table)
            .col(A::PartnershipId)
            .col(A::Position)
            .to_owned()),
    ]
}

/// Move every event of the single chain to its own chain, in the old order: numbered anew
/// within its chain, linked to the event before it there and hashed with its chain. The old
/// chain is checked first, against its own head; a broken one is refused, so that moving it
/// can never hide tampering (find the break with the previous version's `verify-audit`).
/// Each event keeps its old number as its `position`.
async fn rechain(tx: &mut Tx) -> Result<(), StorageError> {
    let old_head: Option<(i64, String)> = tx
        .fetch_optional(
            &Query::select()
                .columns([OldHead::LastSeq, OldHead::LastHash])
                .from(OldHead::Table)
                .and_where(Expr::col(OldHead::Id).eq(1))
                .to_owned(),
        )
        .await?;
    let (old_head_seq, old_head_hash) = old_head.unwrap_or((0, GENESIS_HASH.to_owned()));
    let refuse = |what: String| {
        StorageError::Inconsistent(format!(
            "the audit log cannot be moved to per-partnership chains because {what}; \
             run verify-audit with the previous version to find the break"
        ))
    };
    let mut expected_seq = 1i64;
    let mut prev = GENESIS_HASH.to_owned();
    let mut ends: HashMap<String, (i64, String)> = HashMap::new();
    loop {
        let batch: Vec<SingleChainRow> = tx
            .fetch_all(
                &Query::select()
                    .columns([
                        A::Seq,
                        A::Id,
                        A::OccurredAt,
                        A::ActorId,
                        A::PartnershipId,
                        A::Action,
                        A::ObjectType,
                        A::ObjectId,
                        A::Outcome,
                        A::Source,
                        A::PrevHash,
                        A::Hash,
                    ])
                    .from(A::Table)
                    .and_where(Expr::col(A::Seq).gte(expected_seq))
                    .order_by(A::Seq, Order::Asc)
                    .limit(500)
                    .to_owned(),
            )
            .await?;
        if batch.is_empty() {
            break;
        }
        let mut insert = Query::insert()
            .into_table(AuditEventsChained::Table)
            .columns(ROW_COLUMNS)
            .to_owned();
        for row in batch {
            let old = AuditRecord {
                chain: String::new(),
                seq: row.seq,
                id: row.id,
                occurred_at: row.occurred_at,
                actor: row.actor_id,
                partnership: row.partnership_id,
                action: row.action,
                object_type: row.object_type,
                object_id: row.object_id,
                outcome: row.outcome,
                source: row.source,
                prev_hash: row.prev_hash,
                hash: row.hash,
            };
            if old.seq != expected_seq
                || old.prev_hash != prev
                || old.compute_single_chain_hash() != old.hash
            {
                return Err(refuse(format!("it is broken at event {expected_seq}")));
            }
            prev = old.hash.clone();
            expected_seq += 1;
            let chain = Chain::key_of_stored(old.partnership.as_deref());
            let (seq, link) = ends
                .get(&chain)
                .cloned()
                .unwrap_or((0, GENESIS_HASH.to_owned()));
            let mut new = AuditRecord {
                chain: chain.clone(),
                seq: seq + 1,
                prev_hash: link,
                hash: String::new(),
                ..old.clone()
            };
            new.hash = new.compute_hash();
            let mut values = vec![old.seq.into()];
            values.extend(row_values(&new));
            insert.values(values)?;
            ends.insert(chain, (new.seq, new.hash));
        }
        tx.execute(&insert).await?;
    }
    if expected_seq - 1 != old_head_seq || prev != old_head_hash {
        return Err(refuse(format!(
            "it ends at event {} but its head records event {old_head_seq}",
            expected_seq - 1
        )));
    }
    ends.entry(Chain::Platform.key())
        .or_insert((0, GENESIS_HASH.to_owned()));
    let mut heads: Vec<(String, (i64, String))> = ends.into_iter().collect();
    heads.sort();
    for (chain, (seq, hash)) in heads {
        tx.execute(&crate::insert(
            H::Table,
            [
                (H::Chain, chain.into()),
                (H::LastSeq, seq.into()),
                (H::LastHash, hash.into()),
                (H::TouchedAt, now_ms().into()),
            ],
        )?)
        .await?;
    }
    if tx.engine() == Engine::Postgres && old_head_seq > 0 {
        // The rows above were given their positions; new ones follow them.
        tx.execute_sql(&format!(
            "SELECT setval(pg_get_serial_sequence('{}', '{}'), {old_head_seq})",
            AuditEventsChained::Table.to_string(),
            A::Position.to_string(),
        ))
        .await?;
    }
    Ok(())
}
