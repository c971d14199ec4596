//! `grabkit serve`: the HTTP API until SIGINT.

use crate::app::App;
use crate::cli::SettingsArgs;
use std::process::ExitCode;

pub async fn serve(settings: &SettingsArgs) -> anyhow::Result<ExitCode> {
    let settings = settings.resolve()?;
    let app = App::build(&settings).await?;
    let listener = tokio::net::TcpListener::bind(settings.listen).await?;
    tracing::info!(addr = %listener.local_addr()?, "grabkit listening");
    axum::serve(listener, app.router())
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
