//! The audit log's hash chain.
//!
//! Every event carries the hash of the event before it, and its own hash covers all of its
//! fields and that link. Editing a row changes its hash; deleting, inserting or reordering rows
//! breaks a link or the numbering; cutting rows off the end disagrees with the chain head that
//! is stored beside the log. Events never carry field values, only what happened to which
//! object, by whom, when and from where.

use crate::{PartnershipId, UserId};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The link before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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

/// An event as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
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

impl AuditEvent {
    /// The hash this event should carry, computed from its fields and its link.
    pub fn compute_hash(&self) -> String {
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
            ChainBreak::HeadMismatch { head_seq, last_seq } => write!(
                f,
                "the log ends at event {last_seq} but the chain head records event {head_seq}"
            ),
        }
    }
}

/// Walks events in stored order and checks every link. Feed events in ascending `seq` order.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            checked: 0,
        }
    }

    pub fn push(&mut self, event: &AuditEvent) -> Result<(), ChainBreak> {
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

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEvent {
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

    fn verify(events: &[AuditEvent], head: (i64, &str)) -> Result<u64, ChainBreak> {
        let mut v = ChainVerifier::new();
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
        swapped[1] = AuditEvent { seq: 2, ..b };
        swapped[2] = AuditEvent { seq: 3, ..a };
        assert!(verify(&swapped, (5, &head)).is_err());
    }
}
