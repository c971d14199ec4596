//! Platform accounts (sessions): each a sealed secret (cookies, user agent,
//! proxy), which backends store as opaque bytes and never read. Sealing and
//! opening happen above the store, with a key kept outside it, so a
//! database file alone reveals no cookie.

use crate::keys::StoreError;

/// A stored account. `sealed` is the AEAD output (nonce and ciphertext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccount {
    pub id: i64,
    pub platform: String,
    pub label: String,
    pub enabled: bool,
    pub sealed: Vec<u8>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An account to add.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub platform: String,
    pub label: String,
    pub sealed: Vec<u8>,
}

/// A change; `None` fields stay.
#[derive(Debug, Clone, Default)]
pub struct AccountPatch {
    pub label: Option<String>,
    pub enabled: Option<bool>,
    /// A re-sealed secret (new cookies after `Set-Cookie`, a new proxy).
    pub sealed: Option<Vec<u8>>,
}

/// Where accounts live. Every backend passes `conformance::accounts`.
#[async_trait::async_trait]
pub trait AccountStore: Send + Sync {
    async fn add_account(&self, new: &NewAccount, now: i64) -> Result<StoredAccount, StoreError>;
    /// All accounts (of one platform when given), by id.
    async fn accounts(&self, platform: Option<&str>) -> Result<Vec<StoredAccount>, StoreError>;
    async fn account(&self, id: i64) -> Result<Option<StoredAccount>, StoreError>;
    /// The account as changed, `None` when there is no such account.
    async fn update_account(
        &self,
        id: i64,
        patch: &AccountPatch,
        now: i64,
    ) -> Result<Option<StoredAccount>, StoreError>;
    /// False when there was no such account.
    async fn remove_account(&self, id: i64) -> Result<bool, StoreError>;
}
