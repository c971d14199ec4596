//! Wiring: settings → store, auth, parse pipeline, gateway, proxy, router.

use crate::config::Settings;
use grabkit_core::auth::Auth;
use grabkit_core::feeds::Feeds;
use grabkit_core::gateway::Gateway;
use grabkit_core::jobs::Jobs;
use grabkit_core::pipeline;
use grabkit_core::registry::watcher::{WatchHandle, watch};
use grabkit_core::service::ParseService;
use grabkit_core::sessions::Pool;
use grabkit_core::sessions::vault::Vault;
use grabkit_media::{Proxy, Signer};
use grabkit_server::{AppState, router};
use grabkit_store::keys::{ADMIN_PREFIX, hash_token, new_token};
use grabkit_store::{CachedKeys, KeyStore};
use grabkit_store_sqlite::SqliteStore;
use std::sync::Arc;

pub struct App {
    pub service: Arc<ParseService>,
    pub state: AppState,
    _watch: Option<WatchHandle>,
    _canaries: Option<AbortOnDrop>,
}

/// Stops a background task when the app goes.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl App {
    /// Build everything: the parse service, the key store and auth, the folder watch.
    pub async fn build(settings: &Settings) -> anyhow::Result<App> {
        let service = build_service(settings).await?;
        let sqlite = open_store(settings).await?;
        let vault = open_vault(settings)?;
        let pool = Pool::open(sqlite.clone(), vault, settings.account_policy()).await?;
        service.set_accounts(Arc::new(pool));
        let canaries = grabkit_core::service::canary::spawn(&service).map(AbortOnDrop);
        // Every call reads its key twice: from memory, not the database.
        let store: Arc<dyn KeyStore> = Arc::new(CachedKeys::new(sqlite.clone()));
        let admin_hash = admin_token_hash(store.as_ref(), settings).await?;
        let signer = proxy_signer(store.as_ref(), settings).await?;
        let rate = (settings.keys.rate_per_sec, settings.keys.rate_burst);
        let auth = Arc::new(Auth::new(store, admin_hash, rate));
        let jobs = Jobs::new(sqlite.clone(), service.clone(), settings.jobs());
        jobs.start().await?;
        let proxy = Proxy::new(
            signer,
            service.clone(),
            Some(auth.clone()),
            settings.proxy(),
        );
        let proxy = Arc::new(proxy);
        let gateway = Gateway::new(service.clone(), auth);
        let feeds = Feeds::new(sqlite.clone(), gateway.clone(), settings.feeds());
        let state = AppState {
            gateway,
            proxy,
            http: Arc::new(settings.http()?),
            jobs: Some(jobs),
            feeds: Some(Arc::new(feeds)),
        };
        let watch = if settings.reload.watch {
            let debounce = std::time::Duration::from_millis(settings.reload.debounce_ms);
            match watch(service.registry.clone(), debounce) {
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
            _canaries: canaries,
        })
    }

    pub fn store(&self) -> &Arc<dyn KeyStore> {
        &self.state.auth().store
    }

    pub fn router(&self) -> axum::Router {
        router(self.state.clone())
    }
}

/// The parse pipeline alone, with the plugins folder loaded (what one-shot
/// commands like `grabkit parse` need).
pub async fn build_service(settings: &Settings) -> anyhow::Result<Arc<ParseService>> {
    pipeline::build(&settings.pipeline()?).await
}

/// Open (or create) the key database in the data dir and refund any
/// reservation a crash left open.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<SqliteStore>> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
        anyhow::anyhow!("creating the data dir {}: {e}", settings.data_dir.display())
    })?;
    let path = settings.data_dir.join("grabkit.db");
    let store =
        SqliteStore::open(&path).map_err(|e| anyhow::anyhow!("opening {}: {e}", path.display()))?;
    let refunded = store.recover().await?;
    if refunded > 0 {
        tracing::warn!(
            refunded,
            "refunded credits held by parses a crash interrupted"
        );
    }
    Ok(Arc::new(store))
}

/// The key sealing accounts: the config's, else the data dir's key file
/// (made, owner-only, on first start).
fn open_vault(settings: &Settings) -> anyhow::Result<Vault> {
    Ok(
        match settings.accounts.key.as_deref().filter(|k| !k.is_empty()) {
            Some(hex) => Vault::from_hex(hex)?,
            None => Vault::from_key_file(&settings.data_dir.join("accounts.key"))?,
        },
    )
}

/// The admin token's hash: from settings, else the one generated at first
/// start (printed once, kept hashed in the database).
async fn admin_token_hash(store: &dyn KeyStore, settings: &Settings) -> anyhow::Result<String> {
    if let Some(t) = settings.admin_token.as_deref().filter(|t| !t.is_empty()) {
        return Ok(hash_token(t));
    }
    if let Some(h) = store.meta_get("admin_token_hash").await? {
        return Ok(h);
    }
    let token = new_token(ADMIN_PREFIX);
    store
        .meta_set("admin_token_hash", &hash_token(&token))
        .await?;
    eprintln!(
        "\n  grabkit admin token (shown once; set GRABKIT_ADMIN_TOKEN to choose your own):\n  {token}\n"
    );
    Ok(hash_token(&token))
}

/// The proxy's signing secret: from settings, else generated once and kept
/// in the database so links outlive a restart.
async fn proxy_signer(store: &dyn KeyStore, settings: &Settings) -> anyhow::Result<Signer> {
    if let Some(s) = settings.proxy.secret.as_deref().filter(|s| !s.is_empty()) {
        return Ok(Signer::new(s.as_bytes()));
    }
    let secret = match store.meta_get("proxy_secret").await? {
        Some(s) => s,
        None => {
            let s = new_token("gkp_");
            store.meta_set("proxy_secret", &s).await?;
            s
        }
    };
    Ok(Signer::new(secret.as_bytes()))
}
