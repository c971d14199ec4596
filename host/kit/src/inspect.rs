//! `grabkit inspect`: what a plugin file is, from its component type and
//! its self-description (only `describe` runs, in the sandbox; no parse,
//! no network).

use grabkit_runtime::{LoadedPlugin, Runtime, RuntimeSettings, compile};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    pub file: String,
    pub size: u64,
    pub sha256: String,
    /// The contract the component exports (the export's full name).
    pub contract: String,
    pub name: String,
    pub version: String,
    pub platform: String,
    pub url_patterns: Vec<String>,
    pub allowed_hosts: Vec<String>,
    pub insecure_hosts: Vec<String>,
    pub media_hosts: Vec<String>,
    pub download_headers: Vec<(String, String)>,
    /// What it offers beyond parse, each with the links it takes.
    pub capabilities: Vec<CapabilityInfo>,
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityInfo {
    pub name: String,
    pub url_patterns: Vec<String>,
}

pub async fn inspect(path: &Path) -> anyhow::Result<Inspection> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    let runtime = Runtime::new(RuntimeSettings::default())?;
    let component = compile(&runtime, bytes.clone()).await?;
    let ty = component.component_type();
    let imports = ty
        .imports(&runtime.engine)
        .map(|(n, _)| n.to_string())
        .collect();
    let exports: Vec<String> = ty
        .exports(&runtime.engine)
        .map(|(n, _)| n.to_string())
        .collect();
    let p = LoadedPlugin::from_component(
        &runtime,
        component,
        hex::encode(Sha256::digest(&bytes)),
        path,
    )
    .await?;
    Ok(Inspection {
        file: path.display().to_string(),
        size: bytes.len() as u64,
        sha256: p.digest.clone(),
        contract: p.contract.export_name(),
        name: p.name.clone(),
        version: p.version.clone(),
        platform: p.platform.clone(),
        url_patterns: p.pattern_sources.clone(),
        allowed_hosts: p.declared_hosts.clone(),
        insecure_hosts: p.insecure_hosts.clone(),
        media_hosts: p.media_hosts.clone(),
        download_headers: p.download_headers.clone(),
        capabilities: p
            .capabilities
            .iter()
            .map(|c| CapabilityInfo {
                name: c.name().to_string(),
                url_patterns: c.pattern_sources.clone(),
            })
            .collect(),
        imports,
        exports,
    })
}

/// The human-readable form.
pub fn text(i: &Inspection) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join("\n               ")
        }
    };
    let headers: Vec<String> = i
        .download_headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    let caps: Vec<String> = i
        .capabilities
        .iter()
        .map(|c| match c.url_patterns.is_empty() {
            true => c.name.clone(),
            false => format!("{} ({})", c.name, c.url_patterns.join(", ")),
        })
        .collect();
    format!(
        "file:          {}\nsize:          {} bytes\nsha256:        {}\ncontract:      {}\nplugin:        {} {} (platform `{}`)\nlinks:         {}\ncapabilities:  {}\nallowed hosts: {}\ninsecure:      {}\nmedia hosts:   {}\ndownload hdrs: {}\nimports:       {}\nexports:       {}\n",
        i.file,
        i.size,
        i.sha256,
        i.contract,
        i.name,
        i.version,
        i.platform,
        list(&i.url_patterns),
        list(&caps),
        list(&i.allowed_hosts),
        list(&i.insecure_hosts),
        list(&i.media_hosts),
        list(&headers),
        list(&i.imports),
        list(&i.exports)
    )
}
