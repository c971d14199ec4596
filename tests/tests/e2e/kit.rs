//! The authoring kit through the `grabkit` binary: record and replay at the
//! HTTP capability (secrets redacted, unmatched requests refused, the
//! sandbox still enforced), `check` and its goldens, `inspect`.

use grabkit_tests::Mock;
use grabkit_tests::server::{shipped_plugin, test_plugin};
use grabkit_tests::tiktok::{HOSTS, upstream};
use std::path::Path;
use std::process::Output;

const VIDEO: &str = "https://www.tiktok.com/@scout2015/video/6718335390845095173";

async fn grabkit(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("GRABKIT_BIN"))
        .args(args)
        .env("GRABKIT_LOG", "error")
        .output()
        .await
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A plugins folder holding one plugin file.
fn folder_with(dir: &Path, wasm: &Path) -> String {
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(wasm, plugins.join(wasm.file_name().unwrap())).unwrap();
    plugins.to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_then_replay_offline_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = folder_with(dir.path(), &shipped_plugin("tiktok"));
    let case = dir.path().join("case");
    let live = {
        let mock = Mock::start(HOSTS, upstream()).await;
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, &mock.cert_pem).unwrap();
        let resolve: Vec<String> = HOSTS
            .iter()
            .map(|h| format!("{h}={}", mock.tls_addr))
            .collect();
        let out = grabkit(&[
            "parse",
            VIDEO,
            "--record",
            case.to_str().unwrap(),
            "--plugins",
            &plugins,
            "--allow-loopback",
            "--ca-cert",
            ca.to_str().unwrap(),
            "--resolve",
            &resolve.join(","),
        ])
        .await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    }; // the mock is gone from here on

    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case.join("case.json")).unwrap()).unwrap();
    assert_eq!(spec["url"], VIDEO);
    let exchange =
        std::fs::read_to_string(case.join("cassette/001-GET-www.tiktok.com.json")).unwrap();
    assert!(
        exchange.contains("tt_chain_token=<redacted>") && !exchange.contains("abc123"),
        "cookie values redacted: {exchange}"
    );
    let body = std::fs::read(case.join("cassette/001-GET-www.tiktok.com.body")).unwrap();
    assert!(
        text(&body).contains("__UNIVERSAL_DATA_FOR_REHYDRATION__"),
        "the body kept byte for byte"
    );

    let out = grabkit(&[
        "parse",
        VIDEO,
        "--replay",
        case.to_str().unwrap(),
        "--plugins",
        &plugins,
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let replayed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let left: Vec<_> = std::fs::read_dir(&plugins)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["tiktok.wasm"], "a one-shot parse writes no cache");
    assert_eq!(
        replayed["videos"], live["videos"],
        "the same media, offline"
    );
    assert_eq!(
        replayed["headers"]["Cookie"],
        "tt_chain_token=<redacted>; ttwid=<redacted>"
    );

    // A request the cassette does not hold fails loudly.
    let other = "https://www.tiktok.com/@scout2015/video/7000000000000000001";
    let out = grabkit(&[
        "parse",
        other,
        "--replay",
        case.to_str().unwrap(),
        "--plugins",
        &plugins,
    ])
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(
            "no recorded answer for GET https://www.tiktok.com/@i/video/7000000000000000001"
        ),
        "{}",
        text(&out.stderr)
    );

    // The sandbox runs before the cassette: a name pinned to loopback is refused.
    let out = grabkit(&[
        "parse",
        VIDEO,
        "--replay",
        case.to_str().unwrap(),
        "--plugins",
        &plugins,
        "--resolve",
        "www.tiktok.com=127.0.0.1:443",
    ])
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("loopback"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_never_answers_for_a_host_the_plugin_may_not_reach() {
    // A hand-written cassette holding an answer for a host the probe plugin did not declare.
    let dir = tempfile::tempdir().unwrap();
    let plugins = folder_with(dir.path(), &test_plugin("probe"));
    let cassette = dir.path().join("cassette");
    std::fs::create_dir_all(&cassette).unwrap();
    std::fs::write(cassette.join("001-GET-forbidden.example.com.json"), r#"{"request":{"method":"GET","url":"https://forbidden.example.com/","headers":[]},"response":{"status":200,"headers":[],"body_file":"001.body"}}"#).unwrap();
    std::fs::write(cassette.join("001.body"), "leaked").unwrap();
    let out = grabkit(&[
        "parse",
        "https://probe.test/undeclared",
        "--replay",
        cassette.to_str().unwrap(),
        "--plugins",
        &plugins,
    ])
    .await;
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(
        !all.contains("200 https://forbidden.example.com/"),
        "the cassette must not answer: {all}"
    );
    assert!(all.contains("not in the plugin's allowed hosts"), "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_prints_a_table_reports_diffs_and_update_keeps_markers() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/tiktok/cases");
    for case in ["video", "private"] {
        copy_dir(&src.join(case), &cases.join(case));
    }
    let wasm = shipped_plugin("tiktok");
    let w = wasm.to_str().unwrap();
    let c = cases.to_str().unwrap();
    let out = grabkit(&["check", w, "--cases", c]).await;
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("2 cases, 2 passed, 0 failed"),
        "{}",
        text(&out.stdout)
    );

    // A wrong golden fails with the JSON path; a marker accepts what varies.
    let golden = cases.join("video/expected.json");
    let mut g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&golden).unwrap()).unwrap();
    g["title"] = "something else".into();
    let url = g["videos"][0]["url"].as_str().unwrap().to_string();
    g["videos"][0]["url"] = format!("{}?<any>", url.split('?').next().unwrap()).into();
    g["duration"] = "<any>".into();
    std::fs::write(&golden, serde_json::to_string_pretty(&g).unwrap()).unwrap();
    let out = grabkit(&["check", w, "--cases", c]).await;
    assert!(!out.status.success());
    let table = text(&out.stdout);
    assert!(table.contains("2 cases, 1 passed, 1 failed"), "{table}");
    assert!(
        table.contains("$.title: expected \"something else\""),
        "{table}"
    );
    assert!(
        !table.contains("$.videos[0].url"),
        "the marker matched: {table}"
    );

    let out = grabkit(&["check", w, "--cases", c, "--update"]).await;
    assert!(out.status.success(), "{}", text(&out.stdout));
    let g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&golden).unwrap()).unwrap();
    assert_ne!(
        g["title"], "something else",
        "rewritten from the plugin's answer"
    );
    assert!(
        g["videos"][0]["url"].as_str().unwrap().ends_with("?<any>"),
        "markers kept"
    );
    assert_eq!(g["duration"], "<any>");
    assert!(grabkit(&["check", w, "--cases", c]).await.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_tells_what_a_plugin_is() {
    let wasm = shipped_plugin("youtube");
    let out = grabkit(&["inspect", wasm.to_str().unwrap(), "--json"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["contract"], "grabkit:plugin/extractor@0.4.0");
    assert_eq!(v["platform"], "youtube");
    assert_eq!(v["size"], std::fs::metadata(&wasm).unwrap().len());
    assert_eq!(
        v["sha256"].as_str().unwrap(),
        grabkit_tests::sha256_hex(&std::fs::read(&wasm).unwrap())
    );
    assert!(
        v["mediaHosts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == "*.googlevideo.com")
    );
    assert!(
        v["exports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "grabkit:plugin/extractor@0.4.0")
    );
    assert!(
        v["imports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "grabkit:plugin/http@0.4.0")
    );
    let out = grabkit(&["inspect", "/nonexistent.wasm"]).await;
    assert!(!out.status.success() && text(&out.stderr).contains("reading /nonexistent.wasm"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()))
        } else {
            std::fs::copy(&p, to.join(e.file_name()))
                .map(|_| ())
                .unwrap()
        }
    }
}
