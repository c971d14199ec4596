//! `cargo xtask`: builds the plugins (wasm components) that the host loads,
//! then serves or tests. Cargo cannot do this by itself: the plugins are
//! compiled for another target (`wasm32-wasip2`) with their own profile.
//!
//! - `cargo xtask plugins`: build every crate under `plugins/` into
//!   `target/plugins/` and the test guests under `tests/plugins/` into
//!   `target/test-plugins/`.
//! - `cargo xtask serve [ARGS]`: the plugins, then `grabkit serve ARGS` (release).
//! - `cargo xtask test [ARGS]`: the plugins, then `cargo test --workspace ARGS`.
//! - `cargo xtask lint`: fmt check, clippy (host and wasm), SDK docs.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const WASM_TARGET: &str = "wasm32-wasip2";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = match args.split_first() {
        Some((t, r)) => (t.as_str(), r),
        None => ("help", &[][..]),
    };
    let result = match task {
        "plugins" => plugins().map(|_| ()),
        "serve" => plugins().and_then(|_| serve(rest)),
        "test" => plugins().and_then(|_| test(rest)),
        "lint" => lint(),
        _ => {
            eprintln!("usage: cargo xtask plugins | serve [ARGS] | test [ARGS] | lint");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root: `cargo run` tells the binary its manifest folder at
/// run time (a binary built from another checkout into a shared target dir
/// must not work on that one); the build-time value is the fallback.
fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn run(mut cmd: Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd.status().map_err(|e| format!("running {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// Make sure the wasm target is installed: add it with rustup, or say how.
fn ensure_wasm_target() -> Result {
    let out = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", WASM_TARGET])
        .current_dir(root())
        .output();
    if let Ok(o) = &out
        && o.status.success()
    {
        let dir = String::from_utf8_lossy(&o.stdout).trim().to_string();
        if has_std(Path::new(&dir)) {
            return Ok(());
        }
    }
    eprintln!(
        "xtask: the {WASM_TARGET} target is missing; running `rustup target add {WASM_TARGET}`"
    );
    let mut add = Command::new("rustup");
    add.args(["target", "add", WASM_TARGET]).current_dir(root());
    match add.status() {
        Ok(s) if s.success() => Ok(()),
        _ => Err(format!(
            "the {WASM_TARGET} target is not installed; run `rustup target add {WASM_TARGET}`"
        )),
    }
}

fn has_std(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
    })
}

/// (package name, folder name) of each crate folder under `dir`.
fn crates_in(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(e.path().join("Cargo.toml")) else {
            continue;
        };
        let name = text.lines().find_map(|l| {
            let v = l.trim().strip_prefix("name = ")?;
            Some(v.trim_matches('"').to_string())
        });
        if let Some(name) = name {
            out.push((name, e.file_name().to_string_lossy().into_owned()));
        }
    }
    out.sort();
    out
}

/// Build every plugin and test guest; copy each to its folder.
fn plugins() -> Result<Vec<PathBuf>> {
    ensure_wasm_target()?;
    let root = root();
    let target = target_dir();
    let shipped = crates_in(&root.join("plugins"));
    let guests = crates_in(&root.join("tests/plugins"));
    let mut cmd = cargo();
    cmd.args(["build", "--profile", "plugin", "--target", WASM_TARGET]);
    for (name, _) in shipped.iter().chain(&guests) {
        cmd.args(["-p", name]);
    }
    // The host build's flags are not the plugins'.
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_TARGET"] {
        cmd.env_remove(var);
    }
    run(cmd)?;
    let built = target.join(WASM_TARGET).join("plugin");
    let mut written = Vec::new();
    for (list, out) in [(&shipped, "plugins"), (&guests, "test-plugins")] {
        let out = target.join(out);
        std::fs::create_dir_all(&out).map_err(|e| format!("creating {}: {e}", out.display()))?;
        for (name, folder) in list.iter() {
            let from = built.join(format!("{}.wasm", name.replace('-', "_")));
            let to = out.join(format!("{folder}.wasm"));
            // Write aside, then rename: a running server never sees half a file.
            let tmp = out.join(format!(".{folder}.wasm.tmp"));
            std::fs::copy(&from, &tmp).map_err(|e| format!("copying {}: {e}", from.display()))?;
            std::fs::rename(&tmp, &to).map_err(|e| format!("placing {}: {e}", to.display()))?;
            written.push(to);
        }
    }
    Ok(written)
}

fn serve(args: &[String]) -> Result {
    let mut cmd = cargo();
    cmd.args(["run", "--release", "-p", "grabkit", "--", "serve"]);
    cmd.args(args);
    run(cmd)
}

fn test(args: &[String]) -> Result {
    let mut cmd = cargo();
    cmd.args(["test", "--workspace"]);
    cmd.args(args);
    run(cmd)
}

/// What CI enforces before the tests.
fn lint() -> Result {
    ensure_wasm_target()?;
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    run(fmt)?;
    let mut host = cargo();
    host.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]);
    run(host)?;
    let mut wasm = cargo();
    wasm.args(["clippy", "--target", WASM_TARGET, "--locked"]);
    for (name, _) in crates_in(&root().join("plugins"))
        .iter()
        .chain(&crates_in(&root().join("tests/plugins")))
    {
        wasm.args(["-p", name]);
    }
    wasm.args(["--", "-D", "warnings"]);
    run(wasm)?;
    let mut doc = cargo();
    doc.args([
        "doc",
        "--no-deps",
        "--locked",
        "-p",
        "grabkit-sdk",
        "-p",
        "grabkit-urlkit",
    ]);
    doc.env("RUSTDOCFLAGS", "-D warnings");
    run(doc)
}
