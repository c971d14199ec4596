//! Hot reload: watch the plugins folder and rescan after a burst of changes
//! settles. Copy tools and editors write in several steps (truncate, write,
//! rename a temp file over); waiting for a quiet `debounce` window means we
//! usually see the finished file, and a half-written one only fails to load
//! (the old version keeps serving) until the next event brings the rest.

use super::{Registry, is_plugin_file};
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Keeps the watch alive; dropping it stops hot reload.
pub struct WatchHandle {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn watch(registry: Arc<Registry>, debounce: Duration) -> notify::Result<WatchHandle> {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let pins = registry.paths.pins.clone();
    let mut watcher =
        notify::recommended_watcher(move |res: notify::Result<notify::Event>| match res {
            Ok(ev) if relevant(&ev, &pins) => {
                let _ = tx.send(());
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "plugin folder watch error"),
        })?;
    watcher.watch(registry.dir(), RecursiveMode::NonRecursive)?;
    tracing::info!(dir = %registry.dir().display(), "watching the plugins folder for changes");
    let task = tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Wait for the burst to settle.
            while let Ok(Some(())) = tokio::time::timeout(debounce, rx.recv()).await {}
            if let Err(e) = registry.rescan().await {
                tracing::error!(dir = %registry.dir().display(), error = %e, "rescanning the plugins folder failed");
            }
        }
    });
    Ok(WatchHandle {
        _watcher: watcher,
        task,
    })
}

fn relevant(ev: &notify::Event, pins: &Path) -> bool {
    matches!(
        ev.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any
    ) && ev.paths.iter().any(|p| is_plugin_file(p) || p == pins)
}
