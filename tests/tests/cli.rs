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
    let resolve: Vec<String> = HOSTS.iter().map(|h| format!("{h}={}", mock.tls_addr)).collect();
    let out = tokio::process::Command::new(env!("GRABKIT_BIN"))
        .args(["parse", "【视频】 https://b23.tv/Xy12AbC", "--allow-loopback", "--ca-cert", ca.to_str().unwrap(), "--resolve", &resolve.join(",")])
        .env("GRABKIT_LOG", "error")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["platform"].as_str(), v["id"].as_str()), (Some("bilibili"), Some("BV117411r7R1")));
    assert_eq!(v["videos"][0]["hasAudio"], false);
    assert_eq!(v["audios"][0]["quality"], "192k");
}
