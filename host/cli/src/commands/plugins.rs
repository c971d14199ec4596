//! `grabkit plugins`: what the plugins folder loads to, as a table or JSON.

use super::one_shot;
use crate::app::build_service;
use crate::cli::RunArgs;
use std::process::ExitCode;

pub async fn plugins(json: bool, settings: &RunArgs) -> anyhow::Result<ExitCode> {
    let service = build_service(&one_shot(settings)?).await?;
    let registry = &service.registry;
    let table = registry.table();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&grabkit_server::status_json(&service))?
        );
    } else {
        println!(
            "{:<16} {:<20} {:<8} {:<16} SOURCE",
            "PLATFORM", "NAME", "VERSION", "DIGEST"
        );
        for p in &table.plugins {
            println!(
                "{:<16} {:<20} {:<8} {:<16} {}",
                p.platform,
                p.name,
                p.version,
                &p.digest[..16],
                p.source.display()
            );
            println!("    links: {}", p.pattern_sources.join("  "));
            println!("    hosts: {}", p.effective_hosts().join("  "));
            println!("    media: {}", p.media_hosts.join("  "));
        }
        for f in registry.failures() {
            println!(
                "FAILED {}: {}",
                f.source.display(),
                f.error.unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
