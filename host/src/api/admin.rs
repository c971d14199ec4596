//! Admin endpoints: plugin status, forced rescan, rollback. Guarded by the
//! admin token when one is configured.

use super::{AppState, ok};
use crate::error::ApiError;
use crate::registry::RollbackError;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::time::UNIX_EPOCH;

/// `GET /api/v1/plugins`: every serving plugin and every file's last load.
pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(e) = state.auth.admin(&headers) {
        return e.into_response();
    }
    ok(status_json(&state.service)).into_response()
}

/// The same document `grabkit plugins --json` prints.
pub fn status_json(service: &crate::service::ParseService) -> serde_json::Value {
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
                "loadedAt": p.loaded_at.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
                "source": p.source, "urlPatterns": p.pattern_sources, "allowedHosts": p.effective_hosts(),
                "lastLoadError": last_error, "canRollBack": registry.has_previous(&p.platform),
                "parses": served, "pluginFailures": failed,
            })
        })
        .collect();
    let (hits, compiles) = registry.cache_stats();
    json!({"plugins": plugins, "files": files, "compileCache": {"hits": hits, "compiles": compiles}})
}

/// `POST /api/v1/plugins/reload`: rescan the folder now.
pub async fn reload(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(e) = state.auth.admin(&headers) {
        return e.into_response();
    }
    match state.service.registry.rescan().await {
        Ok(_) => ok(status_json(&state.service)).into_response(),
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "plugins_dir_unreadable",
            format!("cannot read the plugins folder: {e}"),
        )
        .into_response(),
    }
}

/// `POST /api/v1/plugins/{platform}/rollback`: back to the previous version.
pub async fn rollback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(platform): Path<String>,
) -> Response {
    if let Err(e) = state.auth.admin(&headers) {
        return e.into_response();
    }
    match state
        .service
        .registry
        .rollback(&platform, "rolled back by an operator")
    {
        Ok(()) => ok(status_json(&state.service)).into_response(),
        Err(e @ RollbackError::UnknownPlatform(_)) => {
            ApiError::new(StatusCode::NOT_FOUND, "unknown_platform", e.to_string()).into_response()
        }
        Err(e @ RollbackError::NoPrevious(_)) => {
            ApiError::new(StatusCode::CONFLICT, "no_previous_version", e.to_string())
                .into_response()
        }
    }
}
