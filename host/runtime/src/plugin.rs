//! One loaded plugin: its compiled component, checked against the contract,
//! its self-description (read once), pre-linked for fast instantiation.

use super::Runtime;
use super::bindings::{
    self, CapabilityKind, ContractVersion, EXTRACTOR, LATEST, PluginPre, VERSIONS,
};
use super::state::{PluginContext, RequestState};
use grabkit_egress::HostPolicy;
use grabkit_urlkit::{PatternSet, host_matches};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;
use tokio::sync::Semaphore;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

/// Interfaces a plugin may import: ours, and what a Rust guest's std uses.
/// No sockets, no wasi:http: the `http` import is the only way out.
const IMPORT_PREFIXES: &[&str] = &[
    "grabkit:plugin/",
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:cli/",
    "wasi:filesystem/",
];

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("not a valid WebAssembly component: {0}")]
    Invalid(String),
    #[error(
        "does not export `{latest}` or another contract this host speaks ({spoken}) (exports: {0})",
        latest = LATEST.export_name(),
        spoken = spoken()
    )]
    WrongContract(String),
    #[error("imports `{0}`, which plugins may not use")]
    ForbiddenImport(String),
    #[error("instantiating to read its description failed: {0}")]
    Describe(String),
    #[error("invalid self-description: {0}")]
    BadDescriptor(String),
}

/// Operator settings for one plugin.
#[derive(Debug, Clone, Default)]
pub struct PluginOptions {
    /// Narrows the declared hosts (never widens); empty = as declared.
    pub allowed_hosts: Vec<String>,
    /// Read-only values the plugin sees through `config`.
    pub config: BTreeMap<String, String>,
    /// Concurrent parses of this plugin.
    pub max_concurrency: usize,
}

pub struct LoadedPlugin {
    pub name: String,
    pub version: String,
    pub platform: String,
    pub url_patterns: PatternSet,
    pub pattern_sources: Vec<String>,
    pub declared_hosts: Vec<String>,
    pub insecure_hosts: Vec<String>,
    pub download_headers: Vec<(String, String)>,
    /// Where the plugin's media lives (the download proxy's allowlist).
    pub media_hosts: Vec<String>,
    pub digest: String,
    pub source: PathBuf,
    pub loaded_at: SystemTime,
    pub(super) pre: PluginPre,
    /// The contract version the plugin was built against.
    pub contract: ContractVersion,
    /// What it offers beyond `parse` (declared and exported), in contract order.
    pub capabilities: Vec<Capability>,
    pub context: Arc<PluginContext>,
    pub permits: Semaphore,
    /// How this version has fared (drives automatic rollback).
    pub stats: VersionStats,
}

/// One capability a plugin offers, with the links it takes.
pub struct Capability {
    pub kind: CapabilityKind,
    pub patterns: PatternSet,
    /// The patterns as declared (for listings).
    pub pattern_sources: Vec<String>,
}

impl Capability {
    /// The capability's name in the API and listings.
    pub fn name(&self) -> &'static str {
        capability_name(self.kind)
    }
}

/// `comments`, `profile`, ... as the API spells them.
pub fn capability_name(kind: CapabilityKind) -> &'static str {
    match kind {
        CapabilityKind::Comments => "comments",
        CapabilityKind::Profile => "profile",
        CapabilityKind::Posts => "posts",
        CapabilityKind::Search => "search",
        CapabilityKind::Live => "live",
    }
}

impl LoadedPlugin {
    /// The capability `kind`, when the plugin offers it.
    pub fn capability(&self, kind: CapabilityKind) -> Option<&Capability> {
        self.capabilities.iter().find(|c| c.kind == kind)
    }
}

/// Parses served and failed by one loaded version. "Failed" means the
/// plugin itself misbehaved (trap, memory, bad output, parse-failed), not
/// that the platform said no.
#[derive(Debug, Default)]
pub struct VersionStats {
    pub served: std::sync::atomic::AtomicU64,
    pub failed: std::sync::atomic::AtomicU64,
}

impl VersionStats {
    pub fn record(&self, failed: bool) {
        use std::sync::atomic::Ordering::Relaxed;
        self.served.fetch_add(1, Relaxed);
        if failed {
            self.failed.fetch_add(1, Relaxed);
        }
    }

    /// (served, failed)
    pub fn get(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.served.load(Relaxed), self.failed.load(Relaxed))
    }
}

