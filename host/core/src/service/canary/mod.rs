//! Canaries: the operator's links per platform, parsed on a jittered
//! schedule (off until links are configured) and right after a hot swap.
//! A round's results give the platform's health; after a swap the new
//! build and the one it replaced each parse the links, and the new one is
//! rolled back when it fails a link the old one passes. Canary parses run
//! past the cache, the credits and the breaker, with the pool's accounts.

pub mod rules;

use super::{ParseError, ParseService};
use crate::code::Coded;
use grabkit_runtime::LoadedPlugin;
use grabkit_runtime::bindings::{Answer, Call};
pub use rules::{Health, Outcome, Schedule};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct CanarySettings {
    /// Links per platform; a platform without any has no canaries.
    pub links: BTreeMap<String, Vec<String>>,
    pub schedule: Schedule,
    /// Check every swapped-in build before it keeps serving.
    pub on_swap: bool,
}

impl Default for CanarySettings {
    fn default() -> Self {
        CanarySettings {
            links: BTreeMap::new(),
            schedule: Schedule {
                every_secs: 30 * 60,
                jitter_secs: 5 * 60,
            },
            on_swap: true,
        }
    }
}

/// A platform's latest round, as `/api/v1/platforms` shows it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStatus {
    /// `ok`, `degraded`, `down` or `unknown`.
    pub health: &'static str,
    pub last_check_at: Option<String>,
    /// The first failing link's code in the latest round.
    pub last_error_code: Option<String>,
    pub links: usize,
    pub failing: usize,
    /// Why the last swapped-in build was rolled back, if it was.
    pub rolled_back: Option<String>,
}

#[derive(Default)]
struct Round {
    at: Option<i64>,
    results: Vec<Outcome>,
    rolled_back: Option<String>,
}

pub struct Canaries {
    pub settings: CanarySettings,
    rounds: Mutex<BTreeMap<String, Round>>,
}

impl Canaries {
    pub fn new(settings: CanarySettings) -> Self {
        Canaries {
            settings,
            rounds: Mutex::default(),
        }
    }

