//! Wiring: settings → runtime, sandbox, registry, service, router.

use crate::api::{AppState, router};
use crate::config::Settings;
use crate::registry::Registry;
use crate::registry::watcher::{WatchHandle, watch};
use crate::runtime::Runtime;
use crate::sandbox::Sandbox;
use crate::service::ParseService;
use crate::telemetry::Metrics;
use std::sync::Arc;

pub struct App {
    pub service: Arc<ParseService>,
    pub state: AppState,
    _watch: Option<WatchHandle>,
}

impl App {
    /// Build everything and load the plugins folder.
    pub async fn build(settings: &Settings) -> anyhow::Result<App> {
        let runtime = Runtime::new(settings.runtime())?;
        let sandbox = Sandbox::new(settings.sandbox()?)?;
        let (per_plugin, default_options) = settings.plugin_options();
        let metrics = Arc::new(Metrics::default());
        let registry = Arc::new(Registry::new(runtime.clone(), settings.registry_paths(), per_plugin, default_options, settings.rollback(), metrics.clone()));
        match registry.rescan().await {
            Ok(n) => tracing::info!(dir = %settings.plugins_dir.display(), plugins = n, "plugins loaded"),
            Err(e) => tracing::error!(dir = %settings.plugins_dir.display(), error = %e, "cannot read the plugins folder; serving with no plugins"),
        }
        let service = Arc::new(ParseService::new(runtime, registry, sandbox, metrics, settings.service()));
        let state = AppState {
            service: service.clone(),
            api_token: settings.api_token.clone().filter(|t| !t.is_empty()).map(Into::into),
            admin_token: settings.admin_token.clone().filter(|t| !t.is_empty()).map(Into::into),
        };
        let watch = if settings.reload.watch {
            match watch(service.registry.clone(), std::time::Duration::from_millis(settings.reload.debounce_ms)) {
                Ok(h) => Some(h),
                Err(e) => {
                    tracing::error!(error = %e, "cannot watch the plugins folder; hot reload is off (POST /api/v1/plugins/reload still rescans)");
                    None
                }
            }
        } else {
            None
        };
        Ok(App { service, state, _watch: watch })
    }

    pub fn router(&self) -> axum::Router {
        router(self.state.clone())
    }
}