/// Compile wasm bytes to a component, off the async workers (CPU-bound).
pub async fn compile(runtime: &Runtime, bytes: Vec<u8>) -> Result<Component, LoadError> {
    let engine = runtime.engine.clone();
    tokio::task::spawn_blocking(move || Component::new(&engine, &bytes))
        .await
        .map_err(|e| LoadError::Invalid(e.to_string()))?
        .map_err(|e| LoadError::Invalid(format!("{e:#}")))
}

impl LoadedPlugin {
    /// Read, verify, compile and describe the plugin at `path`.
    pub async fn load(runtime: &Runtime, path: &Path) -> Result<Self, LoadError> {
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|source| LoadError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        Self::from_bytes(runtime, &bytes, path).await
    }

    /// Compile and describe (no cache; the registry adds one).
    pub async fn from_bytes(
        runtime: &Runtime,
        bytes: &[u8],
        path: &Path,
    ) -> Result<Self, LoadError> {
        let digest = hex::encode(Sha256::digest(bytes));
        let component = compile(runtime, bytes.to_vec()).await?;
        Self::from_component(runtime, component, digest, path).await
    }

    /// Check a compiled component against the contract, describe it, pre-link it.
    pub async fn from_component(
        runtime: &Runtime,
        component: Component,
        digest: String,
        path: &Path,
    ) -> Result<Self, LoadError> {
        let contract = check_interfaces(runtime, &component)?;
        let pre = runtime
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Invalid(format!("{e:#}")))?;
        let pre = PluginPre::new(contract, pre)
            .map_err(|e| LoadError::WrongContract(format!("{e:#}")))?;

        let d = describe(runtime, &pre).await?;
        let url_patterns = PatternSet::parse(&d.url_patterns)
            .map_err(|e| LoadError::BadDescriptor(e.to_string()))?;
        validate(&d)?;
        let capabilities = capabilities(&d, &pre)?;
        let download_headers = d
            .download_headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect();
        let context = Arc::new(PluginContext {
            platform: d.platform.clone(),
            policy: HostPolicy::new(
                d.allowed_hosts.clone(),
                Vec::new(),
                d.insecure_hosts.clone(),
            ),
            config: BTreeMap::new(),
        });
        Ok(LoadedPlugin {
            name: d.name,
            version: d.version,
            platform: d.platform,
            url_patterns,
            pattern_sources: d.url_patterns,
            declared_hosts: d.allowed_hosts,
            download_headers,
            media_hosts: d.media_hosts,
            digest,
            source: path.to_path_buf(),
            loaded_at: SystemTime::now(),
            pre,
            contract,
            capabilities,
            context,
            insecure_hosts: d.insecure_hosts,
            permits: Semaphore::new(1),
            stats: VersionStats::default(),
        })
    }

    /// Apply the operator's settings for this plugin.
    pub fn configure(mut self, options: &PluginOptions) -> Self {
        self.context = Arc::new(PluginContext {
            platform: self.platform.clone(),
            policy: HostPolicy::new(
                self.declared_hosts.clone(),
                options.allowed_hosts.clone(),
                self.insecure_hosts.clone(),
            ),
            config: options.config.clone(),
        });
        self.permits = Semaphore::new(options.max_concurrency.max(1));
        self
    }

    /// What the download proxy may fetch for this plugin's media: its media
    /// hosts and its API hosts (never narrowed by the API allowlist: a CDN is
    /// not an API host), https only.
    pub fn media_policy(&self) -> HostPolicy {
        let hosts = self
            .media_hosts
            .iter()
            .chain(&self.declared_hosts)
            .cloned()
            .collect();
        HostPolicy::new(hosts, Vec::new(), Vec::new())
    }

    /// The hosts the plugin may reach after the operator's narrowing.
    pub fn effective_hosts(&self) -> Vec<String> {
        self.context.policy.effective()
    }
}

/// The contract versions this host speaks, for messages.
fn spoken() -> String {
    let v: Vec<String> = VERSIONS.iter().map(|v| v.to_string()).collect();
    v.join(", ")
}

/// The host version that serves this component's `extractor` export.
fn contract_of(exports: &[String]) -> Option<ContractVersion> {
    exports.iter().find_map(|n| {
        let version = n.strip_prefix(EXTRACTOR)?.strip_prefix('@')?;
        ContractVersion::parse(version)?.served_by()
    })
}

