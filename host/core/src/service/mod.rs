//! The parse pipeline: find the link → route to a plugin → wait for a slot
//! → run it in a fresh instance → check its answer.

pub mod breaker;
pub mod cache;
pub mod canary;
pub mod data;
pub mod data_body;
pub mod data_json;
mod listing;
pub mod media;

use crate::code::Coded;
use crate::registry::Registry;
use crate::sessions::health::Outcome;
use crate::sessions::pool::Hold;
use crate::sessions::{Leased, Pool};
use crate::telemetry::Metrics;
pub use data_json::DataJson;
use grabkit_egress::Sandbox;
use grabkit_runtime::bindings::{Answer, Call};
use grabkit_runtime::{InvokeError, LoadedPlugin, Runtime};
use grabkit_store::PluginKv;
use grabkit_urlkit::FindError;
pub use media::MediaJson;
use media::OutputError;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Every way a parse can end without media.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ParseError {
    #[error("{0}")]
    Input(#[from] FindError),
    #[error("unsupported link: {0}")]
    Unsupported(String),
    #[error("too many parses in progress{0}; try again shortly")]
    Busy(String),
    #[error("{message}")]
    Extract { kind: ExtractKind, message: String },
    #[error(transparent)]
    Plugin(#[from] InvokeError),
    #[error("invalid plugin output: {0}")]
    Output(#[from] OutputError),
    #[error("no downloadable media in this post")]
    NoMedia,
    #[error("{platform} is failing upstream; parses of it pause for {retry_after} s")]
    Unavailable { platform: String, retry_after: u64 },
    /// The platform has no such capability (or not for this link).
    #[error("{0}")]
    NotSupported(String),
    /// The link is of another kind than the endpoint takes.
    #[error("{0}")]
    WrongEndpoint(String),
    #[error("invalid cursor: {0}")]
    InvalidCursor(String),
    #[error("{0}")]
    UnknownPlatform(String),
    /// The route needs a session and none of the platform's accounts is
    /// ready; `retry_after` is `None` when none ever will be (all expired
    /// or disabled).
    #[error("no {platform} account is available for this link (it needs a session)")]
    NoAccount {
        platform: String,
        retry_after: Option<u64>,
    },
    /// An admin pinned an account that is not one of the platform's.
    #[error(transparent)]
    Account(std::sync::Arc<crate::sessions::AccountError>),
}

/// The plugin's own error kinds (the contract's `extract-error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtractKind {
    NotFound,
    Private,
    LoginRequired,
    GeoBlocked,
    RateLimited,
    UpstreamFailed,
    ParseFailed,
}

/// Limits on concurrent work.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    pub max_concurrency: usize,
    /// How long a request waits for a free slot before 503.
    pub queue_wait: Duration,
    /// Requests waiting for a slot at most; more are `busy` at once.
    pub max_waiting: usize,
    pub cache: cache::CacheSettings,
    pub breaker: breaker::BreakerSettings,
    pub accounts: crate::sessions::health::Policy,
    pub canaries: canary::CanarySettings,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            max_concurrency: 256,
            queue_wait: Duration::from_secs(30),
            max_waiting: 8192,
            cache: cache::CacheSettings::default(),
            breaker: breaker::BreakerSettings::default(),
            accounts: Default::default(),
            canaries: Default::default(),
        }
    }
}

/// Which platform and plugin would take a link.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    pub url: url::Url,
    pub platform: String,
    pub plugin: String,
    pub version: String,
}

pub struct ParseService {
    pub runtime: Arc<Runtime>,
    pub registry: Arc<Registry>,
    pub sandbox: Arc<Sandbox>,
    pub kv: Arc<dyn PluginKv>,
    pub metrics: Arc<Metrics>,
    slots: Semaphore,
    settings: ServiceSettings,
    next_id: AtomicU64,
    /// Requests waiting for a slot now.
    waiting: AtomicU64,
    pub cache: cache::ResultCache,
    breakers: std::sync::Mutex<std::collections::HashMap<String, breaker::Breaker>>,
    /// The accounts pool (in memory until the server attaches the store's).
    accounts: arc_swap::ArcSwap<Pool>,
    pub canaries: canary::Canaries,
}

tokio::task_local! {
    /// The account an admin pinned for the calls of one request
    /// (`?account=`, an account check). Request-scoped, so it needs no
    /// parameter through every endpoint.
    static PINNED_ACCOUNT: i64;
}

