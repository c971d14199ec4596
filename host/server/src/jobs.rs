//! Batch jobs over HTTP: `/api/v1/jobs…` (create, list, show, cancel, make
//! items urgent, stream events over SSE) and the public `/api/v1/pool`.
//! Field names follow the batch seed (`job_id`, `item_id`, …).

use super::body::RequestError;
use super::extract::{ApiKey, JsonObject, PathParam};
use super::{AppState, ok};
use crate::error::ApiError;
use crate::openapi::schemas::{
    Envelope, JobAccepted, JobList, JobView, Moved, PoolAnswer, PoolPlatform,
};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use grabkit_core::jobs::json::{accepted_json, summary_json};
use grabkit_core::jobs::{ItemRequest, JobRequest, Jobs};
use grabkit_store::jobs::Webhook;
use serde::Deserialize;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

fn invalid(msg: impl Into<String>) -> ApiError {
    RequestError::Invalid(msg.into()).into()
}

fn jobs(state: &AppState) -> Result<&Arc<Jobs>, ApiError> {
    state
        .jobs
        .as_ref()
        .ok_or_else(|| RequestError::NoRoute.into())
}

/// A batch job: up to 10,000 links, parsed in the background.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    items: Vec<ItemBody>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    webhook: Option<WebhookBody>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ItemBody {
    url: String,
    /// Anything; handed back with the item's result.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    meta: Option<Value>,
}

/// https only; called through the sandbox, signed with HMAC over `secret`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct WebhookBody {
    url: String,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    per_item: bool,
}

/// `v` as a `T`, or a `400` naming the field at fault.
fn strict<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            invalid(inner.to_string())
        } else {
            invalid(format!("`{path}`: {inner}"))
        }
    })
}

/// `POST /api/v1/jobs`.
#[utoipa::path(post, path = "/api/v1/jobs", tag = "jobs",
    security(("apiKey" = [])),
    request_body = CreateBody,
    responses(
        (status = 202, description = "Taken; items run in the background", body = Envelope<JobAccepted>),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let jobs = jobs(&state)?;
    let (deadline, cap) = (state.http.body_timeout, super::body::MAX_JOB_BODY_BYTES);
    let v = super::body::read_json_object_capped(&headers, body, deadline, cap).await?;
    let body: CreateBody = strict(v)?;
    if body.kind.as_deref().is_some_and(|k| k != "parse") {
        return Err(invalid("`kind`: only \"parse\" jobs exist"));
    }
    let urgent = match body.priority.as_deref() {
        None | Some("normal") => false,
        Some("urgent") => true,
        Some(_) => return Err(invalid("`priority` must be \"normal\" or \"urgent\"")),
    };
    let req = JobRequest {
        items: body
            .items
            .into_iter()
            .map(|i| ItemRequest {
                url: i.url,
                meta: i.meta,
            })
            .collect(),
        urgent,
        webhook: body.webhook.map(|w| Webhook {
            url: w.url,
            secret: w.secret.filter(|s| !s.is_empty()),
            per_item: w.per_item,
        }),
    };
    let (id, items) = jobs.submit(&key, req).await?;
    let data = accepted_json(&id, &items);
    let body = json!({"status": 202, "data": data, "msg": "accepted"});
    Ok((StatusCode::ACCEPTED, axum::Json(body)).into_response())
}

#[derive(Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/v1/jobs`: the key's jobs, newest first, paged by an opaque cursor.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs",
    security(("apiKey" = [])),
    params(("cursor" = Option<String>, Query, description = "From the previous page"), ("limit" = Option<u32>, Query, description = "1 to 100, default 20")),
    responses(
        (status = 200, description = "The key's jobs, newest first", body = Envelope<JobList>),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let jobs = jobs(&state)?;
    let Query(q) = q.map_err(|e| invalid(e.body_text()))?;
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(invalid("`limit` must be between 1 and 100"));
    }
    let before = match q.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Some(cursor::open(c).ok_or_else(|| invalid("`cursor` is not one we made"))?),
    };
    let page = jobs.list(&key, before.as_deref(), limit + 1).await?;
    let more = page.len() > limit;
    let page = &page[..page.len().min(limit)];
    let next = more
        .then(|| page.last().map(|j| cursor::seal(&j.id)))
        .flatten();
    Ok(ok(json!({
        "jobs": page.iter().map(summary_json).collect::<Vec<_>>(),
        "cursor": next, "has_more": more,
    })))
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    security(("apiKey" = [])),
    params(("id" = String, Path, description = "The job id")),
    responses(
        (status = 200, description = "The job", body = Envelope<JobView>),
    ))]
pub async fn show(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
    PathParam(id): PathParam<String>,
) -> Result<impl IntoResponse, ApiError> {
    let j = jobs(&state)?.job(&key, &id).await?;
    Ok(ok(summary_json(&j)))
}

#[utoipa::path(delete, path = "/api/v1/jobs/{id}", tag = "jobs",
    security(("apiKey" = [])),
    params(("id" = String, Path, description = "The job id")),
    responses(
        (status = 200, description = "Cancelled; queued items will not run", body = Envelope<JobView>),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
    PathParam(id): PathParam<String>,
) -> Result<impl IntoResponse, ApiError> {
    let j = jobs(&state)?.cancel(&key, &id).await?;
    Ok(ok(summary_json(&j)))
}

