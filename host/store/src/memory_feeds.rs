//! The in-memory `FeedTokenStore`, in the `MemoryStore`'s one mutex.

use crate::feeds::{FeedToken, FeedTokenStore};
use crate::keys::StoreError;
use crate::memory::MemoryStore;

#[async_trait::async_trait]
impl FeedTokenStore for MemoryStore {
    async fn create_feed_token(
        &self,
        key_id: i64,
        label: &str,
        token_hash: &str,
        prefix: &str,
        now: i64,
    ) -> Result<FeedToken, StoreError> {
        self.with(|m| {
            if !m.keys.contains_key(&key_id) {
                return Err(StoreError::KeyInvalid);
            }
            m.next_feed += 1;
            let t = FeedToken {
                id: m.next_feed,
                key_id,
                label: label.to_string(),
                prefix: prefix.to_string(),
                created_at: now,
                last_used_at: None,
            };
            m.feeds.insert(t.id, (t.clone(), token_hash.to_string()));
            Ok(t)
        })
    }

    async fn feed_tokens(&self, key_id: i64) -> Result<Vec<FeedToken>, StoreError> {
        self.with(|m| {
            let mine = m.feeds.values().filter(|(t, _)| t.key_id == key_id);
            Ok(mine.map(|(t, _)| t.clone()).collect())
        })
    }

    async fn revoke_feed_token(&self, key_id: i64, id: i64) -> Result<bool, StoreError> {
        self.with(|m| match m.feeds.get(&id) {
            Some((t, _)) if t.key_id == key_id => Ok(m.feeds.remove(&id).is_some()),
            _ => Ok(false),
        })
    }

    async fn use_feed_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<FeedToken>, StoreError> {
        self.with(|m| {
            let found = m.feeds.values_mut().find(|(_, h)| h == token_hash);
            Ok(found.map(|(t, _)| {
                t.last_used_at = Some(now);
                t.clone()
            }))
        })
    }
}
