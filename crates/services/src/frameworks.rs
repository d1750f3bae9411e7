//! Assessment frameworks: importing versions and listing what is available.

use crate::audit::{event, Subject};
use crate::secrets::sha256_hex;
use crate::{now_ms, App, RequestContext, ServiceError};
use preventkit_domain::audit::Outcome;
use preventkit_domain::framework::{self, Framework, FrameworkError};
use preventkit_domain::validate::ValidationErrors;
use preventkit_domain::{Grant, Permission};
use preventkit_storage::{repo, FrameworkVersionRow};

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
    pub imported_at: i64,
}

fn invalid(e: FrameworkError) -> ServiceError {
    let mut v = ValidationErrors::new();
    v.add("file", e.to_string());
    ServiceError::Validation(v)
}

pub(crate) fn parse_stored(row: &FrameworkVersionRow) -> Result<Framework, ServiceError> {
    framework::parse(
        &format!("{}@{}", row.framework_key, row.version),
        &row.source,
    )
    .map_err(|e| ServiceError::Internal(format!("a stored framework no longer parses: {e}")))
}

impl App {
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
        let stored = repo::frameworks::versions_of(&mut tx, &key).await?;
        let existing: Vec<(u32, String)> = stored
            .iter()
            .map(|r| (u32::try_from(r.version).unwrap_or(0), r.fingerprint.clone()))
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
        let all = repo::frameworks::list(&mut tx).await?;
        let mut targets = Vec::new();
        for row in &all {
            let newest = all
                .iter()
                .filter(|r| r.framework_key == row.framework_key)
                .map(|r| r.version)
                .max();
            if row.framework_key != key && Some(row.version) == newest {
                targets.push(parse_stored(row)?);
            }
        }
        let refs: Vec<&Framework> = targets.iter().collect();
        let problems = framework::check_mappings(&parsed, &refs);
        if !problems.is_empty() {
            return Err(invalid(FrameworkError {
                file: file_name.to_owned(),
                problems,
            }));
        }
        let id = uuid::Uuid::new_v4().to_string();
        repo::frameworks::insert(
            &mut tx,
            &FrameworkVersionRow {
                id: id.clone(),
                framework_key: key.clone(),
                version: i64::from(version),
                title: parsed.envelope.title.clone(),
                fingerprint,
                source: source.to_owned(),
                imported_at: now_ms(),
            },
        )
        .await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            "framework.import",
            Subject::Framework(id),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(ImportOutcome::Imported { key, version })
    }

    /// Every stored framework version.
    pub async fn list_frameworks(
        &self,
        grant: &Grant,
    ) -> Result<Vec<FrameworkSummary>, ServiceError> {
        grant.require(Permission::FrameworkRead)?;
        let mut tx = self.db().read().await?;
        let rows = repo::frameworks::list(&mut tx).await?;
        tx.commit().await?;
        rows.iter()
            .map(|r| {
                Ok(FrameworkSummary {
                    key: r.framework_key.clone(),
                    version: r.version,
                    title: r.title.clone(),
                    questions: parse_stored(r)?.questions().len(),
                    imported_at: r.imported_at,
                })
            })
            .collect()
    }
}
