//! Settings: defaults, then a TOML file (`--config`), then flags and
//! `GRABKIT_*` environment variables (see `cli`).

use grabkit_core::pipeline::PipelineSettings;
use grabkit_core::registry::{RegistryPaths, RollbackPolicy};
use grabkit_core::service::ServiceSettings;
use grabkit_egress::SandboxSettings;
use grabkit_runtime::{PluginOptions, RuntimeSettings};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where `cargo xtask plugins` puts the workspace's plugins (see build.rs);
/// the default plugins folder, so the run command needs no flags.
pub const BUILT_PLUGINS_DIR: &str = env!("GRABKIT_BUILT_PLUGINS_DIR");

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub listen: SocketAddr,
    pub plugins_dir: PathBuf,
    /// Where the key database lives (created on first start).
    pub data_dir: PathBuf,
    /// Admin token; when unset, one is generated at first start, printed
    /// once, and kept (hashed) in the database.
    pub admin_token: Option<String>,
    pub server: ServerSection,
    pub jobs: JobsSection,
    pub feeds: FeedsSection,
    pub cache: CacheSection,
    pub breaker: BreakerSection,
    pub accounts: AccountsSection,
    pub canaries: CanariesSection,
    pub keys: KeysSection,
    pub reload: ReloadSection,
    pub limits: LimitsSection,
    pub sandbox: SandboxSection,
    /// The media download proxy.
    pub proxy: ProxySection,
    /// Per-platform operator settings.
    pub plugins: BTreeMap<String, PluginSection>,
    /// Record or replay plugin traffic (`grabkit parse --record|--replay`, `grabkit check`).
    #[serde(skip)]
    pub tape: Option<grabkit_egress::TapeMode>,
}

/// Connections and requests (timeouts, caps, trusted reverse proxies).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSection {
    /// A request head must arrive whole within this (also closes idle keep-alive connections).
    pub header_timeout_secs: u64,
    /// A request body must arrive whole within this.
    pub body_timeout_secs: u64,
    /// Connections open at once, in total and from one peer address.
    pub max_connections: usize,
    pub max_connections_per_peer: usize,
    /// How long SIGINT/SIGTERM waits for requests in flight.
    pub drain_timeout_secs: u64,
    /// Addresses or CIDR ranges whose `X-Forwarded-*` headers are believed.
    pub trusted_proxies: Vec<String>,
    /// An idle SSE stream gets a comment heartbeat this often.
    pub sse_heartbeat_secs: u64,
}

impl Default for ServerSection {
    fn default() -> Self {
        let c = grabkit_server::listen::ConnectionLimits::default();
        let h = grabkit_server::HttpSettings::default();
        ServerSection {
            header_timeout_secs: c.header_timeout.as_secs(),
            body_timeout_secs: h.body_timeout.as_secs(),
            max_connections: c.max_connections,
            max_connections_per_peer: c.max_per_peer,
            drain_timeout_secs: c.drain_timeout.as_secs(),
            trusted_proxies: Vec::new(),
            sse_heartbeat_secs: h.sse_heartbeat.as_secs(),
        }
    }
}

/// Batch jobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsSection {
    /// Items parsed at once, all jobs together.
    pub workers: usize,
    /// Items one job may hold.
    pub max_items: usize,
    /// Items queued in all before new jobs get `503 queue_full`.
    pub max_queued: u64,
    /// Finished jobs are kept this many days, then purged.
    pub keep_days: u64,
    /// Webhook delivery tries (waits double from 2 s).
    pub webhook_tries: u32,
}

impl Default for JobsSection {
    fn default() -> Self {
        let d = grabkit_core::jobs::JobSettings::default();
        JobsSection {
            workers: d.workers,
            max_items: d.max_items,
            max_queued: d.max_queued,
            keep_days: d.keep_for.as_secs() / 86_400,
            webhook_tries: d.webhook_tries,
        }
    }
}

/// Feeds (`/api/v1/feeds/…`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedsSection {
    /// A feed's posts are fetched again after this (readers in between get
    /// the cached feed, free of charge).
    pub ttl_secs: u64,
    /// Posts per feed.
    pub entries: u32,
    /// Feeds cached at once.
    pub capacity: u64,
}

impl Default for FeedsSection {
    fn default() -> Self {
        let d = grabkit_core::feeds::FeedSettings::default();
        FeedsSection {
            ttl_secs: d.ttl.as_secs(),
            entries: d.entries,
            capacity: d.capacity,
        }
    }
}

/// Defaults for API keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeysSection {
    /// Requests per second per key, unless the key sets its own.
    pub rate_per_sec: u32,
    /// Burst above that rate.
    pub rate_burst: u32,
}

