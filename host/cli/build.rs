//! Tells the binary where the workspace's plugins are built
//! (`target/plugins/`, by `cargo xtask plugins`), its default plugins folder.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let target = std::path::absolute(&target).unwrap_or(target);
    println!(
        "cargo:rustc-env=GRABKIT_BUILT_PLUGINS_DIR={}",
        target.join("plugins").display()
    );
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
}
