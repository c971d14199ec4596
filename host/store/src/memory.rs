//! An in-memory `KeyStore` (with `JobStore` in `memory_jobs`,
//! `FeedTokenStore` in `memory_feeds` and `AccountStore` in `memory_accounts`): for tests, one-shot commands and as
//! the reference behaviour the conformance suites hold other backends to.

use crate::keys::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Keys, usage and meta in one mutex; nothing survives the process.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
pub(crate) struct Inner {
    pub(crate) next_seq: u64,
    pub(crate) jobs: BTreeMap<String, MemJob>,
    next_key: i64,
    next_usage: i64,
    pub(crate) keys: BTreeMap<i64, (Key, String)>,
    /// Reservations in flight.
    pending: BTreeMap<i64, Pending>,
    /// Settled requests, counted per (key, day, platform, outcome).
    counted: BTreeMap<UsageSlot, Counts>,
    meta: HashMap<String, String>,
    /// Feed tokens by id, with their hashes.
    pub(crate) feeds: BTreeMap<i64, (crate::feeds::FeedToken, String)>,
    pub(crate) next_feed: i64,
    /// Platform accounts by id (sealed secrets).
    pub(crate) accounts: BTreeMap<i64, crate::accounts::StoredAccount>,
    pub(crate) next_account: i64,
}

/// One job, its items and its event log.
#[derive(Default)]
pub(crate) struct MemJob {
    pub(crate) key_id: i64,
    pub(crate) kind: String,
    pub(crate) created_at: i64,
    pub(crate) finished_at: Option<i64>,
    pub(crate) cancelled: bool,
    pub(crate) webhook: Option<crate::jobs::Webhook>,
    pub(crate) attempts: Vec<serde_json::Value>,
    pub(crate) items: Vec<MemItem>,
    pub(crate) events: Vec<crate::jobs::JobEvent>,
}

pub(crate) struct MemItem {
    /// Queue order across all jobs.
    pub(crate) seq: u64,
    pub(crate) url: String,
    pub(crate) platform: String,
    pub(crate) meta: Option<String>,
    pub(crate) urgent: bool,
    pub(crate) state: &'static str,
    pub(crate) reserved: bool,
}

struct Pending {
    key_id: i64,
    at: i64,
    platform: String,
    reserved: bool,
}

impl MemoryStore {
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Inner {
    fn key_mut(&mut self, id: i64) -> Option<&mut Key> {
        self.keys.get_mut(&id).map(|(k, _)| k)
    }

    pub(crate) fn count(
        &mut self,
        key_id: i64,
        at: i64,
        platform: &str,
        outcome: &str,
        charged: bool,
    ) {
        let slot = usage_slot(key_id, at, platform, outcome);
        self.counted.entry(slot).or_default().add(charged);
    }
}

#[async_trait::async_trait]
impl KeyStore for MemoryStore {
    async fn create(
        &self,
        new: &NewKey,
        token_hash: &str,
        token_prefix: &str,
        now: i64,
    ) -> Result<Key, StoreError> {
        self.with(|s| {
            if s.keys.values().any(|(_, h)| h == token_hash) {
                return Err(StoreError::Backend("token hash already in use".into()));
            }
            s.next_key += 1;
            let key = Key {
                id: s.next_key,
                name: new.name.clone(),
                token_prefix: token_prefix.to_string(),
                created_at: now,
                expires_at: new.expires_at,
                platforms: new.platforms.clone(),
                credits: new.credits,
                enabled: true,
                last_used_at: None,
                rate_per_sec: new.rate_per_sec,
                rate_burst: new.rate_burst,
                token_hash: token_hash.to_string(),
            };
            if new.credits.is_some_and(|c| !(0..=MAX_CREDITS).contains(&c)) {
                return Err(StoreError::CreditsOutOfRange);
            }
            s.keys.insert(key.id, (key.clone(), token_hash.to_string()));
            Ok(key)
        })
    }

    async fn list(&self) -> Result<Vec<Key>, StoreError> {
        Ok(self.with(|s| s.keys.values().map(|(k, _)| k.clone()).collect()))
    }

    async fn get(&self, id: i64) -> Result<Option<Key>, StoreError> {
        Ok(self.with(|s| s.keys.get(&id).map(|(k, _)| k.clone())))
    }

    async fn by_token_hash(&self, token_hash: &str) -> Result<Option<(Key, String)>, StoreError> {
        Ok(self.with(|s| s.keys.values().find(|(_, h)| h == token_hash).cloned()))
    }

    async fn update(&self, id: i64, p: &KeyPatch) -> Result<Option<Key>, StoreError> {
        Ok(self.with(|s| {
            let k = s.key_mut(id)?;
            if let Some(n) = &p.name {
                k.name = n.clone();
            }
            if let Some(e) = p.expires_at {
                k.expires_at = e;
            }
            if let Some(pl) = &p.platforms {
                k.platforms = pl.clone();
            }
            if let Some(en) = p.enabled {
                k.enabled = en;
            }
            if let Some(r) = p.rate_per_sec {
                k.rate_per_sec = r;
            }
            if let Some(b) = p.rate_burst {
                k.rate_burst = b;
            }
            Some(k.clone())
        }))
    }

