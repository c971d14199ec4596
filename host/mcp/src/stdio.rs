//! The stdio transport (`grabkit mcp`): one client, one API key, MCP on
//! stdin/stdout (logs belong on stderr).

use crate::{Caller, Grabkit};
use grabkit_core::auth::AuthError;
use grabkit_core::gateway::Gateway;
use grabkit_core::jobs::Jobs;
use grabkit_store::Key;
use rmcp::ServiceExt;
use std::sync::Arc;

/// The key behind `token`, checked as an HTTP request's would be; a
/// process started with a bad key should say so at once, not per call.
pub async fn check_key(gateway: &Gateway, token: &str) -> Result<Key, AuthError> {
    let bearer = format!("Bearer {token}");
    gateway.authorize(Some(bearer.as_bytes())).await
}

/// Serve the tools on stdin/stdout until the client closes them.
pub async fn serve(gateway: Gateway, jobs: Option<Arc<Jobs>>, token: &str) -> std::io::Result<()> {
    let tools = Grabkit::new(gateway, jobs, Caller::Token(token.into()));
    let running = tools
        .serve(rmcp::transport::stdio())
        .await
        .map_err(std::io::Error::other)?;
    running.waiting().await.map_err(std::io::Error::other)?;
    Ok(())
}
