//! API keys: what a key is, how tokens are made and recognised, and the
//! backend-neutral storage interface every backend implements.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Prefix of API key tokens (admin tokens use `gk_admin_`).
pub const KEY_PREFIX: &str = "gk_live_";
pub const ADMIN_PREFIX: &str = "gk_admin_";
/// The largest balance a key can hold (10^12); amounts that would pass it are refused.
pub const MAX_CREDITS: i64 = 1_000_000_000_000;

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
    /// The hash of the token this copy of the key was found by (or made
    /// with): a reservation holds only while the key still has it.
    #[serde(skip)]
    pub token_hash: String,
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

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Counts {
    pub requests: u64,
    pub charged: u64,
}

impl Counts {
    /// Count one request, charged or not.
    pub fn add(&mut self, charged: bool) {
        self.requests += 1;
        self.charged += u64::from(charged);
    }

    /// Add another slot's counts to these.
    pub fn absorb(&mut self, other: Counts) {
        self.requests += other.requests;
        self.charged += other.charged;
    }
}

/// Where a request is counted: (key id, UTC day, platform, outcome).
pub type UsageSlot = (i64, i64, String, String);

/// The slot a request of `key_id` at `at` counts in.
pub fn usage_slot(key_id: i64, at: i64, platform: &str, outcome: &str) -> UsageSlot {
    (key_id, day_of(at), platform.into(), outcome.into())
}

/// One counted slot of usage, as a backend reads it back.
pub struct UsageRow {
    pub today: bool,
    pub platform: String,
    pub outcome: String,
    pub counts: Counts,
}

impl UsageSummary {
    /// The summary of a key's counted slots.
    pub fn from_rows(rows: impl IntoIterator<Item = UsageRow>) -> Self {
        let mut out = UsageSummary::default();
        for r in rows {
            let add = |c: &mut Counts| {
                c.requests += r.counts.requests;
                c.charged += r.counts.charged;
            };
            add(&mut out.total);
            if r.today {
                add(&mut out.today);
            }
            add(out.by_platform.entry(r.platform.clone()).or_default());
            *out.by_outcome.entry(r.outcome).or_default() += r.counts.requests;
        }
        out
    }
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
    /// Deleted, disabled or given a new token since it was checked.
    #[error("the key is no longer valid")]
    KeyInvalid,
    #[error("the key has expired")]
    KeyExpired,
    #[error("a balance must stay between 0 and {MAX_CREDITS}")]
    CreditsOutOfRange,
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
    /// Change a balance with checked arithmetic: a result past
    /// [`MAX_CREDITS`] is `CreditsOutOfRange` and changes nothing; below 0 it is 0.
    async fn credits(&self, id: i64, op: CreditOp) -> Result<Option<Key>, StoreError>;
    /// Take one credit (if limited) and open a pending usage record,
    /// atomically with checking that `key` still stands: deleted, disabled
    /// or re-tokened (`key.token_hash` no longer its hash) is `KeyInvalid`,
    /// expired `KeyExpired`, an empty balance `NoCredits`.
    async fn reserve(&self, key: &Key, platform: &str, now: i64)
    -> Result<Reservation, StoreError>;
    /// Close a reservation: charged on success, refunded otherwise. Returns credits left.
    async fn settle(
        &self,
        r: Reservation,
        outcome: &str,
        latency_ms: u64,
        success: bool,
    ) -> Result<Option<i64>, StoreError>;
    /// A request that never reached a reservation (refused before charging).
    /// Counted, not kept one by one: usage is per key, day, platform and outcome.
    /// It is a [`KeyStore::tally`] with nothing charged.
    async fn record(
        &self,
        key_id: i64,
        platform: &str,
        outcome: &str,
        _latency_ms: u64,
        now: i64,
    ) -> Result<(), StoreError> {
        self.tally(key_id, platform, outcome, false, now).await
    }
    /// A finished request of an unlimited key, which holds nothing and so
    /// needs no reservation: counted (as charged if `charged`) and the
    /// key's `last_used_at` moved. The per-parse path for unlimited keys;
    /// a backend may batch these writes as long as its reads see them
    /// (`usage`, `get`, `list`) and a crash costs no charge.
    async fn tally(
        &self,
        key_id: i64,
        platform: &str,
        outcome: &str,
        charged: bool,
        now: i64,
    ) -> Result<(), StoreError>;
    /// Totals, and today's from `day_start` (a UTC midnight); the cost does
    /// not grow with the number of requests.
    async fn usage(&self, key_id: i64, day_start: i64) -> Result<UsageSummary, StoreError>;
    /// Refund reservations a crash left open. Returns how many.
    async fn recover(&self) -> Result<usize, StoreError>;
    async fn meta_get(&self, name: &str) -> Result<Option<String>, StoreError>;
    async fn meta_set(&self, name: &str, value: &str) -> Result<(), StoreError>;
}

/// The UTC day a Unix time falls in (usage is counted per day).
pub fn day_of(t: i64) -> i64 {
    t.div_euclid(86_400)
}

/// `current` changed by `op` under the rules of [`KeyStore::credits`].
pub fn apply_credits(current: Option<i64>, op: CreditOp) -> Result<Option<i64>, StoreError> {
    let next = match op {
        // Adding to an unlimited key leaves it unlimited.
        CreditOp::Add(n) => match current {
            None => return Ok(None),
            Some(c) => c
                .checked_add(n)
                .ok_or(StoreError::CreditsOutOfRange)?
                .max(0),
        },
        CreditOp::Set(None) => return Ok(None),
        CreditOp::Set(Some(n)) => n.max(0),
    };
    if next > MAX_CREDITS {
        return Err(StoreError::CreditsOutOfRange);
    }
    Ok(Some(next))
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
