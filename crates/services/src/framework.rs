//! Assessment frameworks: importing versions and listing what is available.

use crate::audit::{event, Subject};
use crate::secrets::sha256_hex;
use crate::{now_ms, App, RequestContext, ServiceError};
use preventkit_domain::actions::FrameworkAction;
use preventkit_domain::audit::Outcome;
use preventkit_domain::framework::FrameworkVersion;
use preventkit_domain::framework::{self, Framework, FrameworkError};
use preventkit_domain::validate::ValidationErrors;
use preventkit_domain::{FrameworkVersionId, Grant, Permission, Timestamp};
use preventkit_storage::{self as store, Tx};
use std::collections::HashMap;
use std::sync::Arc;

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    Imported {
        key: String,
        version: u32,
    },
    /// The same version with the same content was already there: nothing changed.
    AlreadyPresent {
        key: String,
        version: u32,
    },
}

/// A stored framework version, for lists.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FrameworkSummary {
    pub key: String,
    pub version: i64,
    pub title: String,
    pub questions: usize,
    pub imported_at: Timestamp,
}

fn invalid(e: FrameworkError) -> ServiceError {
    let mut v = ValidationErrors::new();
    v.add("file", e.to_string());
    ServiceError::Validation(v)
}

/// A stored framework version, parsed.
#[derive(Debug)]
pub struct StoredFramework {
    pub id: FrameworkVersionId,
    pub key: String,
    pub version: i64,
    pub framework: Framework,
}

impl std::ops::Deref for StoredFramework {
    type Target = Framework;

    fn deref(&self) -> &Framework {
        &self.framework
    }
}

/// Parsed framework versions by their stored id. A stored version never changes (an import
/// with the same id and version but other content is refused), so an entry can never go stale
/// and the cache needs no invalidation; it only grows with the number of versions imported.
/// Without it every request that reads an assessment would parse and check the whole file.
#[derive(Debug, Default)]
pub(crate) struct FrameworkCache {
    parsed: std::sync::RwLock<HashMap<FrameworkVersionId, Arc<StoredFramework>>>,
}

impl FrameworkCache {
    fn get(&self, id: FrameworkVersionId) -> Option<Arc<StoredFramework>> {
        // A poisoned lock only means another thread panicked while holding it; the map itself
        // is still whole (inserts are single calls), so carry on with it.
        let map = self.parsed.read().unwrap_or_else(|e| e.into_inner());
        map.get(&id).cloned()
    }

    fn put(&self, f: Arc<StoredFramework>) {
        let mut map = self.parsed.write().unwrap_or_else(|e| e.into_inner());
        map.entry(f.id).or_insert(f);
    }
}

pub(crate) fn parse_stored(stored: &FrameworkVersion) -> Result<Framework, ServiceError> {
    framework::parse(
        &format!("{}@{}", stored.key, stored.version),
        &stored.source,
    )
    .map_err(|e| ServiceError::Internal(format!("a stored framework no longer parses: {e}")))
}

impl App {
    /// A stored framework version, parsed once and then kept.
    pub(crate) async fn stored_framework(
        &self,
        tx: &mut Tx,
        id: FrameworkVersionId,
    ) -> Result<Arc<StoredFramework>, ServiceError> {
        if let Some(f) = self.frameworks().get(id) {
            return Ok(f);
        }
        let stored = store::framework::get(tx, id)
            .await?
            .ok_or_else(|| ServiceError::Internal("assessment without its framework".into()))?;
        let parsed = Arc::new(StoredFramework {
            framework: parse_stored(&stored)?,
            id: stored.id,
            key: stored.key,
            version: i64::from(stored.version),
        });
        self.frameworks().put(parsed.clone());
        Ok(parsed)
    }

    /// A stored framework version by id, from the cache or read in a transaction of its own.
    pub(crate) async fn framework_by_id(
        &self,
        id: FrameworkVersionId,
    ) -> Result<Arc<StoredFramework>, ServiceError> {
        if let Some(f) = self.frameworks().get(id) {
            return Ok(f);
        }
        let mut tx = self.db().read().await?;
        let f = self.stored_framework(&mut tx, id).await?;
        tx.commit().await?;
        Ok(f)
    }

