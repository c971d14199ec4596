//! `/mcp`: grabkit's MCP tools over streamable HTTP (`grabkit-mcp`), behind
//! the same API-key check as every key endpoint: a request without a
//! valid key is refused in our envelope before MCP sees it.

use crate::AppState;
use crate::extract::ApiKey;
use axum::Router;
use axum::extract::Request;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;

/// The MCP service, keyed.
pub fn service(state: AppState) -> Router {
    let mcp = grabkit_mcp::http::service(state.gateway.clone(), state.jobs.clone());
    Router::new()
        .fallback_service(mcp)
        .layer(from_fn_with_state(state, with_key))
}

/// Check the key (and its rate limit) once per HTTP request and hand it to
/// the tools through the request's extensions.
async fn with_key(ApiKey(key): ApiKey, mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(key);
    next.run(req).await
}
