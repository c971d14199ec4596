//! `grabkit serve`: the HTTP API until SIGINT or SIGTERM.

use crate::app::App;
use crate::cli::ServeArgs;
use std::process::ExitCode;

pub async fn serve(settings: &ServeArgs) -> anyhow::Result<ExitCode> {
    let settings = settings.resolve()?;
    let app = App::build(&settings).await?;
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|e| anyhow::anyhow!("listening on {}: {e}", settings.listen))?;
    tracing::info!(addr = %listener.local_addr()?, "grabkit listening");
    if settings.proxy.public_url.is_none() {
        tracing::warn!(
            "[proxy] public_url is not set: proxy links are built from each request's Host \
             (and X-Forwarded-* only from [server] trusted_proxies)"
        );
    }
    let limits = settings.connections()?;
    grabkit_server::listen::serve(listener, app.router(), limits, shutdown()).await;
    Ok(ExitCode::SUCCESS)
}

/// SIGINT (Ctrl-C) or SIGTERM (what docker and systemd send).
async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