/// Run `f` with account `id` pinned for every call it makes.
pub async fn with_pinned_account<F: std::future::Future>(id: i64, f: F) -> F::Output {
    PINNED_ACCOUNT.scope(id, f).await
}

impl ParseService {
    pub fn new(
        runtime: Arc<Runtime>,
        registry: Arc<Registry>,
        sandbox: Arc<Sandbox>,
        kv: Arc<dyn PluginKv>,
        metrics: Arc<Metrics>,
        settings: ServiceSettings,
    ) -> Self {
        ParseService {
            runtime,
            registry,
            sandbox,
            kv,
            metrics,
            slots: Semaphore::new(settings.max_concurrency.max(1)),
            cache: cache::ResultCache::new(settings.cache.clone()),
            next_id: AtomicU64::new(1),
            waiting: AtomicU64::new(0),
            breakers: Default::default(),
            accounts: arc_swap::ArcSwap::from_pointee(Pool::in_memory(settings.accounts)),
            canaries: canary::Canaries::new(settings.canaries.clone()),
            settings,
        }
    }

    /// Use `pool` (the store's) from now on.
    pub fn set_accounts(&self, pool: Arc<Pool>) {
        self.accounts.store(pool);
    }

    pub fn accounts(&self) -> Arc<Pool> {
        self.accounts.load_full()
    }

    /// Which plugin takes `input` (share text allowed), without running it.
    pub fn route(&self, input: &str) -> Result<RouteInfo, ParseError> {
        let url = grabkit_urlkit::find_url(input)?;
        let table = self.registry.table();
        let p = table
            .route(&url)
            .ok_or_else(|| self.unsupported(&url, None))?;
        Ok(RouteInfo {
            url: url.clone(),
            platform: p.platform.clone(),
            plugin: p.name.clone(),
            version: p.version.clone(),
        })
    }

    /// Parse one link into unified media.
    /// Parse through the result cache (see [`cache`]): the media, and
    /// whether it was a cache hit.
    pub async fn parse_cached(
        &self,
        input: &str,
        how: cache::CacheUse,
    ) -> Result<(MediaJson, bool), ParseError> {
        let url = grabkit_urlkit::find_url(input)?;
        let Some(plugin) = self.registry.table().route(&url).cloned() else {
            // Not cached: `parse` gives the refusal.
            return self.parse(input).await.map(|m| (m, false));
        };
        // The plugin's digest is in the key: a new version never answers
        // with its predecessor's results.
        let key = format!("{}@{}:{url}", plugin.platform, plugin.digest);
        self.cache
            .get_or_run(&key, &plugin.platform, how, self.parse(input))
            .await
    }

    /// Parse anew, never from the cache.
    pub async fn parse(&self, input: &str) -> Result<MediaJson, ParseError> {
        let started = Instant::now();
        let url = grabkit_urlkit::find_url(input)?;
        let table = self.registry.table();
        let Some(plugin) = table.route(&url).cloned() else {
            self.metrics.parse("none", "unsupported", started.elapsed());
            return Err(self.unsupported(&url, None));
        };
        let call = Call::Parse(url.to_string());
        let media = match self.execute(&plugin, &call, started).await? {
            Answer::Media(m) => m,
            _ => unreachable!("parse answers media"),
        };
        let media = MediaJson::from_plugin(&plugin, media)?;
        if media.is_empty() {
            return Err(ParseError::NoMedia);
        }
        Ok(media)
    }

