//! The streamable-HTTP transport, stateless: every POST is one JSON-RPC
//! exchange answered as plain JSON, so nothing is kept between requests
//! and any instance behind a proxy can answer any request.

use crate::{Caller, Grabkit};
use grabkit_core::gateway::Gateway;
use grabkit_core::jobs::Jobs;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::sync::Arc;

/// The tower service to mount (at `/mcp`). The mounting surface must check
/// the request's API key first and put the [`grabkit_store::Key`] in the
/// request's extensions ([`Caller::Http`] reads it from there).
pub type McpService = StreamableHttpService<Grabkit, NeverSessionManager>;

pub fn service(gateway: Gateway, jobs: Option<Arc<Jobs>>) -> McpService {
    let tools = Grabkit::new(gateway, jobs, Caller::Http);
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        // rmcp's Host allowlist guards unauthenticated local servers against
        // DNS rebinding; here every request needs an API key a rebound page
        // cannot send, and operators serve under their own host names.
        .disable_allowed_hosts();
    StreamableHttpService::new(
        move || Ok(tools.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    )
}