/// Check exports (a contract we speak) and imports (only the allowed
/// interfaces); returns the contract version to bind with.
fn check_interfaces(
    runtime: &Runtime,
    component: &Component,
) -> Result<ContractVersion, LoadError> {
    let ty = component.component_type();
    let exports: Vec<String> = ty
        .exports(&runtime.engine)
        .map(|(n, _)| n.to_string())
        .collect();
    let Some(contract) = contract_of(&exports) else {
        return Err(LoadError::WrongContract(if exports.is_empty() {
            "none".into()
        } else {
            exports.join(", ")
        }));
    };
    for (name, item) in ty.imports(&runtime.engine) {
        let ok = matches!(item.ty, ComponentItem::ComponentInstance(_))
            && IMPORT_PREFIXES.iter().any(|p| name.starts_with(p));
        if !ok {
            return Err(LoadError::ForbiddenImport(name.to_string()));
        }
    }
    Ok(contract)
}

async fn describe(runtime: &Runtime, pre: &PluginPre) -> Result<bindings::Descriptor, LoadError> {
    let probe = Arc::new(PluginContext {
        platform: "(loading)".into(),
        policy: HostPolicy::default(),
        config: BTreeMap::new(),
    });
    let sandbox = grabkit_egress::Sandbox::new(Default::default())
        .map_err(|e| LoadError::Describe(e.to_string()))?;
    let state = RequestState::new(
        probe,
        sandbox,
        Arc::new(grabkit_store::MemoryKv::default()),
        runtime.settings.memory_bytes,
        "describe".into(),
        None,
    );
    let mut store = wasmtime::Store::new(&runtime.engine, state);
    store.limiter(|s| &mut s.limiter);
    store.set_epoch_deadline(runtime.deadline_ticks());
    store.epoch_deadline_trap();
    let call = pre.describe(&mut store);
    match tokio::time::timeout(runtime.settings.deadline, call).await {
        Ok(Ok(d)) => Ok(d),
        Ok(Err(e)) => Err(LoadError::Describe(format!("{e:#}"))),
        Err(_) => Err(LoadError::Describe("timed out".into())),
    }
}

/// The declared capabilities, each checked against the exports. A plugin
/// may export an interface it does not declare (the SDK exports them all);
/// declaring one it does not export is a broken build.
fn capabilities(d: &bindings::Descriptor, pre: &PluginPre) -> Result<Vec<Capability>, LoadError> {
    let exported = pre.exported();
    let mut out: Vec<Capability> = Vec::new();
    for c in &d.capabilities {
        let name = capability_name(c.kind);
        if !exported.contains(&c.kind) {
            return Err(LoadError::BadDescriptor(format!(
                "declares the `{name}` capability but does not export its interface"
            )));
        }
        if out.iter().any(|o| o.kind == c.kind) {
            return Err(LoadError::BadDescriptor(format!(
                "declares the `{name}` capability twice"
            )));
        }
        // Comments take the post links unless the plugin narrows them.
        let sources = if c.url_patterns.is_empty() && c.kind == CapabilityKind::Comments {
            d.url_patterns.clone()
        } else {
            c.url_patterns.clone()
        };
        let patterns = PatternSet::parse(&sources)
            .map_err(|e| LoadError::BadDescriptor(format!("`{name}` patterns: {e}")))?;
        out.push(Capability {
            kind: c.kind,
            patterns,
            pattern_sources: sources,
        });
    }
    out.sort_by_key(|c| c.kind as u8);
    Ok(out)
}

fn validate(d: &bindings::Descriptor) -> Result<(), LoadError> {
    let bad = |m: String| Err(LoadError::BadDescriptor(m));
    if d.platform.is_empty()
        || !d
            .platform
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return bad(format!(
            "platform id `{}` must be lowercase letters, digits or `_`",
            d.platform
        ));
    }
    if d.name.trim().is_empty() || d.version.trim().is_empty() {
        return bad("name and version are required".into());
    }
    if d.url_patterns.is_empty() {
        return bad("no url-patterns".into());
    }
    for h in d.allowed_hosts.iter().chain(&d.media_hosts) {
        let bare = h.strip_prefix("*.").unwrap_or(h);
        if bare.is_empty()
            || !bare.contains('.') && bare != "localhost"
            || !bare
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return bad(format!("host `{h}` is not a host name or `*.domain`"));
        }
    }
    for h in &d.insecure_hosts {
        if !d
            .allowed_hosts
            .iter()
            .any(|a| host_matches(a, h.trim_start_matches("*.")))
        {
            return bad(format!(
                "insecure host `{h}` is not among the allowed hosts"
            ));
        }
    }
    Ok(())
}
