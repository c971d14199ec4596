//! `grabkit parse` end to end: the CLI reaches the mock upstream through
//! its sandbox flags (--resolve, --ca-cert, --allow-loopback).

use grabkit_tests::Mock;
use grabkit_tests::bilibili::{HOSTS, upstream};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parse_prints_the_unified_json() {
    let mock = Mock::start(HOSTS, upstream()).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &mock.cert_pem).unwrap();
    let resolve: Vec<String> = HOSTS
        .iter()
        .map(|h| format!("{h}={}", mock.tls_addr))
        .collect();
    let out = tokio::process::Command::new(env!("GRABKIT_BIN"))
        .args([
            "parse",
            "【视频】 https://b23.tv/Xy12AbC",
            "--allow-loopback",
            "--ca-cert",
            ca.to_str().unwrap(),
            "--resolve",
            &resolve.join(","),
        ])
        .env("GRABKIT_LOG", "error")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["platform"].as_str(), v["id"].as_str()),
        (Some("bilibili"), Some("BV117411r7R1"))
    );
    assert_eq!(v["videos"][0]["hasAudio"], false);
    assert_eq!(v["audios"][0]["quality"], "192k");
}

/// Each command's help lists only the options it uses.
#[test]
fn help_lists_only_what_the_command_uses() {
    let help = |cmd: &str| {
        let out = std::process::Command::new(env!("GRABKIT_BIN"))
            .args([cmd, "--help"])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let server_only = ["--listen", "--admin-token", "--no-watch", "--data-dir"];
    for cmd in ["parse", "download", "check", "plugins"] {
        let text = help(cmd);
        assert!(text.contains("--plugins"), "{cmd}: {text}");
        for flag in server_only {
            assert!(!text.contains(flag), "{cmd} --help lists {flag}: {text}");
        }
    }
    let serve = help("serve");
    assert!(server_only.iter().all(|f| serve.contains(f)), "{serve}");
    let keys = help("keys");
    assert!(keys.contains("--data-dir") && !keys.contains("--plugins"));
}

/// Logs on a pipe carry no colour codes, and `GRABKIT_LOG_FORMAT=json`
/// writes one JSON object per line.
#[test]
fn logs_are_plain_on_a_pipe_and_json_on_request() {
    let run = |format: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("GRABKIT_BIN"));
        cmd.args([
            "parse",
            "https://example.com/nothing",
            "--plugins",
            "/nonexistent",
        ])
        .env("GRABKIT_LOG", "debug");
        if let Some(f) = format {
            cmd.env("GRABKIT_LOG_FORMAT", f);
        }
        let out = cmd.output().unwrap();
        String::from_utf8(out.stderr).unwrap()
    };
    let plain = run(None);
    assert!(!plain.is_empty() && !plain.contains('\x1b'), "{plain:?}");
    let json = run(Some("json"));
    let logs: Vec<_> = json.lines().filter(|l| l.starts_with('{')).collect();
    assert!(!logs.is_empty(), "{json}");
    for line in logs {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            v["timestamp"].is_string() && v["level"].is_string(),
            "{line}"
        );
    }
}

/// `grabkit download …` against the download-proxy mock, with the probe plugin.
async fn download(
    mock: &grabkit_tests::Mock,
    dir: &std::path::Path,
    args: &[&str],
) -> std::process::Output {
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(
        grabkit_tests::server::test_plugin("probe"),
        plugins.join("probe.wasm"),
    )
    .unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &mock.cert_pem).unwrap();
    let resolve: Vec<String> = grabkit_tests::media::HOSTS
        .iter()
        .map(|h| format!("{h}={}", mock.tls_addr))
        .collect();
    tokio::process::Command::new(env!("GRABKIT_BIN"))
        .arg("download")
        .args(args)
        .args([
            "--quiet",
            "-o",
            dir.join("out").to_str().unwrap(),
            "--plugins",
            plugins.to_str().unwrap(),
            "--allow-loopback",
            "--ca-cert",
            ca.to_str().unwrap(),
            "--resolve",
            &resolve.join(","),
        ])
        .env("GRABKIT_LOG", "error")
        .output()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_saves_resumes_decrypts_and_merges() {
    use grabkit_tests::media::{Watch, clip, upstream, wechat_plain};
    let mock = Mock::start(
        grabkit_tests::media::HOSTS,
        upstream(std::sync::Arc::new(Watch::default())),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");

    // Whole file, named from the title.
    let out = download(&mock, dir.path(), &["https://probe.test/media/clip"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let saved = out_dir.join("猫 cat clip.mp4");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        saved.to_str().unwrap()
    );
    assert!(std::fs::read(&saved).unwrap() == clip());

    // A partial file left behind is resumed with a Range request.
    std::fs::remove_file(&saved).unwrap();
    std::fs::write(out_dir.join("猫 cat clip.mp4.part"), &clip()[..123_456]).unwrap();
    let out = download(&mock, dir.path(), &["https://probe.test/media/clip"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read(&saved).unwrap() == clip(),
        "resumed byte-exact"
    );
    assert!(!out_dir.join("猫 cat clip.mp4.part").exists());
    let ranges: Vec<String> = mock
        .seen_path("/v/clip.mp4")
        .iter()
        .filter_map(|s| {
            s.headers
                .get("range")
                .map(|r| r.to_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(ranges, ["bytes=123456-"]);

    // WeChat Channels: decrypted on the way to disk.
    let out = download(&mock, dir.path(), &["https://probe.test/media/wechat"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(out_dir.join("wx.mp4")).unwrap() == wechat_plain());

    // A photo post: every image, numbered.
    let out = download(&mock, dir.path(), &["https://probe.test/media/photos"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(out_dir.join("two photos-1.jpg")).unwrap(),
        b"\xff\xd8jpeg one"
    );
    assert_eq!(
        std::fs::read(out_dir.join("two photos-2.webp")).unwrap(),
        b"RIFFwebp two"
    );

    // An unknown quality is a clear error listing what there is.
    let out = download(
        &mock,
        dir.path(),
        &["https://probe.test/media/clip", "--quality", "4k"],
    )
    .await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no video of quality `4k`; offered: 720p"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Separate video and audio: merged when ffmpeg is there, else the video alone.
    let out = download(&mock, dir.path(), &["https://probe.test/media/dash"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged = out_dir.join("split.mp4");
    let has_ffmpeg = grabkit_tests::installed("ffprobe");
    if has_ffmpeg {
        let probe = std::process::Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-show_entries",
                "stream=codec_type",
                "-of",
                "csv=p=0",
            ])
            .arg(&merged)
            .output()
            .unwrap();
        let mut kinds: Vec<String> = String::from_utf8(probe.stdout)
            .unwrap()
            .lines()
            .map(|l| l.trim().to_string())
            .collect();
        kinds.sort();
        assert_eq!(kinds, ["audio", "video"]);
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ffmpeg installed"
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("ffmpeg is not installed"));
    }

    // A video in ordered parts: one joined file, or each part as it is.
    let out = download(&mock, dir.path(), &["https://probe.test/media/parts"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if has_ffmpeg {
        assert!(out_dir.join("two parts.mp4").is_file(), "one joined file");
        assert!(!out_dir.join("two parts-1.mp4").exists());
    } else {
        assert!(
            out_dir.join("two parts-1.mp4").is_file() && out_dir.join("two parts-2.mp4").is_file()
        );
    }
}
