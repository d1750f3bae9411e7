//! The audit log's hash chains.
//!
//! The log is one chain per partnership plus one for the platform (events that concern no
//! partnership): each event belongs to the [`Chain`] of its partnership, is numbered within it
//! from 1, carries the hash of the event before it in that chain, and its own hash covers its
//! chain, all of its fields and that link. Editing a row changes its hash; deleting, inserting
//! or reordering rows breaks a link or the numbering; moving a row to another chain breaks its
//! hash; cutting rows off the end disagrees with the chain's head that is stored beside the
//! log. Events never carry field values, only what happened to which object, by whom, when and
//! from where.

use crate::{AuditEventId, PartnershipId, Timestamp, UserId};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The link before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit chain: a partnership's, or the platform's for events that concern none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Chain {
    Platform,
    Partnership(PartnershipId),
}

const PARTNERSHIP_KEY_PREFIX: &str = "partnership:";

impl Chain {
    /// The chain an event of this partnership (or of none) belongs to.
    pub fn of(partnership: Option<PartnershipId>) -> Self {
        match partnership {
            Some(p) => Chain::Partnership(p),
            None => Chain::Platform,
        }
    }

    /// The stable key the chain is stored under: `platform` or `partnership:<uuid>`.
    pub fn key(&self) -> String {
        match self {
            Chain::Platform => "platform".to_owned(),
            Chain::Partnership(p) => format!("{PARTNERSHIP_KEY_PREFIX}{p}"),
        }
    }

    /// The chain a stored key names, if it is a valid key.
    pub fn from_key(key: &str) -> Option<Self> {
        if key == "platform" {
            return Some(Chain::Platform);
        }
        let id = key.strip_prefix(PARTNERSHIP_KEY_PREFIX)?;
        let chain = Chain::Partnership(id.parse().ok()?);
        // Only the canonical spelling, so one chain never has two keys.
        (chain.key() == key).then_some(chain)
    }

    /// The key of the chain an event with this stored partnership id belongs to.
    pub fn key_of_stored(partnership: Option<&str>) -> String {
        match partnership {
            Some(p) => format!("{PARTNERSHIP_KEY_PREFIX}{p}"),
            None => "platform".to_owned(),
        }
    }
}

impl std::fmt::Display for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

/// A chain is written as its key.
impl Serialize for Chain {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.key())
    }
}

crate::keyed_enum! {
    /// How an attempted action ended.
    pub enum Outcome {
        Success: "success", "Succeeded";
        Failure: "failure", "Failed";
        Denied: "denied", "Refused";
    }
}

/// What is to be recorded, before it has a place in the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub actor: Option<UserId>,
    pub partnership: Option<PartnershipId>,
    /// What happened, from one capability's list of actions.
    pub action: crate::actions::AuditAction,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub outcome: Outcome,
    pub source: Option<String>,
}

/// What to show of the log: every field narrows it.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub actor: Option<UserId>,
    /// Only events caused by people whose name contains this (any case).
    pub actor_name: Option<String>,
    /// Only actions whose key starts with this.
    pub action_prefix: Option<String>,
    /// Only events about this object (a case's id, say).
    pub object_id: Option<String>,
    pub outcome: Option<Outcome>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Only events written before the one at this position (for paging back).
    pub before_position: Option<i64>,
    /// At most this many events.
    pub limit: u64,
}

/// An event as the log answers it, decoded: its identifiers, times and outcome typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// Its place among all events, across chains, in the order they were written.
    pub position: i64,
    /// The chain it belongs to.
    pub chain: Chain,
    /// Its number in its chain, from 1.
    pub seq: i64,
    pub id: AuditEventId,
    pub occurred_at: Timestamp,
    pub actor: Option<UserId>,
    pub partnership: Option<PartnershipId>,
    /// What happened, by its key. Text, not [`crate::actions::AuditAction`]: the log keeps
    /// the keys of actions that later versions no longer have.
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub outcome: Outcome,
    pub source: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// The event in its stored text form, which is what its hash covers.
    pub fn record(&self) -> AuditRecord {
        AuditRecord {
            chain: self.chain.key(),
            seq: self.seq,
            id: self.id.to_string(),
            occurred_at: self.occurred_at.millis(),
            actor: self.actor.map(|a| a.to_string()),
            partnership: self.partnership.map(|p| p.to_string()),
            action: self.action.clone(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            outcome: self.outcome.key().to_owned(),
            source: self.source.clone(),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        }
    }
}

