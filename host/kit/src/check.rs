//! `grabkit check`: run a plugin against a folder of cases, each
//! `<case>/case.json` (`{"url": …, "config": {…}}`), `<case>/cassette/`
//! (recorded exchanges) and `<case>/expected.json` (the golden: the unified
//! media, or `{"error": {"code", "message"}}`). Replay is strict: the
//! sandbox's checks run first and a request the cassette lacks fails the case.

use super::golden;
use grabkit_core::Coded;
use grabkit_core::pipeline::{self, PipelineSettings};
use grabkit_core::registry::RegistryPaths;
use grabkit_core::service::{MediaJson, ParseError};
use grabkit_egress::{Replay, TapeMode};
use grabkit_runtime::PluginOptions;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `case.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    /// The link (or share text) to parse.
    pub url: String,
    /// What the operator would set as `[plugins.<platform>] config`.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// What the case shows, for the table.
    #[serde(default)]
    pub about: String,
    /// Query parameters that differ on every run (timestamps, nonces,
    /// signatures over them); replay matches requests without them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_query: Vec<String>,
}

impl CaseSpec {
    /// Read `<case>/case.json`.
    pub fn read(case: &Path) -> anyhow::Result<Self> {
        let path = case.join("case.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub name: String,
    pub passed: bool,
    /// Why it failed, or what was written.
    pub detail: Vec<String>,
}

/// The folders under `cases` that hold a `case.json`, sorted.
pub fn find_cases(cases: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", cases.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// The unified result as JSON: the media, or the error the API would give.
pub fn outcome_json(result: Result<MediaJson, ParseError>) -> Value {
    match result {
        Ok(m) => serde_json::to_value(m).expect("media serializes"),
        Err(e) => json!({"error": {"code": e.code(), "message": e.to_string()}}),
    }
}

/// Run every case of `cases` against `wasm`; with `update`, write goldens.
/// `base` carries the operator settings (limits); plugins, cache and tape
/// are set per case.
pub async fn run(
    wasm: &Path,
    cases: &Path,
    update: bool,
    base: &PipelineSettings,
) -> anyhow::Result<Vec<Outcome>> {
    let work = tempfile::Builder::new()
        .prefix("grabkit-check-")
        .tempdir()?;
    let plugins = work.path().join("plugins");
    std::fs::create_dir_all(&plugins)?;
    let name = wasm
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("{} is not a file", wasm.display()))?;
    std::fs::copy(wasm, plugins.join(name))
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", wasm.display()))?;
    // One load up front: it names the platform (for each case's config) and
    // fills the compiled cache that every case's load then reads.
    let service = pipeline::build(&settings_for(base, work.path())).await?;
    let platform = match service.registry.table().plugins.first() {
        Some(p) => p.platform.clone(),
        None => anyhow::bail!(
            "{} did not load: {}",
            wasm.display(),
            service
                .registry
                .failures()
                .into_iter()
                .filter_map(|f| f.error)
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };

    let mut out = Vec::new();
    for dir in find_cases(cases)? {
        let case_name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let outcome = match run_one(&dir, work.path(), &platform, update, base).await {
            Ok(detail) if detail.is_empty() || update => Outcome {
                name: case_name,
                passed: true,
                detail,
            },
            Ok(detail) => Outcome {
                name: case_name,
                passed: false,
                detail,
            },
            Err(e) => Outcome {
                name: case_name,
                passed: false,
                detail: vec![format!("{e:#}")],
            },
        };
        out.push(outcome);
    }
    Ok(out)
}

/// `base` pointed at the work folder's plugin copy and compiled cache.
fn settings_for(base: &PipelineSettings, work: &Path) -> PipelineSettings {
    let mut s = base.clone();
    s.registry = RegistryPaths {
        cache: Some(work.join("cache")),
        ..RegistryPaths::in_dir(work.join("plugins"))
    };
    s
}

async fn run_one(
    dir: &Path,
    work: &Path,
    platform: &str,
    update: bool,
    base: &PipelineSettings,
) -> anyhow::Result<Vec<String>> {
    let spec = CaseSpec::read(dir)?;
    let mut s = settings_for(base, work);
    s.sandbox.tape = Some(TapeMode::Replay(replay_of(dir, false)));
    let options = PluginOptions {
        config: spec.config.clone(),
        ..s.default_plugin.clone()
    };
    s.plugins.insert(platform.to_string(), options);
    let service = pipeline::build(&s).await?;
    let actual = outcome_json(service.parse(&spec.url).await);
    let misses = service.sandbox.cassette_misses();
    let golden_path = dir.join("expected.json");
    let old: Option<Value> = std::fs::read_to_string(&golden_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let mut problems: Vec<String> = misses
        .iter()
        .map(|m| format!("the cassette holds no answer for {m}"))
        .collect();
    if update {
        if !problems.is_empty() {
            anyhow::bail!("{}", problems.join("; "));
        }
        let new = golden::update(old.as_ref(), &actual);
        std::fs::write(&golden_path, serde_json::to_string_pretty(&new)? + "\n")?;
        return Ok(vec![format!("wrote {}", golden_path.display())]);
    }
    match old {
        Some(expected) => problems.extend(golden::diff(&expected, &actual)),
        None => problems.push(format!(
            "no {} (run with --update to write it)",
            golden_path.display()
        )),
    }
    Ok(problems)
}

/// Replay settings for a case folder (or a bare cassette folder).
pub fn replay_of(dir: &Path, repeat: bool) -> Replay {
    let ignore_query = CaseSpec::read(dir)
        .map(|c| c.ignore_query)
        .unwrap_or_default();
    Replay {
        dir: cassette_dir(dir),
        ignore_query,
        repeat,
    }
}

/// A case's cassette: `<case>/cassette/` for a case folder (it may be
/// absent: a case whose plugin made no request), else the folder itself.
pub fn cassette_dir(case: &Path) -> PathBuf {
    let sub = case.join("cassette");
    if sub.is_dir() || case.join("case.json").is_file() {
        sub
    } else {
        case.to_path_buf()
    }
}

/// The table `grabkit check` prints.
pub fn table(outcomes: &[Outcome]) -> String {
    let width = outcomes
        .iter()
        .map(|o| o.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut s = format!("{:<width$}  RESULT\n", "CASE");
    for o in outcomes {
        s += &format!(
            "{:<width$}  {}\n",
            o.name,
            if o.passed { "pass" } else { "FAIL" }
        );
        for d in &o.detail {
            s += &format!("{:<width$}    {d}\n", "");
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    s += &format!(
        "{} cases, {} passed, {failed} failed\n",
        outcomes.len(),
        outcomes.len() - failed
    );
    s
}
