//! `grabkit download`: parse, pick, save through the proxy's code, with a progress bar.

use crate::app::build_service;
use crate::config::Settings;
use grabkit_core::Coded;
use std::process::ExitCode;

/// `grabkit download`: parse, plan, then save each file with a progress bar.
pub async fn download(
    url: &str,
    out: &std::path::Path,
    quality: &str,
    quiet: bool,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    use grabkit_media::{Proxy, Signer, merge};
    let service = build_service(settings).await?;
    let post = service
        .route(url)
        .map(|r| r.url.to_string())
        .unwrap_or_else(|_| url.to_string());
    let media = match service.parse(url).await {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error ({}): {e}", e.code());
            return Ok(ExitCode::FAILURE);
        }
    };
    let proxy = Proxy::new(Signer::new(b"local"), service, None, settings.proxy());
    let can_merge = merge::available(&proxy.settings.ffmpeg).await.is_ok();
    let mut jobs = match grabkit_media::download::plan(&media, &post, quality, can_merge) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    std::fs::create_dir_all(out)?;
    for job in &mut jobs {
        let bar = if quiet {
            indicatif::ProgressBar::hidden()
        } else {
            indicatif::ProgressBar::new(0)
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} {bytes}/{total_bytes} {bar:30} {bytes_per_sec} {eta}",
            )
            .expect("a valid template"),
        );
        match grabkit_media::download::save(&proxy, job, out, &bar).await {
            Ok(path) => {
                bar.finish_and_clear();
                println!("{}", path.display());
            }
            Err(e) => {
                bar.abandon();
                eprintln!("error ({}): {e}", e.code());
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
