//! The authoring kit's commands: `plugin new`, `check`, `inspect`.

use super::one_shot;
use crate::cli::RunArgs;
use grabkit_kit::{check, inspect, scaffold};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `grabkit plugin new`.
pub fn new_plugin(
    platform: String,
    dir: PathBuf,
    sdk: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let sdk = sdk.unwrap_or_else(scaffold::default_sdk);
    let c = scaffold::create(&scaffold::NewPlugin { platform, dir, sdk })?;
    let note = if c.in_workspace {
        ", added to the workspace"
    } else {
        ""
    };
    println!("created {} ({}){note}", c.crate_dir.display(), c.package);
    Ok(ExitCode::SUCCESS)
}

/// `grabkit check`: every case, a table; fails when one does (or there are none).
pub async fn check(
    wasm: &Path,
    cases: &Path,
    update: bool,
    settings: &RunArgs,
) -> anyhow::Result<ExitCode> {
    let pipeline = one_shot(settings)?.pipeline()?;
    let outcomes = check::run(wasm, cases, update, &pipeline).await?;
    print!("{}", check::table(&outcomes));
    let passed = outcomes.iter().all(|o| o.passed) && !outcomes.is_empty();
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `grabkit inspect`.
pub async fn inspect(wasm: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let i = inspect::inspect(wasm).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&i)?);
    } else {
        print!("{}", inspect::text(&i));
    }
    Ok(ExitCode::SUCCESS)
}
