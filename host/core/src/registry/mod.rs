//! Which plugins are loaded and which one takes a URL.
//!
//! Each `.wasm` file in the plugins folder goes through one pipeline:
//! read → sha256 → pin check → compile (or the compiled cache) → contract and
//! self-description checks → pre-link → atomic swap of the routing table.
//! A request holds the table it started with, so in-flight parses finish on
//! their version. A failure at any step leaves the serving version alone.
//! New versions are on probation: if they fail far more than their
//! predecessor, the predecessor is swapped back (see `RollbackPolicy`).

mod cache;
pub mod pins;
pub mod watcher;

use crate::telemetry::Metrics;
use arc_swap::ArcSwap;
pub use cache::CompileCache;
use grabkit_runtime::{LoadError, LoadedPlugin, PluginOptions, Runtime};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};
use url::Url;

/// The loaded plugins, in a stable order (by platform id).
#[derive(Default)]
pub struct RoutingTable {
    pub plugins: Vec<Arc<LoadedPlugin>>,
}

impl RoutingTable {
    /// The plugin whose URL patterns match `url`.
    pub fn route(&self, url: &Url) -> Option<&Arc<LoadedPlugin>> {
        self.plugins
            .iter()
            .find(|p| p.url_patterns.find(url).is_some())
    }

    pub fn get(&self, platform: &str) -> Option<&Arc<LoadedPlugin>> {
        self.plugins.iter().find(|p| p.platform == platform)
    }
}

/// When a freshly swapped version is rolled back automatically: within its
/// first `window` parses, once it has `min_failures` failures and its failure
/// rate is at least `factor` times its predecessor's (plus 10 points).
#[derive(Debug, Clone)]
pub struct RollbackPolicy {
    pub window: u64,
    pub min_failures: u64,
    pub factor: f64,
}

impl Default for RollbackPolicy {
    fn default() -> Self {
        RollbackPolicy {
            window: 20,
            min_failures: 3,
            factor: 2.0,
        }
    }
}

/// Where the registry keeps its files.
#[derive(Debug, Clone)]
pub struct RegistryPaths {
    pub plugins: PathBuf,
    /// Compiled artifacts; None disables the disk cache.
    pub cache: Option<PathBuf>,
    /// The pin list; absent file = no pins.
    pub pins: PathBuf,
}

impl RegistryPaths {
    /// The defaults: cache in `<plugins>/.cache`, pins in `<plugins>/plugins.lock`.
    pub fn in_dir(plugins: PathBuf) -> Self {
        RegistryPaths {
            cache: Some(plugins.join(".cache")),
            pins: plugins.join("plugins.lock"),
            plugins,
        }
    }
}

/// What the last load of one file did.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileStatus {
    pub source: PathBuf,
    pub digest: Option<String>,
    pub platform: Option<String>,
    pub version: Option<String>,
    pub error: Option<String>,
    /// Unix seconds of the last change of this status (RFC 3339 in JSON).
    #[serde(serialize_with = "crate::clock::serialize_rfc3339")]
    pub updated_at: u64,
}

/// The result of loading one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Loaded {
        platform: String,
        version: String,
        cache_hit: bool,
    },
    Unchanged,
    Unloaded {
        platform: String,
    },
    Failed(String),
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Outcome::Loaded { .. } => "loaded",
            Outcome::Unchanged => "unchanged",
            Outcome::Unloaded { .. } => "unloaded",
            Outcome::Failed(_) => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollbackError {
    #[error("no plugin serves `{0}`")]
    UnknownPlatform(String),
    #[error("`{0}` has no previous version to roll back to")]
    NoPrevious(String),
}

impl crate::code::Coded for RollbackError {
    fn code(&self) -> &'static str {
        match self {
            RollbackError::UnknownPlatform(_) => "unknown_platform",
            RollbackError::NoPrevious(_) => "no_previous_version",
        }
    }
}

/// Why a plugin file was not swapped in (the serving version stays).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Pinned(#[from] pins::PinError),
    #[error("digest {0} was rolled back; change the file to try again")]
    RolledBack(String),
    #[error("platform `{platform}` is already served by {}", other.display())]
    Conflict { platform: String, other: PathBuf },
}

