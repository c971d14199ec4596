//! A platform's circuit breaker through the API: upstream failures open
//! it (fail fast with `503 platform_unavailable`), a probe after the
//! cool-off closes it again; `/api/v1/platforms` and `/metrics` show it.

use grabkit::config::Settings;
use grabkit_tests::TestServer;
use grabkit_tests::bilibili::{HOSTS, upstream};
use serde_json::Value;
use std::time::Duration;

fn touchy(s: &mut Settings) {
    s.breaker.min_requests = 3;
    s.breaker.failure_ratio = 0.5;
    s.breaker.cool_off_secs = 1;
    s.breaker.probes = 1;
}

async fn platform_breaker(s: &TestServer) -> Value {
    let (_, text) = s.get("/api/v1/platforms").await;
    let v: Value = serde_json::from_str(&text).unwrap();
    v["data"][0]["breaker"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_failures_open_the_breaker_and_a_probe_closes_it() {
    let (mock, s) = TestServer::for_plugin_tweaked("bilibili", HOSTS, upstream(), touchy).await;
    let broken = "https://www.bilibili.com/video/BV1broken";
    for _ in 0..3 {
        let (status, v) = s.parse(broken).await;
        assert_eq!((status, v["code"].as_str()), (502, Some("upstream_failed")));
    }
    assert_eq!(platform_breaker(&s).await["state"], "open");
    let before = mock.seen().len();
    let r = s
        .client
        .post(format!("{}/api/v1/parse", s.base))
        .bearer_auth(&s.token)
        .header("content-type", "application/json")
        .body(r#"{"url":"https://www.bilibili.com/video/BV117411r7R1"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(v["code"], "platform_unavailable");
    assert_eq!(
        mock.seen().len(),
        before,
        "failing fast: no upstream request"
    );
    let (_, metrics) = s.get("/metrics").await;
    assert!(
        metrics.contains(r#"grabkit_breaker_state{platform="bilibili"} 2"#),
        "{metrics}"
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _) = s.parse("https://www.bilibili.com/video/BV117411r7R1").await;
    assert_eq!(status, 200, "the probe went through");
    assert_eq!(platform_breaker(&s).await["state"], "closed");
}

/// A data route the platform refuses (here Bilibili's risk control on a
/// space) fails on its own: it never opens the breaker that guards parses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_data_routes_leave_the_parse_breaker_closed() {
    let (_mock, s) = TestServer::for_plugin_tweaked("bilibili", HOSTS, upstream(), touchy).await;
    let body = serde_json::json!({ "url": "https://space.bilibili.com/2" });
    for _ in 0..5 {
        s.data_fails("/api/v1/posts", body.clone(), 429, "upstream_rate_limited")
            .await;
    }
    assert_eq!(platform_breaker(&s).await["state"], "closed");
    let (status, v) = s.parse("https://www.bilibili.com/video/BV117411r7R1").await;
    assert_eq!(status, 200, "{v}");
}
