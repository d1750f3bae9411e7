//! Writing, reading and verifying the audit log.

use crate::{now_ms, App, RequestContext, ServiceError};
use preventkit_domain::actions::{AccessAction, AuditAction};
use preventkit_domain::audit::{
    AuditEvent, AuditVerification, ChainReport, ChainVerifier, NewAuditEvent, Outcome, GENESIS_HASH,
};
use preventkit_domain::{Grant, PartnershipId, Permission, Scope, UserId};
use preventkit_storage::{self as store, Tx};

/// What an event is about. Only types and identifiers: never names, emails or field values.
#[derive(Clone, Debug)]
pub enum Subject {
    None,
    User(Option<String>),
    Organisation(String),
    Region(String),
    Partnership(String),
    Membership {
        id: String,
        partnership: String,
    },
    Token {
        id: String,
        partnership: String,
    },
    /// A route that was refused, by its pattern (never the concrete path).
    Route(String),
    /// A stored framework version.
    Framework(String),
    /// A self-assessment.
    Assessment {
        id: String,
        partnership: String,
    },
    /// An action in the action plan.
    Action {
        id: String,
        partnership: String,
    },
    /// An evidence item.
    Evidence {
        id: String,
        partnership: String,
    },
    /// An invitation to a role in a partnership.
    Invitation {
        id: String,
        partnership: String,
    },
    /// An encryption key, by its id (never its secret).
    Key(String),
    /// A Channel panel.
    Panel {
        id: String,
        partnership: String,
    },
    /// A meeting of a Channel panel.
    Meeting {
        id: String,
        partnership: String,
    },
    /// A Channel case, and the part of it an event is about.
    Case {
        id: String,
        partnership: String,
        part: preventkit_domain::channel::CasePart,
    },
}

impl Subject {
    fn parts(&self) -> (Option<String>, Option<String>, Option<PartnershipId>) {
        let p = |s: &str| s.parse::<PartnershipId>().ok();
        match self {
            Subject::None => (None, None, None),
            Subject::User(id) => (Some("user".into()), id.clone(), None),
            Subject::Organisation(id) => (Some("organisation".into()), Some(id.clone()), None),
            Subject::Region(id) => (Some("region".into()), Some(id.clone()), None),
            Subject::Partnership(id) => (Some("partnership".into()), Some(id.clone()), p(id)),
            Subject::Membership { id, partnership } => {
                (Some("membership".into()), Some(id.clone()), p(partnership))
            }
            Subject::Token { id, partnership } => {
                (Some("api-token".into()), Some(id.clone()), p(partnership))
            }
            Subject::Route(r) => (Some("route".into()), Some(r.clone()), None),
            Subject::Framework(id) => (Some("framework-version".into()), Some(id.clone()), None),
            Subject::Assessment { id, partnership } => {
                (Some("assessment".into()), Some(id.clone()), p(partnership))
            }
            Subject::Action { id, partnership } => {
                (Some("action".into()), Some(id.clone()), p(partnership))
            }
            Subject::Evidence { id, partnership } => {
                (Some("evidence".into()), Some(id.clone()), p(partnership))
            }
            Subject::Invitation { id, partnership } => {
                (Some("invitation".into()), Some(id.clone()), p(partnership))
            }
            Subject::Key(id) => (Some("encryption-key".into()), Some(id.clone()), None),
            Subject::Panel { id, partnership } => {
                (Some("panel".into()), Some(id.clone()), p(partnership))
            }
            Subject::Meeting { id, partnership } => (
                Some("panel-meeting".into()),
                Some(id.clone()),
                p(partnership),
            ),
            Subject::Case {
                id,
                partnership,
                part,
            } => (Some(part.key().into()), Some(id.clone()), p(partnership)),
        }
    }
}

/// Append an event inside the caller's write transaction.
pub(crate) async fn event(
    tx: &mut Tx,
    actor: Option<UserId>,
    ctx: &RequestContext,
    action: impl Into<AuditAction>,
    subject: Subject,
    outcome: Outcome,
) -> Result<(), ServiceError> {
    store::audit::append(tx, &new_event(actor, ctx, action, subject, outcome)).await?;
    Ok(())
}

/// An event to record, before it has its place in the chain.
pub(crate) fn new_event(
    actor: Option<UserId>,
    ctx: &RequestContext,
    action: impl Into<AuditAction>,
    subject: Subject,
    outcome: Outcome,
) -> NewAuditEvent {
    let (object_type, object_id, partnership) = subject.parts();
    NewAuditEvent {
        actor: actor.filter(|a| !a.0.is_nil()),
        partnership,
        action: action.into(),
        object_type,
        object_id,
        outcome,
        source: ctx.source.clone(),
    }
}

