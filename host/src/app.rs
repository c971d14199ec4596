//! Wiring: settings → runtime, sandbox, registry, service, router.

use crate::api::{AppState, router};
use crate::config::Settings;
use crate::registry::Registry;
use crate::runtime::Runtime;
use crate::sandbox::Sandbox;
use crate::service::ParseService;
use crate::telemetry::Metrics;
use std::sync::Arc;

pub struct App {
    pub service: Arc<ParseService>,
    pub state: AppState,
}

impl App {
    /// Build everything and load the plugins folder.
    pub async fn build(settings: &Settings) -> anyhow::Result<App> {
        let runtime = Runtime::new(settings.runtime())?;
        let sandbox = Sandbox::new(settings.sandbox()?)?;
        let (per_plugin, default_options) = settings.plugin_options();
        let registry = Arc::new(Registry::new(runtime.clone(), settings.plugins_dir.clone(), per_plugin, default_options));
        let metrics = Arc::new(Metrics::default());
        match registry.load_all().await {
            Ok(n) => tracing::info!(dir = %settings.plugins_dir.display(), plugins = n, "plugins loaded"),
            Err(e) => tracing::error!(dir = %settings.plugins_dir.display(), error = %e, "cannot read the plugins folder; serving with no plugins"),
        }
        metrics.plugins_loaded.set(registry.table().plugins.len() as i64);
        metrics.plugin_load_failures.set(registry.failures().len() as i64);
        let service = Arc::new(ParseService::new(runtime, registry, sandbox, metrics, settings.service()));
        let state = AppState { service: service.clone(), api_token: settings.api_token.clone().filter(|t| !t.is_empty()).map(Into::into) };
        Ok(App { service, state })
    }

    pub fn router(&self) -> axum::Router {
        router(self.state.clone())
    }
}