    /// Run one call through a slot and the plugin, recording metrics and
    /// how the plugin version fares. Parses also go through the platform's
    /// breaker; data calls do not, so a data route the platform refuses
    /// (Douyin's unsigned ones) never pauses its parses.
    pub(crate) async fn execute(
        &self,
        plugin: &Arc<LoadedPlugin>,
        call: &Call,
        started: Instant,
    ) -> Result<Answer, ParseError> {
        let guarded = matches!(call, Call::Parse(_));
        if guarded
            && let Err(retry_after) =
                self.with_breaker(&plugin.platform, |b, s| b.admit(s, Instant::now()))
        {
            let e = ParseError::Unavailable {
                platform: plugin.platform.clone(),
                retry_after,
            };
            self.metrics
                .parse(&plugin.platform, e.code(), started.elapsed());
            return Err(e);
        }
        let result = self.run(plugin, call).await;
        if guarded {
            self.with_breaker(&plugin.platform, |b, s| match &result {
                Err(ParseError::Busy(_)) => b.forget(),
                Err(ParseError::Extract {
                    kind: ExtractKind::UpstreamFailed | ExtractKind::RateLimited,
                    ..
                }) => b.record(s, Instant::now(), breaker::Outcome::UpstreamFailure),
                _ => b.record(s, Instant::now(), breaker::Outcome::Fine),
            });
        }
        self.metrics
            .parse(&plugin.platform, outcome_label(&result), started.elapsed());
        if !matches!(result, Err(ParseError::Busy(_))) {
            self.registry.record(plugin, plugin_misbehaved(&result));
        }
        result
    }

    fn with_breaker<T>(
        &self,
        platform: &str,
        f: impl FnOnce(&mut breaker::Breaker, &breaker::BreakerSettings) -> T,
    ) -> T {
        let mut all = self.breakers.lock().unwrap_or_else(|p| p.into_inner());
        f(
            all.entry(platform.to_string()).or_default(),
            &self.settings.breaker,
        )
    }

    /// A platform's breaker: its state, and upstream failures among the
    /// outcomes in its window.
    pub fn breaker(&self, platform: &str) -> (&'static str, usize, usize) {
        self.with_breaker(platform, |b, _| {
            let (failures, total) = b.counts();
            (b.state.label(), failures, total)
        })
    }

    async fn run(&self, plugin: &Arc<LoadedPlugin>, call: &Call) -> Result<Answer, ParseError> {
        let wait = self.settings.queue_wait;
        // The wait queue is bounded: past it, busy at once, not memory.
        let waiting = self.waiting.fetch_add(1, Ordering::Relaxed);
        let global = if waiting as usize >= self.settings.max_waiting {
            Err(ParseError::Busy(String::new()))
        } else {
            tokio::time::timeout(wait, self.slots.acquire())
                .await
                .map_err(|_| ParseError::Busy(String::new()))
        };
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        let _global = global?.expect("semaphore open");
        let _local = tokio::time::timeout(wait, plugin.permits.acquire())
            .await
            .map_err(|_| ParseError::Busy(format!(" for {}", plugin.platform)))?
            .expect("semaphore open");
        let request_id = format!("r{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let pool = self.accounts.load_full();
        let leased = self.lease(&pool, plugin)?;
        let (hold, none_ready) = match leased {
            Leased::Account(l) => (Some(Hold::new(pool.clone(), l)), None),
            Leased::NoneReady { retry_after } => (None, Some(retry_after)),
            Leased::NoneConfigured => (None, None),
        };
        let session = hold
            .as_ref()
            .map(|h| h.lease.clone() as Arc<dyn grabkit_egress::Session>);
        let (sandbox, kv) = (self.sandbox.clone(), self.kv.clone());
        // Boxed: the run's future (wasmtime's call inside) is most of a
        // call's, so the calls waiting for a slot above do not carry it.
        let run = self
            .runtime
            .invoke(plugin, sandbox, kv, call, &request_id, session);
        let inv = Box::pin(run).await.inspect_err(|e| {
            let p = &plugin.platform;
            tracing::warn!(platform = %p, request = %request_id, error = %e, "plugin run failed")
        });
        let p = &plugin.platform;
        let result = match inv {
            Ok(inv) => {
                tracing::debug!(platform = %p, request = %request_id, requests = inv.requests, "plugin finished");
                inv.result.map_err(extract_error)
            }
            Err(e) => Err(ParseError::Plugin(e)),
        };
        if let Some(hold) = hold {
            let code = result.as_ref().err().map(|e| e.code());
            hold.release(Outcome::of(code), crate::clock::now()).await;
        }
        // A session was needed and none was ready: say that, not `login_required`.
        if let Some(retry_after) = none_ready
            && is_login_required(&result)
        {
            return Err(ParseError::NoAccount {
                platform: plugin.platform.clone(),
                retry_after: retry_after.map(|s| s.max(1) as u64),
            });
        }
        result
    }

    /// The account this call runs as: the pinned one, or the pool's choice.
    fn lease(&self, pool: &Pool, plugin: &LoadedPlugin) -> Result<Leased, ParseError> {
        let now = crate::clock::now();
        let from_config = plugin.context.config.get("cookie").map(String::as_str);
        pool.bridge_config(&plugin.platform, from_config, now);
        let pin = PINNED_ACCOUNT.try_with(|id| *id).ok();
        pool.lease(&plugin.platform, &plugin.declared_hosts, pin, now)
            .map_err(|e| ParseError::Account(Arc::new(e)))
    }
}

fn is_login_required<T>(r: &Result<T, ParseError>) -> bool {
    matches!(
        r,
        Err(ParseError::Extract {
            kind: ExtractKind::LoginRequired,
            ..
        })
    )
}

fn extract_error(e: grabkit_runtime::bindings::ExtractError) -> ParseError {
    use grabkit_runtime::bindings::ExtractError as E;
    let (kind, message) = match e {
        E::UnsupportedUrl(m) => return ParseError::Unsupported(m),
        E::NotFound(m) => (ExtractKind::NotFound, m),
        E::Private(m) => (ExtractKind::Private, m),
        E::LoginRequired(m) => (ExtractKind::LoginRequired, m),
        E::GeoBlocked(m) => (ExtractKind::GeoBlocked, m),
        E::RateLimited(m) => (ExtractKind::RateLimited, m),
        E::UpstreamFailed(m) => (ExtractKind::UpstreamFailed, m),
        E::ParseFailed(m) => (ExtractKind::ParseFailed, m),
        E::NotSupported(m) => return ParseError::NotSupported(m),
        E::InvalidCursor(m) => return ParseError::InvalidCursor(m),
    };
    ParseError::Extract { kind, message }
}

/// Failures that are the plugin's fault (they count against a new version).
fn plugin_misbehaved<T>(r: &Result<T, ParseError>) -> bool {
    matches!(
        r,
        Err(
            ParseError::Plugin(InvokeError::Trap(_) | InvokeError::Memory(_))
                | ParseError::Output(_)
                | ParseError::Extract {
                    kind: ExtractKind::ParseFailed,
                    ..
                }
        )
    )
}

fn outcome_label<T>(r: &Result<T, ParseError>) -> &'static str {
    match r {
        Ok(_) => "success",
        Err(e) => e.code(),
    }
}

