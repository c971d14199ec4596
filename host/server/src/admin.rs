//! Admin endpoints: plugin status, forced rescan, rollback. Guarded by the
//! admin token when one is configured.

use super::body::RequestError;
use super::extract::{AdminToken, PathParam};
use super::{AppState, ok};
use crate::error::ApiError;
use crate::openapi::schemas::{Envelope, PluginsAnswer};
use axum::extract::State;
use axum::response::IntoResponse;
use serde_json::json;
use std::time::UNIX_EPOCH;

/// `GET /api/v1/plugins`: every serving plugin and every file's last load.
#[utoipa::path(get, path = "/api/v1/plugins", tag = "admin",
    security(("adminToken" = [])),
    responses(
        (status = 200, description = "Serving plugins and every file's last load", body = Envelope<PluginsAnswer>),
    ))]
pub async fn list(State(state): State<AppState>, _: AdminToken) -> impl IntoResponse {
    ok(status_json(state.service()))
}

/// The same document `grabkit plugins --json` prints.
pub fn status_json(service: &grabkit_core::service::ParseService) -> serde_json::Value {
    let registry = &service.registry;
    let files = registry.files();
    let table = registry.table();
    let plugins: Vec<_> = table
        .plugins
        .iter()
        .map(|p| {
            let (served, failed) = p.stats.get();
            let last_error = files.iter().find(|f| f.source == p.source).and_then(|f| f.error.clone());
            json!({
                "name": p.name, "version": p.version, "platform": p.platform, "digest": p.digest,
                "contract": p.contract.to_string(),
                "loadedAt": loaded_at(p.loaded_at),
                "source": p.source, "urlPatterns": p.pattern_sources, "allowedHosts": p.effective_hosts(),
                "lastLoadError": last_error, "canRollBack": registry.has_previous(&p.platform),
                "parses": served, "pluginFailures": failed,
            })
        })
        .collect();
    let (hits, compiles) = registry.cache_stats();
    json!({"plugins": plugins, "files": files, "compileCache": {"hits": hits, "compiles": compiles}})
}

/// When a plugin was loaded, as RFC 3339.
fn loaded_at(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    grabkit_core::clock::format_time(secs as i64)
}

/// `POST /api/v1/plugins/reload`: rescan the folder now.
#[utoipa::path(post, path = "/api/v1/plugins/reload", tag = "admin",
    security(("adminToken" = [])),
    responses(
        (status = 200, description = "Rescanned; the status after", body = Envelope<PluginsAnswer>),
    ))]
pub async fn reload(
    State(state): State<AppState>,
    _: AdminToken,
) -> Result<impl IntoResponse, ApiError> {
    let service = state.service();
    let rescan = service.registry.rescan().await;
    rescan.map_err(|e| RequestError::PluginsDirUnreadable(e.to_string()))?;
    Ok(ok(status_json(service)))
}

/// `POST /api/v1/plugins/{platform}/rollback`: back to the previous version.
#[utoipa::path(post, path = "/api/v1/plugins/{platform}/rollback", tag = "admin",
    security(("adminToken" = [])),
    params(("platform" = String, Path, description = "Platform id")),
    responses(
        (status = 200, description = "Rolled back; the status after", body = Envelope<PluginsAnswer>),
    ))]
pub async fn rollback(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(platform): PathParam<String>,
) -> Result<impl IntoResponse, ApiError> {
    let service = state.service();
    let why = "rolled back by an operator";
    service.registry.rollback(&platform, why)?;
    Ok(ok(status_json(service)))
}
