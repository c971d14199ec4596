//! Which plugins are loaded and which one takes a URL. The routing table is
//! swapped atomically, so a request holds the version it started with.

use crate::runtime::{LoadError, LoadedPlugin, PluginOptions, Runtime};
use arc_swap::ArcSwap;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use url::Url;

/// The loaded plugins, in a stable order (by platform id).
#[derive(Default)]
pub struct RoutingTable {
    pub plugins: Vec<Arc<LoadedPlugin>>,
}

impl RoutingTable {
    /// The plugin whose URL patterns match `url`.
    pub fn route(&self, url: &Url) -> Option<&Arc<LoadedPlugin>> {
        self.plugins.iter().find(|p| p.url_patterns.find(url).is_some())
    }

    pub fn get(&self, platform: &str) -> Option<&Arc<LoadedPlugin>> {
        self.plugins.iter().find(|p| p.platform == platform)
    }
}

/// A file that could not be loaded, and why.
#[derive(Debug, Clone)]
pub struct LoadFailure {
    pub source: PathBuf,
    pub error: String,
}

pub struct Registry {
    runtime: Arc<Runtime>,
    dir: PathBuf,
    options: BTreeMap<String, PluginOptions>,
    default_options: PluginOptions,
    table: ArcSwap<RoutingTable>,
    failures: Mutex<Vec<LoadFailure>>,
}

impl Registry {
    pub fn new(runtime: Arc<Runtime>, dir: PathBuf, options: BTreeMap<String, PluginOptions>, default_options: PluginOptions) -> Self {
        Registry { runtime, dir, options, default_options, table: ArcSwap::from_pointee(RoutingTable::default()), failures: Mutex::new(Vec::new()) }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The current table (cheap; holds that version alive while in use).
    pub fn table(&self) -> Arc<RoutingTable> {
        self.table.load_full()
    }

    pub fn failures(&self) -> Vec<LoadFailure> {
        self.failures.lock().unwrap().clone()
    }

    /// Load every `*.wasm` in the folder and swap in the new table. Files
    /// that fail are reported and skipped; a second plugin claiming an
    /// already-served platform is refused.
    pub async fn load_all(&self) -> std::io::Result<usize> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&self.dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "wasm")).collect();
        paths.sort();
        let mut plugins: Vec<Arc<LoadedPlugin>> = Vec::new();
        let mut failures = Vec::new();
        for path in paths {
            match self.load_one(&path).await {
                Ok(p) if plugins.iter().any(|q| q.platform == p.platform) => {
                    let error = format!("platform `{}` is already served by another file", p.platform);
                    tracing::error!(file = %path.display(), %error, "plugin refused");
                    failures.push(LoadFailure { source: path, error });
                }
                Ok(p) => {
                    tracing::info!(file = %path.display(), platform = %p.platform, name = %p.name, version = %p.version, digest = %&p.digest[..12], "plugin loaded");
                    plugins.push(Arc::new(p));
                }
                Err(e) => {
                    tracing::error!(file = %path.display(), error = %e, "plugin failed to load");
                    failures.push(LoadFailure { source: path, error: e.to_string() });
                }
            }
        }
        plugins.sort_by(|a, b| a.platform.cmp(&b.platform));
        let n = plugins.len();
        self.table.store(Arc::new(RoutingTable { plugins }));
        *self.failures.lock().unwrap() = failures;
        Ok(n)
    }

    async fn load_one(&self, path: &Path) -> Result<LoadedPlugin, LoadError> {
        let plugin = LoadedPlugin::load(&self.runtime, path).await?;
        let options = self.options.get(&plugin.platform).unwrap_or(&self.default_options);
        Ok(plugin.configure(options))
    }
}