    async fn rotate(
        &self,
        id: i64,
        token_hash: &str,
        token_prefix: &str,
    ) -> Result<Option<Key>, StoreError> {
        Ok(self.with(|s| {
            let (k, h) = s.keys.get_mut(&id)?;
            k.token_prefix = token_prefix.to_string();
            k.token_hash = token_hash.to_string();
            *h = token_hash.to_string();
            Some(k.clone())
        }))
    }

    async fn delete(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self.with(|s| {
            s.feeds.retain(|_, (t, _)| t.key_id != id);
            s.keys.remove(&id).is_some()
        }))
    }

    async fn credits(&self, id: i64, op: CreditOp) -> Result<Option<Key>, StoreError> {
        self.with(|s| {
            let Some(k) = s.key_mut(id) else {
                return Ok(None);
            };
            k.credits = apply_credits(k.credits, op)?;
            Ok(Some(k.clone()))
        })
    }

    async fn reserve(
        &self,
        key: &Key,
        platform: &str,
        now: i64,
    ) -> Result<Reservation, StoreError> {
        self.with(|s| {
            let k = match s.keys.get_mut(&key.id) {
                Some((k, hash)) if k.enabled && *hash == key.token_hash => k,
                _ => return Err(StoreError::KeyInvalid),
            };
            if k.expires_at.is_some_and(|t| now >= t) {
                return Err(StoreError::KeyExpired);
            }
            let reserved = match k.credits {
                Some(c) if c <= 0 => return Err(StoreError::NoCredits),
                Some(c) => {
                    k.credits = Some(c - 1);
                    true
                }
                None => false,
            };
            k.last_used_at = Some(now);
            s.next_usage += 1;
            let usage_id = s.next_usage;
            let p = Pending {
                key_id: key.id,
                at: now,
                platform: platform.to_string(),
                reserved,
            };
            s.pending.insert(usage_id, p);
            Ok(Reservation {
                usage_id,
                key_id: key.id,
            })
        })
    }

    async fn settle(
        &self,
        r: Reservation,
        outcome: &str,
        _latency_ms: u64,
        success: bool,
    ) -> Result<Option<i64>, StoreError> {
        Ok(self.with(|s| {
            let mut refund = false;
            if let Some(p) = s.pending.remove(&r.usage_id) {
                s.count(p.key_id, p.at, &p.platform, outcome, success);
                refund = !success && p.reserved;
            }
            let k = s.key_mut(r.key_id)?;
            if refund {
                k.credits = k.credits.map(|c| c + 1);
            }
            k.credits
        }))
    }

    async fn tally(
        &self,
        key_id: i64,
        platform: &str,
        outcome: &str,
        charged: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        self.with(|s| {
            s.count(key_id, now, platform, outcome, charged);
            if let Some(k) = s.key_mut(key_id) {
                k.last_used_at = Some(now);
            }
        });
        Ok(())
    }

    async fn usage(&self, key_id: i64, day_start: i64) -> Result<UsageSummary, StoreError> {
        Ok(self.with(|s| {
            let mut rows = Vec::new();
            let mine = s
                .counted
                .range((key_id, i64::MIN, String::new(), String::new())..);
            for ((k, day, platform, outcome), c) in mine {
                if *k != key_id {
                    break;
                }
                rows.push(UsageRow {
                    today: *day >= day_of(day_start),
                    platform: platform.clone(),
                    outcome: outcome.clone(),
                    counts: *c,
                });
            }
            UsageSummary::from_rows(rows)
        }))
    }

    async fn recover(&self) -> Result<usize, StoreError> {
        Ok(self.with(|s| {
            let open = std::mem::take(&mut s.pending);
            let n = open.len();
            for p in open.into_values() {
                s.count(p.key_id, p.at, &p.platform, "interrupted", false);
                if p.reserved
                    && let Some(k) = s.key_mut(p.key_id)
                {
                    k.credits = k.credits.map(|c| c + 1);
                }
            }
            n
        }))
    }

    async fn meta_get(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self.with(|s| s.meta.get(name).cloned()))
    }

    async fn meta_set(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.with(|s| s.meta.insert(name.to_string(), value.to_string()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn passes_the_conformance_suite() {
        crate::conformance::run(|| async { super::MemoryStore::default() }).await;
    }

    #[tokio::test]
    async fn passes_the_jobs_conformance_suite() {
        crate::conformance::jobs(|| async { super::MemoryStore::default() }).await;
    }

    #[tokio::test]
    async fn passes_the_feed_token_suite() {
        crate::conformance::feeds(|| async { super::MemoryStore::default() }).await;
    }

    #[tokio::test]
    async fn passes_the_accounts_suite() {
        crate::conformance::accounts(super::MemoryStore::default()).await;
    }
}
