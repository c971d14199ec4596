//! The plugins' key-value store: one namespace per platform, values with an
//! optional time to live, bounded in size so a plugin cannot fill memory.
//! In memory for now; it survives hot swaps of a plugin, not host restarts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Limits per namespace.
const MAX_KEYS: usize = 1024;
const MAX_VALUE_BYTES: usize = 256 << 10;
const MAX_KEY_BYTES: usize = 512;

#[derive(Default)]
pub struct KvStore {
    spaces: Mutex<HashMap<String, HashMap<String, Entry>>>,
}

struct Entry {
    value: Vec<u8>,
    expires: Option<Instant>,
}

impl KvStore {
    pub fn get(&self, ns: &str, key: &str) -> Option<Vec<u8>> {
        let mut spaces = self.spaces.lock().unwrap();
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
        let mut spaces = self.spaces.lock().unwrap();
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

    pub fn delete(&self, ns: &str, key: &str) {
        if let Some(space) = self.spaces.lock().unwrap().get_mut(ns) {
            space.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_ttl_and_limits() {
        let kv = KvStore::default();
        assert!(kv.set("a", "k", b"1".to_vec(), None));
        assert_eq!(kv.get("a", "k"), Some(b"1".to_vec()));
        assert_eq!(kv.get("b", "k"), None, "namespaces are separate");
        assert!(kv.set("a", "t", b"2".to_vec(), Some(Duration::ZERO)));
        assert_eq!(kv.get("a", "t"), None, "expired");
        assert!(!kv.set("a", "big", vec![0; MAX_VALUE_BYTES + 1], None));
        kv.delete("a", "k");
        assert_eq!(kv.get("a", "k"), None);
    }
}
