//! Batch jobs: many links in one request, parsed by a pool of workers from
//! the durable queue in the store, results streamed as events (SSE replays
//! them from any event id), optional webhooks when a job finishes.
//!
//! The flow: `submit` checks and routes every link (unsupported ones fail at
//! once, duplicates run once), the dispatcher claims queued items with
//! their credit held, a worker parses each and `finish`es it (charged on
//! success, refunded otherwise), and every new event wakes the job's
//! streams.

pub mod json;
mod pool;
mod webhook;

use crate::clock::now;
use crate::code::{Coded, wire_code};
use crate::service::cache::CacheUse;
use crate::service::{ParseError, ParseService};
use grabkit_store::jobs::{
    Claimed, JobEvent, JobStore, JobSummary, NewItem, NewJob, Outcome, Webhook,
};
use grabkit_store::keys::{Key, StoreError, new_token};
use pool::Recent;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore, broadcast};

pub use pool::{PlatformFigures, PlatformTotals, PoolFigures};

/// Operator settings (`[jobs]`).
#[derive(Debug, Clone)]
pub struct JobSettings {
    /// Items parsed at once, all jobs together.
    pub workers: usize,
    /// Items one job may hold.
    pub max_items: usize,
    /// Items queued in all; a job that would pass it is `503 queue_full`.
    pub max_queued: u64,
    /// Finished jobs are kept this long, then purged.
    pub keep_for: Duration,
    /// Webhook deliveries: tries, and the first wait (doubling each time).
    pub webhook_tries: u32,
    pub webhook_backoff: Duration,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            workers: 32,
            max_items: 500,
            max_queued: 100_000,
            keep_for: Duration::from_secs(7 * 86_400),
            webhook_tries: 5,
            webhook_backoff: Duration::from_secs(2),
        }
    }
}

/// Why a jobs call was refused.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("{0}")]
    Invalid(String),
    #[error("a job holds at most {0} items")]
    TooManyItems(usize),
    #[error("no job with this id")]
    NotFound,
    #[error("the queue is full; try again shortly")]
    QueueFull,
    #[error("no credits left on this API key")]
    NoCredits,
    #[error("the job store failed; try again")]
    Store(#[from] StoreError),
}

impl Coded for JobError {
    fn code(&self) -> &'static str {
        match self {
            JobError::Invalid(_) => "invalid_request",
            JobError::TooManyItems(_) => "too_many_items",
            JobError::NotFound => "job_not_found",
            JobError::QueueFull => "queue_full",
            JobError::NoCredits => "insufficient_credits",
            JobError::Store(_) => "store_failed",
        }
    }

    fn retry_after(&self) -> Option<u64> {
        matches!(self, JobError::QueueFull).then_some(5)
    }
}

/// One link of a job request.
#[derive(Debug, Clone, Default)]
pub struct ItemRequest {
    pub url: String,
    /// Any JSON, echoed in the item's event.
    pub meta: Option<serde_json::Value>,
}

/// A job request, checked by [`Jobs::submit`].
#[derive(Debug, Clone, Default)]
pub struct JobRequest {
    pub items: Vec<ItemRequest>,
    pub urgent: bool,
    pub webhook: Option<Webhook>,
}

/// What `submit` answers per input link.
#[derive(Debug, Clone, Serialize)]
pub struct Accepted {
    pub item_id: i64,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<serde_json::Value>,
}

/// Batch jobs over one store and one parse service.
pub struct Jobs {
    store: Arc<dyn JobStore>,
    service: Arc<ParseService>,
    settings: JobSettings,
    /// Job ids whose logs grew.
    events: broadcast::Sender<String>,
    /// New work for the dispatcher.
    wake: Notify,
    recent: Recent,
}

impl Jobs {
    /// The jobs service; call [`Jobs::start`] to run its workers.
    pub fn new(
        store: Arc<dyn JobStore>,
        service: Arc<ParseService>,
        settings: JobSettings,
    ) -> Arc<Self> {
        Arc::new(Jobs {
            store,
            service,
            settings,
            events: broadcast::channel(4096).0,
            wake: Notify::new(),
            recent: Recent::default(),
        })
    }

    pub fn settings(&self) -> &JobSettings {
        &self.settings
    }