/// An event in its stored text form: what its hash covers, byte for byte, and what
/// verification reads. Kept as text so that a row edited into something that no longer
/// decodes is still reported as edited, in the chain it stands in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// The key of the chain it belongs to (see [`Chain::key`]).
    pub chain: String,
    /// Its number in its chain, from 1.
    pub seq: i64,
    pub id: String,
    /// Milliseconds since the Unix epoch, UTC.
    pub occurred_at: i64,
    pub actor: Option<String>,
    pub partnership: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub outcome: String,
    pub source: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// The hash this event should carry, computed from its chain, its fields and its link.
    pub fn compute_hash(&self) -> String {
        self.hash_with(Some(&self.chain))
    }

    /// The hash the single chain of earlier versions gave an event (it did not cover a
    /// chain). Only for checking a log written by them before it is moved to per-chain
    /// hashes.
    pub fn compute_single_chain_hash(&self) -> String {
        self.hash_with(None)
    }

    fn hash_with(&self, chain: Option<&str>) -> String {
        let mut h = Sha256::new();
        let mut field = |v: Option<&str>| match v {
            // Length-prefixed, so no two different field lists hash the same bytes.
            Some(s) => {
                h.update(b"1");
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(b"0"),
        };
        if let Some(chain) = chain {
            field(Some(chain));
        }
        field(Some(&self.seq.to_string()));
        field(Some(&self.id));
        field(Some(&self.occurred_at.to_string()));
        field(self.actor.as_deref());
        field(self.partnership.as_deref());
        field(Some(&self.action));
        field(self.object_type.as_deref());
        field(self.object_id.as_deref());
        field(Some(&self.outcome));
        field(self.source.as_deref());
        field(Some(&self.prev_hash));
        hex::encode(h.finalize())
    }
}

/// The first place the chain fails, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ChainBreak {
    /// A row's content no longer matches its hash: it was edited.
    Edited { seq: i64 },
    /// The numbering jumps: rows were deleted before `seq`.
    Missing { expected_seq: i64, found_seq: i64 },
    /// The numbering goes back or repeats: a row was inserted or moved.
    OutOfOrder { expected_seq: i64, found_seq: i64 },
    /// A row does not point at the row before it.
    BrokenLink { seq: i64 },
    /// A row stands in a chain that is not its partnership's: it was moved between chains.
    WrongChain { seq: i64 },
    /// The log ends somewhere other than the recorded chain head: rows were cut off the end
    /// or appended without going through the log.
    HeadMismatch { head_seq: i64, last_seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Edited { seq } => {
                write!(f, "event {seq} was changed after it was written")
            }
            ChainBreak::Missing {
                expected_seq,
                found_seq,
            } => write!(
                f,
                "events {expected_seq} to {} are missing (next present is {found_seq})",
                found_seq - 1
            ),
            ChainBreak::OutOfOrder {
                expected_seq,
                found_seq,
            } => write!(
                f,
                "event {found_seq} stands where event {expected_seq} should: rows were inserted or reordered"
            ),
            ChainBreak::BrokenLink { seq } => write!(
                f,
                "event {seq} does not follow the event before it: rows were inserted, deleted or reordered"
            ),
            ChainBreak::WrongChain { seq } => write!(
                f,
                "event {seq} belongs to another chain: it was moved between chains"
            ),
            ChainBreak::HeadMismatch { head_seq, last_seq } => write!(
                f,
                "the log ends at event {last_seq} but the chain head records event {head_seq}"
            ),
        }
    }
}

impl ChainBreak {
    /// A short name of the kind of break, for machine-readable reports.
    pub fn kind(&self) -> &'static str {
        match self {
            ChainBreak::Edited { .. } => "edited",
            ChainBreak::Missing { .. } => "missing",
            ChainBreak::OutOfOrder { .. } => "out-of-order",
            ChainBreak::BrokenLink { .. } => "broken-link",
            ChainBreak::WrongChain { .. } => "wrong-chain",
            ChainBreak::HeadMismatch { .. } => "head-mismatch",
        }
    }

    /// The sequence number in its chain where the break is found.
    pub fn seq(&self) -> i64 {
        match self {
            ChainBreak::Edited { seq }
            | ChainBreak::BrokenLink { seq }
            | ChainBreak::WrongChain { seq } => *seq,
            ChainBreak::Missing { expected_seq, .. }
            | ChainBreak::OutOfOrder { expected_seq, .. } => *expected_seq,
            ChainBreak::HeadMismatch { last_seq, .. } => *last_seq,
        }
    }
}

