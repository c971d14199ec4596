//! grabkit's HTTP surface (axum). Every answer, errors included, is the
//! Easydown envelope `{"status","data","msg"[,"code"]}`; nothing falls
//! through to a framework's plain-text error. Handlers stay thin: the work
//! is in `grabkit-core` (the gateway) and `grabkit-media` (the proxy), and
//! failures become answers in one place, [`error`].

mod accounts;
mod admin;
mod body;
mod console;
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
pub mod openapi;
mod ops;
mod origin;
mod parse;

use axum::Router;
use error::ApiError;
use grabkit_core::auth::Auth;
use grabkit_core::gateway::Gateway;
use grabkit_core::service::ParseService;
use grabkit_media::Proxy;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

/// The whole HTTP surface. Each route is registered together with its
/// OpenAPI operation (`routes!` reads the handler's `#[utoipa::path]`), so
/// the document at `/openapi.json` cannot leave one out.
pub fn router(state: AppState) -> Router {
    let (api, derived) = api().split_for_parts();
    let doc = openapi::document(derived);
    let served = openapi::Served(Arc::new(
        serde_json::to_vec(&doc).unwrap_or_default().into(),
    ));
    api.layer(axum::Extension(served))
        .nest_service("/mcp", mcp::service(state.clone()))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(axum::middleware::from_fn(layers::answer_headers))
        .with_state(state)
}

/// The OpenAPI document the router serves (for tests and tools).
pub fn openapi_document() -> serde_json::Value {
    openapi::document(api().split_for_parts().1)
}

/// Every documented route, each with its operation.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(parse::parse))
        .routes(routes!(parse::match_url))
        .routes(routes!(parse::usage))
        .routes(routes!(data::comments))
        .routes(routes!(data::replies))
        .routes(routes!(data::profile))
        .routes(routes!(data::posts))
        .routes(routes!(data::search))
        .routes(routes!(data::live))
        .routes(routes!(feeds::create, feeds::list))
        .routes(routes!(feeds::revoke))
        .routes(routes!(feeds::feed))
        .routes(routes!(feeds::media))
        .routes(routes!(jobs::create, jobs::list))
        .routes(routes!(jobs::show, jobs::cancel))
        .routes(routes!(jobs::urgent))
        .routes(routes!(jobs::events))
        .routes(routes!(jobs::pool))
        .routes(routes!(jobs::pool_platform))
        .routes(routes!(ops::platforms))
        .routes(routes!(keys::create, keys::list))
        .routes(routes!(keys::get, keys::edit, keys::delete))
        .routes(routes!(keys::reset))
        .routes(routes!(keys::credits))
        .routes(routes!(accounts::import, accounts::list))
        .routes(routes!(accounts::get, accounts::change, accounts::remove))
        .routes(routes!(accounts::check))
        .routes(routes!(admin::list))
        .routes(routes!(admin::reload))
        .routes(routes!(admin::rollback))
        .routes(routes!(media::file, media::preflight))
        .routes(routes!(media::merged, media::preflight_merged))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::metrics))
        .routes(routes!(openapi::openapi_json))
        .routes(routes!(openapi::docs::page))
        .routes(routes!(console::admin))
        .routes(routes!(console::root))
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
