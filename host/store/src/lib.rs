//! Backend-neutral storage for the host: API keys, credits and usage
//! (`KeyStore`), batch jobs (`JobStore`), feed tokens (`FeedTokenStore`), platform accounts as
//! sealed secrets (`AccountStore`), small named values (`meta`),
//! the plugins' key-value space (`PluginKv`), and a key lookup cache for any
//! backend ([`CachedKeys`]). Backends live in sibling crates (`grabkit-store-sqlite`
//! is the embedded default); [`memory`] holds an in-memory backend, and
//! [`conformance`] the suite every backend must pass.

pub mod accounts;
pub mod cached_keys;
pub mod conformance;
pub mod feeds;
pub mod jobs;
pub mod keys;
pub mod kv;
pub mod memory;
mod memory_accounts;
mod memory_feeds;
mod memory_jobs;

pub use accounts::{AccountStore, StoredAccount};
pub use cached_keys::CachedKeys;
pub use feeds::{FeedToken, FeedTokenStore};
pub use jobs::JobStore;
pub use keys::{CreditOp, Key, KeyPatch, KeyStore, NewKey, Reservation, StoreError, UsageSummary};
pub use kv::{MemoryKv, PluginKv};
pub use memory::MemoryStore;
