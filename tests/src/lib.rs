//! Test support: a mock upstream on 127.0.0.1 (TLS with a certificate made
//! per run, so plugins request the real `https://` URLs) serving fixtures we
//! wrote from the platforms' documented response shapes, and a grabkit
//! server wired to it.

pub mod bilibili;
pub mod douyin;
pub mod instagram;
pub mod kuaishou;
pub mod media;
pub mod mock;
pub mod proxy;
pub mod server;
pub mod tiktok;
pub mod twitter;
pub mod wechat_channels;
pub mod weibo;
pub mod xiaohongshu;
pub mod youtube;

pub use mock::{Mock, Reply};
pub use server::{TestServer, TestSettings};

/// sha256 of some bytes as lowercase hex (pin lists in tests).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Poll `f` until it holds; fail after 15 s naming `what` (a bound on a
/// wait, never a timed assertion).
pub async fn wait_until<F: AsyncFn() -> bool>(what: &str, f: F) {
    let start = std::time::Instant::now();
    while !f().await {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Whether `tool` (ffmpeg, ffprobe) runs here; tests that need it say
/// what they check without it (CI always has it).
pub fn installed(tool: &str) -> bool {
    std::process::Command::new(tool)
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The shipped platforms: every crate folder under `plugins/`, sorted.
pub fn platforms() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins");
    let mut out: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}