impl Default for KeysSection {
    fn default() -> Self {
        KeysSection {
            rate_per_sec: 10,
            rate_burst: 20,
        }
    }
}

/// The default data folder, relative to where grabkit runs.
pub const DEFAULT_DATA_DIR: &str = "grabkit-data";

/// Hot reload and plugin lifecycle.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReloadSection {
    /// Watch the plugins folder and swap changed files in.
    pub watch: bool,
    /// Quiet time after the last file event before rescanning.
    pub debounce_ms: u64,
    /// Compiled-artifact cache; default `<plugins_dir>/.cache`. Empty string disables.
    pub cache_dir: Option<PathBuf>,
    /// Pin list; default `<plugins_dir>/plugins.lock` (absent file = no pins).
    pub pin_file: Option<PathBuf>,
    /// Automatic rollback: a new version is watched for its first `rollback_window` parses…
    pub rollback_window: u64,
    /// …and rolled back once it has this many failures…
    pub rollback_min_failures: u64,
    /// …at a rate at least this many times its predecessor's (plus 10 points).
    pub rollback_factor: f64,
}

impl Default for ReloadSection {
    fn default() -> Self {
        let r = RollbackPolicy::default();
        ReloadSection {
            watch: true,
            debounce_ms: 100,
            cache_dir: None,
            pin_file: None,
            rollback_window: r.window,
            rollback_min_failures: r.min_failures,
            rollback_factor: r.factor,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsSection {
    pub memory_mib: usize,
    pub deadline_secs: f64,
    pub max_concurrency: usize,
    pub max_concurrency_per_plugin: usize,
    pub queue_wait_ms: u64,
    /// Requests waiting for a parse slot at most (more are `busy` at once).
    pub max_waiting: usize,
}

/// Circuit breakers per platform.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BreakerSection {
    /// Recent outcomes are counted over this window…
    pub window_secs: u64,
    /// …and once there are this many…
    pub min_requests: usize,
    /// …this share of upstream failures opens the breaker…
    pub failure_ratio: f64,
    /// …for this long, then this many probe parses decide.
    pub cool_off_secs: u64,
    pub probes: u32,
}

impl Default for BreakerSection {
    fn default() -> Self {
        let d = grabkit_core::service::breaker::BreakerSettings::default();
        BreakerSection {
            window_secs: d.window.as_secs(),
            min_requests: d.min_requests,
            failure_ratio: d.failure_ratio,
            cool_off_secs: d.cool_off.as_secs(),
            probes: d.probes,
        }
    }
}

/// Platform accounts: how they are sealed, leased and cooled down.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountsSection {
    /// 64 hex digits sealing accounts at rest; unset, a key file
    /// `accounts.key` in the data dir is made on first start.
    pub key: Option<String>,
    /// Parses one account runs at once.
    pub max_in_flight: u32,
    /// Recent answers the health score looks at.
    pub window: usize,
    /// After a rate-limit or login answer: this cooldown, doubling…
    pub cooldown_secs: i64,
    /// …up to this.
    pub cooldown_cap_secs: i64,
    /// Login-required answers in a row that mark an account expired.
    pub expire_after_login_failures: u32,
}

impl Default for AccountsSection {
    fn default() -> Self {
        let d = grabkit_core::sessions::health::Policy::default();
        AccountsSection {
            key: None,
            max_in_flight: d.max_in_flight,
            window: d.window,
            cooldown_secs: d.cooldown_base_secs,
            cooldown_cap_secs: d.cooldown_cap_secs,
            expire_after_login_failures: d.expire_after_login_failures,
        }
    }
}

/// Canary links' schedule (the links are per platform, `[plugins.<p>] canaries`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CanariesSection {
    pub every_secs: i64,
    /// Each round moves by up to this, either way.
    pub jitter_secs: i64,
    /// Check a swapped-in build and roll it back when it fails a canary
    /// its predecessor passes.
    pub on_swap: bool,
}

impl Default for CanariesSection {
    fn default() -> Self {
        let d = grabkit_core::service::canary::CanarySettings::default();
        CanariesSection {
            every_secs: d.schedule.every_secs,
            jitter_secs: d.schedule.jitter_secs,
            on_swap: d.on_swap,
        }
    }
}

/// The result cache.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheSection {
    /// How long a parse's media is kept (0 = not kept; parses in flight are still shared).
    pub ttl_secs: u64,
    /// Total size of the cached answers.
    pub max_mib: u64,
    /// Whether a cached answer costs a credit.
    pub charge_hits: bool,
}

