//! Background jobs. Each periodic job takes a lease in the database before it runs, so with
//! several servers on one database a job runs on one of them at a time.

use crate::{now_ms, App, ServiceError};
use preventkit_storage as store;
use std::time::Duration;

/// One pass of housekeeping: expired sessions and stale throttle counters are deleted.
/// Answers whether this server held the lease and did the work.
pub async fn housekeeping(app: &App, holder: &str) -> Result<bool, ServiceError> {
    let now = now_ms();
    let mut tx = app.db().write().await?;
    if !store::jobs::try_lease(&mut tx, "housekeeping", holder, now, now + 55_000).await? {
        tx.commit().await?;
        return Ok(false);
    }
    let cfg = app.config();
    let sessions = store::identity::sessions::delete_expired(
        &mut tx,
        now - cfg.session_idle_ms,
        now - cfg.session_absolute_ms,
    )
    .await?;
    let counters =
        store::identity::throttle::delete_older_than(&mut tx, now - 24 * 60 * 60 * 1000).await?;
    tx.commit().await?;
    tracing::info!(sessions, counters, "housekeeping done");
    Ok(true)
}

/// One pass of re-wrapping: every case data key not under the active key-encryption key is
/// wrapped again under it (after a rotation). Does nothing without a key ring. Answers whether
/// this server held the lease and ran the pass.
pub async fn rewrap(app: &App, holder: &str) -> Result<bool, ServiceError> {
    if app.key_ring().is_none() {
        return Ok(false);
    }
    let now = now_ms();
    let mut tx = app.db().write().await?;
    let leased = store::jobs::try_lease(&mut tx, "key-rewrap", holder, now, now + 55_000).await?;
    tx.commit().await?;
    if !leased {
        return Ok(false);
    }
    let report = app.rewrap_all(100).await?;
    if report.rewrapped > 0 {
        tracing::info!(rewrapped = report.rewrapped, "case keys re-wrapped");
    }
    Ok(true)
}

/// Run housekeeping and the re-wrapping pass every minute until the process ends, and write the counts of anonymous
/// refusals whose window has ended every few seconds (these are per server: no lease).
pub fn spawn(app: App) -> tokio::task::JoinHandle<()> {
    let holder = uuid::Uuid::new_v4().to_string();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        let mut n: u64 = 0;
        loop {
            tick.tick().await;
            if let Err(e) = app.flush_anonymous_refusals(false).await {
                tracing::warn!(error = %e, "could not record anonymous refusals");
            }
            if n.is_multiple_of(12) {
                if let Err(e) = housekeeping(&app, &holder).await {
                    tracing::warn!(error = %e, "housekeeping failed");
                }
                if let Err(e) = rewrap(&app, &holder).await {
                    tracing::warn!(error = %e, "re-wrapping case keys failed");
                }
            }
            n = n.wrapping_add(1);
        }
    })
}
