//! The `grabkit` command. Everything but logging setup lives in the
//! library (`grabkit::commands`), one module per subcommand.

use clap::Parser;
use grabkit::cli::Cli;
use std::io::IsTerminal;
use std::process::ExitCode;

/// jemalloc, not the system allocator: see this crate's Cargo.toml.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    init_logs();
    match grabkit::commands::run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Logs go to stderr: `GRABKIT_LOG` filters them, `GRABKIT_LOG_FORMAT=json`
/// writes one JSON object per line for log shippers, and colour is used
/// only on a terminal without `NO_COLOR`.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GRABKIT_LOG")
        .unwrap_or_else(|_| "info,wasmtime=warn,cranelift=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let json = std::env::var("GRABKIT_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    if json {
        builder.json().init();
    } else {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let ansi = std::io::stderr().is_terminal() && !no_color;
        builder.with_ansi(ansi).init();
    }
}
