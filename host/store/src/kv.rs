//! The plugins' key-value store: one namespace per platform, values with an
//! optional time to live, bounded in size so a plugin cannot fill a store.
//! [`PluginKv`] is the interface; [`MemoryKv`] keeps values in memory (they
//! survive hot swaps of a plugin, not host restarts).

use crate::keys::StoreError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys per namespace.
pub const MAX_KEYS: usize = 1024;
/// Bytes per value.
pub const MAX_VALUE_BYTES: usize = 256 << 10;
/// Bytes per key.
pub const MAX_KEY_BYTES: usize = 512;

/// Where plugins keep tokens, signing keys and caches. Every backend keeps
/// the limits above and refuses (returns `false` from `set`) past them.
#[async_trait::async_trait]
pub trait PluginKv: Send + Sync {
    /// The live value of `key` in namespace `ns`.
    async fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Store a value; `false` when it is refused (too large, namespace full).
    async fn set(
        &self,
        ns: &str,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError>;
    /// Forget `key`.
    async fn delete(&self, ns: &str, key: &str) -> Result<(), StoreError>;
}

/// Values in memory.
#[derive(Default)]
pub struct MemoryKv {
    spaces: Mutex<HashMap<String, HashMap<String, Entry>>>,
}

struct Entry {
    value: Vec<u8>,
    expires: Option<Instant>,
}

#[async_trait::async_trait]
impl PluginKv for MemoryKv {
    async fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(MemoryKv::get(self, ns, key))
    }

    async fn set(
        &self,
        ns: &str,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        Ok(MemoryKv::set(self, ns, key, value, ttl))
    }

    async fn delete(&self, ns: &str, key: &str) -> Result<(), StoreError> {
        MemoryKv::delete(self, ns, key);
        Ok(())
    }
}

impl MemoryKv {
    /// The live value of `key` in `ns`.
    pub fn get(&self, ns: &str, key: &str) -> Option<Vec<u8>> {
        let mut spaces = self.spaces.lock().unwrap_or_else(|p| p.into_inner());
        let space = spaces.get_mut(ns)?;
        match space.get(key) {
            Some(e) if e.expires.is_some_and(|t| t <= Instant::now()) => {
                space.remove(key);
                None
            }
            Some(e) => Some(e.value.clone()),
            None => None,
        }
    }

    /// Store a value; oversized keys or values are refused (returns false).
    pub fn set(&self, ns: &str, key: &str, value: Vec<u8>, ttl: Option<Duration>) -> bool {
        if key.len() > MAX_KEY_BYTES || value.len() > MAX_VALUE_BYTES {
            return false;
        }
        let mut spaces = self.spaces.lock().unwrap_or_else(|p| p.into_inner());
        let space = spaces.entry(ns.to_string()).or_default();
        if space.len() >= MAX_KEYS && !space.contains_key(key) {
            let now = Instant::now();
            space.retain(|_, e| e.expires.is_none_or(|t| t > now));
            if space.len() >= MAX_KEYS {
                return false;
            }
        }
        space.insert(
            key.to_string(),
            Entry {
                value,
                expires: ttl.map(|d| Instant::now() + d),
            },
        );
        true
    }

    /// Forget `key` in `ns`.
    pub fn delete(&self, ns: &str, key: &str) {
        let mut spaces = self.spaces.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(space) = spaces.get_mut(ns) {
            space.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn passes_the_conformance_suite() {
        crate::conformance::plugin_kv(super::MemoryKv::default()).await;
    }
}
