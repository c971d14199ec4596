//! Feed tokens: feed readers cannot send headers, so a key hands out
//! separate tokens for feed URLs (`?token=gk_feed_…`), each revocable on its
//! own, never the API key itself. Stored as the token's sha256, like keys.

use crate::keys::StoreError;
use serde::Serialize;

pub const FEED_PREFIX: &str = "gk_feed_";

/// A stored feed token (never the token itself).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedToken {
    pub id: i64,
    pub key_id: i64,
    pub label: String,
    /// The token's first characters, to tell tokens apart in lists.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// Where feed tokens live. Every backend passes `conformance::feeds`.
#[async_trait::async_trait]
pub trait FeedTokenStore: Send + Sync {
    /// Store a token for key `key_id` under `token_hash`.
    async fn create_feed_token(
        &self,
        key_id: i64,
        label: &str,
        token_hash: &str,
        prefix: &str,
        now: i64,
    ) -> Result<FeedToken, StoreError>;
    /// The key's tokens, oldest first.
    async fn feed_tokens(&self, key_id: i64) -> Result<Vec<FeedToken>, StoreError>;
    /// Revoke one of the key's tokens; false when it has no such token.
    async fn revoke_feed_token(&self, key_id: i64, id: i64) -> Result<bool, StoreError>;
    /// The token stored under `token_hash`, marked used at `now`.
    async fn use_feed_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<FeedToken>, StoreError>;
}
