//! Sandbox rules, each tested with the misbehaving probe plugin; after every
//! misbehaviour the server still answers a normal parse.

use grabkit_tests::mock::Responder;
use grabkit_tests::server::test_plugin;
use grabkit_tests::{Mock, Reply, TestServer, TestSettings};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

fn probe_upstream() -> Responder {
    Arc::new(|s| match s.path.as_str() {
        "/ok" => {
            Reply::json(r#"{"id":"p1","title":"probe ok","url":"https://cdn.probe.test/v.mp4"}"#)
        }
        "/redirect-out" => Reply::redirect("https://forbidden.example.com/x"),
        "/redirect-in" => Reply::redirect("/ok"),
        "/redirect-loop" => Reply::redirect("/redirect-loop"),
        "/big" => Reply::bytes(2 << 20),
        "/slow" => Reply::json("{}").delayed(Duration::from_secs(10)),
        _ => Reply::status(404),
    })
}

const HOSTS: &[&str] = &["up.probe.test", "lo.probe.test"];

async fn setup(
    allow_loopback: bool,
    tweak: Option<grabkit_tests::server::Tweak>,
) -> (Mock, TestServer) {
    let mock = Mock::start(&["*.probe.test", "probe.test"], probe_upstream()).await;
    let t = TestSettings {
        plugins: vec![test_plugin("probe")],
        hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
        resolve: vec![
            "ten.probe.test=10.0.0.1".into(),
            "meta.probe.test=169.254.169.254".into(),
            "six.probe.test=::1".into(),
            "mapped.probe.test=::ffff:127.0.0.1".into(),
            format!("plain.probe.test={}", mock.plain_addr),
        ],
        allow_loopback,
        tweak,
    };
    let server = TestServer::start(&mock, t).await;
    (mock, server)
}

async fn assert_still_serving(server: &TestServer) {
    let (status, body) = server.parse("https://probe.test/ok").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["title"], "probe ok 0.1.0");
    assert_eq!(
        body["data"]["videos"][0]["url"],
        "https://cdn.probe.test/v.mp4"
    );
}

fn msg(b: &Value) -> String {
    b["msg"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_faults_fail_one_request_only() {
    let (_mock, server) = setup(true, None).await;
    assert_still_serving(&server).await;

    let (status, body) = server.parse("https://probe.test/loop").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (504, Some("plugin_timeout")),
        "{body}"
    );
    assert_still_serving(&server).await;

    let (status, body) = server.parse("https://probe.test/alloc").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (500, Some("plugin_memory_limit")),
        "{body}"
    );
    assert_still_serving(&server).await;

    let (status, body) = server.parse("https://probe.test/panic").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (500, Some("plugin_crashed")),
        "{body}"
    );
    assert_still_serving(&server).await;

    let (status, body) = server.parse("https://probe.test/stdio").await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (200, Some(304)),
        "stdout/stderr go to the log, the answer is unaffected: {body}"
    );

    let (status, body) = server.parse("https://probe.test/wrong-platform").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("plugin_invalid_output")),
        "{body}"
    );
    assert_still_serving(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbound_rules() {
    let (mock, server) = setup(true, None).await;

    let (status, body) = server.parse("https://probe.test/undeclared").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("upstream_failed")),
        "{body}"
    );
    assert!(
        msg(&body).contains("forbidden.example.com is not in the plugin's allowed hosts"),
        "{body}"
    );

    let (_, body) = server.parse("https://probe.test/http-undeclared").await;
    assert!(msg(&body).contains("https only"), "{body}");

    let (status, body) = server.parse("https://probe.test/plain").await;
    assert_eq!(
        status, 200,
        "http to a host the plugin declared insecure: {body}"
    );
    assert!(
        body["data"]["title"]
            .as_str()
            .unwrap()
            .starts_with("200 http://plain.probe.test/ok"),
        "{body}"
    );

    for host in ["ten", "meta"] {
        let (status, body) = server
            .parse(&format!("https://probe.test/host/{host}"))
            .await;
        assert_eq!(status, 502, "{body}");
        assert!(msg(&body).contains("private address"), "{host}: {body}");
    }

    let (_, body) = server.parse("https://probe.test/redirect-out").await;
    assert!(
        msg(&body).contains("forbidden.example.com is not in the plugin's allowed hosts"),
        "redirect hop re-checked: {body}"
    );
    let (status, body) = server.parse("https://probe.test/redirect-in").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["data"]["title"]
            .as_str()
            .unwrap()
            .ends_with("up.probe.test/ok"),
        "{body}"
    );
    let (_, body) = server.parse("https://probe.test/redirect-loop").await;
    assert!(msg(&body).contains("too many redirects"), "{body}");

    let (_, body) = server.parse("https://probe.test/big").await;
    assert!(msg(&body).contains("response larger than"), "{body}");

    let before = mock.seen_path("/ok").len();
    let (_, body) = server.parse("https://probe.test/many").await;
    assert!(
        msg(&body).contains("request budget of 32 per parse spent"),
        "{body}"
    );
    assert_eq!(
        mock.seen_path("/ok").len() - before,
        32,
        "exactly the cap reached the upstream"
    );

    let (_, body) = server.parse("https://probe.test/slow").await;
    assert!(msg(&body).contains("timed out"), "{body}");
    assert_still_serving(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_is_refused_unless_allowed() {
    let (_mock, server) = setup(false, None).await;
    for host in ["lo", "six", "mapped", "ten", "meta"] {
        let (status, body) = server
            .parse(&format!("https://probe.test/host/{host}"))
            .await;
        assert_eq!(status, 502, "{host}: {body}");
        assert!(msg(&body).contains("private address"), "{host}: {body}");
    }
    let (_, body) = server.parse("https://probe.test/ok").await;
    assert!(
        msg(&body).contains("loopback"),
        "the mock itself is loopback, so refused too: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_services_and_operator_config() {
    let tweak: Arc<dyn Fn(&mut grabkit::config::Settings) + Send + Sync> = Arc::new(|s| {
        s.plugins.insert(
            "probe".into(),
            grabkit::config::PluginSection {
                config: [("greeting".to_string(), "hi there".to_string())].into(),
                ..Default::default()
            },
        );
    });
    let (_mock, server) = setup(true, Some(tweak)).await;
    let (_, body) = server.parse("https://probe.test/config").await;
    assert_eq!(body["data"]["title"], "hi there", "{body}");
    let (_, first) = server.parse("https://probe.test/kv").await;
    let (_, second) = server.parse("https://probe.test/kv").await;
    assert_eq!(
        (
            first["data"]["title"].as_str(),
            second["data"]["title"].as_str()
        ),
        (Some("x"), Some("xx"))
    );
    let kv = &server.app.service.kv;
    assert_eq!(
        kv.get("probe", "counter").await.unwrap(),
        Some(b"xx".to_vec()),
        "kv persists across instances of one plugin"
    );
    assert_eq!(kv.get("other", "counter").await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overload_answers_503_not_oom() {
    let tweak: Arc<dyn Fn(&mut grabkit::config::Settings) + Send + Sync> = Arc::new(|s| {
        s.limits.max_concurrency_per_plugin = 1;
        s.limits.queue_wait_ms = 200;
    });
    let (_mock, server) = setup(true, Some(tweak)).await;
    let server = Arc::new(server);
    let slow = {
        let s = server.clone();
        tokio::spawn(async move { s.parse("https://probe.test/slow").await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = server.parse("https://probe.test/ok").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("busy")),
        "{body}"
    );
    let _ = slow.await;
    assert_still_serving(&server).await;
}
