//! Group commit for answers to assessment questions.
//!
//! Every write transaction that appends to a partnership's audit chain takes that chain's
//! head lock (see `storage::audit`), so a partnership's writes run one at a time (on SQLite,
//! all writes do) and each pays for its own commit. Answers are the most frequent
//! write by far (a partnership rates dozens of questions, often several people at once), so
//! they go through one writer task that takes every edit waiting when it starts a transaction
//! (up to [`MAX_BATCH`]), applies them in arrival order, records their audit events, and
//! commits once. An edit is acknowledged only after that commit, so nothing acknowledged is
//! ever lost; with a single edit waiting the transaction holds just that one, so a quiet
//! server answers as quickly as before.
//!
//! Each edit is conditional (on the answer's version and on the assessment still being a
//! draft), so an edit that no longer applies changes nothing and is reported as such, while
//! the others in its transaction still land. If the transaction as a whole fails, each edit is
//! tried again in a transaction of its own, so one edit's database error never fails another.

use crate::ServiceError;
use preventkit_domain::assessment::{Response, State};
use preventkit_domain::audit::NewAuditEvent;
use preventkit_domain::{Timestamp, UserId};
use preventkit_storage::{self as store, Db};
use tokio::sync::{mpsc, oneshot};

/// The most edits committed together.
pub(crate) const MAX_BATCH: usize = 64;

/// One edit, checked and ready to write.
#[derive(Clone, Debug)]
pub(crate) struct AnswerEdit {
    /// The answer as read when the edit was checked; it goes to the history.
    pub seen: Response,
    pub rating: String,
    pub details: String,
    pub by: UserId,
    pub now: Timestamp,
    pub event: NewAuditEvent,
}

/// What became of an edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EditOutcome {
    Saved,
    /// Nothing was written: the answer's version or the assessment's state had changed.
    NotApplied,
}

struct Job {
    edit: AnswerEdit,
    done: oneshot::Sender<Result<EditOutcome, ServiceError>>,
}

/// The queue to the writer task.
#[derive(Clone, Debug)]
pub(crate) struct AnswerWriter {
    queue: mpsc::Sender<Job>,
}

impl AnswerWriter {
    /// Start the writer task. It ends when the last handle is dropped.
    pub(crate) fn start(db: Db) -> AnswerWriter {
        let (queue, jobs) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(db, jobs));
        AnswerWriter { queue }
    }

    /// Write one edit and wait until it is committed (or known not to apply).
    pub(crate) async fn write(&self, edit: AnswerEdit) -> Result<EditOutcome, ServiceError> {
        let (done, outcome) = oneshot::channel();
        self.queue
            .send(Job { edit, done })
            .await
            .map_err(|_| ServiceError::Internal("the answer writer has stopped".into()))?;
        outcome.await.map_err(|_| {
            ServiceError::Internal("the answer writer stopped before answering".into())
        })?
    }
}

async fn run(db: Db, mut jobs: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = jobs.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let edits: Vec<&AnswerEdit> = batch.iter().map(|j| &j.edit).collect();
        match write_batch(&db, &edits).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    // A requester that went away meanwhile does not need the answer.
                    let _ = job.done.send(Ok(outcome));
                }
            }
            Err(e) if batch.len() == 1 => {
                if let Some(job) = batch.pop() {
                    let _ = job.done.send(Err(e));
                }
            }
            Err(_) => {
                // One edit's failure must not fail the others: write each on its own.
                for job in batch.drain(..) {
                    let result = write_batch(&db, &[&job.edit]).await.and_then(|o| {
                        o.first().copied().ok_or_else(|| {
                            ServiceError::Internal("an edit's outcome went missing".into())
                        })
                    });
                    let _ = job.done.send(result);
                }
            }
        }
    }
}

/// Apply edits in order in one transaction with their audit events; commit once.
async fn write_batch(db: &Db, edits: &[&AnswerEdit]) -> Result<Vec<EditOutcome>, ServiceError> {
    let mut tx = db.write().await?;
    let mut outcomes = Vec::with_capacity(edits.len());
    let mut events = Vec::with_capacity(edits.len());
    for e in edits {
        let saved = store::assessment::assessments::update_response(
            &mut tx,
            &e.seen,
            State::Draft,
            e.seen.version,
            &e.rating,
            &e.details,
            e.by,
            e.now,
        )
        .await?;
        if saved {
            events.push(e.event.clone());
            outcomes.push(EditOutcome::Saved);
        } else {
            outcomes.push(EditOutcome::NotApplied);
        }
    }
    store::audit::append_all(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(outcomes)
}
