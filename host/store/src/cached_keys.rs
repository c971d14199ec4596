//! A read-through cache of key lookups by token, in front of any
//! [`KeyStore`]. Every call reads its key by token twice (at the door, and
//! again once the body has arrived); without the cache both are database
//! reads. Changes made through this layer drop the key at once; a change
//! made elsewhere (another process on the same database, another server)
//! shows within [`KEY_CACHE_TTL`]. Charges never depend on the cache: a
//! limited key's credit is taken by the backend's own atomic check.

use crate::keys::*;
use moka::sync::Cache;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a looked-up key is trusted without asking the backend.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(1);

/// Keys cached at once (one per token in use).
const CAPACITY: u64 = 10_000;

/// A [`KeyStore`] that answers `by_token_hash` from memory when it can.
pub struct CachedKeys {
    inner: Arc<dyn KeyStore>,
    by_hash: Cache<String, (Key, String)>,
    /// The token hash each cached key id sits under, to drop it by id.
    hash_of: Cache<i64, String>,
    /// Bumped by every change, so a lookup that raced one does not fill.
    changes: AtomicU64,
    /// Held to fill or to drop: a fill cannot land after a drop it raced.
    fill: Mutex<()>,
}

impl CachedKeys {
    pub fn new(inner: Arc<dyn KeyStore>) -> Self {
        Self::with_ttl(inner, KEY_CACHE_TTL)
    }

    pub fn with_ttl(inner: Arc<dyn KeyStore>, ttl: Duration) -> Self {
        CachedKeys {
            inner,
            by_hash: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(ttl)
                .build(),
            hash_of: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(ttl)
                .build(),
            changes: AtomicU64::new(0),
            fill: Mutex::new(()),
        }
    }

    /// The backend underneath.
    pub fn inner(&self) -> &dyn KeyStore {
        self.inner.as_ref()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.fill.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drop key `id` (after a change to it went to the backend).
    fn forget(&self, id: i64) {
        let _held = self.lock();
        self.changes.fetch_add(1, Ordering::AcqRel);
        if let Some(hash) = self.hash_of.remove(&id) {
            self.by_hash.invalidate(&hash);
        }
    }

    /// Cache what the backend answered, unless a change came in meanwhile.
    fn fill(&self, seen: u64, hash: &str, found: &(Key, String)) {
        let _held = self.lock();
        if self.changes.load(Ordering::Acquire) == seen {
            self.hash_of.insert(found.0.id, hash.to_owned());
            self.by_hash.insert(hash.to_owned(), found.clone());
        }
    }
}

#[async_trait::async_trait]
impl KeyStore for CachedKeys {
    async fn create(
        &self,
        new: &NewKey,
        token_hash: &str,
        token_prefix: &str,
        now: i64,
    ) -> Result<Key, StoreError> {
        // Nothing cached can be this key: misses are not cached.
        self.inner.create(new, token_hash, token_prefix, now).await
    }

    async fn list(&self) -> Result<Vec<Key>, StoreError> {
        self.inner.list().await
    }

    async fn get(&self, id: i64) -> Result<Option<Key>, StoreError> {
        self.inner.get(id).await
    }

    async fn by_token_hash(&self, token_hash: &str) -> Result<Option<(Key, String)>, StoreError> {
        if let Some(hit) = self.by_hash.get(token_hash) {
            return Ok(Some(hit));
        }
        let seen = self.changes.load(Ordering::Acquire);
        let found = self.inner.by_token_hash(token_hash).await?;
        if let Some(found) = &found {
            self.fill(seen, token_hash, found);
        }
        Ok(found)
    }

    async fn update(&self, id: i64, patch: &KeyPatch) -> Result<Option<Key>, StoreError> {
        let done = self.inner.update(id, patch).await;
        self.forget(id);
        done
    }

    async fn rotate(
        &self,
        id: i64,
        token_hash: &str,
        token_prefix: &str,
    ) -> Result<Option<Key>, StoreError> {
        let done = self.inner.rotate(id, token_hash, token_prefix).await;
        self.forget(id);
        done
    }

    async fn delete(&self, id: i64) -> Result<bool, StoreError> {
        let done = self.inner.delete(id).await;
        self.forget(id);
        done
    }

    async fn credits(&self, id: i64, op: CreditOp) -> Result<Option<Key>, StoreError> {
        let done = self.inner.credits(id, op).await;
        self.forget(id);
        done
    }

    async fn reserve(
        &self,
        key: &Key,
        platform: &str,
        now: i64,
    ) -> Result<Reservation, StoreError> {
        // The balance moves: a limited key is read fresh at its next call.
        let done = self.inner.reserve(key, platform, now).await;
        self.forget(key.id);
        done
    }