impl Coded for ParseError {
    fn code(&self) -> &'static str {
        match self {
            ParseError::Input(FindError::Scheme(_)) => "unsupported_scheme",
            ParseError::Input(_) => "invalid_url",
            ParseError::Unsupported(_) => "unsupported_link",
            ParseError::NoMedia => "no_media",
            ParseError::Busy(_) => "busy",
            ParseError::Extract { kind, .. } => kind.code(),
            ParseError::Plugin(InvokeError::Deadline(_)) => "plugin_timeout",
            ParseError::Plugin(InvokeError::Memory(_)) => "plugin_memory_limit",
            ParseError::Plugin(InvokeError::Trap(_)) => "plugin_crashed",
            ParseError::Output(_) => "plugin_invalid_output",
            ParseError::Unavailable { .. } => "platform_unavailable",
            ParseError::NotSupported(_) => "capability_not_supported",
            ParseError::WrongEndpoint(_) => "wrong_endpoint",
            ParseError::InvalidCursor(_) => "invalid_cursor",
            ParseError::UnknownPlatform(_) => "unknown_platform",
            ParseError::NoAccount { .. } => "no_account_available",
            ParseError::Account(e) => e.code(),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            ParseError::Busy(_) => Some(1),
            ParseError::Unavailable { retry_after, .. } => Some(*retry_after),
            ParseError::NoAccount { retry_after, .. } => *retry_after,
            ParseError::Extract {
                kind: ExtractKind::RateLimited,
                ..
            } => Some(30),
            _ => None,
        }
    }
}

impl ExtractKind {
    /// The code of the plugin's own error kinds.
    pub fn code(self) -> &'static str {
        match self {
            ExtractKind::NotFound => "not_found",
            ExtractKind::Private => "private",
            ExtractKind::LoginRequired => "login_required",
            ExtractKind::GeoBlocked => "geo_blocked",
            ExtractKind::RateLimited => "upstream_rate_limited",
            ExtractKind::UpstreamFailed => "upstream_failed",
            ExtractKind::ParseFailed => "parse_failed",
        }
    }
}
