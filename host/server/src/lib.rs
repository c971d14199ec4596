//! grabkit's HTTP surface (axum). Every answer, errors included, is the
//! Easydown envelope `{"status","data","msg"[,"code"]}`; nothing falls
//! through to a framework's plain-text error. Handlers stay thin: the work
//! is in `grabkit-core` (the gateway) and `grabkit-media` (the proxy), and
//! failures become answers in one place, [`error`].

mod admin;
mod body;
mod data;
pub mod error;
mod extract;
mod feeds;
mod jobs;
mod keys;
mod layers;
pub mod listen;
mod mcp;
mod media;
mod ops;
mod origin;
mod parse;

use axum::Router;
use axum::routing::{delete, get, post};
use error::ApiError;
use grabkit_core::auth::Auth;
use grabkit_core::gateway::Gateway;
use grabkit_core::service::ParseService;
use grabkit_media::Proxy;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// Shared by all handlers.
#[derive(Clone)]
pub struct AppState {
    /// Keys, credits and the parse service.
    pub gateway: Gateway,
    /// Signs media links and serves them.
    pub proxy: Arc<Proxy>,
    pub http: Arc<HttpSettings>,
    /// Batch jobs (absent where a surface runs without them).
    pub jobs: Option<Arc<grabkit_core::jobs::Jobs>>,
    /// Feed tokens and feeds (absent where a surface runs without them).
    pub feeds: Option<Arc<grabkit_core::feeds::Feeds>>,
}

/// Request-level settings (`[server]` in the config file).
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// A request body must arrive whole within this.
    pub body_timeout: Duration,
    /// Peers whose `X-Forwarded-Proto`/`X-Forwarded-Host` are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How often an idle SSE stream gets a comment heartbeat.
    pub sse_heartbeat: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            body_timeout: Duration::from_secs(30),
            trusted_proxies: Vec::new(),
            sse_heartbeat: Duration::from_secs(15),
        }
    }
}

impl AppState {
    pub fn service(&self) -> &Arc<ParseService> {
        &self.gateway.service
    }

    pub fn auth(&self) -> &Arc<Auth> {
        &self.gateway.auth
    }
}

pub use admin::status_json;
pub use body::RequestError;
pub use origin::parse_trusted;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/api/v1/parse",
            post(parse::parse).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/match",
            post(parse::match_url).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/comments",
            post(data::comments).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/comments/replies",
            post(data::replies).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/profile",
            post(data::profile).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/posts",
            post(data::posts).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/search",
            post(data::search).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/live",
            post(data::live).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/feed-tokens",
            post(feeds::create)
                .get(feeds::list)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v1/feed-tokens/{id}",
            delete(feeds::revoke).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/feeds/{platform}",
            get(feeds::feed).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/feeds/{platform}/media",
            get(feeds::media).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/usage",
            get(parse::usage).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/jobs",
            post(jobs::create)
                .get(jobs::list)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v1/jobs/{id}",
            get(jobs::show)
                .delete(jobs::cancel)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v1/jobs/{id}/urgent",
            post(jobs::urgent).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/jobs/{id}/events",
            get(jobs::events).fallback(method_not_allowed),
        )
        .route("/api/v1/pool", get(jobs::pool).fallback(method_not_allowed))
        .route(
            "/api/v1/pool/{platform}",
            get(jobs::pool_platform).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/platforms",
            get(ops::platforms).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/admin/keys",
            post(keys::create)
                .get(keys::list)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v1/admin/keys/{id}",
            get(keys::get)
                .patch(keys::edit)
                .delete(keys::delete)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v1/admin/keys/{id}/reset",
            post(keys::reset).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/admin/keys/{id}/credits",
            post(keys::credits).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/plugins",
            get(admin::list).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/plugins/reload",
            post(admin::reload).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/plugins/{platform}/rollback",
            post(admin::rollback).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/media/{token}",
            get(media::file)
                .head(media::file)
                .options(media::preflight)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v1/media/{token}/merged",
            get(media::merged)
                .head(media::merged)
                .options(media::preflight)
                .fallback(method_not_allowed),
        )
        .route("/healthz", get(ops::healthz).fallback(method_not_allowed))
        .route("/metrics", get(ops::metrics).fallback(method_not_allowed))
        .nest_service("/mcp", mcp::service(state.clone()))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(layers::answer_headers))
        .with_state(state)
}

/// A success envelope.
pub fn ok<T: Serialize>(data: T) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": 200, "data": data, "msg": "success"}))
}

async fn not_found() -> ApiError {
    RequestError::NoRoute.into()
}

async fn method_not_allowed() -> ApiError {
    RequestError::MethodNotAllowed.into()
}