/// How one chain verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// The chain's key (see [`Chain::key`]); as stored, so a key that names no valid chain is
    /// reported as it is.
    pub chain: String,
    /// The events checked before the first break, or all of them.
    pub events: u64,
    /// The first break, if there is one.
    pub broken: Option<ChainBreak>,
}

/// Every chain of the log and how it verified, in order of chain key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    pub chains: Vec<ChainReport>,
}

impl AuditVerification {
    /// Whether every chain is intact.
    pub fn is_ok(&self) -> bool {
        self.chains.iter().all(|c| c.broken.is_none())
    }

    /// The events checked in all chains.
    pub fn events(&self) -> u64 {
        self.chains.iter().map(|c| c.events).sum()
    }

    /// Each broken chain with its first break.
    pub fn breaks(&self) -> impl Iterator<Item = (&str, &ChainBreak)> {
        self.chains
            .iter()
            .filter_map(|c| c.broken.as_ref().map(|b| (c.chain.as_str(), b)))
    }

    /// The first break of one chain, if it is broken.
    pub fn break_of(&self, chain: &str) -> Option<&ChainBreak> {
        self.chains
            .iter()
            .find(|c| c.chain == chain)
            .and_then(|c| c.broken.as_ref())
    }
}

/// Walks one chain's events in stored order and checks every link. Feed the chain's events in
/// ascending `seq` order.
#[derive(Debug)]
pub struct ChainVerifier {
    chain: String,
    expected_seq: i64,
    prev_hash: String,
    checked: u64,
}

impl ChainVerifier {
    /// A verifier of the chain stored under `chain` (a key, see [`Chain::key`]).
    pub fn new(chain: &str) -> Self {
        Self {
            chain: chain.to_owned(),
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            checked: 0,
        }
    }

