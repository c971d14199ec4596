//! One module per subcommand; [`run`] dispatches.

mod accounts;
mod download;
mod keys;
mod kit;
mod mcp;
mod parse;
mod plugins;
mod serve;

use crate::cli::{Cli, Command, PluginCommand, RunArgs};
use crate::config::Settings;
use std::process::ExitCode;

/// Run the command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { settings } => serve::serve(&settings).await,
        Command::Parse {
            url,
            record,
            settings,
        } => parse::parse(&url, record, &settings).await,
        Command::Plugin {
            action: PluginCommand::New { platform, dir, sdk },
        } => kit::new_plugin(platform, dir, sdk),
        Command::Check {
            wasm,
            cases,
            update,
            settings,
        } => kit::check(&wasm, &cases, update, &settings).await,
        Command::Inspect { wasm, json } => kit::inspect(&wasm, json).await,
        Command::Download {
            url,
            out,
            quality,
            quiet,
            settings,
        } => download::download(&url, &out, &quality, quiet, &one_shot(&settings)?).await,
        Command::Keys { action, settings } => keys::keys(action, &settings.resolve()?).await,
        Command::Plugins { json, settings } => plugins::plugins(json, &settings).await,
        Command::Mcp { settings } => mcp::mcp(&settings).await,
        Command::Accounts { action, settings } => accounts::accounts(action, &settings).await,
    }
}

/// Settings for a command that runs once (see [`RunArgs`]).
fn one_shot(args: &RunArgs) -> anyhow::Result<Settings> {
    Ok(args.resolve()?)
}
