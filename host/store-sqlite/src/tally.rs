//! Usage counts that hold no credit, batched: refusals, download-proxy
//! requests and unlimited keys' parses. Adding one is a map update in
//! memory; the map is committed in one transaction every
//! [`FLUSH_EVERY`] by a flusher thread, before every read that shows
//! usage or `last_used_at`, and when the store closes. A crash loses at
//! most the last flush interval of these counts and never a charge:
//! limited keys still commit each reservation and settlement.

use grabkit_store::keys::{Counts, UsageSlot, usage_slot};
use rusqlite::{Connection, params};
use std::collections::HashMap;
use std::time::Duration;

/// How often the flusher commits what has been added.
pub(crate) const FLUSH_EVERY: Duration = Duration::from_millis(500);

/// Counts not yet committed.
#[derive(Default)]
pub(crate) struct Tally {
    /// Per `usage_daily` primary key.
    counts: HashMap<UsageSlot, Counts>,
    /// The latest use per key.
    last_used: HashMap<i64, i64>,
}

impl Tally {
    pub(crate) fn add(
        &mut self,
        key_id: i64,
        at: i64,
        platform: &str,
        outcome: &str,
        charged: bool,
    ) {
        let slot = usage_slot(key_id, at, platform, outcome);
        self.counts.entry(slot).or_default().add(charged);
        self.used(key_id, at);
    }

    /// Keep the latest use of `key_id`, whatever order uses are added in.
    fn used(&mut self, key_id: i64, at: i64) {
        let last = self.last_used.entry(key_id).or_insert(at);
        *last = (*last).max(at);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.last_used.is_empty()
    }

    /// Put back counts whose commit failed, to go with the next flush.
    pub(crate) fn merge(&mut self, other: Tally) {
        for (slot, counts) in other.counts {
            self.counts.entry(slot).or_default().absorb(counts);
        }
        for (key, at) in other.last_used {
            self.used(key, at);
        }
    }

    /// Commit every count in one transaction.
    pub(crate) fn write(&self, conn: &mut Connection) -> rusqlite::Result<()> {
        let tx = conn.transaction()?;
        {
            let mut count = tx.prepare_cached(
                "INSERT INTO usage_daily (key_id, day, platform, outcome, requests, charged) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (key_id, day, platform, outcome) \
                 DO UPDATE SET requests = requests + excluded.requests, \
                 charged = charged + excluded.charged",
            )?;
            for ((key, day, platform, outcome), c) in &self.counts {
                let (n, charged) = (c.requests, c.charged);
                count.execute(params![key, day, platform, outcome, n, charged])?;
            }
            let mut used = tx.prepare_cached(
                "UPDATE keys SET last_used_at = MAX(COALESCE(last_used_at, ?1), ?1) WHERE id = ?2",
            )?;
            for (key, at) in &self.last_used {
                used.execute(params![at, key])?;
            }
        }
        tx.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_slot_and_merge_back() {
        let mut t = Tally::default();
        t.add(1, 86_400, "bilibili", "success", true);
        t.add(1, 86_401, "bilibili", "success", true);
        t.add(1, 86_402, "bilibili", "upstream_failed", false);
        t.add(1, 5, "bilibili", "success", true);
        assert_eq!(
            t.counts[&(1, 1, "bilibili".into(), "success".into())],
            Counts {
                requests: 2,
                charged: 2
            }
        );
        assert_eq!(t.counts.len(), 3, "yesterday is its own slot");
        assert_eq!(
            t.last_used[&1], 86_402,
            "the latest use, not the last added"
        );
        let mut again = Tally::default();
        again.add(1, 86_400, "bilibili", "success", false);
        again.merge(t);
        assert_eq!(
            again.counts[&(1, 1, "bilibili".into(), "success".into())],
            Counts {
                requests: 3,
                charged: 2
            }
        );
        assert!(!again.is_empty());
    }
}
