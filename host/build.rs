//! Builds every plugin crate of the workspace to a wasm32-wasip2 component
//! and puts them in `target/plugins/` (shipped plugins) and
//! `target/test-plugins/` (the sandbox tests' misbehaving plugins), so
//! `cargo run -p grabkit-host -- serve` and `cargo test` find them built.
//! Set GRABKIT_SKIP_PLUGIN_BUILD=1 to skip (e.g. when packaging the host alone).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.parent().unwrap().to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let plugins_out = target.join("plugins");
    let test_out = target.join("test-plugins");
    println!(
        "cargo:rustc-env=GRABKIT_BUILT_PLUGINS_DIR={}",
        plugins_out.display()
    );
    println!(
        "cargo:rustc-env=GRABKIT_TEST_PLUGINS_DIR={}",
        test_out.display()
    );
    println!("cargo:rerun-if-env-changed=GRABKIT_SKIP_PLUGIN_BUILD");
    if std::env::var_os("GRABKIT_SKIP_PLUGIN_BUILD").is_some() {
        return;
    }
    for dir in ["wit", "sdk", "urlkit", "plugins", "tests/plugins"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    let shipped = crates_in(&root.join("plugins"));
    let test = crates_in(&root.join("tests/plugins"));
    // A separate target dir: the outer cargo holds the lock on ours.
    let wasm_target = target.join("wasm");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(&root)
        .args(["build", "--profile", "plugin", "--target", "wasm32-wasip2"])
        .env("CARGO_TARGET_DIR", &wasm_target);
    for (name, _) in shipped.iter().chain(&test) {
        cmd.args(["-p", name]);
    }
    // Settings of the outer build must not leak into the wasm build.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_WRAPPER",
        "CARGO_BUILD_TARGET",
        "CARGO_PROFILE_RELEASE_DEBUG",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().expect("running cargo for the plugins");
    assert!(
        status.success(),
        "building the plugins failed (is the wasm32-wasip2 target installed? `rustup target add wasm32-wasip2`)"
    );
    let built = wasm_target.join("wasm32-wasip2/plugin");
    for (list, out) in [(&shipped, &plugins_out), (&test, &test_out)] {
        std::fs::create_dir_all(out).unwrap();
        for (name, file) in list.iter() {
            let from = built.join(format!("{}.wasm", name.replace('-', "_")));
            let to = out.join(format!("{file}.wasm"));
            // Copy to a temp name, then rename: a running server never sees half a file.
            let tmp = out.join(format!(".{file}.wasm.tmp"));
            std::fs::copy(&from, &tmp)
                .unwrap_or_else(|e| panic!("copying {}: {e}", from.display()));
            std::fs::rename(&tmp, &to).unwrap();
        }
    }
}

/// (package name, output file stem) of each crate folder under `dir`.
fn crates_in(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let manifest = e.path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let name = text.lines().find_map(|l| {
            l.trim()
                .strip_prefix("name = ")
                .map(|v| v.trim_matches('"').to_string())
        });
        if let Some(name) = name {
            out.push((name, e.file_name().to_string_lossy().into_owned()));
        }
    }
    out.sort();
    out
}