    async fn settle(
        &self,
        r: Reservation,
        outcome: &str,
        latency_ms: u64,
        success: bool,
    ) -> Result<Option<i64>, StoreError> {
        let id = r.key_id;
        let done = self.inner.settle(r, outcome, latency_ms, success).await;
        self.forget(id);
        done
    }

    async fn record(
        &self,
        key_id: i64,
        platform: &str,
        outcome: &str,
        latency_ms: u64,
        now: i64,
    ) -> Result<(), StoreError> {
        self.inner
            .record(key_id, platform, outcome, latency_ms, now)
            .await
    }

    async fn tally(
        &self,
        key_id: i64,
        platform: &str,
        outcome: &str,
        charged: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        // Only `last_used_at` moves, which no check reads: the entry stays.
        self.inner
            .tally(key_id, platform, outcome, charged, now)
            .await
    }

    async fn usage(&self, key_id: i64, day_start: i64) -> Result<UsageSummary, StoreError> {
        self.inner.usage(key_id, day_start).await
    }

    async fn recover(&self) -> Result<usize, StoreError> {
        self.inner.recover().await
    }

    async fn meta_get(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.inner.meta_get(name).await
    }

    async fn meta_set(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.inner.meta_set(name, value).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryStore;

    #[tokio::test]
    async fn passes_the_key_store_conformance_suite() {
        crate::conformance::run(|| async { CachedKeys::new(Arc::new(MemoryStore::default())) })
            .await;
    }

    fn limited(name: &str, credits: Option<i64>) -> NewKey {
        NewKey {
            name: name.into(),
            credits,
            ..NewKey::default()
        }
    }

    /// A change through the layer shows at once; one made behind it
    /// (straight to the backend, as another process would) within the TTL.
    #[tokio::test]
    async fn changes_here_show_at_once_and_others_after_the_ttl() {
        let ttl = Duration::from_millis(200);
        let s = CachedKeys::with_ttl(Arc::new(MemoryStore::default()), ttl);
        let k = s
            .create(&limited("a", None), "ha", "gk_a", 1)
            .await
            .unwrap();
        assert!(s.by_token_hash("ha").await.unwrap().is_some());

        let off = KeyPatch {
            enabled: Some(false),
            ..KeyPatch::default()
        };
        s.update(k.id, &off).await.unwrap();
        let seen = s.by_token_hash("ha").await.unwrap().unwrap().0;
        assert!(!seen.enabled, "disabled through the layer: seen at once");

        let on = KeyPatch {
            enabled: Some(true),
            ..KeyPatch::default()
        };
        s.inner().update(k.id, &on).await.unwrap();
        let stale = s.by_token_hash("ha").await.unwrap().unwrap().0;
        assert!(
            !stale.enabled,
            "a change behind the layer waits for the TTL"
        );
        tokio::time::sleep(ttl * 2).await;
        let fresh = s.by_token_hash("ha").await.unwrap().unwrap().0;
        assert!(fresh.enabled, "and is seen after it");

        s.delete(k.id).await.unwrap();
        assert!(s.by_token_hash("ha").await.unwrap().is_none());
    }

    /// A hit is served without the backend: the key, deleted behind the
    /// layer, is still found.
    #[tokio::test]
    async fn a_hit_does_not_ask_the_backend() {
        let s = CachedKeys::new(Arc::new(MemoryStore::default()));
        s.create(&limited("a", None), "ha", "gk_a", 1)
            .await
            .unwrap();
        s.by_token_hash("ha").await.unwrap().unwrap();
        // Delete behind the layer: a hit still answers, proving it was one.
        let id = s.inner().list().await.unwrap()[0].id;
        s.inner().delete(id).await.unwrap();
        assert!(s.by_token_hash("ha").await.unwrap().is_some());
    }

    /// A balance change drops the key, so a limited key's credits are
    /// never shown stale by this process.
    #[tokio::test]
    async fn reservations_and_settlements_drop_the_key() {
        let s = CachedKeys::new(Arc::new(MemoryStore::default()));
        s.create(&limited("a", Some(2)), "ha", "gk_a", 1)
            .await
            .unwrap();
        let k = s.by_token_hash("ha").await.unwrap().unwrap().0;
        let r = s.reserve(&k, "x", 2).await.unwrap();
        let held = s.by_token_hash("ha").await.unwrap().unwrap().0;
        assert_eq!(held.credits, Some(1));
        s.settle(r, "success", 1, true).await.unwrap();
        s.credits(k.id, CreditOp::Add(5)).await.unwrap();
        let topped = s.by_token_hash("ha").await.unwrap().unwrap().0;
        assert_eq!(topped.credits, Some(6));
    }
}
