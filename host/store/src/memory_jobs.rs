//! [`JobStore`] for [`MemoryStore`]: the reference behaviour of the jobs
//! queue, in the same mutex as the keys so credit holds stay atomic.

use crate::jobs::*;
use crate::keys::StoreError;
use crate::memory::{Inner, MemItem, MemJob, MemoryStore};
use std::collections::BTreeMap;

impl MemJob {
    fn counts(&self) -> StateCounts {
        let mut c = StateCounts::default();
        for i in &self.items {
            c.add(i.state, 1);
        }
        c
    }

    fn push(&mut self, job_id: &str, kind: &str, data: String) -> JobEvent {
        let e = JobEvent {
            job_id: job_id.to_string(),
            id: self.events.len() as i64 + 1,
            kind: kind.to_string(),
            data,
        };
        self.events.push(e.clone());
        e
    }

    /// `progress`, and `done` when nothing is left.
    fn progress(&mut self, job_id: &str, now: i64, out: &mut Vec<JobEvent>) {
        let c = self.counts();
        out.push(self.push(job_id, "progress", progress_data(&c)));
        if c.settled() && self.finished_at.is_none() {
            self.finished_at = Some(now);
            out.push(self.push(job_id, "done", done_data(job_id, &c, self.cancelled)));
        }
    }

    fn summary(&self, id: &str) -> JobSummary {
        let mut by_platform = BTreeMap::<String, StateCounts>::new();
        for i in &self.items {
            by_platform
                .entry(i.platform.clone())
                .or_default()
                .add(i.state, 1);
        }
        JobSummary {
            id: id.to_string(),
            key_id: self.key_id,
            kind: self.kind.clone(),
            created_at: self.created_at,
            finished_at: self.finished_at,
            cancelled: self.cancelled,
            counts: self.counts(),
            by_platform,
            webhook: self.webhook.clone(),
            webhook_attempts: self.attempts.clone(),
            last_event_id: self.events.len() as i64,
        }
    }
}

impl Inner {
    /// Hold one credit of `key_id`, or say why it cannot be held.
    fn hold_credit(&mut self, key_id: i64, now: i64) -> Option<(&'static str, &'static str)> {
        let Some((k, _)) = self.keys.get_mut(&key_id).filter(|(k, _)| k.enabled) else {
            return Some(("invalid_token", "the job's API key is no longer valid"));
        };
        if k.expires_at.is_some_and(|t| now >= t) {
            return Some(("token_expired", "the job's API key has expired"));
        }
        match k.credits {
            Some(c) if c <= 0 => Some(("insufficient_credits", "no credits left on this API key")),
            Some(c) => {
                k.credits = Some(c - 1);
                None
            }
            None => None,
        }
    }

    fn refund(&mut self, key_id: i64) {
        if let Some((k, _)) = self.keys.get_mut(&key_id) {
            k.credits = k.credits.map(|c| c + 1);
        }
    }
}

#[async_trait::async_trait]
impl JobStore for MemoryStore {
    async fn create_job(
        &self,
        job: &NewJob,
        items: &[NewItem],
    ) -> Result<Vec<JobEvent>, StoreError> {
        Ok(self.with(|s| {
            let mut j = MemJob {
                key_id: job.key_id,
                kind: job.kind.clone(),
                created_at: job.created_at,
                webhook: job.webhook.clone(),
                ..Default::default()
            };
            let mut events = Vec::new();
            for (i, it) in items.iter().enumerate() {
                s.next_seq += 1;
                let item = MemItem {
                    seq: s.next_seq,
                    url: it.url.clone(),
                    platform: it.platform.clone(),
                    meta: it.meta.clone(),
                    urgent: it.urgent,
                    state: if it.refused.is_some() {
                        state::FAILED
                    } else {
                        state::QUEUED
                    },
                    reserved: false,
                };
                if let Some((code, msg)) = &it.refused {
                    let data = refused_data(
                        i as i64 + 1,
                        &item.url,
                        &item.platform,
                        item.meta.as_deref(),
                        code,
                        msg,
                    );
                    j.items.push(item);
                    events.push(j.push(&job.id, "item", data));
                } else {
                    j.items.push(item);
                }
            }
            if !events.is_empty() {
                j.progress(&job.id, job.created_at, &mut events);
            }
            s.jobs.insert(job.id.clone(), j);
            events
        }))
    }

    async fn claim(
        &self,
        limit: usize,
        now: i64,
    ) -> Result<(Vec<Claimed>, Vec<JobEvent>), StoreError> {
        Ok(self.with(|s| {
            let mut queued: Vec<(bool, u64, String, usize)> = Vec::new();
            for (id, j) in &s.jobs {
                for (i, it) in j.items.iter().enumerate() {
                    if it.state == state::QUEUED {
                        queued.push((!it.urgent, it.seq, id.clone(), i));
                    }
                }
            }
            queued.sort();
            let (mut claimed, mut events) = (Vec::new(), Vec::new());
            for (_, _, job_id, i) in queued.into_iter().take(limit) {
                let (key_id, reserved) = {
                    let j = &s.jobs[&job_id];
                    (j.key_id, j.items[i].reserved)
                };
                let refusal = if reserved {
                    None
                } else {
                    s.hold_credit(key_id, now)
                };
                let j = s.jobs.get_mut(&job_id).expect("listed above");
                let item = &mut j.items[i];
                match refusal {
                    None => {
                        item.state = state::RUNNING;
                        item.reserved = true;
                        claimed.push(Claimed {
                            job_id: job_id.clone(),
                            item_id: i as i64 + 1,
                            key_id,
                            url: item.url.clone(),
                            platform: item.platform.clone(),
                            meta: item.meta.clone(),
                            urgent: item.urgent,
                        });
                    }
                    Some((code, msg)) => {
                        item.state = state::FAILED;
                        let data = refused_data(
                            i as i64 + 1,
                            &item.url,
                            &item.platform,
                            item.meta.as_deref(),
                            code,
                            msg,
                        );
                        events.push(j.push(&job_id, "item", data));
                        j.progress(&job_id, now, &mut events);
                    }
                }
            }
            (claimed, events)
        }))
    }

