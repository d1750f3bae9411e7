//! Case data keys in the database: made, read, re-wrapped under the active key, and counted
//! for the command line.

use super::{new_data_key, rewrap, unwrap_key, DataKey, KeyError, KeyRing, WrappedKey};
use crate::audit::{event, Subject};
use crate::{App, RequestContext, ServiceError};
use preventkit_domain::actions::KeyAction;
use preventkit_domain::audit::Outcome;
use preventkit_domain::sealed::WrappedKeyRecord;
use preventkit_domain::PartnershipId;
use preventkit_storage::{self as store, Tx};

/// What a re-wrap did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RewrapReport {
    /// Data keys this run wrapped under the active key.
    pub rewrapped: usize,
    /// Data keys another run re-wrapped first (each is re-wrapped once).
    pub skipped: usize,
    /// Transactions committed.
    pub batches: usize,
}

impl App {
    /// The key ring, or the error that says how to configure one.
    pub(crate) fn keys(&self) -> Result<&KeyRing, ServiceError> {
        self.config().keys.as_ref().ok_or(ServiceError::NoKeys)
    }

    /// The key ring this application was given, if any.
    pub fn key_ring(&self) -> Option<&KeyRing> {
        self.config().keys.as_ref()
    }

    /// Make a data key for a new case `owner` of `partnership`, and store it wrapped under the
    /// active key, in the caller's transaction.
    pub(crate) async fn case_key_new(
        &self,
        tx: &mut Tx,
        owner: &str,
        partnership: PartnershipId,
    ) -> Result<DataKey, ServiceError> {
        let (dk, w) = new_data_key(self.keys()?, owner)?;
        let record = WrappedKeyRecord {
            owner: owner.to_owned(),
            partnership,
            kek_id: w.kek_id,
            wrapped: w.stored,
        };
        store::keys::insert(tx, &record).await?;
        Ok(dk)
    }

    /// The data key of case `owner`, read in the caller's transaction and unwrapped.
    pub(crate) async fn case_key(&self, tx: &mut Tx, owner: &str) -> Result<DataKey, ServiceError> {
        let ring = self.keys()?;
        let record = store::keys::get(tx, owner)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(unwrap_key(ring, owner, &wrapped(&record))?)
    }

    /// Wrap every data key that is not under the active key again under it, `batch` at a
    /// time, each batch in its own write transaction. Safe to interrupt and run again, and to
    /// run on several servers at once: each key is replaced only if it is still under the key
    /// it was read under, so it is re-wrapped once.
    pub async fn rewrap_all(&self, batch: usize) -> Result<RewrapReport, ServiceError> {
        let ring = self.keys()?;
        let active = ring.active_id();
        let limit = u64::try_from(batch.max(1)).unwrap_or(u64::MAX);
        let mut report = RewrapReport::default();
        loop {
            let mut tx = self.db().write().await?;
            let pending = store::keys::not_under(&mut tx, active, limit).await?;
            if pending.is_empty() {
                tx.commit().await?;
                return Ok(report);
            }
            let mut done = 0;
            for record in &pending {
                let Some(new) = rewrap(ring, &record.owner, &wrapped(record))? else {
                    continue;
                };
                let new = WrappedKeyRecord {
                    kek_id: new.kek_id,
                    wrapped: new.stored,
                    ..record.clone()
                };
                if store::keys::update_wrapped(&mut tx, &record.owner, &record.kek_id, &new).await?
                {
                    done += 1;
                } else {
                    report.skipped += 1;
                }
            }
            if done > 0 {
                event(
                    &mut tx,
                    None,
                    &RequestContext::console(),
                    KeyAction::Rewrapped,
                    Subject::Key(active.to_owned()),
                    Outcome::Success,
                )
                .await?;
            }
            tx.commit().await?;
            report.rewrapped += done;
            report.batches += 1;
        }
    }

    /// How many data keys each key-encryption key wraps, by key id.
    pub async fn key_usage(&self) -> Result<Vec<(String, u64)>, ServiceError> {
        let mut tx = self.db().read().await?;
        let counts = store::keys::count_by_kek(&mut tx).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// Refuse to revoke key `id` while any data key is still wrapped under it (the count is in
    /// the error) or while it is the active key.
    pub async fn check_revocable(&self, id: &str) -> Result<(), ServiceError> {
        if let Some(ring) = self.key_ring() {
            if ring.active_id() == id {
                return Err(KeyError::ActiveCannotBeRevoked(id.to_owned()).into());
            }
        }
        let count = self
            .key_usage()
            .await?
            .into_iter()
            .find(|(k, _)| k == id)
            .map(|(_, n)| n)
            .unwrap_or(0);
        if count > 0 {
            return Err(KeyError::InUse {
                id: id.to_owned(),
                count,
            }
            .into());
        }
        Ok(())
    }

    /// Record a change to the key file made at the command line (rotation, revocation).
    pub async fn record_key_change(
        &self,
        action: KeyAction,
        key_id: &str,
    ) -> Result<(), ServiceError> {
        let mut tx = self.db().write().await?;
        event(
            &mut tx,
            None,
            &RequestContext::console(),
            action,
            Subject::Key(key_id.to_owned()),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the database holds any case data (a case has a data key).
    pub async fn has_case_data(&self) -> Result<bool, ServiceError> {
        Ok(store::keys::any(self.db()).await?)
    }
}

fn wrapped(record: &WrappedKeyRecord) -> WrappedKey {
    WrappedKey {
        kek_id: record.kek_id.clone(),
        stored: record.wrapped.clone(),
    }
}

impl From<KeyError> for ServiceError {
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::NotConfigured => ServiceError::NoKeys,
            other => ServiceError::Key(other),
        }
    }
}