/// A refused request, for the audit log.
#[derive(Clone, Debug)]
pub struct DeniedRequest {
    pub actor: Option<UserId>,
    pub partnership: Option<PartnershipId>,
    /// The route pattern, such as `GET /p/{partnership}/members`.
    pub route: String,
    /// Why it was refused.
    pub reason: AccessAction,
}

pub use preventkit_domain::audit::AuditQuery;

/// An audit event with the name of the person who caused it (none for the console or an
/// account no longer known).
#[derive(Clone, Debug)]
pub struct NamedAuditEvent {
    pub event: AuditEvent,
    pub actor_name: Option<String>,
}

/// Refusals of requests from nobody signed in, counted per source address and window instead
/// of written one by one: an anonymous flood must not grow the database or the audit chain
/// without bound. The first refusal from an address in a window is recorded at once, as any
/// refusal is; the rest of that window is one event with their number when the window ends.
/// Counts live in memory, one table per server, bounded in size: they are not acknowledged
/// writes, and a server that stops loses at most one window of counts, never an event that a
/// signed-in person caused (those are always written one by one).
pub(crate) struct AnonymousRefusals {
    window_ms: i64,
    windows: std::sync::Mutex<std::collections::HashMap<String, AnonymousWindow>>,
}

#[derive(Clone, Debug)]
struct AnonymousWindow {
    started: i64,
    /// Refusals after the first in this window (the first is already in the log).
    more: u64,
}

/// The most source addresses tracked at once; beyond it, addresses share one count.
const ANONYMOUS_SOURCES_MAX: usize = 10_000;
const OTHER_SOURCES: &str = "(other addresses)";

