//! Wiring: settings → runtime, sandbox, registry, service, router.

use crate::api::{AppState, Auth, router};
use crate::config::Settings;
use crate::proxy::{Proxy, Signer};
use crate::registry::Registry;
use crate::registry::watcher::{WatchHandle, watch};
use crate::runtime::Runtime;
use crate::sandbox::Sandbox;
use crate::service::ParseService;
use crate::store::keys::{ADMIN_PREFIX, hash_token, new_token};
use crate::store::{KeyStore, SqliteStore};
use crate::telemetry::Metrics;
use std::sync::Arc;

pub struct App {
    pub service: Arc<ParseService>,
    pub state: AppState,
    _watch: Option<WatchHandle>,
}

impl App {
    /// Build everything: the parse service, the key store and auth, the folder watch.
    pub async fn build(settings: &Settings) -> anyhow::Result<App> {
        let service = build_service(settings).await?;
        let store = open_store(settings)?;
        let admin_hash = admin_token_hash(store.as_ref(), settings)?;
        let signer = proxy_signer(store.as_ref(), settings)?;
        let auth = Arc::new(Auth::new(
            store,
            admin_hash,
            (settings.keys.rate_per_sec, settings.keys.rate_burst),
        ));
        let proxy = Arc::new(Proxy::new(signer, service.clone(), settings.proxy()));
        let state = AppState {
            service: service.clone(),
            auth,
            proxy,
        };
        let watch = if settings.reload.watch {
            match watch(
                service.registry.clone(),
                std::time::Duration::from_millis(settings.reload.debounce_ms),
            ) {
                Ok(h) => Some(h),
                Err(e) => {
                    tracing::error!(error = %e, "cannot watch the plugins folder; hot reload is off (POST /api/v1/plugins/reload still rescans)");
                    None
                }
            }
        } else {
            None
        };
        Ok(App {
            service,
            state,
            _watch: watch,
        })
    }

    pub fn store(&self) -> &Arc<dyn KeyStore> {
        &self.state.auth.store
    }

    pub fn router(&self) -> axum::Router {
        router(self.state.clone())
    }
}

/// The parse pipeline alone, with the plugins folder loaded (what one-shot
/// commands like `grabkit parse` need).
pub async fn build_service(settings: &Settings) -> anyhow::Result<Arc<ParseService>> {
    let runtime = Runtime::new(settings.runtime())?;
    let sandbox = Sandbox::new(settings.sandbox()?)?;
    let (per_plugin, default_options) = settings.plugin_options();
    let metrics = Arc::new(Metrics::default());
    let registry = Arc::new(Registry::new(
        runtime.clone(),
        settings.registry_paths(),
        per_plugin,
        default_options,
        settings.rollback(),
        metrics.clone(),
    ));
    match registry.rescan().await {
        Ok(n) => {
            tracing::info!(dir = %settings.plugins_dir.display(), plugins = n, "plugins loaded")
        }
        Err(e) => {
            tracing::error!(dir = %settings.plugins_dir.display(), error = %e, "cannot read the plugins folder; serving with no plugins")
        }
    }
    Ok(Arc::new(ParseService::new(
        runtime,
        registry,
        sandbox,
        metrics,
        settings.service(),
    )))
}

/// Open (or create) the key database in the data dir and refund any
/// reservation a crash left open.
pub fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn KeyStore>> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
        anyhow::anyhow!("creating the data dir {}: {e}", settings.data_dir.display())
    })?;
    let path = settings.data_dir.join("grabkit.db");
    let store =
        SqliteStore::open(&path).map_err(|e| anyhow::anyhow!("opening {}: {e}", path.display()))?;
    let refunded = store.recover()?;
    if refunded > 0 {
        tracing::warn!(
            refunded,
            "refunded credits held by parses a crash interrupted"
        );
    }
    Ok(Arc::new(store))
}

/// The admin token's hash: from settings, else the one generated at first
/// start (printed once, kept hashed in the database).
fn admin_token_hash(store: &dyn KeyStore, settings: &Settings) -> anyhow::Result<String> {
    if let Some(t) = settings.admin_token.as_deref().filter(|t| !t.is_empty()) {
        return Ok(hash_token(t));
    }
    if let Some(h) = store.meta_get("admin_token_hash")? {
        return Ok(h);
    }
    let token = new_token(ADMIN_PREFIX);
    store.meta_set("admin_token_hash", &hash_token(&token))?;
    eprintln!(
        "\n  grabkit admin token (shown once; set GRABKIT_ADMIN_TOKEN to choose your own):\n  {token}\n"
    );
    Ok(hash_token(&token))
}

/// The proxy's signing secret: from settings, else generated once and kept
/// in the database so links outlive a restart.
fn proxy_signer(store: &dyn KeyStore, settings: &Settings) -> anyhow::Result<Signer> {
    if let Some(s) = settings.proxy.secret.as_deref().filter(|s| !s.is_empty()) {
        return Ok(Signer::new(s.as_bytes()));
    }
    let secret = match store.meta_get("proxy_secret")? {
        Some(s) => s,
        None => {
            let s = new_token("gkp_");
            store.meta_set("proxy_secret", &s)?;
            s
        }
    };
    Ok(Signer::new(secret.as_bytes()))
}
