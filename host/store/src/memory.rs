//! An in-memory `KeyStore`: for tests, one-shot commands and as the
//! reference behaviour the conformance suite holds other backends to.

use crate::keys::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Keys, usage and meta in one mutex; nothing survives the process.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next_key: i64,
    next_usage: i64,
    keys: BTreeMap<i64, (Key, String)>,
    usage: BTreeMap<i64, Usage>,
    meta: HashMap<String, String>,
}

struct Usage {
    key_id: i64,
    at: i64,
    platform: String,
    outcome: String,
    charged: bool,
    pending: bool,
    reserved: bool,
}

impl MemoryStore {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Inner {
    fn key_mut(&mut self, id: i64) -> Option<&mut Key> {
        self.keys.get_mut(&id).map(|(k, _)| k)
    }

    fn push_usage(&mut self, u: Usage) -> i64 {
        self.next_usage += 1;
        self.usage.insert(self.next_usage, u);
        self.next_usage
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
            };
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
            *h = token_hash.to_string();
            Some(k.clone())
        }))
    }

    async fn delete(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self.with(|s| s.keys.remove(&id).is_some()))
    }

    async fn credits(&self, id: i64, op: CreditOp) -> Result<Option<Key>, StoreError> {
        Ok(self.with(|s| {
            let k = s.key_mut(id)?;
            match op {
                // Adding to an unlimited key leaves it unlimited.
                CreditOp::Add(n) => k.credits = k.credits.map(|c| c.saturating_add(n).max(0)),
                CreditOp::Set(v) => k.credits = v.map(|n| n.max(0)),
            }
            Some(k.clone())
        }))
    }

    async fn reserve(
        &self,
        key_id: i64,
        platform: &str,
        now: i64,
    ) -> Result<Reservation, StoreError> {
        self.with(|s| {
            let k = s.key_mut(key_id).ok_or(StoreError::NoSuchKey)?;
            let reserved = match k.credits {
                Some(c) if c <= 0 => return Err(StoreError::NoCredits),
                Some(c) => {
                    k.credits = Some(c - 1);
                    true
                }
                None => false,
            };
            k.last_used_at = Some(now);
            let usage_id = s.push_usage(Usage {
                key_id,
                at: now,
                platform: platform.to_string(),
                outcome: "pending".into(),
                charged: false,
                pending: true,
                reserved,
            });
            Ok(Reservation { usage_id, key_id })
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
            let refund = match s.usage.get_mut(&r.usage_id) {
                Some(u) if u.pending => {
                    u.pending = false;
                    u.outcome = outcome.to_string();
                    u.charged = success;
                    !success && u.reserved
                }
                _ => false,
            };
            let k = s.key_mut(r.key_id)?;
            if refund {
                k.credits = k.credits.map(|c| c + 1);
            }
            k.credits
        }))
    }

    async fn record(
        &self,
        key_id: i64,
        platform: &str,
        outcome: &str,
        _latency_ms: u64,
        now: i64,
    ) -> Result<(), StoreError> {
        self.with(|s| {
            s.push_usage(Usage {
                key_id,
                at: now,
                platform: platform.to_string(),
                outcome: outcome.to_string(),
                charged: false,
                pending: false,
                reserved: false,
            });
            if let Some(k) = s.key_mut(key_id) {
                k.last_used_at = Some(now);
            }
        });
        Ok(())
    }

    async fn usage(&self, key_id: i64, day_start: i64) -> Result<UsageSummary, StoreError> {
        Ok(self.with(|s| {
            let mut out = UsageSummary::default();
            for u in s
                .usage
                .values()
                .filter(|u| u.key_id == key_id && !u.pending)
            {
                let bump = |c: &mut Counts| {
                    c.requests += 1;
                    c.charged += u.charged as u64;
                };
                bump(&mut out.total);
                if u.at >= day_start {
                    bump(&mut out.today);
                }
                bump(out.by_platform.entry(u.platform.clone()).or_default());
                *out.by_outcome.entry(u.outcome.clone()).or_default() += 1;
            }
            out
        }))
    }

    async fn recover(&self) -> Result<usize, StoreError> {
        Ok(self.with(|s| {
            let mut refunds: Vec<i64> = Vec::new();
            let mut n = 0;
            for u in s.usage.values_mut().filter(|u| u.pending) {
                u.pending = false;
                u.outcome = "interrupted".into();
                u.charged = false;
                if u.reserved {
                    refunds.push(u.key_id);
                }
                n += 1;
            }
            for id in refunds {
                if let Some(k) = s.key_mut(id) {
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
}
