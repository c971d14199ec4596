//! State the host keeps for plugins.

pub mod kv;

pub use kv::KvStore;
