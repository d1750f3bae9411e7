use crate::records::AuditEventRow;
use crate::schema::{AuditEvents as A, AuditHead as H};
use crate::{now_ms, StorageError, Tx};
use preventkit_domain::audit::{AuditEvent, NewAuditEvent};
use preventkit_domain::AuditEventId;
use sea_query::{Expr, Order, Query};

/// Take the write lock: an update of the chain head row, which also answers the head (one
/// statement instead of two). See [`crate::Db::write`].
pub(crate) async fn lock_head(tx: &mut Tx) -> Result<(), StorageError> {
    let row: Option<(i64, String)> = tx
        .fetch_optional(
            &Query::update()
                .table(H::Table)
                .value(H::TouchedAt, now_ms())
                .and_where(Expr::col(H::Id).eq(1))
                .returning(Query::returning().columns([H::LastSeq, H::LastHash]))
                .to_owned(),
        )
        .await?;
    let head =
        row.ok_or_else(|| StorageError::Inconsistent("the audit chain head is missing".into()))?;
    tx.audit_head = Some(head);
    Ok(())
}

/// The last sequence number and hash recorded in the chain head.
pub async fn head(tx: &mut Tx) -> Result<(i64, String), StorageError> {
    if let Some(h) = &tx.audit_head {
        return Ok(h.clone());
    }
    let row: Option<(i64, String)> = tx
        .fetch_optional(
            &Query::select()
                .columns([H::LastSeq, H::LastHash])
                .from(H::Table)
                .and_where(Expr::col(H::Id).eq(1))
                .to_owned(),
        )
        .await?;
    row.ok_or_else(|| StorageError::Inconsistent("the audit chain head is missing".into()))
}

/// Append an event at the end of the chain. Must run in a transaction from
/// [`crate::Db::write`], which holds the head lock.
pub async fn append(tx: &mut Tx, event: &NewAuditEvent) -> Result<AuditEvent, StorageError> {
    append_all(tx, std::slice::from_ref(event))
        .await?
        .pop()
        .ok_or_else(|| StorageError::Inconsistent("an appended audit event went missing".into()))
}

/// Append events at the end of the chain, in order, with one insert and one update of the
/// head. Must run in a transaction from [`crate::Db::write`], which holds the head lock.
pub async fn append_all(
    tx: &mut Tx,
    events: &[NewAuditEvent],
) -> Result<Vec<AuditEvent>, StorageError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let (mut seq, mut prev) = head(tx).await?;
    let mut insert = Query::insert()
        .into_table(A::Table)
        .columns(COLUMNS)
        .to_owned();
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let mut e = AuditEvent {
            seq: seq + 1,
            id: AuditEventId::new().to_string(),
            occurred_at: now_ms(),
            actor: event.actor.map(|a| a.to_string()),
            partnership: event.partnership.map(|p| p.to_string()),
            action: event.action.clone(),
            object_type: event.object_type.clone(),
            object_id: event.object_id.clone(),
            outcome: event.outcome.key().to_owned(),
            source: event.source.clone(),
            prev_hash: prev,
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        insert.values([
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
        ])?;
        seq = e.seq;
        prev = e.hash.clone();
        out.push(e);
    }
    tx.execute(&insert).await?;
    tx.execute(
        &Query::update()
            .table(H::Table)
            .value(H::LastSeq, seq)
            .value(H::LastHash, prev.clone())
            .and_where(Expr::col(H::Id).eq(1))
            .to_owned(),
    )
    .await?;
    tx.audit_head = Some((seq, prev));
    Ok(out)
}

const COLUMNS: [A; 12] = [
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

/// Events in chain order, `limit` at a time from after `after_seq` (for verification).
pub async fn batch_after(
    tx: &mut Tx,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<AuditEventRow>, StorageError> {
    tx.fetch_all(
        &Query::select()
            .columns(COLUMNS)
            .from(A::Table)
            .and_where(Expr::col(A::Seq).gt(after_seq))
            .order_by(A::Seq, Order::Asc)
            .limit(limit)
            .to_owned(),
    )
    .await
}

/// What to show of the log. Every field narrows the result.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub partnership_id: Option<String>,
    pub actor_id: Option<String>,
    pub action_prefix: Option<String>,
    pub outcome: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Only events older than this sequence number (for paging back).
    pub before_seq: Option<i64>,
    pub limit: u64,
}

/// Newest first.
pub async fn search(tx: &mut Tx, f: &AuditFilter) -> Result<Vec<AuditEventRow>, StorageError> {
    let mut q = Query::select().columns(COLUMNS).from(A::Table).to_owned();
    if let Some(p) = &f.partnership_id {
        q.and_where(Expr::col(A::PartnershipId).eq(p.as_str()));
    }
    if let Some(a) = &f.actor_id {
        q.and_where(Expr::col(A::ActorId).eq(a.as_str()));
    }
    if let Some(prefix) = &f.action_prefix {
        let escaped = prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.and_where(
            Expr::col(A::Action).like(sea_query::LikeExpr::new(format!("{escaped}%")).escape('\\')),
        );
    }
    if let Some(o) = &f.outcome {
        q.and_where(Expr::col(A::Outcome).eq(o.as_str()));
    }
    if let Some(from) = f.from_ms {
        q.and_where(Expr::col(A::OccurredAt).gte(from));
    }
    if let Some(to) = f.to_ms {
        q.and_where(Expr::col(A::OccurredAt).lt(to));
    }
    if let Some(before) = f.before_seq {
        q.and_where(Expr::col(A::Seq).lt(before));
    }
    q.order_by(A::Seq, Order::Desc).limit(f.limit.clamp(1, 500));
    tx.fetch_all(&q).await
}
