//! Assembling the parse pipeline from resolved settings: runtime, sandbox,
//! registry (with the plugins folder loaded) and the parse service. The
//! command line, the server and the kit's `check` all start here.

use crate::registry::{Registry, RegistryPaths, RollbackPolicy};
use crate::service::{ParseService, ServiceSettings};
use crate::telemetry::Metrics;
use grabkit_egress::{Sandbox, SandboxSettings};
use grabkit_runtime::{PluginOptions, Runtime, RuntimeSettings};
use grabkit_store::{MemoryKv, PluginKv};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Everything the pipeline needs, already resolved from file, env and flags.
#[derive(Debug, Clone)]
pub struct PipelineSettings {
    pub runtime: RuntimeSettings,
    pub sandbox: SandboxSettings,
    pub registry: RegistryPaths,
    /// Operator options per platform.
    pub plugins: BTreeMap<String, PluginOptions>,
    /// Options for platforms without their own entry.
    pub default_plugin: PluginOptions,
    pub rollback: RollbackPolicy,
    pub service: ServiceSettings,
}

/// Build the pipeline with plugin state in memory and load the plugins folder once.
pub async fn build(settings: &PipelineSettings) -> anyhow::Result<Arc<ParseService>> {
    build_with(settings, Arc::new(MemoryKv::default())).await
}

/// Build the pipeline with plugin state in `kv`, and load the plugins folder once.
pub async fn build_with(
    settings: &PipelineSettings,
    kv: Arc<dyn PluginKv>,
) -> anyhow::Result<Arc<ParseService>> {
    let folder = &settings.registry.plugins;
    if !folder.is_dir() {
        // The compile cache inside it creates it; say so, or the operator
        // sees a server that answers unsupported_link to everything.
        tracing::warn!(dir = %folder.display(), "the plugins folder does not exist; created it empty");
    }
    let runtime = Runtime::new(settings.runtime.clone())?;
    let sandbox = Sandbox::new(settings.sandbox.clone())?;
    let metrics = Arc::new(Metrics::default());
    let registry = Arc::new(Registry::new(
        runtime.clone(),
        settings.registry.clone(),
        settings.plugins.clone(),
        settings.default_plugin.clone(),
        settings.rollback.clone(),
        metrics.clone(),
    ));
    let dir = settings.registry.plugins.display().to_string();
    match registry.rescan().await {
        Ok(0) => tracing::warn!(%dir, "no plugins loaded: every link will answer unsupported_link"),
        Ok(n) => tracing::info!(%dir, plugins = n, "plugins loaded"),
        Err(e) => {
            tracing::error!(%dir, error = %e, "cannot read the plugins folder; serving none")
        }
    }
    Ok(Arc::new(ParseService::new(
        runtime,
        registry,
        sandbox,
        kv,
        metrics,
        settings.service.clone(),
    )))
}
