//! Operational endpoints: loaded platforms, health, metrics.

use super::{AppState, ok};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::json;

/// `GET /api/v1/platforms`: what is loaded and which links each takes.
pub async fn platforms(State(state): State<AppState>) -> impl IntoResponse {
    let table = state.service().registry.table();
    let list: Vec<_> = table
        .plugins
        .iter()
        .map(|p| json!({"id": p.platform, "plugin": p.name, "version": p.version, "urlPatterns": p.pattern_sources, "allowedHosts": p.effective_hosts()}))
        .collect();
    ok(list)
}

/// `GET /healthz`: up, with how many plugins serve.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let table = state.service().registry.table();
    ok(
        json!({"healthy": true, "plugins": table.plugins.len(), "loadFailures": state.service().registry.failures().len()}),
    )
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.service().metrics.render(),
    )
}
