//! The public pool snapshot: per platform, what is queued and running now,
//! and what finished in the last five minutes with its median latency.
//! Nothing here names a link or a key.

use grabkit_store::jobs::QueueCounts;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(300);
/// At most this many recent finishes are remembered.
const CAP: usize = 100_000;

#[derive(Default)]
pub struct Recent {
    finished: Mutex<VecDeque<(Instant, String, bool, Duration)>>,
}

/// One platform's figures.
#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlatformFigures {
    pub queued: u64,
    pub running: u64,
    pub done_5m: u64,
    pub failed_5m: u64,
    pub median_latency_ms: Option<u64>,
}

pub type PoolFigures = BTreeMap<String, PlatformFigures>;

/// All platforms together.
#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlatformTotals {
    pub queued: u64,
    pub running: u64,
    pub done_5m: u64,
    pub failed_5m: u64,
}

impl PlatformTotals {
    pub fn add(&mut self, f: &PlatformFigures) {
        self.queued += f.queued;
        self.running += f.running;
        self.done_5m += f.done_5m;
        self.failed_5m += f.failed_5m;
    }
}

impl Recent {
    pub fn push(&self, platform: &str, ok: bool, took: Duration) {
        let mut q = self.finished.lock().unwrap_or_else(|p| p.into_inner());
        if q.len() >= CAP {
            q.pop_front();
        }
        q.push_back((Instant::now(), platform.to_string(), ok, took));
    }

    pub fn figures(&self, queue: BTreeMap<String, QueueCounts>) -> PoolFigures {
        let mut out: PoolFigures = BTreeMap::new();
        for (platform, c) in queue {
            let f = out.entry(platform).or_default();
            f.queued = c.queued;
            f.running = c.running;
        }
        let mut q = self.finished.lock().unwrap_or_else(|p| p.into_inner());
        while q.front().is_some_and(|(at, ..)| at.elapsed() > WINDOW) {
            q.pop_front();
        }
        let mut latencies: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for (_, platform, ok, took) in q.iter() {
            let f = out.entry(platform.clone()).or_default();
            if *ok {
                f.done_5m += 1;
            } else {
                f.failed_5m += 1;
            }
            latencies
                .entry(platform)
                .or_default()
                .push(took.as_millis() as u64);
        }
        for (platform, mut l) in latencies {
            l.sort_unstable();
            if let Some(f) = out.get_mut(platform) {
                f.median_latency_ms = l.get(l.len() / 2).copied();
            }
        }
        out
    }
}
