//! Old plugins keep working: committed plugin files built against each
//! released contract (`tests/artifacts/contracts/`) load on today's host,
//! parse, reach the sandbox's checks and the download proxy.

use grabkit_tests::mock::Responder;
use grabkit_tests::server::artifact;
use grabkit_tests::{Mock, Reply, TestServer, TestSettings};
use std::sync::Arc;

fn upstream() -> Responder {
    Arc::new(|s| match s.path.as_str() {
        "/ok" => {
            Reply::json(r#"{"id":"p1","title":"probe ok","url":"https://cdn.probe.test/v.mp4"}"#)
        }
        _ => Reply::status(404),
    })
}

async fn serve(file: &str) -> (Mock, TestServer) {
    let mock = Mock::start(&["*.probe.test", "probe.test"], upstream()).await;
    let t = TestSettings {
        plugins: vec![artifact(file)],
        hosts: vec!["up.probe.test".into()],
        ..Default::default()
    };
    let server = TestServer::start(&mock, t).await;
    (mock, server)
}

async fn parses_with(file: &str, contract: &str) -> TestServer {
    let (_mock, s) = serve(file).await;
    let (status, body) = s.parse("https://probe.test/ok").await;
    assert_eq!(status, 200, "{file}: {body}");
    assert_eq!(body["data"]["title"], "probe ok 0.1.0", "{file}: {body}");
    assert_eq!(
        body["data"]["videos"][0]["url"],
        "https://cdn.probe.test/v.mp4"
    );
    assert_eq!(body["data"]["videos"][0]["quality"], "720p");

    // Errors cross the old bindings typed, and the sandbox still polices them.
    let (status, body) = s.parse("https://probe.test/undeclared").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("upstream_failed")),
        "{body}"
    );

    let (status, v) = s.admin("GET", "/api/v1/plugins", None).await;
    assert_eq!(status, 200, "{v}");
    let p = &v["data"]["plugins"][0];
    assert_eq!(p["platform"], "probe", "{v}");
    assert_eq!(p["contract"], contract, "{v}");
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_built_against_0_1_0_loads_and_parses() {
    let s = parses_with("contracts/probe-v0.1.0.wasm", "0.1.0").await;
    // 0.1 had no media hosts: the proxy serves such a plugin from its allowed hosts.
    let v = s.ok_proxied("https://probe.test/ok").await;
    let proxy = v["videos"][0]["proxyUrl"].as_str().unwrap_or_default();
    assert!(proxy.contains("/api/v1/media/"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_built_against_0_2_0_loads_and_parses() {
    parses_with("contracts/probe-v0.2.0.wasm", "0.2.0").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_built_against_0_3_0_loads_and_parses() {
    parses_with("contracts/probe-v0.3.0.wasm", "0.3.0").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_built_against_0_4_0_loads_and_parses() {
    parses_with("contracts/probe-v0.4.0.wasm", "0.4.0").await;
}

/// A 0.2 plugin next to 0.3 ones: it parses, lists `parse` only, and the
/// data endpoints say so instead of failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_0_2_0_plugin_next_to_0_3_0_ones_offers_parse_only() {
    use grabkit_tests::bilibili;
    use grabkit_tests::server::shipped_plugin;
    let mock = Mock::start(&["*.probe.test", "probe.test"], upstream()).await;
    let t = TestSettings {
        plugins: vec![
            artifact("contracts/probe-v0.2.0.wasm"),
            shipped_plugin("bilibili"),
        ],
        hosts: std::iter::once("up.probe.test")
            .chain(bilibili::HOSTS.iter().copied())
            .map(str::to_string)
            .collect(),
        ..Default::default()
    };
    let s = TestServer::start(&mock, t).await;
    let (status, v) = s
        .send_json("GET", "/api/v1/platforms", &s.token, None)
        .await;
    assert_eq!(status, 200);
    let by = |id: &str| {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(by("probe")["contract"], "0.2.0");
    assert_eq!(by("probe")["offers"], serde_json::json!(["parse"]));
    assert_eq!(by("bilibili")["contract"], "0.4.0");
    let (status, body) = s.parse("https://probe.test/ok").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s
        .post_json(
            "/api/v1/comments",
            &serde_json::json!({"url": "https://probe.test/ok"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("capability_not_supported")),
        "{body}"
    );
}