    async fn finish(
        &self,
        item: &Claimed,
        outcome: &Outcome,
        item_event: &str,
        now: i64,
    ) -> Result<Vec<JobEvent>, StoreError> {
        Ok(self.with(|s| {
            let charged = outcome.ok && !outcome.free;
            let Some(j) = s.jobs.get_mut(&item.job_id) else {
                return Vec::new();
            };
            let Some(it) = j.items.get_mut(item.item_id as usize - 1) else {
                return Vec::new();
            };
            if it.state != state::RUNNING {
                return Vec::new();
            }
            it.state = if outcome.ok {
                state::DONE
            } else {
                state::FAILED
            };
            let mut events = vec![j.push(&item.job_id, "item", item_event.to_string())];
            j.progress(&item.job_id, now, &mut events);
            if !charged {
                s.refund(item.key_id);
            }
            let code = if outcome.free {
                "cache_hit"
            } else {
                outcome.code.as_str()
            };
            s.count(item.key_id, now, &item.platform, code, charged);
            events
        }))
    }

    async fn events(
        &self,
        job_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<JobEvent>, StoreError> {
        Ok(self.with(|s| {
            s.jobs
                .get(job_id)
                .map(|j| {
                    j.events
                        .iter()
                        .filter(|e| e.id > after)
                        .take(limit)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        }))
    }

    async fn job(&self, job_id: &str) -> Result<Option<JobSummary>, StoreError> {
        Ok(self.with(|s| s.jobs.get(job_id).map(|j| j.summary(job_id))))
    }

    async fn jobs(
        &self,
        key_id: i64,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<JobSummary>, StoreError> {
        Ok(self.with(|s| {
            let cut = before.and_then(|b| s.jobs.get(b).map(|j| (j.created_at, b.to_string())));
            let mut mine: Vec<(i64, &String, &MemJob)> = s
                .jobs
                .iter()
                .filter(|(_, j)| j.key_id == key_id)
                .map(|(id, j)| (j.created_at, id, j))
                .filter(|(at, id, _)| cut.as_ref().is_none_or(|c| (*at, (*id).clone()) < *c))
                .collect();
            mine.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)));
            mine.into_iter()
                .take(limit)
                .map(|(_, id, j)| j.summary(id))
                .collect()
        }))
    }

    async fn cancel(&self, job_id: &str, now: i64) -> Result<Vec<JobEvent>, StoreError> {
        Ok(self.with(|s| {
            let Some(j) = s.jobs.get_mut(job_id).filter(|j| j.finished_at.is_none()) else {
                return Vec::new();
            };
            j.cancelled = true;
            let mut held = 0;
            for it in j.items.iter_mut().filter(|i| i.state == state::QUEUED) {
                held += it.reserved as usize;
                it.state = state::CANCELLED;
            }
            let mut events = Vec::new();
            j.progress(job_id, now, &mut events);
            let key = j.key_id;
            for _ in 0..held {
                s.refund(key);
            }
            events
        }))
    }

    async fn urgent(&self, job_id: &str, urls: &[String]) -> Result<usize, StoreError> {
        Ok(self.with(|s| {
            let Some(j) = s.jobs.get_mut(job_id) else {
                return 0;
            };
            let mut n = 0;
            for it in j.items.iter_mut() {
                if it.state == state::QUEUED && urls.contains(&it.url) {
                    it.urgent = true;
                    n += 1;
                }
            }
            n
        }))
    }

    async fn recover_jobs(&self) -> Result<usize, StoreError> {
        Ok(self.with(|s| {
            let mut n = 0;
            for it in s.jobs.values_mut().flat_map(|j| j.items.iter_mut()) {
                if it.state == state::RUNNING {
                    it.state = state::QUEUED;
                    n += 1;
                }
            }
            n
        }))
    }

    async fn purge_jobs(&self, before: i64) -> Result<usize, StoreError> {
        Ok(self.with(|s| {
            let n = s.jobs.len();
            s.jobs
                .retain(|_, j| j.finished_at.is_none_or(|f| f >= before));
            n - s.jobs.len()
        }))
    }

    async fn queue(&self) -> Result<BTreeMap<String, QueueCounts>, StoreError> {
        Ok(self.with(|s| {
            let mut out = BTreeMap::<String, QueueCounts>::new();
            for it in s.jobs.values().flat_map(|j| j.items.iter()) {
                match it.state {
                    state::QUEUED => out.entry(it.platform.clone()).or_default().queued += 1,
                    state::RUNNING => out.entry(it.platform.clone()).or_default().running += 1,
                    _ => {}
                }
            }
            out
        }))
    }

    async fn webhook_attempt(&self, job_id: &str, attempt: &str) -> Result<(), StoreError> {
        self.with(|s| {
            if let Some(j) = s.jobs.get_mut(job_id)
                && let Ok(v) = serde_json::from_str(attempt)
            {
                j.attempts.push(v);
            }
        });
        Ok(())
    }
}