impl Default for CacheSection {
    fn default() -> Self {
        let d = grabkit_core::service::cache::CacheSettings::default();
        CacheSection {
            ttl_secs: d.ttl.as_secs(),
            max_mib: d.max_bytes >> 20,
            charge_hits: d.charge_hits,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxSection {
    pub http_timeout_secs: f64,
    pub max_response_bytes: u64,
    pub max_requests_per_parse: u32,
    /// Development and tests only: let plugins reach 127.0.0.0/8 and ::1.
    pub allow_loopback: bool,
    pub proxy: Option<String>,
    pub ca_certs: Vec<PathBuf>,
    /// `host=ip[:port]` overrides (like curl's --resolve); still checked.
    pub resolve: Vec<String>,
}

/// The download proxy (`/api/v1/media/…`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProxySection {
    /// Add proxy links to every parse result, not only with `?proxy=1`.
    pub default: bool,
    /// How long a proxy link stays valid.
    pub ttl_secs: u64,
    /// Signing secret; when unset, one is generated at first start and kept
    /// in the database (links survive restarts either way).
    pub secret: Option<String>,
    /// Base URL for proxy links (behind a reverse proxy); else `http://` + the request's `Host`.
    pub public_url: Option<String>,
    /// The ffmpeg binary for merged downloads.
    pub ffmpeg: String,
    /// Longest silence from a media host mid-download.
    pub idle_timeout_secs: u64,
    /// A link's expired media URLs are refreshed at most once per this.
    pub refresh_interval_secs: u64,
}

impl Default for ProxySection {
    fn default() -> Self {
        let d = grabkit_media::ProxySettings::default();
        ProxySection {
            default: d.default_on,
            ttl_secs: d.ttl.as_secs(),
            secret: None,
            public_url: None,
            ffmpeg: d.ffmpeg,
            idle_timeout_secs: d.idle_timeout.as_secs(),
            refresh_interval_secs: d.refresh_interval.as_secs(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PluginSection {
    /// Narrow the plugin's declared hosts (never widens).
    pub allowed_hosts: Vec<String>,
    /// Values the plugin reads through `config` (e.g. `cookie`).
    pub config: BTreeMap<String, String>,
    pub max_concurrency: Option<usize>,
    /// Replaces `[cache] ttl_secs` for this platform.
    pub cache_ttl_secs: Option<u64>,
    /// Links parsed on `[canaries]`' schedule to tell the platform's health.
    pub canaries: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8080".parse().unwrap(),
            plugins_dir: PathBuf::from(BUILT_PLUGINS_DIR),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            admin_token: None,
            server: ServerSection::default(),
            jobs: JobsSection::default(),
            feeds: FeedsSection::default(),
            cache: CacheSection::default(),
            breaker: BreakerSection::default(),
            accounts: AccountsSection::default(),
            canaries: CanariesSection::default(),
            keys: KeysSection::default(),
            reload: ReloadSection::default(),
            limits: LimitsSection::default(),
            sandbox: SandboxSection::default(),
            proxy: ProxySection::default(),
            plugins: BTreeMap::new(),
            tape: None,
        }
    }
}

impl Default for LimitsSection {
    fn default() -> Self {
        let d = ServiceSettings::default();
        LimitsSection {
            memory_mib: 64,
            deadline_secs: 10.0,
            max_concurrency: d.max_concurrency,
            max_concurrency_per_plugin: d.max_concurrency,
            queue_wait_ms: d.queue_wait.as_millis() as u64,
            max_waiting: d.max_waiting,
        }
    }
}

impl Default for SandboxSection {
    fn default() -> Self {
        let d = SandboxSettings::default();
        SandboxSection {
            http_timeout_secs: d.timeout.as_secs_f64(),
            max_response_bytes: d.max_response_bytes,
            max_requests_per_parse: d.max_requests_per_parse,
            allow_loopback: false,
            proxy: None,
            ca_certs: Vec::new(),
            resolve: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("in {0}: {1}")]
    Toml(PathBuf, toml::de::Error),
    #[error("{0}")]
    Invalid(String),
}

impl Settings {
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.to_path_buf(), e))?;
        toml::from_str(&text).map_err(|e| ConfigError::Toml(path.to_path_buf(), e))
    }

    pub fn connections(&self) -> Result<grabkit_server::listen::ConnectionLimits, ConfigError> {
        let s = &self.server;
        Ok(grabkit_server::listen::ConnectionLimits {
            header_timeout: Duration::from_secs(s.header_timeout_secs.max(1)),
            max_connections: s.max_connections.max(1),
            max_per_peer: s.max_connections_per_peer.max(1),
            uncapped_peers: self.http()?.trusted_proxies,
            drain_timeout: Duration::from_secs(s.drain_timeout_secs),
            ..Default::default()
        })
    }

    pub fn jobs(&self) -> grabkit_core::jobs::JobSettings {
        let j = &self.jobs;
        grabkit_core::jobs::JobSettings {
            workers: j.workers.max(1),
            max_items: j.max_items.max(1),
            max_queued: j.max_queued.max(1),
            keep_for: Duration::from_secs(j.keep_days.max(1) * 86_400),
            webhook_tries: j.webhook_tries.max(1),
            ..Default::default()
        }
    }

    pub fn feeds(&self) -> grabkit_core::feeds::FeedSettings {
        let f = &self.feeds;
        grabkit_core::feeds::FeedSettings {
            ttl: Duration::from_secs(f.ttl_secs.max(1)),
            entries: f.entries.clamp(1, grabkit_core::service::data::MAX_PAGE),
            capacity: f.capacity.max(1),
        }
    }

    pub fn http(&self) -> Result<grabkit_server::HttpSettings, ConfigError> {
        let s = &self.server;
        let trusted = s
            .trusted_proxies
            .iter()
            .map(|p| grabkit_server::parse_trusted(p));
        Ok(grabkit_server::HttpSettings {
            body_timeout: Duration::from_secs(s.body_timeout_secs.max(1)),
            trusted_proxies: trusted
                .collect::<Result<_, _>>()
                .map_err(|e| ConfigError::Invalid(format!("[server] trusted_proxies: {e}")))?,
            sse_heartbeat: Duration::from_secs(s.sse_heartbeat_secs.max(1)),
        })
    }

    pub fn proxy(&self) -> grabkit_media::ProxySettings {
        let p = &self.proxy;
        grabkit_media::ProxySettings {
            default_on: p.default,
            ttl: Duration::from_secs(p.ttl_secs.max(60)),
            public_url: p.public_url.clone().filter(|u| !u.trim().is_empty()),
            ffmpeg: p.ffmpeg.clone(),
            idle_timeout: Duration::from_secs(p.idle_timeout_secs.max(1)),
            refresh_interval: Duration::from_secs(p.refresh_interval_secs.max(1)),
        }
    }

    pub fn registry_paths(&self) -> RegistryPaths {
        let mut p = RegistryPaths::in_dir(self.plugins_dir.clone());
        if let Some(c) = &self.reload.cache_dir {
            p.cache = (!c.as_os_str().is_empty()).then(|| c.clone());
        }
        if let Some(f) = &self.reload.pin_file {
            p.pins = f.clone();
        }
        p
    }

    pub fn rollback(&self) -> RollbackPolicy {
        RollbackPolicy {
            window: self.reload.rollback_window,
            min_failures: self.reload.rollback_min_failures.max(1),
            factor: self.reload.rollback_factor,
        }
    }

    pub fn runtime(&self) -> RuntimeSettings {
        RuntimeSettings {
            memory_bytes: self.limits.memory_mib.max(1) << 20,
            deadline: secs(self.limits.deadline_secs),
            max_instances: (self.limits.max_concurrency.max(1) as u32).saturating_add(4),
        }
    }

    pub fn service(&self) -> ServiceSettings {
        let c = &self.cache;
        let platform_ttl = self
            .plugins
            .iter()
            .filter_map(|(p, s)| Some((p.clone(), Duration::from_secs(s.cache_ttl_secs?))))
            .collect();
        ServiceSettings {
            max_concurrency: self.limits.max_concurrency,
            queue_wait: Duration::from_millis(self.limits.queue_wait_ms),
            max_waiting: self.limits.max_waiting.max(1),
            cache: grabkit_core::service::cache::CacheSettings {
                ttl: Duration::from_secs(c.ttl_secs),
                platform_ttl,
                max_bytes: c.max_mib.max(1) << 20,
                charge_hits: c.charge_hits,
            },
            breaker: grabkit_core::service::breaker::BreakerSettings {
                window: Duration::from_secs(self.breaker.window_secs.max(1)),
                min_requests: self.breaker.min_requests.max(1),
                failure_ratio: self.breaker.failure_ratio.clamp(0.01, 1.0),
                cool_off: Duration::from_secs(self.breaker.cool_off_secs.max(1)),
                probes: self.breaker.probes.max(1),
            },
            accounts: self.account_policy(),
            canaries: grabkit_core::service::canary::CanarySettings {
                links: self
                    .plugins
                    .iter()
                    .filter(|(_, s)| !s.canaries.is_empty())
                    .map(|(p, s)| (p.clone(), s.canaries.clone()))
                    .collect(),
                schedule: grabkit_core::service::canary::Schedule {
                    every_secs: self.canaries.every_secs.max(10),
                    jitter_secs: self.canaries.jitter_secs.max(0),
                },
                on_swap: self.canaries.on_swap,
            },
        }
    }

    pub fn account_policy(&self) -> grabkit_core::sessions::health::Policy {
        let a = &self.accounts;
        grabkit_core::sessions::health::Policy {
            window: a.window.max(1),
            max_in_flight: a.max_in_flight.max(1),
            cooldown_base_secs: a.cooldown_secs.max(1),
            cooldown_cap_secs: a.cooldown_cap_secs.max(a.cooldown_secs.max(1)),
            expire_after_login_failures: a.expire_after_login_failures.max(1),
        }
    }

    pub fn sandbox(&self) -> Result<SandboxSettings, ConfigError> {
        let mut resolve: HashMap<String, Vec<SocketAddr>> = HashMap::new();
        for r in &self.sandbox.resolve {
            let (host, addr) =
                grabkit_egress::resolver::parse_override(r).map_err(ConfigError::Invalid)?;
            resolve.entry(host).or_default().push(addr);
        }
        let proxy = self
            .sandbox
            .proxy
            .clone()
            .or_else(|| {
                std::env::var("HTTPS_PROXY")
                    .or_else(|_| std::env::var("https_proxy"))
                    .ok()
            })
            .filter(|p| !p.is_empty());
        Ok(SandboxSettings {
            timeout: secs(self.sandbox.http_timeout_secs),
            max_response_bytes: self.sandbox.max_response_bytes,
            max_requests_per_parse: self.sandbox.max_requests_per_parse,
            allow_loopback: self.sandbox.allow_loopback,
            proxy,
            ca_certs: self.sandbox.ca_certs.clone(),
            resolve,
            tape: self.tape.clone(),
            ..SandboxSettings::default()
        })
    }

    /// The parse pipeline's settings, resolved.
    pub fn pipeline(&self) -> Result<PipelineSettings, ConfigError> {
        let (plugins, default_plugin) = self.plugin_options();
        Ok(PipelineSettings {
            runtime: self.runtime(),
            sandbox: self.sandbox()?,
            registry: self.registry_paths(),
            plugins,
            default_plugin,
            rollback: self.rollback(),
            service: self.service(),
        })
    }

    /// Operator options per platform, and the default for the rest.
    pub fn plugin_options(&self) -> (BTreeMap<String, PluginOptions>, PluginOptions) {
        let per = self.limits.max_concurrency_per_plugin;
        let map = self
            .plugins
            .iter()
            .map(|(k, s)| {
                (
                    k.clone(),
                    PluginOptions {
                        allowed_hosts: s.allowed_hosts.clone(),
                        config: s.config.clone(),
                        max_concurrency: s.max_concurrency.unwrap_or(per),
                    },
                )
            })
            .collect();
        (
            map,
            PluginOptions {
                max_concurrency: per,
                ..Default::default()
            },
        )
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(if s.is_finite() && s > 0.0 { s } else { 1.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_settings_parse_and_reject_unknown_keys() {
        let s: Settings = toml::from_str(
            r#"
            listen = "0.0.0.0:9000"
            [limits]
            memory_mib = 32
            [sandbox]
            resolve = ["api.bilibili.com=127.0.0.1:8443"]
            [plugins.bilibili]
            allowed_hosts = ["api.bilibili.com"]
            config = { cookie = "SESSDATA=x" }
            "#,
        )
        .unwrap();
        assert_eq!(s.runtime().memory_bytes, 32 << 20);
        assert_eq!(
            s.sandbox().unwrap().resolve["api.bilibili.com"][0].port(),
            8443
        );
        let (per, _) = s.plugin_options();
        assert_eq!(per["bilibili"].config["cookie"], "SESSDATA=x");
        assert!(toml::from_str::<Settings>("listn = 1").is_err());
    }

    #[test]
    fn readme_example_config_is_valid() {
        let readme = include_str!("../../../README.md");
        let start = readme.find("```toml\n").expect("README has a toml example") + 8;
        let end = start + readme[start..].find("```").unwrap();
        let s: Settings =
            toml::from_str(&readme[start..end]).expect("README's example settings parse");
        assert!(s.sandbox().is_ok());
        assert_eq!(s.rollback().window, 20);
        assert_eq!(s.http().unwrap().trusted_proxies.len(), 1);
        assert_eq!(
            s.connections().unwrap().max_per_peer,
            1024,
            "as README sets it"
        );
    }
}
