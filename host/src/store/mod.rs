//! State the host keeps: plugins' key-value store, and API keys with their
//! credits and usage (SQLite, behind the `KeyStore` interface).

pub mod keys;
pub mod kv;
pub mod sqlite;

pub use keys::KeyStore;
pub use kv::KvStore;
pub use sqlite::SqliteStore;
