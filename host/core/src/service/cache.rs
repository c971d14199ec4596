//! The result cache: a parse's media kept for a short, per-platform time,
//! so repeated links cost one plugin run, and identical parses in flight
//! share one run (single flight). Bounded by bytes. Errors are never kept.
//!
//! The default time (10 minutes) is far below the shortest media-URL
//! lifetime among the platforms (Bilibili's signed playurl links last about
//! two hours; YouTube's and TikTok's several), so links in a cached answer
//! still work for well over an hour after it was served.

use super::{MediaJson, ParseError};
use moka::Expiry;
use moka::future::Cache;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Operator settings (`[cache]`).
#[derive(Debug, Clone)]
pub struct CacheSettings {
    /// 0 turns the cache off (parses in flight are still shared).
    pub ttl: Duration,
    /// Per-platform times that replace `ttl`.
    pub platform_ttl: HashMap<String, Duration>,
    /// Total size of the cached answers (their JSON).
    pub max_bytes: u64,
    /// Whether a cached answer costs a credit.
    pub charge_hits: bool,
}

impl Default for CacheSettings {
    fn default() -> Self {
        CacheSettings {
            ttl: Duration::from_secs(600),
            platform_ttl: HashMap::new(),
            max_bytes: 64 << 20,
            charge_hits: true,
        }
    }
}

/// How a request uses the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheUse {
    /// Answer from the cache when it can; keep the result.
    #[default]
    Normal,
    /// Parse anew and keep the result (`?refresh=1`).
    Refresh,
    /// Parse anew, keep nothing (`"cache": "no"`).
    Bypass,
}

#[derive(Clone)]
struct Entry {
    media: Arc<MediaJson>,
    ttl: Duration,
}

struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _: &String, e: &Entry, _: Instant) -> Option<Duration> {
        Some(e.ttl)
    }
}

pub struct ResultCache {
    entries: Cache<String, Entry>,
    pub settings: CacheSettings,
}

impl ResultCache {
    pub fn new(settings: CacheSettings) -> Self {
        let entries = Cache::builder()
            .max_capacity(settings.max_bytes)
            .weigher(|k: &String, e: &Entry| {
                let size = serde_json::to_vec(e.media.as_ref())
                    .map(|v| v.len())
                    .unwrap_or(0);
                u32::try_from(k.len() + size).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .build();
        ResultCache { entries, settings }
    }

    fn ttl(&self, platform: &str) -> Duration {
        self.settings
            .platform_ttl
            .get(platform)
            .copied()
            .unwrap_or(self.settings.ttl)
    }

    /// `run` for `key` on `platform`, through the cache as `how` says.
    /// Returns the media and whether it came from the cache (or from a
    /// run another request started).
    pub async fn get_or_run<F>(
        &self,
        key: &str,
        platform: &str,
        how: CacheUse,
        run: F,
    ) -> Result<(MediaJson, bool), ParseError>
    where
        F: Future<Output = Result<MediaJson, ParseError>>,
    {
        let ttl = self.ttl(platform);
        if how == CacheUse::Bypass {
            return run.await.map(|m| (m, false));
        }
        if how == CacheUse::Refresh {
            let media = run.await?;
            if !ttl.is_zero() {
                let entry = Entry {
                    media: Arc::new(media.clone()),
                    ttl,
                };
                self.entries.insert(key.to_string(), entry).await;
            }
            return Ok((media, false));
        }
        let fresh = std::sync::atomic::AtomicBool::new(false);
        let got = self
            .entries
            .entry(key.to_string())
            .or_try_insert_with(async {
                fresh.store(true, std::sync::atomic::Ordering::Relaxed);
                run.await.map(|m| Entry {
                    media: Arc::new(m),
                    ttl,
                })
            })
            .await
            .map_err(|e: Arc<ParseError>| (*e).clone())?;
        let entry = got.into_value();
        if ttl.is_zero() {
            // Shared while in flight, kept for no time at all.
            self.entries.invalidate(key).await;
        }
        let hit = !fresh.load(std::sync::atomic::Ordering::Relaxed);
        Ok(((*entry.media).clone(), hit))
    }
}