/// One platform's versions.
struct Slot {
    current: Arc<LoadedPlugin>,
    previous: Option<Arc<LoadedPlugin>>,
    probation: bool,
}

#[derive(Default)]
struct State {
    slots: BTreeMap<String, Slot>,
    files: BTreeMap<PathBuf, FileStatus>,
    /// Digests rolled back; not loaded again until the file changes.
    rejected: HashSet<String>,
}

pub struct Registry {
    runtime: Arc<Runtime>,
    pub(crate) paths: RegistryPaths,
    options: BTreeMap<String, PluginOptions>,
    default_options: PluginOptions,
    cache: CompileCache,
    rollback: RollbackPolicy,
    metrics: Arc<Metrics>,
    table: ArcSwap<RoutingTable>,
    state: Mutex<State>,
    /// One reload at a time (compiles run outside `state`'s lock).
    reloading: tokio::sync::Mutex<()>,
    /// A new build replaced a served one (the canaries check it).
    swaps: tokio::sync::broadcast::Sender<Swapped>,
}

/// A new build of `platform` replaced the one before it.
#[derive(Debug, Clone)]
pub struct Swapped {
    pub platform: String,
    pub digest: String,
}

impl Registry {
    pub fn new(
        runtime: Arc<Runtime>,
        paths: RegistryPaths,
        options: BTreeMap<String, PluginOptions>,
        default_options: PluginOptions,
        rollback: RollbackPolicy,
        metrics: Arc<Metrics>,
    ) -> Self {
        let cache = CompileCache::new(&runtime, paths.cache.clone());
        Registry {
            runtime,
            paths,
            options,
            default_options,
            cache,
            rollback,
            metrics,
            table: ArcSwap::from_pointee(RoutingTable::default()),
            state: Mutex::new(State::default()),
            reloading: tokio::sync::Mutex::new(()),
            swaps: tokio::sync::broadcast::channel(64).0,
        }
    }

    /// Every swap from now on (a slow listener misses the oldest).
    pub fn swaps(&self) -> tokio::sync::broadcast::Receiver<Swapped> {
        self.swaps.subscribe()
    }

    /// The build `platform` rolls back to, while one is kept.
    pub fn previous(&self, platform: &str) -> Option<Arc<LoadedPlugin>> {
        let st = self.state.lock().unwrap();
        st.slots.get(platform)?.previous.clone()
    }

    pub fn dir(&self) -> &Path {
        &self.paths.plugins
    }

    /// The current table (cheap; holds that version alive while in use).
    pub fn table(&self) -> Arc<RoutingTable> {
        self.table.load_full()
    }

    /// (cache hits, compiles) since start.
    pub fn cache_stats(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (
            self.cache.hits.load(Relaxed),
            self.cache.misses.load(Relaxed),
        )
    }

    /// Every file's last load status.
    pub fn files(&self) -> Vec<FileStatus> {
        self.state.lock().unwrap().files.values().cloned().collect()
    }

    /// Files whose last load failed.
    pub fn failures(&self) -> Vec<FileStatus> {
        self.files()
            .into_iter()
            .filter(|f| f.error.is_some())
            .collect()
    }

    /// Whether `platform` has a previous version kept for rollback.
    pub fn has_previous(&self, platform: &str) -> bool {
        self.state
            .lock()
            .unwrap()
            .slots
            .get(platform)
            .is_some_and(|s| s.previous.is_some())
    }

    /// Bring the registry in line with the folder: load new and changed
    /// files, unload deleted ones. Returns how many plugins serve.
    pub async fn rescan(&self) -> std::io::Result<usize> {
        let _one = self.reloading.lock().await;
        let present = wasm_files(&self.paths.plugins)?;
        let known: Vec<PathBuf> = self.state.lock().unwrap().files.keys().cloned().collect();
        for gone in known.iter().filter(|p| !present.contains(p)) {
            self.unload(gone);
        }
        for path in &present {
            self.load_file(path).await;
        }
        Ok(self.table().plugins.len())
    }

