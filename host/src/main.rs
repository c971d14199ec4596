use clap::Parser;
use grabkit_host::app::App;
use grabkit_host::cli::{Cli, Command};
use grabkit_host::error::ApiError;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("GRABKIT_LOG").unwrap_or_else(|_| "info,wasmtime=warn,cranelift=warn".into()))
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { settings } => {
            let settings = settings.resolve()?;
            let app = App::build(&settings).await?;
            let listener = tokio::net::TcpListener::bind(settings.listen).await?;
            tracing::info!(addr = %listener.local_addr()?, "grabkit listening");
            axum::serve(listener, app.router()).with_graceful_shutdown(shutdown()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Parse { url, settings } => {
            let app = App::build(&one_shot(&settings)?).await?;
            match app.service.parse(&url).await {
                Ok(media) => {
                    println!("{}", serde_json::to_string_pretty(&media)?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    let api = ApiError::from_parse(&e);
                    eprintln!("error ({}): {e}", api.code_label());
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Plugins { json, settings } => {
            let app = App::build(&one_shot(&settings)?).await?;
            let registry = &app.service.registry;
            let table = registry.table();
            if json {
                println!("{}", serde_json::to_string_pretty(&grabkit_host::api::status_json(&app.state))?);
            } else {
                println!("{:<16} {:<20} {:<8} {:<16} SOURCE", "PLATFORM", "NAME", "VERSION", "DIGEST");
                for p in &table.plugins {
                    println!("{:<16} {:<20} {:<8} {:<16} {}", p.platform, p.name, p.version, &p.digest[..16], p.source.display());
                    println!("    links: {}", p.pattern_sources.join("  "));
                    println!("    hosts: {}", p.effective_hosts().join("  "));
                }
                for f in registry.failures() {
                    println!("FAILED {}: {}", f.source.display(), f.error.unwrap_or_default());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Settings for a command that runs once: no folder watch.
fn one_shot(args: &grabkit_host::cli::SettingsArgs) -> anyhow::Result<grabkit_host::config::Settings> {
    let mut s = args.resolve()?;
    s.reload.watch = false;
    Ok(s)
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
