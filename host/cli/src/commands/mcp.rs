//! `grabkit mcp`: the MCP tools on stdin/stdout for one desktop agent, as
//! the API key in `GRABKIT_API_KEY` (so the same permissions, rate limit
//! and credits apply as over HTTP). stdout carries only the protocol; logs
//! go to stderr.

use crate::app::App;
use crate::cli::McpArgs;
use grabkit_core::Coded;
use std::process::ExitCode;

pub async fn mcp(args: &McpArgs) -> anyhow::Result<ExitCode> {
    // The key is read from the environment only: a flag would show it in
    // the process list.
    let token = std::env::var("GRABKIT_API_KEY").unwrap_or_default();
    let token = token.trim();
    if token.is_empty() {
        anyhow::bail!(
            "GRABKIT_API_KEY is not set: give `grabkit mcp` an API key \
             (`grabkit keys create --name agent` prints one)"
        );
    }
    let settings = args.resolve()?;
    let app = App::build(&settings).await?;
    let gateway = app.state.gateway.clone();
    if let Err(e) = grabkit_mcp::stdio::check_key(&gateway, token).await {
        anyhow::bail!("GRABKIT_API_KEY is not usable ({}): {e}", e.code());
    }
    tracing::info!(
        plugins = app.service.registry.table().plugins.len(),
        "grabkit MCP on stdio"
    );
    grabkit_mcp::stdio::serve(gateway, app.state.jobs.clone(), token).await?;
    Ok(ExitCode::SUCCESS)
}