    pub fn push(&mut self, event: &AuditRecord) -> Result<(), ChainBreak> {
        if event.seq > self.expected_seq {
            return Err(ChainBreak::Missing {
                expected_seq: self.expected_seq,
                found_seq: event.seq,
            });
        }
        if event.seq < self.expected_seq {
            return Err(ChainBreak::OutOfOrder {
                expected_seq: self.expected_seq,
                found_seq: event.seq,
            });
        }
        if event.chain != self.chain
            || Chain::key_of_stored(event.partnership.as_deref()) != self.chain
        {
            return Err(ChainBreak::WrongChain { seq: event.seq });
        }
        if event.compute_hash() != event.hash {
            return Err(ChainBreak::Edited { seq: event.seq });
        }
        if event.prev_hash != self.prev_hash {
            return Err(ChainBreak::BrokenLink { seq: event.seq });
        }
        self.prev_hash = event.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// The events checked so far.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// Finish against the stored chain head (last sequence number and hash).
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<u64, ChainBreak> {
        let last_seq = self.expected_seq - 1;
        if last_seq != head_seq || self.prev_hash != head_hash {
            return Err(ChainBreak::HeadMismatch { head_seq, last_seq });
        }
        Ok(self.checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = AuditRecord {
                    chain: "platform".into(),
                    seq,
                    id: format!("id-{seq}"),
                    occurred_at: 1_700_000_000_000 + seq,
                    actor: Some("u".into()),
                    partnership: None,
                    action: "thing.do".into(),
                    object_type: Some("thing".into()),
                    object_id: Some(seq.to_string()),
                    outcome: "success".into(),
                    source: Some("127.0.0.1".into()),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(events: &[AuditRecord], head: (i64, &str)) -> Result<u64, ChainBreak> {
        let mut v = ChainVerifier::new("platform");
        for e in events {
            v.push(e)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let head = c[4].hash.clone();
        assert_eq!(verify(&c, (5, &head)), Ok(5));
        assert_eq!(verify(&[], (0, GENESIS_HASH)), Ok(0));
    }

    #[test]
    fn each_tampering_is_found() {
        let c = chain(5);
        let head = c[4].hash.clone();

        let mut edited = c.clone();
        edited[2].action = "thing.undo".into();
        assert_eq!(
            verify(&edited, (5, &head)),
            Err(ChainBreak::Edited { seq: 3 })
        );

        let mut deleted = c.clone();
        deleted.remove(1);
        assert!(matches!(
            verify(&deleted, (5, &head)),
            Err(ChainBreak::Missing {
                expected_seq: 2,
                found_seq: 3
            })
        ));

        let mut truncated = c.clone();
        truncated.pop();
        assert!(matches!(
            verify(&truncated, (5, &head)),
            Err(ChainBreak::HeadMismatch { .. })
        ));

        // Swap two rows' contents but keep the numbering.
        let mut swapped = c.clone();
        let (a, b) = (swapped[1].clone(), swapped[2].clone());
        swapped[1] = AuditRecord { seq: 2, ..b };
        swapped[2] = AuditRecord { seq: 3, ..a };
        assert!(verify(&swapped, (5, &head)).is_err());

        // The chain is part of what the hash covers.
        let mut moved = c.clone();
        moved[1].chain = "partnership:00000000-0000-0000-0000-000000000001".into();
        assert_eq!(
            verify(&moved, (5, &head)),
            Err(ChainBreak::WrongChain { seq: 2 })
        );
        let mut relabelled = c[1].clone();
        relabelled.chain = "partnership:00000000-0000-0000-0000-000000000001".into();
        assert_ne!(relabelled.compute_hash(), c[1].hash);
    }

    #[test]
    fn a_typed_event_hashes_its_stored_text() {
        let p: PartnershipId = "6f1c2a44-5b7e-4d35-9a0e-0d2f3b4c5d6e".parse().expect("id");
        let actor: UserId = "0b7d9a2e-1c3f-4e5a-8b6d-7c8e9f0a1b2c".parse().expect("id");
        let mut stored = AuditRecord {
            chain: Chain::of(Some(p)).key(),
            seq: 3,
            id: "5d4c3b2a-1908-4f7e-a6d5-c4b3a2918070".into(),
            occurred_at: 1_700_000_000_123,
            actor: Some(actor.to_string()),
            partnership: Some(p.to_string()),
            action: "thing.do".into(),
            object_type: Some("thing".into()),
            object_id: None,
            outcome: "denied".into(),
            source: None,
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        };
        stored.hash = stored.compute_hash();
        let typed = AuditEvent {
            position: 42,
            chain: Chain::of(Some(p)),
            seq: 3,
            id: stored.id.parse().expect("id"),
            occurred_at: Timestamp::from_millis(stored.occurred_at),
            actor: Some(actor),
            partnership: Some(p),
            action: stored.action.clone(),
            object_type: stored.object_type.clone(),
            object_id: None,
            outcome: Outcome::Denied,
            source: None,
            prev_hash: stored.prev_hash.clone(),
            hash: stored.hash.clone(),
        };
        assert_eq!(typed.record(), stored);
        assert_eq!(typed.record().compute_hash(), stored.hash);
    }

    #[test]
    fn chain_keys_are_stable_and_round_trip() {
        let p: PartnershipId = "6f1c2a44-5b7e-4d35-9a0e-0d2f3b4c5d6e".parse().expect("id");
        assert_eq!(Chain::of(None), Chain::Platform);
        assert_eq!(Chain::Platform.key(), "platform");
        assert_eq!(
            Chain::of(Some(p)).key(),
            "partnership:6f1c2a44-5b7e-4d35-9a0e-0d2f3b4c5d6e"
        );
        for c in [Chain::Platform, Chain::Partnership(p)] {
            assert_eq!(Chain::from_key(&c.key()), Some(c));
        }
        assert_eq!(Chain::from_key("partnership:nonsense"), None);
        assert_eq!(Chain::from_key("elsewhere"), None);
        assert_eq!(
            Chain::key_of_stored(Some("6f1c2a44-5b7e-4d35-9a0e-0d2f3b4c5d6e")),
            Chain::of(Some(p)).key()
        );
    }
}
