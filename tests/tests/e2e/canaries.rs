//! Canaries end to end: a configured link is parsed on the schedule and
//! the platform's health shows it; a swapped-in build that fails a canary
//! its predecessor passes is rolled back, with the reason shown; a build
//! that passes stays. Without links, no canary runs.

use grabkit_tests::mock::Responder;
use grabkit_tests::server::{Tweak, test_plugin};
use grabkit_tests::{Mock, Reply, TestServer, TestSettings, wait_until};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// Build 0.1.0's route answers; 0.2.0's does not (its canary fails).
fn upstream(next_passes: bool) -> Responder {
    Arc::new(move |s| match s.path.as_str() {
        "/v/0.1.0" => Reply::json(r#"{"title":"canary fine"}"#),
        "/v/0.2.0" if next_passes => Reply::json(r#"{"title":"canary fine"}"#),
        "/v/0.2.0" => Reply::status(404),
        _ => Reply::status(404),
    })
}

async fn setup(next_passes: bool, links: Vec<String>) -> (Mock, TestServer) {
    let mock = Mock::start(&["*.probe.test"], upstream(next_passes)).await;
    let tweak: Tweak = Arc::new(move |s| {
        s.reload.debounce_ms = 50;
        s.canaries.every_secs = 3600;
        s.canaries.jitter_secs = 0;
        let p = s.plugins.entry("probe".into()).or_default();
        p.canaries = links.clone();
    });
    let t = TestSettings {
        plugins: vec![test_plugin("probe")],
        hosts: vec!["up.probe.test".into()],
        tweak: Some(tweak),
        ..Default::default()
    };
    let server = TestServer::start(&mock, t).await;
    (mock, server)
}

async fn health(server: &TestServer) -> Value {
    let (_, body) = server.get("/api/v1/platforms").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    v["data"][0]["health"].clone()
}

fn version(server: &TestServer) -> String {
    let table = server.app.service.registry.table();
    table
        .get("probe")
        .map(|p| p.version.clone())
        .unwrap_or_default()
}

fn swap_in_next(server: &TestServer) {
    let dir = server.app.service.registry.dir().to_path_buf();
    let tmp = dir.join(".probe.wasm.tmp");
    std::fs::write(&tmp, std::fs::read(test_plugin("probe-next")).unwrap()).unwrap();
    std::fs::rename(&tmp, dir.join("probe.wasm")).unwrap();
}

const LINK: &str = "https://probe.test/versioned";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swapped_in_build_that_fails_its_canary_is_rolled_back() {
    let (mock, server) = setup(false, vec![LINK.into()]).await;
    // The first round runs at start.
    wait_until("the first round", async || {
        health(&server).await["health"] == "ok"
    })
    .await;
    let h = health(&server).await;
    assert_eq!(h["links"], 1);
    assert!(h["lastCheckAt"].is_string(), "{h}");

    swap_in_next(&server);
    wait_until("the rollback", async || {
        health(&server).await["rolledBack"].is_string()
    })
    .await;
    assert_eq!(version(&server), "0.1.0", "the previous build serves again");
    let h = health(&server).await;
    let why = h["rolledBack"].as_str().unwrap();
    assert!(
        why.contains(LINK) && why.contains("passed with the previous build"),
        "{why}"
    );
    assert_eq!(h["health"], "ok", "the build serving now passes: {h}");
    // Both builds were asked, each its own route.
    assert!(!mock.seen_path("/v/0.2.0").is_empty());
    // The file says why it is not serving.
    let files = server.app.service.registry.files();
    let err = files[0].error.clone().unwrap_or_default();
    assert!(err.contains("rolled back") && err.contains(LINK), "{err}");
    // Canary parses are counted apart from users' parses.
    let (_, m) = server.get("/metrics").await;
    assert!(
        m.contains("grabkit_canary_checks_total{platform=\"probe\",outcome=\"success\"}"),
        "{m}"
    );
    assert!(
        m.contains("grabkit_canary_health{platform=\"probe\"} 2"),
        "{m}"
    );
    assert!(
        !m.contains("grabkit_parses_total{platform=\"probe\""),
        "{m}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_build_that_passes_stays_and_no_links_means_no_canaries() {
    let (_mock, server) = setup(true, vec![LINK.into()]).await;
    wait_until("the first round", async || {
        health(&server).await["health"] == "ok"
    })
    .await;
    swap_in_next(&server);
    wait_until("0.2.0 serving", async || version(&server) == "0.2.0").await;
    // Give the swap check time to run; it must not roll back.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(version(&server), "0.2.0");
    assert!(health(&server).await["rolledBack"].is_null());

    let (mock, server) = setup(true, vec![]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let h = health(&server).await;
    assert_eq!(
        (h["health"].as_str(), h["links"].as_u64()),
        (Some("unknown"), Some(0))
    );
    assert!(mock.seen_path("/v/0.1.0").is_empty(), "no canary ran");
}
