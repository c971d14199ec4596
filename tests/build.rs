// The host's build script builds the test plugins; tell the tests where.
fn main() {
    let root = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .parent()
        .unwrap()
        .to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    println!(
        "cargo:rustc-env=GRABKIT_TEST_PLUGINS_DIR={}",
        target.join("test-plugins").display()
    );
    // The `grabkit` binary of this build (cargo builds it for the host's own CLI tests).
    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "debug".into());
    println!(
        "cargo:rustc-env=GRABKIT_BIN={}",
        target.join(profile).join("grabkit").display()
    );
}
