//! The host's small services: a private key-value store, operator config
//! and the log. Thin, typed wrappers over the imports.

use crate::bindings::grabkit::plugin::{config as cfg, kv as store, log as logger};
use std::time::Duration;

/// The plugin's private key-value store, shared by all its instances.
pub mod kv {
    use super::*;

    pub fn get(key: &str) -> Option<Vec<u8>> {
        store::get(key)
    }

    /// The value as UTF-8 text, if present and valid.
    pub fn get_string(key: &str) -> Option<String> {
        get(key).and_then(|v| String::from_utf8(v).ok())
    }

    /// Store `value`; it disappears after `ttl` when given.
    pub fn set(key: &str, value: impl AsRef<[u8]>, ttl: Option<Duration>) {
        let ttl = ttl.map(|d| d.as_secs().clamp(1, u32::MAX as u64) as u32);
        store::set(key, value.as_ref(), ttl)
    }

    pub fn delete(key: &str) {
        store::delete(key)
    }
}

/// Read-only settings the operator gave this plugin (e.g. `cookie`).
pub mod config {
    use super::*;

    pub fn get(key: &str) -> Option<String> {
        cfg::get(key).filter(|v| !v.trim().is_empty())
    }
}

/// Lines in the host's log, tagged with the plugin and request.
pub mod log {
    use super::*;
    pub use logger::Level;

    pub fn log(level: Level, message: &str) {
        logger::log(level, message)
    }
    pub fn debug(message: &str) {
        log(Level::Debug, message)
    }
    pub fn info(message: &str) {
        log(Level::Info, message)
    }
    pub fn warn(message: &str) {
        log(Level::Warn, message)
    }
}