    /// Import one framework file. A version already stored is never changed: the same content
    /// again is a no-op, different content is refused, and versions only grow. Mappings must
    /// point at questions that exist in the newest stored version of their target.
    pub async fn import_framework(
        &self,
        grant: &Grant,
        file_name: &str,
        source: &str,
        ctx: &RequestContext,
    ) -> Result<ImportOutcome, ServiceError> {
        grant.require(Permission::FrameworkManage)?;
        let parsed = framework::parse(file_name, source).map_err(invalid)?;
        let key = parsed.envelope.id.clone();
        let version = parsed.envelope.version;
        let fingerprint = sha256_hex(source);

        let mut tx = self.db().write().await?;
        let stored = store::framework::versions_of(&mut tx, &key).await?;
        let existing: Vec<(u32, String)> = stored
            .iter()
            .map(|v| (v.version, v.fingerprint.clone()))
            .collect();
        if let Err(p) = framework::check_publishable(version, &fingerprint, &existing) {
            return Err(invalid(FrameworkError {
                file: file_name.to_owned(),
                problems: vec![p],
            }));
        }
        if existing
            .iter()
            .any(|(v, fp)| *v == version && *fp == fingerprint)
        {
            tx.rollback().await?;
            return Ok(ImportOutcome::AlreadyPresent { key, version });
        }
        // Mapping targets: the newest stored version of each target framework.
        let all = store::framework::list(&mut tx).await?;
        let mut targets = Vec::new();
        for stored in &all {
            let newest = all
                .iter()
                .filter(|v| v.key == stored.key)
                .map(|v| v.version)
                .max();
            if stored.key != key && Some(stored.version) == newest {
                targets.push(self.stored_framework(&mut tx, stored.id).await?);
            }
        }
        let refs: Vec<&Framework> = targets.iter().map(|t| &t.framework).collect();
        let problems = framework::check_mappings(&parsed, &refs);
        if !problems.is_empty() {
            return Err(invalid(FrameworkError {
                file: file_name.to_owned(),
                problems,
            }));
        }
        let id = FrameworkVersionId::new();
        store::framework::insert(
            &mut tx,
            &FrameworkVersion {
                id,
                key: key.clone(),
                version,
                title: parsed.envelope.title.clone(),
                fingerprint,
                source: source.to_owned(),
                imported_at: Timestamp::from_millis(now_ms()),
            },
        )
        .await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            FrameworkAction::Imported,
            Subject::Framework(id.to_string()),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(ImportOutcome::Imported { key, version })
    }

    /// Import the frameworks that ship with Prevent Toolkit (see `domain::shipped`). Those
    /// already stored are left as they are, and so is a framework for which the deployment has
    /// imported a newer version of its own, so this runs at every start.
    pub async fn install_shipped_frameworks(&self) -> Result<Vec<ImportOutcome>, ServiceError> {
        let grant = preventkit_domain::policy::decide(
            &preventkit_domain::Actor::console(),
            Permission::FrameworkManage,
            preventkit_domain::Scope::Platform,
        )?;
        let ctx = RequestContext::console();
        let mut tx = self.db().read().await?;
        let stored = store::framework::list(&mut tx).await?;
        tx.commit().await?;
        let mut out = Vec::new();
        for (name, text) in preventkit_domain::shipped::FRAMEWORKS {
            let parsed = framework::parse(name, text).map_err(invalid)?;
            let newest = stored
                .iter()
                .filter(|v| v.key == parsed.envelope.id)
                .map(|v| v.version)
                .max();
            if let Some(v) = newest.filter(|v| *v > parsed.envelope.version) {
                out.push(ImportOutcome::AlreadyPresent {
                    key: parsed.envelope.id,
                    version: v,
                });
                continue;
            }
            out.push(self.import_framework(&grant, name, text, &ctx).await?);
        }
        Ok(out)
    }

    /// Every stored framework version.
    pub async fn list_frameworks(
        &self,
        grant: &Grant,
    ) -> Result<Vec<FrameworkSummary>, ServiceError> {
        grant.require(Permission::FrameworkRead)?;
        let mut tx = self.db().read().await?;
        let versions = store::framework::list(&mut tx).await?;
        let mut out = Vec::with_capacity(versions.len());
        for v in versions {
            out.push(FrameworkSummary {
                questions: self
                    .stored_framework(&mut tx, v.id)
                    .await?
                    .questions()
                    .len(),
                key: v.key,
                version: i64::from(v.version),
                title: v.title,
                imported_at: v.imported_at,
            });
        }
        tx.commit().await?;
        Ok(out)
    }
}
