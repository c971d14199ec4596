//! API keys: what a key is, how tokens are made and recognised, and the
//! backend-neutral storage interface every backend implements.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Prefix of API key tokens (admin tokens use `gk_admin_`).
pub const KEY_PREFIX: &str = "gk_live_";
pub const ADMIN_PREFIX: &str = "gk_admin_";

/// A stored key (never the token itself).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Key {
    pub id: i64,
    pub name: String,
    /// First characters of the token, to tell keys apart in lists.
    pub token_prefix: String,
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: Option<i64>,
    /// `None` = every platform.
    pub platforms: Option<Vec<String>>,
    /// `None` = unlimited.
    pub credits: Option<i64>,
    pub enabled: bool,
    pub last_used_at: Option<i64>,
    /// Requests per second (with a burst of `rate_burst`); `None` = the default.
    pub rate_per_sec: Option<u32>,
    pub rate_burst: Option<u32>,
}

impl Key {
    pub fn allows(&self, platform: &str) -> bool {
        self.platforms
            .as_ref()
            .is_none_or(|p| p.iter().any(|x| x == platform))
    }
}

/// A key to create.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    pub name: String,
    pub expires_at: Option<i64>,
    pub platforms: Option<Vec<String>>,
    pub credits: Option<i64>,
    pub rate_per_sec: Option<u32>,
    pub rate_burst: Option<u32>,
}

/// What an edit may change (never the token). `Some(None)` clears a value.
#[derive(Debug, Clone, Default)]
pub struct KeyPatch {
    pub name: Option<String>,
    pub expires_at: Option<Option<i64>>,
    pub platforms: Option<Option<Vec<String>>>,
    pub enabled: Option<bool>,
    pub rate_per_sec: Option<Option<u32>>,
    pub rate_burst: Option<Option<u32>>,
}

/// A change of balance.
#[derive(Debug, Clone, Copy)]
pub enum CreditOp {
    Add(i64),
    Set(Option<i64>),
}

/// One credit held for a parse in flight.
#[derive(Debug, Clone, Copy)]
pub struct Reservation {
    pub usage_id: i64,
    pub key_id: i64,
}

/// Counts for `GET /api/v1/usage`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageSummary {
    pub today: Counts,
    pub total: Counts,
    pub by_platform: std::collections::BTreeMap<String, Counts>,
    pub by_outcome: std::collections::BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    pub requests: u64,
    pub charged: u64,
}

/// How a store call failed. Backends turn their own errors into `Backend`,
/// so no caller depends on which database sits behind the trait.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store backend: {0}")]
    Backend(String),
    #[error("no credits left")]
    NoCredits,
    #[error("no such key")]
    NoSuchKey,
}

impl StoreError {
    /// Wrap any backend error.
    pub fn backend(e: impl std::fmt::Display) -> Self {
        StoreError::Backend(e.to_string())
    }
}

/// Where keys, credits and usage live. Async, so a backend that talks to a
/// server (or keeps a blocking database off the async workers) fits.
#[async_trait::async_trait]
pub trait KeyStore: Send + Sync {
    /// Store a key under the hash of its token.
    async fn create(
        &self,
        new: &NewKey,
        token_hash: &str,
        token_prefix: &str,
        now: i64,
    ) -> Result<Key, StoreError>;
    async fn list(&self) -> Result<Vec<Key>, StoreError>;
    async fn get(&self, id: i64) -> Result<Option<Key>, StoreError>;
    /// The key whose token hashes to `token_hash`, with that hash.
    async fn by_token_hash(&self, token_hash: &str) -> Result<Option<(Key, String)>, StoreError>;
    async fn update(&self, id: i64, patch: &KeyPatch) -> Result<Option<Key>, StoreError>;
    async fn rotate(
        &self,
        id: i64,
        token_hash: &str,
        token_prefix: &str,
    ) -> Result<Option<Key>, StoreError>;
    async fn delete(&self, id: i64) -> Result<bool, StoreError>;
    async fn credits(&self, id: i64, op: CreditOp) -> Result<Option<Key>, StoreError>;
    /// Take one credit (if limited) and open a pending usage record, atomically.
    async fn reserve(
        &self,
        key_id: i64,
        platform: &str,
        now: i64,
    ) -> Result<Reservation, StoreError>;
    /// Close a reservation: charged on success, refunded otherwise. Returns credits left.
    async fn settle(
        &self,
        r: Reservation,
        outcome: &str,
        latency_ms: u64,
        success: bool,
    ) -> Result<Option<i64>, StoreError>;
    /// A request that never reached a reservation (refused before charging).
    async fn record(
        &self,
        key_id: i64,
        platform: &str,
        outcome: &str,
        latency_ms: u64,
        now: i64,
    ) -> Result<(), StoreError>;
    async fn usage(&self, key_id: i64, day_start: i64) -> Result<UsageSummary, StoreError>;
    /// Refund reservations a crash left open. Returns how many.
    async fn recover(&self) -> Result<usize, StoreError>;
    async fn meta_get(&self, name: &str) -> Result<Option<String>, StoreError>;
    async fn meta_set(&self, name: &str, value: &str) -> Result<(), StoreError>;
}

/// A fresh token: prefix + 192 random bits, hex.
pub fn new_token(prefix: &str) -> String {
    let mut buf = [0u8; 24];
    getrandom::fill(&mut buf).expect("the OS random source");
    format!("{prefix}{}", hex::encode(buf))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What lists show of a token.
pub fn token_prefix(token: &str) -> String {
    token.chars().take(KEY_PREFIX.len() + 6).collect()
}