    /// Queue again what a crash left running, then run the dispatcher and
    /// the hourly purge in the background.
    pub async fn start(self: &Arc<Self>) -> Result<(), StoreError> {
        let resumed = self.store.recover_jobs().await?;
        if resumed > 0 {
            tracing::info!(items = resumed, "resuming job items a restart interrupted");
        }
        let me = self.clone();
        tokio::spawn(async move { me.dispatch().await });
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                let before = now() - me.settings.keep_for.as_secs() as i64;
                match me.store.purge_jobs(before).await {
                    Ok(n) if n > 0 => tracing::info!(jobs = n, "purged finished jobs"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "purging jobs failed"),
                }
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        });
        Ok(())
    }

    /// Check, route and store a job for `key`.
    pub async fn submit(
        &self,
        key: &Key,
        req: JobRequest,
    ) -> Result<(String, Vec<Accepted>), JobError> {
        if req.items.is_empty() {
            return Err(JobError::Invalid("`items` is empty".into()));
        }
        if req.items.len() > self.settings.max_items {
            return Err(JobError::TooManyItems(self.settings.max_items));
        }
        if key.credits.is_some_and(|c| c <= 0) {
            return Err(JobError::NoCredits);
        }
        if let Some(w) = &req.webhook {
            webhook::check_target(&w.url).map_err(JobError::Invalid)?;
        }
        let queued: u64 = self.store.queue().await?.values().map(|c| c.queued).sum();
        if queued + req.items.len() as u64 > self.settings.max_queued {
            return Err(JobError::QueueFull);
        }
        let mut items: Vec<NewItem> = Vec::new();
        let mut accepted = Vec::new();
        let mut seen: HashMap<String, i64> = HashMap::new();
        for it in &req.items {
            let meta = it.meta.as_ref().map(|m| m.to_string());
            let (canonical, new) = match self.service.route(&it.url) {
                Ok(r) => {
                    let platform = r.platform.clone();
                    let item = NewItem {
                        url: it.url.clone(),
                        platform: platform.clone(),
                        meta,
                        urgent: req.urgent,
                        refused: None,
                    };
                    (r.url.to_string(), item)
                }
                Err(e) => {
                    let item = NewItem {
                        url: it.url.clone(),
                        platform: "none".into(),
                        meta,
                        urgent: false,
                        refused: Some((e.code().into(), e.to_string())),
                    };
                    (String::new(), item)
                }
            };
            if !canonical.is_empty()
                && let Some(&id) = seen.get(&canonical)
            {
                // The same post twice: it runs once, both answers name it.
                accepted.push(Accepted {
                    item_id: id,
                    url: it.url.clone(),
                    platform: Some(new.platform),
                    error: None,
                });
                continue;
            }
            let item_id = items.len() as i64 + 1;
            if !canonical.is_empty() {
                seen.insert(canonical, item_id);
            }
            accepted.push(Accepted {
                item_id,
                url: it.url.clone(),
                platform: new.refused.is_none().then(|| new.platform.clone()),
                error: new
                    .refused
                    .as_ref()
                    .map(|(code, msg)| serde_json::json!({"code": wire_code(code), "msg": msg})),
            });
            items.push(new);
        }
        let id = new_token("job_");
        let job = NewJob {
            id: id.clone(),
            key_id: key.id,
            kind: "parse".into(),
            created_at: now(),
            webhook: req.webhook,
        };
        let events = self.store.create_job(&job, &items).await?;
        self.published(&id, &events).await;
        self.wake.notify_one();
        Ok((id, accepted))
    }

    /// A job of `key`'s (another key's job is not found).
    pub async fn job(&self, key: &Key, id: &str) -> Result<JobSummary, JobError> {
        match self.store.job(id).await? {
            Some(j) if j.key_id == key.id => Ok(j),
            _ => Err(JobError::NotFound),
        }
    }

    pub async fn list(
        &self,
        key: &Key,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<JobSummary>, JobError> {
        Ok(self.store.jobs(key.id, before, limit).await?)
    }

    pub async fn cancel(&self, key: &Key, id: &str) -> Result<JobSummary, JobError> {
        self.job(key, id).await?;
        let events = self.store.cancel(id, now()).await?;
        self.published(id, &events).await;
        self.job(key, id).await
    }

    pub async fn urgent(&self, key: &Key, id: &str, urls: &[String]) -> Result<usize, JobError> {
        self.job(key, id).await?;
        Ok(self.store.urgent(id, urls).await?)
    }

    /// Events of `key`'s job `id` after `after`.
    pub async fn events(&self, key: &Key, id: &str, after: i64) -> Result<Vec<JobEvent>, JobError> {
        self.job(key, id).await?;
        Ok(self.store.events(id, after, 500).await?)
    }

    /// Wakes with a job id whenever that job's log grew.
    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.events.subscribe()
    }

    /// Queue and recent figures, per platform (nothing names a link or a key).
    pub async fn pool(&self) -> Result<PoolFigures, JobError> {
        Ok(self.recent.figures(self.store.queue().await?))
    }

    /// Claim queued items as workers free up, and run each.
    async fn dispatch(self: Arc<Self>) {
        let slots = Arc::new(Semaphore::new(self.settings.workers.max(1)));
        loop {
            let free = slots.available_permits();
            if free == 0 {
                // Wait for one worker to finish, without keeping its place.
                drop(slots.clone().acquire_owned().await);
                continue;
            }
            let claimed = match self.store.claim(free, now()).await {
                Ok((claimed, refused)) => {
                    for (job, events) in by_job(refused) {
                        self.published(&job, &events).await;
                    }
                    claimed
                }
                Err(e) => {
                    tracing::warn!(error = %e, "claiming job items failed");
                    Vec::new()
                }
            };
            if claimed.is_empty() {
                tokio::select! {
                    () = self.wake.notified() => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                continue;
            }
            for item in claimed {
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                let me = self.clone();
                tokio::spawn(async move {
                    me.run(item).await;
                    drop(slot);
                });
            }
        }
    }

    /// Parse one item and finish it. A busy parse service is waited out:
    /// job items queue, they are never refused as `busy`.
    async fn run(&self, item: Claimed) {
        let started = Instant::now();
        let result = loop {
            match self.service.parse_cached(&item.url, CacheUse::Normal).await {
                Err(ParseError::Busy(_)) => tokio::time::sleep(Duration::from_millis(200)).await,
                // The platform's breaker is open: the item pauses, it does not fail.
                Err(ParseError::Unavailable { retry_after, .. }) => {
                    tokio::time::sleep(Duration::from_secs(retry_after.max(1))).await
                }
                // Every account is cooling down: wait for one, as above.
                Err(ParseError::NoAccount {
                    retry_after: Some(s),
                    ..
                }) => tokio::time::sleep(Duration::from_secs(s.clamp(1, 300))).await,
                other => break other,
            }
        };
        let elapsed = started.elapsed();
        let free_hits = !self.service.cache.settings.charge_hits;
        let outcome = match &result {
            Ok((media, hit)) => Outcome {
                ok: true,
                code: "success".into(),
                message: String::new(),
                result: serde_json::to_string(media).ok(),
                elapsed_ms: elapsed.as_millis() as u64,
                free: *hit && free_hits,
            },
            Err(e) => Outcome {
                ok: false,
                code: e.code().into(),
                message: e.to_string(),
                result: None,
                elapsed_ms: elapsed.as_millis() as u64,
                free: false,
            },
        };
        self.recent.push(&item.platform, outcome.ok, elapsed);
        let event = item_event(&item, &outcome);
        match self.store.finish(&item, &outcome, &event, now()).await {
            Ok(events) => self.published(&item.job_id, &events).await,
            Err(e) => {
                tracing::error!(error = %e, job = %item.job_id, "finishing a job item failed")
            }
        }
    }

    /// Wake the job's streams; deliver its webhooks.
    async fn published(&self, job_id: &str, events: &[JobEvent]) {
        if events.is_empty() {
            return;
        }
        let _ = self.events.send(job_id.to_string());
        let done = events.iter().any(|e| e.kind == "done");
        let items: Vec<&JobEvent> = events.iter().filter(|e| e.kind == "item").collect();
        if !done && items.is_empty() {
            return;
        }
        let Ok(Some(job)) = self.store.job(job_id).await else {
            return;
        };
        let Some(hook) = job.webhook.clone() else {
            return;
        };
        if hook.per_item {
            for e in items {
                self.deliver(job_id, &hook, "item", e.data.clone());
            }
        }
        if done {
            let body = serde_json::to_string(&job).unwrap_or_default();
            self.deliver(job_id, &hook, "done", body);
        }
    }

    fn deliver(&self, job_id: &str, hook: &Webhook, kind: &str, data: String) {
        let delivery = webhook::Delivery {
            sandbox: self.service.sandbox.clone(),
            store: self.store.clone(),
            job_id: job_id.to_string(),
            url: hook.url.clone(),
            secret: hook.secret.clone(),
            kind: kind.to_string(),
            body: data,
            tries: self.settings.webhook_tries,
            backoff: self.settings.webhook_backoff,
        };
        tokio::spawn(delivery.run());
    }
}

/// The `item` event of a finished item.
fn item_event(item: &Claimed, o: &Outcome) -> String {
    let meta: serde_json::Value = item
        .meta
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or(serde_json::Value::Null);
    let mut v = serde_json::json!({
        "item_id": item.item_id, "url": item.url, "platform": item.platform, "ok": o.ok,
        "elapsed_seconds": o.elapsed_ms as f64 / 1000.0,
        "priority_used": if item.urgent { "urgent" } else { "normal" }, "meta": meta,
    });
    if o.ok {
        v["result"] = o
            .result
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .unwrap_or(serde_json::Value::Null);
    } else {
        v["error"] = serde_json::json!({"code": wire_code(&o.code), "msg": o.message});
    }
    v.to_string()
}

/// Events grouped by their job, in order.
fn by_job(events: Vec<JobEvent>) -> Vec<(String, Vec<JobEvent>)> {
    let mut out: Vec<(String, Vec<JobEvent>)> = Vec::new();
    for e in events {
        match out.last_mut() {
            Some((job, list)) if *job == e.job_id => list.push(e),
            _ => out.push((e.job_id.clone(), vec![e])),
        }
    }
    out
}
