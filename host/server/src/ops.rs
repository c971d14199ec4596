//! Operational endpoints: loaded platforms, health, metrics.

use super::{AppState, ok};
use crate::openapi::schemas::{Envelope, Health, PlatformView};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use grabkit_core::jobs::PlatformFigures;
use grabkit_core::sessions::view::{AccountView, census};
use serde_json::json;

/// `GET /api/v1/platforms`: what is loaded and which links each takes.
#[utoipa::path(get, path = "/api/v1/platforms", tag = "ops",
    responses(
        (status = 200, description = "Loaded platforms, their link forms, capabilities and breaker", body = Envelope<Vec<PlatformView>>),
    ))]
pub async fn platforms(State(state): State<AppState>) -> impl IntoResponse {
    ok(state.service().platforms_json())
}

/// `GET /healthz`: up, with how many plugins serve.
#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses(
        (status = 200, description = "Up", body = Envelope<Health>),
    ))]
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let table = state.service().registry.table();
    ok(
        json!({"healthy": true, "plugins": table.plugins.len(), "loadFailures": state.service().registry.failures().len()}),
    )
}

/// `GET /metrics`: Prometheus text format, the jobs pool's figures too.
#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses(
        (status = 200, description = "Prometheus/OpenMetrics text", content_type = "application/openmetrics-text"),
    ))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut text = state.service().metrics.render();
    if let Some(jobs) = &state.jobs
        && let Ok(pool) = jobs.pool().await
    {
        let body = text
            .trim_end()
            .strip_suffix("# EOF")
            .unwrap_or(&text)
            .to_string();
        text = body + &pool_metrics(&pool) + "# EOF\n";
    }
    let body = text
        .trim_end()
        .strip_suffix("# EOF")
        .unwrap_or(&text)
        .to_string();
    text = body + &breaker_metrics(&state) + &account_metrics(&state) + "# EOF\n";
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
}

/// Each platform's breaker as a gauge (0 closed, 1 half open, 2 open).
fn breaker_metrics(state: &AppState) -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "# HELP grabkit_breaker_state Circuit breaker per platform (0 closed, 1 half open, 2 open).\n\
         # TYPE grabkit_breaker_state gauge\n",
    );
    for p in &state.service().registry.table().plugins {
        let value = match state.service().breaker(&p.platform).0 {
            "open" => 2,
            "half_open" => 1,
            _ => 0,
        };
        let _ = writeln!(
            out,
            "grabkit_breaker_state{{platform=\"{}\"}} {value}",
            p.platform
        );
    }
    out
}

/// One per-account gauge: its name, help, and how to read it.
type AccountGauge = (&'static str, &'static str, fn(&AccountView) -> f64);

/// Accounts per platform and state, and each account's uses and score.
fn account_metrics(state: &AppState) -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "# HELP grabkit_accounts Platform accounts by state \
         (ready, busy, cooling_down, expired, disabled).\n\
         # TYPE grabkit_accounts gauge\n",
    );
    let now = grabkit_core::clock::now();
    let all = state.service().accounts().list(None, now);
    for ((platform, st), n) in census(&all) {
        let _ = writeln!(
            out,
            "grabkit_accounts{{platform=\"{platform}\",state=\"{st}\"}} {n}"
        );
    }
    let per_account: [AccountGauge; 2] = [
        (
            "grabkit_account_uses",
            "Parses run with each account since start.",
            |a| a.health.uses as f64,
        ),
        (
            "grabkit_account_score",
            "Each account's health score (0 to 1).",
            |a| a.health.score,
        ),
    ];
    for (name, help, value) in per_account {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for a in &all {
            let (p, id) = (&a.platform, a.id);
            let _ = writeln!(
                out,
                "{name}{{platform=\"{p}\",account=\"{id}\"}} {}",
                value(a)
            );
        }
    }
    out
}

/// One gauge: its name, help, and how to read it from a platform's figures.
type Gauge = (&'static str, &'static str, fn(&PlatformFigures) -> u64);

/// The `/api/v1/pool` figures as OpenMetrics gauges.
fn pool_metrics(pool: &grabkit_core::jobs::PoolFigures) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let gauges: [Gauge; 4] = [
        ("grabkit_job_items_queued", "Job items waiting", |f| {
            f.queued
        }),
        ("grabkit_job_items_running", "Job items being parsed", |f| {
            f.running
        }),
        (
            "grabkit_job_items_done_5m",
            "Job items done in the last 5 minutes",
            |f| f.done_5m,
        ),
        (
            "grabkit_job_items_failed_5m",
            "Job items failed in the last 5 minutes",
            |f| f.failed_5m,
        ),
    ];
    for (name, help, value) in gauges {
        let _ = writeln!(out, "# HELP {name} {help}.\n# TYPE {name} gauge");
        for (platform, f) in pool {
            let _ = writeln!(out, "{name}{{platform=\"{platform}\"}} {}", value(f));
        }
    }
    out
}
