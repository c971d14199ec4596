//! Prometheus metrics: parses by platform and outcome, parse latency,
//! plugins loaded and load failures, canary checks and platform health.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ParseLabels {
    platform: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PlatformLabel {
    platform: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: String,
}

pub struct Metrics {
    registry: Registry,
    parses: Family<ParseLabels, Counter>,
    latency: Family<PlatformLabel, Histogram>,
    reloads: Family<OutcomeLabel, Counter>,
    reload_latency: Histogram,
    compile_cache: Family<OutcomeLabel, Counter>,
    rollbacks: Family<PlatformLabel, Counter>,
    pub plugins_loaded: Gauge,
    pub plugin_load_failures: Gauge,
    canary_checks: Family<ParseLabels, Counter>,
    canary_health: Family<PlatformLabel, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("grabkit");
        let parses = Family::<ParseLabels, Counter>::default();
        let latency = Family::<PlatformLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.5, 14))
        });
        let plugins_loaded = Gauge::default();
        let plugin_load_failures = Gauge::default();
        registry.register(
            "parses",
            "Parse requests by platform and outcome",
            parses.clone(),
        );
        registry.register(
            "parse_duration_seconds",
            "Parse latency (whole pipeline) by platform",
            latency.clone(),
        );
        let reloads = Family::<OutcomeLabel, Counter>::default();
        let reload_latency = Histogram::new(exponential_buckets(0.001, 2.0, 14));
        let compile_cache = Family::<OutcomeLabel, Counter>::default();
        let rollbacks = Family::<PlatformLabel, Counter>::default();
        registry.register(
            "plugin_reloads",
            "Plugin file loads by outcome (loaded, failed, unloaded)",
            reloads.clone(),
        );
        registry.register(
            "plugin_reload_duration_seconds",
            "Time to load one plugin file (read, verify, compile or cache, describe, swap)",
            reload_latency.clone(),
        );
        registry.register(
            "plugin_compile_cache",
            "Compiled-artifact cache lookups by outcome (hit, miss)",
            compile_cache.clone(),
        );
        registry.register(
            "plugin_rollbacks",
            "Plugin versions rolled back, by platform",
            rollbacks.clone(),
        );
        registry.register(
            "plugins_loaded",
            "Plugins currently serving",
            plugins_loaded.clone(),
        );
        registry.register(
            "plugin_load_failures",
            "Plugin files that failed to load in the last scan",
            plugin_load_failures.clone(),
        );
        let canary_checks = Family::<ParseLabels, Counter>::default();
        let canary_health = Family::<PlatformLabel, Gauge>::default();
        registry.register(
            "canary_checks",
            "Canary parses by platform and outcome (success or the error code)",
            canary_checks.clone(),
        );
        registry.register(
            "canary_health",
            "A platform's health from its latest canary round: 2 ok, 1 degraded, 0 down",
            canary_health.clone(),
        );
        Metrics {
            registry,
            canary_checks,
            canary_health,
            parses,
            latency,
            reloads,
            reload_latency,
            compile_cache,
            rollbacks,
            plugins_loaded,
            plugin_load_failures,
        }
    }
}

impl Metrics {
    pub fn parse(&self, platform: &str, outcome: &str, took: Duration) {
        self.parses
            .get_or_create(&ParseLabels {
                platform: platform.into(),
                outcome: outcome.into(),
            })
            .inc();
        self.latency
            .get_or_create(&PlatformLabel {
                platform: platform.into(),
            })
            .observe(took.as_secs_f64());
    }

    pub fn reload(&self, outcome: &str, took: Duration) {
        self.reloads
            .get_or_create(&OutcomeLabel {
                outcome: outcome.into(),
            })
            .inc();
        if outcome != "unloaded" {
            self.reload_latency.observe(took.as_secs_f64());
        }
    }

    pub fn compile_cache(&self, hit: bool) {
        self.compile_cache
            .get_or_create(&OutcomeLabel {
                outcome: if hit { "hit" } else { "miss" }.into(),
            })
            .inc();
    }

    pub fn rollback(&self, platform: &str) {
        self.rollbacks
            .get_or_create(&PlatformLabel {
                platform: platform.into(),
            })
            .inc();
    }

    pub fn canary(&self, platform: &str, outcome: &str) {
        self.canary_checks
            .get_or_create(&ParseLabels {
                platform: platform.into(),
                outcome: outcome.into(),
            })
            .inc();
    }

    pub fn canary_health(&self, platform: &str, health: crate::service::canary::Health) {
        use crate::service::canary::Health as H;
        let level = match health {
            H::Ok => 2,
            H::Degraded => 1,
            H::Down => 0,
            H::Unknown => return,
        };
        self.canary_health
            .get_or_create(&PlatformLabel {
                platform: platform.into(),
            })
            .set(level);
    }

    /// Text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String");
        out
    }
}
