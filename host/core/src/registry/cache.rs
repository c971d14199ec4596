//! Compiled-artifact cache on disk: `<dir>/<digest>-<engine fingerprint>.cwasm`.
//! A restart or reload of a known digest deserializes instead of compiling;
//! the fingerprint (wasmtime version, target, engine settings) keeps an
//! artifact from ever meeting an engine it was not made for.

use grabkit_runtime::{LoadError, Runtime, compile};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::component::Component;

pub struct CompileCache {
    dir: Option<PathBuf>,
    fingerprint: String,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

/// Feeds `Hash` output into sha256, for a fingerprint stable across runs.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

impl CompileCache {
    /// `dir: None` disables the disk cache (every load compiles).
    pub fn new(runtime: &Runtime, dir: Option<PathBuf>) -> Self {
        let mut h = ShaHasher(Sha256::new());
        runtime.engine.precompile_compatibility_hash().hash(&mut h);
        let fingerprint = hex::encode(&h.0.finalize()[..8]);
        if let Some(d) = &dir
            && let Err(e) = std::fs::create_dir_all(d)
        {
            tracing::warn!(dir = %d.display(), error = %e, "compiled-plugin cache disabled");
            return CompileCache {
                dir: None,
                fingerprint,
                hits: AtomicU64::new(0),
                misses: AtomicU64::new(0),
            };
        }
        CompileCache {
            dir,
            fingerprint,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The component for these bytes: from the cache when present, else
    /// compiled (and stored). Returns whether it was a cache hit.
    pub async fn get_or_compile(
        &self,
        runtime: &Runtime,
        digest: &str,
        bytes: Vec<u8>,
    ) -> Result<(Component, bool), LoadError> {
        let path = self
            .dir
            .as_ref()
            .map(|d| d.join(format!("{digest}-{}.cwasm", self.fingerprint)));
        if let Some(p) = path.as_ref().filter(|p| p.exists()) {
            // SAFETY: the file is one this host serialized into its own cache
            // directory under this exact engine fingerprint.
            match unsafe { Component::deserialize_file(&runtime.engine, p) } {
                Ok(c) => {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    return Ok((c, true));
                }
                Err(e) => {
                    tracing::warn!(file = %p.display(), error = %format!("{e:#}"), "cached artifact unusable; recompiling")
                }
            }
        }
        let component = compile(runtime, bytes).await?;
        self.misses.fetch_add(1, Ordering::Relaxed);
        if let Some(p) = path {
            match component.serialize() {
                Ok(art) => {
                    let tmp = p.with_extension("tmp");
                    if let Err(e) =
                        std::fs::write(&tmp, art).and_then(|_| std::fs::rename(&tmp, &p))
                    {
                        tracing::warn!(file = %p.display(), error = %e, "could not store the compiled plugin");
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "could not serialize the compiled plugin")
                }
            }
        }
        Ok((component, false))
    }
}