impl AnonymousRefusals {
    pub(crate) fn new(window_ms: i64) -> Self {
        Self {
            window_ms: window_ms.max(1),
            windows: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Count one refusal; answers whether it is the first of its window (to be written now).
    fn note(&self, source: &str, now: i64) -> bool {
        let Ok(mut map) = self.windows.lock() else {
            return true;
        };
        let key = if map.len() >= ANONYMOUS_SOURCES_MAX && !map.contains_key(source) {
            OTHER_SOURCES
        } else {
            source
        };
        match map.get_mut(key) {
            // Counted in its window; a window that has ended keeps counting until the next
            // flush (every few seconds) writes it, and the next refusal then opens a new one.
            Some(w) => {
                w.more += 1;
                false
            }
            None => {
                map.insert(
                    key.to_owned(),
                    AnonymousWindow {
                        started: now,
                        more: 0,
                    },
                );
                true
            }
        }
    }

    /// Take the windows that have ended (all of them with `everything`).
    fn take_ended(&self, now: i64, everything: bool) -> Vec<(String, AnonymousWindow)> {
        let Ok(mut map) = self.windows.lock() else {
            return Vec::new();
        };
        let ended: Vec<String> = map
            .iter()
            .filter(|(_, w)| everything || w.started + self.window_ms <= now)
            .map(|(k, _)| k.clone())
            .collect();
        ended
            .into_iter()
            .filter_map(|k| map.remove(&k).map(|w| (k, w)))
            .collect()
    }
}

impl App {
    /// Record a refusal that a use case decided (not the guard): its own transaction, then
    /// the denial to return.
    pub(crate) async fn refuse(
        &self,
        actor: UserId,
        ctx: &RequestContext,
        action: impl Into<AuditAction>,
        subject: Subject,
        denial: preventkit_domain::Denial,
    ) -> ServiceError {
        let recorded = async {
            let mut tx = self.db().write().await?;
            event(&mut tx, Some(actor), ctx, action, subject, Outcome::Denied).await?;
            tx.commit().await?;
            Ok::<(), ServiceError>(())
        }
        .await;
        match recorded {
            Ok(()) => ServiceError::Denied(denial),
            Err(e) => e,
        }
    }

    /// Write one event per ended window of anonymous refusals that had more than one, with
    /// their number. Runs on a timer and when the application closes; `everything` also
    /// closes windows still open.
    pub async fn flush_anonymous_refusals(&self, everything: bool) -> Result<usize, ServiceError> {
        let ended = self.anonymous().take_ended(now_ms(), everything);
        let repeated: Vec<_> = ended.into_iter().filter(|(_, w)| w.more > 0).collect();
        if repeated.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db().write().await?;
        for (source, w) in &repeated {
            store::audit::append(
                &mut tx,
                &NewAuditEvent {
                    actor: None,
                    partnership: None,
                    action: AccessAction::NotSignedInRepeated.into(),
                    object_type: Some("refusals".into()),
                    object_id: Some(w.more.to_string()),
                    outcome: Outcome::Denied,
                    source: (source != OTHER_SOURCES).then(|| source.clone()),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(repeated.len())
    }

    /// Record a refused request in its own transaction. Refusals of nobody signed in are
    /// aggregated per source address (see [`AnonymousRefusals`]).
    pub async fn record_denied(
        &self,
        denied: &DeniedRequest,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        if denied.actor.is_none() {
            let source = ctx.source.as_deref().unwrap_or("(unknown)");
            if !self.anonymous().note(source, now_ms()) {
                return Ok(());
            }
        }
        let mut tx = self.db().write().await?;
        store::audit::append(
            &mut tx,
            &NewAuditEvent {
                actor: denied.actor,
                partnership: denied.partnership,
                action: denied.reason.into(),
                object_type: Some("route".into()),
                object_id: Some(denied.route.clone()),
                outcome: Outcome::Denied,
                source: ctx.source.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Read the log: a partnership's events with [`Permission::AuditRead`], everything with
    /// [`Permission::PlatformAuditRead`]. Newest first.
    pub async fn audit_events(
        &self,
        grant: &Grant,
        q: &AuditQuery,
    ) -> Result<Vec<AuditEvent>, ServiceError> {
        let partnership = if grant.covers(Permission::PlatformAuditRead) {
            None
        } else {
            Some(grant.require_partnership(Permission::AuditRead)?)
        };
        debug_assert!(matches!(
            grant.scope(),
            Scope::Platform | Scope::Partnership(_)
        ));
        let q = AuditQuery {
            action_prefix: q.action_prefix.clone().filter(|s| !s.is_empty()),
            limit: if q.limit == 0 { 50 } else { q.limit },
            ..q.clone()
        };
        let mut tx = self.db().read().await?;
        let rows = store::audit::search(&mut tx, partnership, &q).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// The audit log for pages: the events [`App::audit_events`] answers, each with the name
    /// of the person who caused it, and, when `person` is given, only events caused by people
    /// whose name contains it (any case).
    pub async fn audit_events_named(
        &self,
        grant: &Grant,
        q: &AuditQuery,
        person: &str,
    ) -> Result<Vec<NamedAuditEvent>, ServiceError> {
        let q = AuditQuery {
            actor_name: Some(person.trim().to_owned()).filter(|p| !p.is_empty()),
            ..q.clone()
        };
        let events = self.audit_events(grant, &q).await?;
        let mut actors: Vec<UserId> = events.iter().filter_map(|e| e.actor).collect();
        actors.sort();
        actors.dedup();
        let mut tx = self.db().read().await?;
        let names: std::collections::HashMap<UserId, String> =
            store::identity::users::names(&mut tx, &actors)
                .await?
                .into_iter()
                .collect();
        tx.commit().await?;
        Ok(events
            .into_iter()
            .map(|event| NamedAuditEvent {
                actor_name: event.actor.and_then(|a| names.get(&a).cloned()),
                event,
            })
            .collect())
    }

    /// Walk every chain of the log: each partnership's and the platform's. Each chain's report
    /// says how many events were checked and names its first break, if any; a chain that has
    /// events but no head, or a head but fewer events, is broken at its end. Reads in batches,
    /// so memory stays flat however long the log.
    pub async fn verify_audit(&self) -> Result<AuditVerification, ServiceError> {
        // One snapshot for the heads and every event, so writers going on meanwhile never make
        // a chain look longer than its head.
        let mut tx = self.db().read_snapshot().await?;
        let mut chains: std::collections::BTreeMap<String, (i64, String)> =
            store::audit::heads(&mut tx)
                .await?
                .into_iter()
                .map(|(chain, seq, hash)| (chain, (seq, hash)))
                .collect();
        for chain in store::audit::chains_with_events(&mut tx).await? {
            chains.entry(chain).or_insert((0, GENESIS_HASH.to_owned()));
        }
        let mut report = AuditVerification::default();
        for (chain, (head_seq, head_hash)) in chains {
            let mut verifier = ChainVerifier::new(&chain);
            let mut after = None;
            let mut broken = None;
            'walk: loop {
                let batch = store::audit::batch_after(&mut tx, &chain, after, 1000).await?;
                let Some(last) = batch.last() else { break };
                after = Some(last.seq);
                for record in &batch {
                    if let Err(b) = verifier.push(record) {
                        broken = Some(b);
                        break 'walk;
                    }
                }
            }
            let events = verifier.checked();
            let broken = match broken {
                Some(b) => Some(b),
                None => verifier.finish(head_seq, &head_hash).err(),
            };
            report.chains.push(ChainReport {
                chain,
                events,
                broken,
            });
        }
        tx.commit().await?;
        Ok(report)
    }
}
