//! `grabkit parse`: one link, printed as the unified media (or its error code).

use super::one_shot;
use crate::app::build_service;
use crate::cli::RunArgs;
use grabkit_core::Coded;
use std::process::ExitCode;

/// `grabkit parse`, optionally recording into or replaying from a case folder.
pub async fn parse(
    url: &str,
    record: Option<std::path::PathBuf>,
    args: &RunArgs,
) -> anyhow::Result<ExitCode> {
    use grabkit_egress::TapeMode;
    let mut settings = one_shot(args)?;
    match (&record, &mut settings.tape) {
        (Some(dir), _) => settings.tape = Some(TapeMode::Record(dir.join("cassette"))),
        // A one-shot replay is strict: each recorded exchange answers once.
        (None, Some(TapeMode::Replay(r))) => r.repeat = false,
        _ => {}
    }
    let service = build_service(&settings).await?;
    let result = service.parse(url).await;
    if let Some(dir) = &record {
        let case = dir.join("case.json");
        if !case.exists() {
            std::fs::write(
                &case,
                serde_json::to_string_pretty(&serde_json::json!({"url": url}))? + "\n",
            )?;
        }
        eprintln!("recorded into {} (secrets redacted)", dir.display());
    }
    let misses = service.sandbox.cassette_misses();
    for m in &misses {
        eprintln!("error (cassette): no recorded answer for {m}");
    }
    let ok = result.is_ok() && misses.is_empty();
    match result {
        Ok(media) => println!("{}", serde_json::to_string_pretty(&media)?),
        Err(e) => {
            eprintln!("error ({}): {e}", e.code());
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