/// Links of the job's queued items to move to the front.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct UrgentBody {
    urls: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/urgent", tag = "jobs",
    security(("apiKey" = [])),
    params(("id" = String, Path, description = "The job id")),
    request_body = UrgentBody,
    responses(
        (status = 200, description = "How many items moved ahead", body = Envelope<Moved>),
    ))]
pub async fn urgent(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
    PathParam(id): PathParam<String>,
    JsonObject(v): JsonObject,
) -> Result<impl IntoResponse, ApiError> {
    let body: UrgentBody = strict(v)?;
    if body.urls.is_empty() {
        return Err(invalid("`urls` is empty"));
    }
    let moved = jobs(&state)?.urgent(&key, &id, &body.urls).await?;
    Ok(ok(json!({"job_id": id, "moved": moved})))
}

/// `GET /api/v1/jobs/{id}/events`: SSE. Replays what came after
/// `Last-Event-ID` (from the store, so also after a restart), then follows
/// the job live until its `done` event; comment heartbeats in between.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/events", tag = "jobs",
    security(("apiKey" = [])),
    params(("id" = String, Path, description = "The job id")),
    params(("Last-Event-ID" = Option<String>, Header, description = "Resume after this event")),
    responses(
        (status = 200, description = "Server-sent events: one per item, then `done`", content_type = "text/event-stream"),
    ))]
pub async fn events(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
    PathParam(id): PathParam<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let jobs = jobs(&state)?.clone();
    let after = match headers.get("last-event-id") {
        None => 0,
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| invalid("`Last-Event-ID` must be a non-negative event id"))?,
    };
    jobs.job(&key, &id).await?;
    let heartbeat = state.http.sse_heartbeat;
    let mut wake = jobs.subscribe();
    let stream = async_stream(move |tx| async move {
        let mut last = after;
        loop {
            let batch = match jobs.events(&key, &id, last).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "reading job events failed");
                    return;
                }
            };
            let mut finished = false;
            for e in &batch {
                last = e.id;
                finished |= e.kind == "done";
                let ev = Event::default()
                    .id(e.id.to_string())
                    .event(&e.kind)
                    .data(&e.data);
                if tx.send(Ok(ev)).await.is_err() {
                    return;
                }
            }
            if finished {
                return;
            }
            if batch.len() >= 500 {
                continue;
            }
            // Wait until this job's log grows (or a periodic re-check).
            let deadline = tokio::time::sleep(Duration::from_secs(5));
            tokio::pin!(deadline);
            loop {
                tokio::select! {
                    got = wake.recv() => match got {
                        Ok(job) if job == id => break,
                        Ok(_) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                        Err(_) => return,
                    },
                    () = &mut deadline => break,
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(heartbeat).text("heartbeat")))
}

/// A stream fed by a task through a small channel.
fn async_stream<F, Fut>(f: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Event, Infallible>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(f(tx));
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// `GET /api/v1/pool`: public, counts only.
#[utoipa::path(get, path = "/api/v1/pool", tag = "jobs",
    responses(
        (status = 200, description = "Queue figures per platform", body = Envelope<PoolAnswer>),
    ))]
pub async fn pool(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let figures = jobs(&state)?.pool().await?;
    let mut totals = grabkit_core::jobs::PlatformTotals::default();
    for f in figures.values() {
        totals.add(f);
    }
    Ok(ok(json!({"platforms": figures, "totals": totals})))
}

/// `GET /api/v1/pool/{platform}`.
#[utoipa::path(get, path = "/api/v1/pool/{platform}", tag = "jobs",
    params(("platform" = String, Path, description = "Platform id")),
    responses(
        (status = 200, description = "One platform's queue figures", body = Envelope<PoolPlatform>),
    ))]
pub async fn pool_platform(
    State(state): State<AppState>,
    PathParam(platform): PathParam<String>,
) -> Result<impl IntoResponse, ApiError> {
    let figures = jobs(&state)?.pool().await?;
    let known = state.service().registry.table().get(&platform).is_some();
    match figures.get(&platform) {
        Some(f) => Ok(ok(json!({"platform": platform, "figures": f}))),
        None if known => Ok(ok(
            json!({"platform": platform, "figures": grabkit_core::jobs::PlatformFigures::default()}),
        )),
        None => Err(grabkit_core::registry::RollbackError::UnknownPlatform(platform).into()),
    }
}

/// Opaque paging cursors: a job id, sealed so clients do not build them.
mod cursor {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

    pub fn seal(job_id: &str) -> String {
        B64.encode(format!("jobs:{job_id}"))
    }

    pub fn open(c: &str) -> Option<String> {
        let raw = B64.decode(c).ok()?;
        let s = String::from_utf8(raw).ok()?;
        s.strip_prefix("jobs:")
            .map(str::to_string)
            .filter(|id| id.len() <= 128)
    }
}