    /// Run the pipeline for one file and swap on success.
    async fn load_file(&self, path: &Path) -> Outcome {
        let started = Instant::now();
        let outcome = match self.try_load(path).await {
            Ok(o) => o,
            Err(error) => {
                let error = error.to_string();
                tracing::error!(file = %path.display(), %error, "plugin not loaded; the serving version (if any) stays");
                self.set_file(path, |f| f.error = Some(error.clone()));
                Outcome::Failed(error)
            }
        };
        if outcome != Outcome::Unchanged {
            self.metrics.reload(outcome.label(), started.elapsed());
        }
        outcome
    }

    async fn try_load(&self, path: &Path) -> Result<Outcome, FileError> {
        let bytes = match tokio::fs::read(path).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(self.unload(path)),
            Err(e) => {
                return Err(LoadError::Read {
                    path: path.to_path_buf(),
                    source: e,
                }
                .into());
            }
        };
        let digest = hex::encode(Sha256::digest(&bytes));
        {
            let st = self.state.lock().unwrap();
            // Same bytes as last time: nothing to do, unless that attempt failed
            // (a pin list or a conflicting file may have changed since).
            if st
                .files
                .get(path)
                .is_some_and(|f| f.digest.as_deref() == Some(digest.as_str()) && f.error.is_none())
            {
                return Ok(Outcome::Unchanged);
            }
            if st.rejected.contains(&digest) {
                drop(st);
                self.set_file(path, |f| f.digest = Some(digest.clone()));
                return Err(FileError::RolledBack(digest[..12].to_string()));
            }
        }
        // Record the digest now: a failure of this content is not retried until it changes.
        self.set_file(path, |f| {
            f.digest = Some(digest.clone());
            f.error = None;
        });
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        pins::check(&self.paths.pins, &stem, &digest)?;
        let (component, cache_hit) = self
            .cache
            .get_or_compile(&self.runtime, &digest, bytes)
            .await?;
        self.metrics.compile_cache(cache_hit);
        let plugin =
            LoadedPlugin::from_component(&self.runtime, component, digest.clone(), path).await?;
        let options = self
            .options
            .get(&plugin.platform)
            .unwrap_or(&self.default_options);
        let plugin = Arc::new(plugin.configure(options));
        let (platform, version) = (plugin.platform.clone(), plugin.version.clone());
        {
            let mut st = self.state.lock().unwrap();
            if let Some(other) = st.slots.get(&platform).filter(|s| s.current.source != path) {
                return Err(FileError::Conflict {
                    platform,
                    other: other.current.source.clone(),
                });
            }
            // The file used to serve another platform: that one goes.
            let old_platform = st
                .files
                .get(path)
                .and_then(|f| f.platform.clone())
                .filter(|p| *p != platform);
            if let Some(p) = old_platform {
                st.slots.remove(&p);
            }
            let previous = st.slots.remove(&platform).map(|s| s.current);
            let probation = previous.is_some();
            st.slots.insert(
                platform.clone(),
                Slot {
                    current: plugin.clone(),
                    previous,
                    probation,
                },
            );
            let f = st
                .files
                .entry(path.to_path_buf())
                .or_insert_with(|| status(path));
            f.platform = Some(platform.clone());
            f.version = Some(version.clone());
            f.updated_at = now();
            self.publish(&st);
            if probation {
                let digest = digest.clone();
                let _ = self.swaps.send(Swapped {
                    platform: platform.clone(),
                    digest,
                });
            }
        }
        tracing::info!(file = %path.display(), %platform, %version, digest = %&digest[..12], cache_hit, "plugin loaded");
        Ok(Outcome::Loaded {
            platform,
            version,
            cache_hit,
        })
    }

    /// Forget a deleted file; its platform stops being served.
    fn unload(&self, path: &Path) -> Outcome {
        let mut st = self.state.lock().unwrap();
        let Some(f) = st.files.remove(path) else {
            return Outcome::Unchanged;
        };
        let Some(platform) = f
            .platform
            .filter(|p| st.slots.get(p).is_some_and(|s| s.current.source == path))
        else {
            return Outcome::Unchanged;
        };
        st.slots.remove(&platform);
        self.publish(&st);
        drop(st);
        tracing::info!(file = %path.display(), %platform, "plugin unloaded (file removed)");
        self.metrics.reload("unloaded", std::time::Duration::ZERO);
        Outcome::Unloaded { platform }
    }

    /// Swap the previous version of `platform` back in and reject the current digest.
    pub fn rollback(&self, platform: &str, reason: &str) -> Result<(), RollbackError> {
        let mut st = self.state.lock().unwrap();
        let slot = st
            .slots
            .get_mut(platform)
            .ok_or_else(|| RollbackError::UnknownPlatform(platform.to_string()))?;
        let previous = slot
            .previous
            .take()
            .ok_or_else(|| RollbackError::NoPrevious(platform.to_string()))?;
        let bad = std::mem::replace(&mut slot.current, previous);
        slot.probation = false;
        let restored = slot.current.version.clone();
        st.rejected.insert(bad.digest.clone());
        if let Some(f) = st.files.get_mut(&bad.source) {
            f.error = Some(format!(
                "version {} ({}) rolled back: {reason}",
                bad.version,
                &bad.digest[..12]
            ));
            f.version = Some(restored.clone());
            f.updated_at = now();
        }
        self.publish(&st);
        drop(st);
        tracing::warn!(%platform, bad_version = %bad.version, bad_digest = %&bad.digest[..12], %restored, %reason, "plugin rolled back");
        self.metrics.rollback(platform);
        Ok(())
    }

    /// Count one parse of `plugin`; may trigger an automatic rollback.
    pub fn record(&self, plugin: &LoadedPlugin, failed: bool) {
        plugin.stats.record(failed);
        let verdict = {
            let mut st = self.state.lock().unwrap();
            let Some(slot) = st.slots.get_mut(&plugin.platform) else {
                return;
            };
            if !slot.probation || slot.current.digest != plugin.digest {
                return;
            }
            let (served, failures) = plugin.stats.get();
            let prev_rate = slot
                .previous
                .as_ref()
                .map(|p| rate(p.stats.get()))
                .unwrap_or(0.0);
            let p = &self.rollback;
            if failures >= p.min_failures && rate((served, failures)) >= prev_rate * p.factor + 0.1
            {
                Some(format!(
                    "{failures} of its first {served} parses failed (predecessor's rate {:.0}%)",
                    prev_rate * 100.0
                ))
            } else {
                if served >= p.window {
                    slot.probation = false;
                }
                None
            }
        };
        if let Some(reason) = verdict {
            let _ = self.rollback(&plugin.platform, &reason);
        }
    }

    fn publish(&self, st: &State) {
        let plugins: Vec<Arc<LoadedPlugin>> =
            st.slots.values().map(|s| s.current.clone()).collect();
        self.metrics.plugins_loaded.set(plugins.len() as i64);
        self.metrics
            .plugin_load_failures
            .set(st.files.values().filter(|f| f.error.is_some()).count() as i64);
        self.table.store(Arc::new(RoutingTable { plugins }));
    }

    fn set_file(&self, path: &Path, f: impl FnOnce(&mut FileStatus)) {
        let mut st = self.state.lock().unwrap();
        let entry = st
            .files
            .entry(path.to_path_buf())
            .or_insert_with(|| status(path));
        f(entry);
        entry.updated_at = now();
        self.metrics
            .plugin_load_failures
            .set(st.files.values().filter(|f| f.error.is_some()).count() as i64);
    }
}

fn rate((served, failed): (u64, u64)) -> f64 {
    if served == 0 {
        0.0
    } else {
        failed as f64 / served as f64
    }
}

fn status(path: &Path) -> FileStatus {
    FileStatus {
        source: path.to_path_buf(),
        digest: None,
        platform: None,
        version: None,
        error: None,
        updated_at: now(),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Is this a plugin file (not a temp file or an editor's swap file)?
pub fn is_plugin_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    !name.starts_with('.')
        && !name.starts_with('~')
        && path.extension().is_some_and(|x| x == "wasm")
}

fn wasm_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_plugin_file(p) && p.is_file())
        .collect();
    out.sort();
    Ok(out)
}
