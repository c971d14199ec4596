//! Batch jobs: a durable queue of items (links to parse) per job, their
//! results, and each job's event log (what its SSE stream replays). The
//! store does the parts that must be atomic: claiming an item together
//! with its credit, finishing it together with the charge and its events,
//! and recovering what a crash left running.

use crate::keys::StoreError;
use serde::Serialize;
use std::collections::BTreeMap;

/// Item states, as stored.
pub mod state {
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
    pub const CANCELLED: &str = "cancelled";
}

/// A job to create.
#[derive(Debug, Clone, Default)]
pub struct NewJob {
    /// Opaque, unguessable (`job_…`).
    pub id: String,
    pub key_id: i64,
    pub kind: String,
    pub created_at: i64,
    pub webhook: Option<Webhook>,
}

/// Where a job's summary is POSTed when it finishes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    pub url: String,
    #[serde(skip)]
    pub secret: Option<String>,
    /// Also POST every finished item.
    pub per_item: bool,
}

/// One link of a new job. `refused` items (not a supported link) are
/// stored finished, with their event, and never queued.
#[derive(Debug, Clone, Default)]
pub struct NewItem {
    pub url: String,
    pub platform: String,
    /// The client's `meta`, echoed in its event (JSON text).
    pub meta: Option<String>,
    pub urgent: bool,
    /// `(code, message)` when refused at once.
    pub refused: Option<(String, String)>,
}

/// An item handed to a worker, its credit held.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub job_id: String,
    pub item_id: i64,
    pub key_id: i64,
    pub url: String,
    pub platform: String,
    pub meta: Option<String>,
    pub urgent: bool,
}

/// How an item ended.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub ok: bool,
    /// `success` or the error code.
    pub code: String,
    pub message: String,
    /// The parse's media (JSON text) when `ok`.
    pub result: Option<String>,
    pub elapsed_ms: u64,
    /// Succeeded without costing a credit (a cached answer the operator
    /// does not charge for): the held credit is given back.
    pub free: bool,
}

/// One entry of a job's event log. `id` counts from 1 per job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobEvent {
    #[serde(skip)]
    pub job_id: String,
    pub id: i64,
    pub kind: String,
    /// JSON text.
    pub data: String,
}

/// Counts of a job's items by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StateCounts {
    pub queued: u64,
    pub running: u64,
    pub done: u64,
    pub failed: u64,
    pub cancelled: u64,
}

impl StateCounts {
    pub fn add(&mut self, state: &str, n: u64) {
        match state {
            state::QUEUED => self.queued += n,
            state::RUNNING => self.running += n,
            state::DONE => self.done += n,
            state::FAILED => self.failed += n,
            _ => self.cancelled += n,
        }
    }

    pub fn total(&self) -> u64 {
        self.queued + self.running + self.done + self.failed + self.cancelled
    }

    /// Nothing left to run.
    pub fn settled(&self) -> bool {
        self.queued == 0 && self.running == 0
    }
}

/// A job as `GET /api/v1/jobs/{id}` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    pub id: String,
    pub key_id: i64,
    pub kind: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub cancelled: bool,
    pub counts: StateCounts,
    pub by_platform: BTreeMap<String, StateCounts>,
    pub webhook: Option<Webhook>,
    /// Delivery attempts (JSON objects), oldest first.
    pub webhook_attempts: Vec<serde_json::Value>,
    /// The last event's id.
    pub last_event_id: i64,
}

/// Queue figures for `/api/v1/pool`, per platform.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct QueueCounts {
    pub queued: u64,
    pub running: u64,
}

/// Where jobs live. Every backend passes `conformance::jobs`.
#[async_trait::async_trait]
pub trait JobStore: Send + Sync {
    /// Store a job and its items; refused items get their event now.
    /// Returns the events written.
    async fn create_job(
        &self,
        job: &NewJob,
        items: &[NewItem],
    ) -> Result<Vec<JobEvent>, StoreError>;
    /// Hand out up to `limit` queued items, urgent first, then oldest, each
    /// with its credit held (a key that cannot pay, or no longer stands,
    /// fails its items with an event instead). Returns the items and the
    /// events of those that failed.
    async fn claim(
        &self,
        limit: usize,
        now: i64,
    ) -> Result<(Vec<Claimed>, Vec<JobEvent>), StoreError>;
    /// Finish a running item: keep the credit on success, refund it
    /// otherwise, and append its `item` event (data built by `event`),
    /// a `progress` event, and `done` when it was the job's last. An item
    /// finished already changes nothing (returns no events).
    async fn finish(
        &self,
        item: &Claimed,
        outcome: &Outcome,
        item_event: &str,
        now: i64,
    ) -> Result<Vec<JobEvent>, StoreError>;
    /// Events after `after`, oldest first, at most `limit`.
    async fn events(
        &self,
        job_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<JobEvent>, StoreError>;
    async fn job(&self, job_id: &str) -> Result<Option<JobSummary>, StoreError>;
    /// A key's jobs, newest first, older than `before` (a job id) when given.
    async fn jobs(
        &self,
        key_id: i64,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<JobSummary>, StoreError>;
    /// Cancel what is still queued (running items finish). Returns the
    /// events written (`done` when nothing is left running).
    async fn cancel(&self, job_id: &str, now: i64) -> Result<Vec<JobEvent>, StoreError>;
    /// Move these queued items of the job to the front. Returns how many.
    async fn urgent(&self, job_id: &str, urls: &[String]) -> Result<usize, StoreError>;
    /// Put items a crash left running back in the queue, their credit still
    /// held (claiming them again holds no second one). Returns how many.
    async fn recover_jobs(&self) -> Result<usize, StoreError>;
    /// Delete jobs finished before `before`. Returns how many.
    async fn purge_jobs(&self, before: i64) -> Result<usize, StoreError>;
    /// Queued and running items per platform, and queued in all.
    async fn queue(&self) -> Result<BTreeMap<String, QueueCounts>, StoreError>;
    /// Record one webhook delivery attempt (a JSON object).
    async fn webhook_attempt(&self, job_id: &str, attempt: &str) -> Result<(), StoreError>;
}

/// The `progress` event's data.
pub fn progress_data(counts: &StateCounts) -> String {
    serde_json::json!({
        "total": counts.total(), "queued": counts.queued, "running": counts.running,
        "done": counts.done, "failed": counts.failed, "cancelled": counts.cancelled,
    })
    .to_string()
}

/// The `item` event of an item refused without running (an unsupported
/// link, a key that cannot pay): the shape of every `item` event.
pub fn refused_data(
    item_id: i64,
    url: &str,
    platform: &str,
    meta: Option<&str>,
    code: &str,
    msg: &str,
) -> String {
    let meta: serde_json::Value = meta
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "item_id": item_id, "url": url, "platform": platform, "ok": false,
        "error": {"code": code, "msg": msg}, "elapsed_seconds": 0.0,
        "priority_used": "normal", "meta": meta,
    })
    .to_string()
}

/// The `done` event's data.
pub fn done_data(job_id: &str, counts: &StateCounts, cancelled: bool) -> String {
    serde_json::json!({
        "jobId": job_id, "cancelled": cancelled, "total": counts.total(),
        "done": counts.done, "failed": counts.failed, "cancelledItems": counts.cancelled,
    })
    .to_string()
}
