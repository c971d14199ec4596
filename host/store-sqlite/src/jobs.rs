//! [`JobStore`] on SQLite: jobs, their items (the queue) and event logs in
//! the same database as the keys, so holding or refunding an item's credit
//! commits together with the item's state and events.

use super::{Db, R, SqliteStore};
use grabkit_store::jobs::*;
use grabkit_store::keys::StoreError;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::collections::BTreeMap;

/// Append an event to a job's log; returns it with its id.
fn push_event(tx: &Transaction<'_>, job_id: &str, kind: &str, data: &str) -> R<JobEvent> {
    let id: i64 = tx.query_row(
        "UPDATE jobs SET last_event = last_event + 1 WHERE id = ?1 RETURNING last_event",
        [job_id],
        |r| r.get(0),
    )?;
    tx.prepare_cached("INSERT INTO job_events (job_id, id, kind, data) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![job_id, id, kind, data])?;
    Ok(JobEvent {
        job_id: job_id.to_string(),
        id,
        kind: kind.to_string(),
        data: data.to_string(),
    })
}

/// A job's items by platform and state (a scan: summaries only).
fn by_platform(conn: &Connection, job_id: &str) -> R<BTreeMap<String, StateCounts>> {
    let mut st = conn.prepare_cached(
        "SELECT platform, state, COUNT(*) FROM job_items WHERE job_id = ?1 GROUP BY 1, 2",
    )?;
    let mut by = BTreeMap::<String, StateCounts>::new();
    let rows = st.query_map([job_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (platform, state, n) = row?;
        by.entry(platform).or_default().add(&state, n as u64);
    }
    Ok(by)
}

/// The job's items by state, from its counters.
fn tally(conn: &Connection, job_id: &str) -> R<StateCounts> {
    Ok(conn
        .prepare_cached(
            "SELECT n_queued, n_running, n_done, n_failed, n_cancelled FROM jobs WHERE id = ?1",
        )?
        .query_row([job_id], |r| {
            let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
            Ok(StateCounts {
                queued: n(0)?,
                running: n(1)?,
                done: n(2)?,
                failed: n(3)?,
                cancelled: n(4)?,
            })
        })?)
}

/// Move `n` of a job's items from one state's counter to another's.
fn shift(tx: &Transaction<'_>, job_id: &str, from: &str, to: &str, n: i64) -> R<()> {
    let col = |s: &str| match s {
        state::QUEUED => "n_queued",
        state::RUNNING => "n_running",
        state::DONE => "n_done",
        state::FAILED => "n_failed",
        _ => "n_cancelled",
    };
    let sql = format!(
        "UPDATE jobs SET {f} = {f} - ?1, {t} = {t} + ?1 WHERE id = ?2",
        f = col(from),
        t = col(to)
    );
    tx.prepare_cached(&sql)?.execute(params![n, job_id])?;
    Ok(())
}

/// After an item settled: `progress`, and `done` when nothing is left.
fn progress(tx: &Transaction<'_>, job_id: &str, now: i64, out: &mut Vec<JobEvent>) -> R<()> {
    let c = tally(tx, job_id)?;
    out.push(push_event(tx, job_id, "progress", &progress_data(&c))?);
    if c.settled() {
        let (cancelled, finished): (bool, Option<i64>) = tx.query_row(
            "SELECT cancelled, finished_at FROM jobs WHERE id = ?1",
            [job_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if finished.is_none() {
            tx.execute(
                "UPDATE jobs SET finished_at = ?1 WHERE id = ?2",
                params![now, job_id],
            )?;
            out.push(push_event(
                tx,
                job_id,
                "done",
                &done_data(job_id, &c, cancelled),
            )?);
        }
    }
    Ok(())
}

impl Db {
    fn create_job(&self, job: &NewJob, items: &[NewItem]) -> R<Vec<JobEvent>> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let hook = job.webhook.as_ref();
        tx.execute(
            "INSERT INTO jobs (id, key_id, kind, created_at, webhook_url, webhook_secret, \
             webhook_per_item) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                job.id,
                job.key_id,
                job.kind,
                job.created_at,
                hook.map(|h| h.url.clone()),
                hook.and_then(|h| h.secret.clone()),
                hook.is_some_and(|h| h.per_item),
            ],
        )?;
        let mut events = Vec::new();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO job_items (job_id, item_id, url, platform, meta, urgent, state) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (i, it) in items.iter().enumerate() {
                let state = if it.refused.is_some() {
                    state::FAILED
                } else {
                    state::QUEUED
                };
                insert.execute(params![
                    job.id,
                    i as i64 + 1,
                    it.url,
                    it.platform,
                    it.meta,
                    it.urgent,
                    state
                ])?;
            }
        }
        let refused = items.iter().filter(|i| i.refused.is_some()).count() as i64;
        tx.execute(
            "UPDATE jobs SET n_queued = ?1, n_failed = ?2 WHERE id = ?3",
            params![items.len() as i64 - refused, refused, job.id],
        )?;
        for (i, it) in items.iter().enumerate() {
            if let Some((code, msg)) = &it.refused {
                let data = refused_data(
                    i as i64 + 1,
                    &it.url,
                    &it.platform,
                    it.meta.as_deref(),
                    code,
                    msg,
                );
                events.push(push_event(&tx, &job.id, "item", &data)?);
            }
        }
        if !events.is_empty() {
            progress(&tx, &job.id, job.created_at, &mut events)?;
        }
        tx.commit()?;
        Ok(events)
    }

    fn claim(&self, limit: usize, now: i64) -> R<(Vec<Claimed>, Vec<JobEvent>)> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let picked: Vec<(i64, Claimed, bool)> = {
            let mut st = tx.prepare_cached(
                "SELECT i.seq, i.job_id, i.item_id, j.key_id, i.url, i.platform, i.meta, \
                 i.urgent, i.reserved FROM job_items i JOIN jobs j ON j.id = i.job_id \
                 WHERE i.state = 'queued' ORDER BY i.urgent DESC, i.seq LIMIT ?1",
            )?;
            st.query_map([limit as i64], |r| {
                Ok((
                    r.get(0)?,
                    Claimed {
                        job_id: r.get(1)?,
                        item_id: r.get(2)?,
                        key_id: r.get(3)?,
                        url: r.get(4)?,
                        platform: r.get(5)?,
                        meta: r.get(6)?,
                        urgent: r.get(7)?,
                    },
                    r.get(8)?,
                ))
            })?
            .collect::<Result<_, _>>()?
        };
        let (mut claimed, mut events) = (Vec::new(), Vec::new());
        for (seq, item, reserved) in picked {
            // A crash's re-queued item still holds its credit.
            let refusal = if reserved {
                None
            } else {
                hold_credit(&tx, item.key_id, now)?
            };
            match refusal {
                None => {
                    tx.execute(
                        "UPDATE job_items SET state = 'running', reserved = 1 WHERE seq = ?1",
                        [seq],
                    )?;
                    shift(&tx, &item.job_id, state::QUEUED, state::RUNNING, 1)?;
                    claimed.push(item);
                }
                Some((code, msg)) => {
                    tx.execute(
                        "UPDATE job_items SET state = 'failed' WHERE seq = ?1",
                        [seq],
                    )?;
                    shift(&tx, &item.job_id, state::QUEUED, state::FAILED, 1)?;
                    let data = refused_data(
                        item.item_id,
                        &item.url,
                        &item.platform,
                        item.meta.as_deref(),
                        code,
                        msg,
                    );
                    events.push(push_event(&tx, &item.job_id, "item", &data)?);
                    progress(&tx, &item.job_id, now, &mut events)?;
                }
            }
        }
        tx.commit()?;
        Ok((claimed, events))
    }

    fn finish(
        &self,
        item: &Claimed,
        outcome: &Outcome,
        item_event: &str,
        now: i64,
    ) -> R<Vec<JobEvent>> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let next = if outcome.ok {
            state::DONE
        } else {
            state::FAILED
        };
        let changed = tx.execute(
            "UPDATE job_items SET state = ?1 WHERE job_id = ?2 AND item_id = ?3 AND state = 'running'",
            params![next, item.job_id, item.item_id],
        )?;
        let mut events = Vec::new();
        if changed == 0 {
            return Ok(events);
        }
        shift(&tx, &item.job_id, state::RUNNING, next, 1)?;
        let charged = outcome.ok && !outcome.free;
        if !charged {
            tx.execute(
                "UPDATE keys SET credits = credits + 1 WHERE id = ?1 AND credits IS NOT NULL",
                [item.key_id],
            )?;
        }
        let code = if outcome.free {
            "cache_hit"
        } else {
            outcome.code.as_str()
        };
        super::count(&tx, item.key_id, now, &item.platform, code, charged)?;
        events.push(push_event(&tx, &item.job_id, "item", item_event)?);
        progress(&tx, &item.job_id, now, &mut events)?;
        tx.commit()?;
        Ok(events)
    }

    fn events(&self, job_id: &str, after: i64, limit: usize) -> R<Vec<JobEvent>> {
        let conn = self.lock();
        let mut st = conn.prepare_cached(
            "SELECT id, kind, data FROM job_events WHERE job_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        )?;
        let rows = st.query_map(params![job_id, after, limit as i64], |r| {
            Ok(JobEvent {
                job_id: job_id.to_string(),
                id: r.get(0)?,
                kind: r.get(1)?,
                data: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn summary(conn: &Connection, job_id: &str) -> R<Option<JobSummary>> {
        let row = conn
            .query_row(
                "SELECT id, key_id, kind, created_at, finished_at, cancelled, webhook_url, \
                 webhook_per_item, webhook_log, last_event, webhook_secret FROM jobs WHERE id = ?1",
                [job_id],
                |r| {
                    let url: Option<String> = r.get(6)?;
                    let log: String = r.get(8)?;
                    Ok(JobSummary {
                        id: r.get(0)?,
                        key_id: r.get(1)?,
                        kind: r.get(2)?,
                        created_at: r.get(3)?,
                        finished_at: r.get(4)?,
                        cancelled: r.get(5)?,
                        counts: StateCounts::default(),
                        by_platform: BTreeMap::new(),
                        webhook: url.map(|url| Webhook {
                            url,
                            secret: r.get(10).unwrap_or(None),
                            per_item: r.get(7).unwrap_or(false),
                        }),
                        webhook_attempts: serde_json::from_str(&log).unwrap_or_default(),
                        last_event_id: r.get(9)?,
                    })
                },
            )
            .optional()?;
        let Some(mut s) = row else { return Ok(None) };
        s.counts = tally(conn, job_id)?;
        s.by_platform = by_platform(conn, job_id)?;
        Ok(Some(s))
    }

    fn jobs(&self, key_id: i64, before: Option<&str>, limit: usize) -> R<Vec<JobSummary>> {
        let conn = self.lock();
        let ids: Vec<String> = {
            let mut st = conn.prepare_cached(
                "SELECT id FROM jobs WHERE key_id = ?1 AND (?2 IS NULL OR (created_at, id) < \
                 (SELECT created_at, id FROM jobs WHERE id = ?2)) \
                 ORDER BY created_at DESC, id DESC LIMIT ?3",
            )?;
            st.query_map(params![key_id, before, limit as i64], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let mut out = Vec::new();
        for id in ids {
            out.extend(Self::summary(&conn, &id)?);
        }
        Ok(out)
    }

    fn cancel(&self, job_id: &str, now: i64) -> R<Vec<JobEvent>> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let mut events = Vec::new();
        if tx.execute(
            "UPDATE jobs SET cancelled = 1 WHERE id = ?1 AND finished_at IS NULL",
            [job_id],
        )? == 0
        {
            return Ok(events);
        }
        // Re-queued items of a crash hold a credit: give it back.
        let held: Vec<i64> = {
            let mut st = tx.prepare("SELECT j.key_id FROM job_items i JOIN jobs j ON j.id = i.job_id WHERE i.job_id = ?1 AND i.state = 'queued' AND i.reserved = 1")?;
            st.query_map([job_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        for key in held {
            tx.execute(
                "UPDATE keys SET credits = credits + 1 WHERE id = ?1 AND credits IS NOT NULL",
                [key],
            )?;
        }
        let n = tx.execute(
            "UPDATE job_items SET state = 'cancelled' WHERE job_id = ?1 AND state = 'queued'",
            [job_id],
        )?;
        shift(&tx, job_id, state::QUEUED, state::CANCELLED, n as i64)?;
        progress(&tx, job_id, now, &mut events)?;
        tx.commit()?;
        Ok(events)
    }

    fn urgent(&self, job_id: &str, urls: &[String]) -> R<usize> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let mut n = 0;
        for url in urls {
            n += tx.execute(
                "UPDATE job_items SET urgent = 1 WHERE job_id = ?1 AND url = ?2 AND state = 'queued'",
                params![job_id, url],
            )?;
        }
        tx.commit()?;
        Ok(n)
    }

    fn recover_jobs(&self) -> R<usize> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE job_items SET state = 'queued' WHERE state = 'running'",
            [],
        )?;
        tx.execute(
            "UPDATE jobs SET n_queued = n_queued + n_running, n_running = 0 WHERE n_running > 0",
            [],
        )?;
        tx.commit()?;
        Ok(n)
    }

    fn purge_jobs(&self, before: i64) -> R<usize> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let old = "SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?1";
        tx.execute(
            &format!("DELETE FROM job_events WHERE job_id IN ({old})"),
            [before],
        )?;
        tx.execute(
            &format!("DELETE FROM job_items WHERE job_id IN ({old})"),
            [before],
        )?;
        let n = tx.execute(
            "DELETE FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?1",
            [before],
        )?;
        tx.commit()?;
        Ok(n)
    }

    fn queue(&self) -> R<BTreeMap<String, QueueCounts>> {
        let conn = self.lock();
        let mut st = conn.prepare_cached(
            "SELECT platform, state, COUNT(*) FROM job_items WHERE state IN ('queued', 'running') \
             GROUP BY 1, 2",
        )?;
        let mut out = BTreeMap::<String, QueueCounts>::new();
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (platform, state, n) = row?;
            let c = out.entry(platform).or_default();
            if state == state::QUEUED {
                c.queued += n as u64;
            } else {
                c.running += n as u64;
            }
        }
        Ok(out)
    }

    fn webhook_attempt(&self, job_id: &str, attempt: &str) -> R<()> {
        self.lock().execute(
            "UPDATE jobs SET webhook_log = json_insert(webhook_log, '$[#]', json(?1)) WHERE id = ?2",
            params![attempt, job_id],
        )?;
        Ok(())
    }
}

/// Hold one credit of `key_id` for an item, checking the key still stands.
/// `Some((code, message))` when it cannot.
fn hold_credit(
    tx: &Transaction<'_>,
    key_id: i64,
    now: i64,
) -> R<Option<(&'static str, &'static str)>> {
    let key: Option<(bool, Option<i64>, Option<i64>)> = tx
        .query_row(
            "SELECT enabled, expires_at, credits FROM keys WHERE id = ?1",
            [key_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(match key {
        None | Some((false, _, _)) => {
            Some(("invalid_token", "the job's API key is no longer valid"))
        }
        Some((_, Some(exp), _)) if now >= exp => {
            Some(("token_expired", "the job's API key has expired"))
        }
        Some((_, _, Some(c))) if c <= 0 => {
            Some(("insufficient_credits", "no credits left on this API key"))
        }
        Some((_, _, Some(_))) => {
            tx.execute(
                "UPDATE keys SET credits = credits - 1 WHERE id = ?1",
                [key_id],
            )?;
            None
        }
        Some((_, _, None)) => None,
    })
}

#[async_trait::async_trait]
impl JobStore for SqliteStore {
    async fn create_job(
        &self,
        job: &NewJob,
        items: &[NewItem],
    ) -> Result<Vec<JobEvent>, StoreError> {
        let (job, items) = (job.clone(), items.to_vec());
        self.blocking(move |db| db.create_job(&job, &items)).await
    }

    async fn claim(
        &self,
        limit: usize,
        now: i64,
    ) -> Result<(Vec<Claimed>, Vec<JobEvent>), StoreError> {
        self.blocking(move |db| db.claim(limit, now)).await
    }

    async fn finish(
        &self,
        item: &Claimed,
        outcome: &Outcome,
        item_event: &str,
        now: i64,
    ) -> Result<Vec<JobEvent>, StoreError> {
        let (item, outcome, ev) = (item.clone(), outcome.clone(), item_event.to_string());
        self.blocking(move |db| db.finish(&item, &outcome, &ev, now))
            .await
    }

    async fn events(
        &self,
        job_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<JobEvent>, StoreError> {
        let job_id = job_id.to_string();
        self.blocking(move |db| db.events(&job_id, after, limit))
            .await
    }

    async fn job(&self, job_id: &str) -> Result<Option<JobSummary>, StoreError> {
        let job_id = job_id.to_string();
        self.blocking(move |db| Db::summary(&db.lock(), &job_id))
            .await
    }

    async fn jobs(
        &self,
        key_id: i64,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<JobSummary>, StoreError> {
        let before = before.map(str::to_string);
        self.blocking(move |db| db.jobs(key_id, before.as_deref(), limit))
            .await
    }

    async fn cancel(&self, job_id: &str, now: i64) -> Result<Vec<JobEvent>, StoreError> {
        let job_id = job_id.to_string();
        self.blocking(move |db| db.cancel(&job_id, now)).await
    }

    async fn urgent(&self, job_id: &str, urls: &[String]) -> Result<usize, StoreError> {
        let (job_id, urls) = (job_id.to_string(), urls.to_vec());
        self.blocking(move |db| db.urgent(&job_id, &urls)).await
    }

    async fn recover_jobs(&self) -> Result<usize, StoreError> {
        self.blocking(|db| db.recover_jobs()).await
    }

    async fn purge_jobs(&self, before: i64) -> Result<usize, StoreError> {
        self.blocking(move |db| db.purge_jobs(before)).await
    }

    async fn queue(&self) -> Result<BTreeMap<String, QueueCounts>, StoreError> {
        self.blocking(|db| db.queue()).await
    }

    async fn webhook_attempt(&self, job_id: &str, attempt: &str) -> Result<(), StoreError> {
        let (job_id, attempt) = (job_id.to_string(), attempt.to_string());
        self.blocking(move |db| db.webhook_attempt(&job_id, &attempt))
            .await
    }
}