    pub fn links(&self, platform: &str) -> &[String] {
        self.settings.links.get(platform).map_or(&[], Vec::as_slice)
    }

    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<String, Round>) -> T) -> T {
        f(&mut self.rounds.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn status(&self, platform: &str) -> CanaryStatus {
        let links = self.links(platform).len();
        self.with(|all| {
            let r = all.get(platform);
            let results = r.map_or(&[][..], |r| &r.results[..]);
            CanaryStatus {
                health: rules::health(results).name(),
                last_check_at: r.and_then(|r| r.at).and_then(crate::clock::rfc3339),
                last_error_code: results.iter().flatten().next().cloned(),
                links,
                failing: results.iter().filter(|o| o.is_some()).count(),
                rolled_back: r.and_then(|r| r.rolled_back.clone()),
            }
        })
    }

    fn record(&self, platform: &str, results: Vec<Outcome>, now: i64) {
        self.with(|all| {
            let r = all.entry(platform.to_string()).or_default();
            r.at = Some(now);
            r.results = results;
        });
    }
}

impl ParseService {
    /// One canary parse of `url` with exactly `plugin`: `None` passed,
    /// else the code it failed with.
    async fn probe(&self, plugin: &Arc<LoadedPlugin>, url: &str) -> Outcome {
        let call = Call::Parse(url.to_string());
        let answer = self.run(plugin, &call).await;
        let media = match answer {
            Ok(Answer::Media(m)) => super::MediaJson::from_plugin(plugin, m).map_err(Into::into),
            Ok(_) => Err(ParseError::NoMedia),
            Err(e) => Err(e),
        };
        match media {
            Ok(m) if m.is_empty() => Some("no_media".into()),
            Ok(_) => None,
            Err(e) => Some(e.code().to_string()),
        }
    }

    /// Every canary link of `platform` with `plugin`, in order.
    async fn probe_all(&self, plugin: &Arc<LoadedPlugin>, links: &[String]) -> Vec<Outcome> {
        let mut out = Vec::with_capacity(links.len());
        for link in links {
            out.push(self.probe(plugin, link).await);
        }
        out
    }

    /// One scheduled round for `platform` with the build serving it.
    pub async fn canary_round(&self, platform: &str) -> Option<rules::Health> {
        let links = self.canaries.links(platform).to_vec();
        let plugin = self.registry.table().get(platform).cloned()?;
        if links.is_empty() {
            return None;
        }
        let results = self.probe_all(&plugin, &links).await;
        for (link, r) in links.iter().zip(&results) {
            self.metrics
                .canary(platform, r.as_deref().unwrap_or("success"));
            if let Some(code) = r {
                tracing::warn!(%platform, %link, %code, "canary failed");
            }
        }
        Some(self.keep_round(platform, results))
    }

    /// Keep `results` as the platform's latest round; publish its health.
    fn keep_round(&self, platform: &str, results: Vec<Outcome>) -> rules::Health {
        let health = rules::health(&results);
        self.metrics.canary_health(platform, health);
        self.canaries.record(platform, results, crate::clock::now());
        health
    }

    /// After a swap: the new build and its predecessor parse the links;
    /// a link only the new one fails rolls it back. Returns the reason.
    pub async fn canary_swap(&self, platform: &str, digest: &str) -> Option<String> {
        let links = self.canaries.links(platform).to_vec();
        let current = self.registry.table().get(platform).cloned()?;
        let previous = self.registry.previous(platform)?;
        if links.is_empty() || current.digest != digest {
            return None;
        }
        let after = self.probe_all(&current, &links).await;
        let before = self.probe_all(&previous, &links).await;
        let reason = rules::regression(&links, &before, &after);
        match &reason {
            // Still the build that was checked: a newer swap has its own check.
            Some(why) if self.registry.table().get(platform)?.digest == digest => {
                let _ = self.registry.rollback(platform, why);
                self.keep_round(platform, before);
                self.canaries.with(|all| {
                    all.entry(platform.to_string()).or_default().rolled_back = Some(why.clone());
                });
            }
            _ => {
                self.keep_round(platform, after);
            }
        }
        reason
    }
}

/// Run the schedule and the swap checks for as long as `service` lives.
pub fn spawn(service: &Arc<ParseService>) -> Option<tokio::task::JoinHandle<()>> {
    let platforms: Vec<String> = service.canaries.settings.links.keys().cloned().collect();
    if platforms.is_empty() {
        return None;
    }
    let weak = Arc::downgrade(service);
    let mut swaps = service.registry.swaps();
    let schedule = service.canaries.settings.schedule;
    let on_swap = service.canaries.settings.on_swap;
    Some(tokio::spawn(async move {
        let start = crate::clock::now();
        // The first round comes after a jittered part of one period.
        let mut next: BTreeMap<String, i64> = platforms
            .iter()
            .map(|p| {
                let first = schedule.next(start - schedule.every_secs, seed(p, 0));
                (p.clone(), first.max(start))
            })
            .collect();
        let mut round = 0u64;
        loop {
            let now = crate::clock::now();
            let wait = next.values().min().map_or(60, |t| (t - now).max(0)) as u64;
            tokio::select! {
                swapped = swaps.recv() => {
                    let Some(service) = weak.upgrade() else { return };
                    if let Ok(s) = swapped
                        && on_swap
                        && let Some(why) = service.canary_swap(&s.platform, &s.digest).await
                    {
                        tracing::warn!(platform = %s.platform, reason = %why, "swapped-in build rolled back by its canaries");
                    }
                }
                _ = tokio::time::sleep(Duration::from_secs(wait)) => {
                    let Some(service) = weak.upgrade() else { return };
                    round += 1;
                    let now = crate::clock::now();
                    for (p, at) in next.iter_mut().filter(|(_, at)| **at <= now) {
                        service.canary_round(p).await;
                        *at = schedule.next(crate::clock::now(), seed(p, round));
                    }
                }
            }
        }
    }))
}

/// A per-platform, per-round number for the jitter.
fn seed(platform: &str, round: u64) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (platform, round).hash(&mut h);
    h.finish()
}
