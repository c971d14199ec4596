//! The HTTP surface: envelopes for every bad input, auth, the operational
//! endpoints. Nothing here needs an upstream.

use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::server::shipped_plugin;
use grabkit_tests::{Mock, TestServer, TestSettings};
use serde_json::{Value, json};

async fn server() -> (Mock, TestServer) {
    TestServer::for_plugin("bilibili", HOSTS, upstream()).await
}

/// Send a raw request and return (status, envelope).
async fn raw(
    s: &TestServer,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut rb = s
        .client
        .request(method.parse().unwrap(), format!("{}{path}", s.base))
        .header("authorization", format!("Bearer {}", s.token))
        .body(body);
    if let Some(ct) = content_type {
        rb = rb.header("content-type", ct);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{method} {path}: not our JSON envelope ({e}): {text}"));
    assert_eq!(v["status"], status, "envelope status mirrors HTTP: {v}");
    assert!(v["msg"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    (status, v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_inputs_get_clear_envelopes() {
    let (mock, s) = server().await;
    let json_ct = Some("application/json");
    // What, content type, body, status, code.
    type BadInput<'a> = (&'a str, Option<&'a str>, Vec<u8>, u16, Value);
    let cases: Vec<BadInput> = vec![
        ("no body", json_ct, vec![], 400, json!("missing_body")),
        (
            "no content type, no body",
            None,
            vec![],
            400,
            json!("missing_body"),
        ),
        (
            "wrong content type",
            Some("text/plain"),
            br#"{"url":"https://b23.tv/x"}"#.to_vec(),
            415,
            json!("unsupported_media_type"),
        ),
        (
            "form content type",
            Some("application/x-www-form-urlencoded"),
            b"url=https://b23.tv/x".to_vec(),
            415,
            json!("unsupported_media_type"),
        ),
        (
            "invalid JSON",
            json_ct,
            b"{\"url\": ".to_vec(),
            400,
            json!("invalid_json"),
        ),
        (
            "JSON not an object",
            json_ct,
            b"[\"https://b23.tv/x\"]".to_vec(),
            400,
            json!("invalid_json"),
        ),
        (
            "missing url",
            json_ct,
            b"{\"link\": \"https://b23.tv/x\"}".to_vec(),
            400,
            json!("missing_url"),
        ),
        (
            "url not a string",
            json_ct,
            b"{\"url\": 42}".to_vec(),
            400,
            json!("missing_url"),
        ),
        (
            "empty url",
            json_ct,
            b"{\"url\": \"  \"}".to_vec(),
            400,
            json!("missing_url"),
        ),
        (
            "not a URL",
            json_ct,
            b"{\"url\": \"hello world\"}".to_vec(),
            400,
            json!("invalid_url"),
        ),
        (
            "share text with no URL",
            json_ct,
            "{\"url\": \"复制这段话打开抖音，没有链接\"}"
                .as_bytes()
                .to_vec(),
            400,
            json!("invalid_url"),
        ),
        (
            "file scheme",
            json_ct,
            b"{\"url\": \"file:///etc/passwd\"}".to_vec(),
            400,
            json!("unsupported_scheme"),
        ),
        (
            "javascript scheme",
            json_ct,
            b"{\"url\": \"javascript:alert(1)\"}".to_vec(),
            400,
            json!("unsupported_scheme"),
        ),
        (
            "unknown platform",
            json_ct,
            b"{\"url\": \"https://example.com/video/1\"}".to_vec(),
            400,
            json!(302),
        ),
        (
            "1 MB body",
            json_ct,
            format!("{{\"url\": \"https://b23.tv/{}\"}}", "a".repeat(1 << 20)).into_bytes(),
            413,
            json!("payload_too_large"),
        ),
        (
            "binary garbage",
            json_ct,
            vec![0xff, 0xfe, 0x00, 0x12],
            400,
            json!("invalid_json"),
        ),
    ];
    for (what, ct, body, want_status, want_code) in cases {
        let (status, v) = raw(&s, "POST", "/api/v1/parse", ct, body).await;
        assert_eq!(
            (status, &v["code"]),
            (want_status, &want_code),
            "{what}: {v}"
        );
        assert!(v["data"].is_null(), "{what}");
    }
    let (status, v) = raw(&s, "GET", "/api/v1/parse", None, vec![]).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
    let (status, v) = raw(&s, "GET", "/api/v2/nothing", None, vec![]).await;
    assert_eq!((status, v["code"].as_str()), (404, Some("no_route")));
    assert!(mock.seen().is_empty(), "no bad input reached an upstream");
    // And the server still parses.
    let (status, body) = s.parse("https://www.bilibili.com/video/BV117411r7R1").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operational_endpoints() {
    let (_mock, s) = server().await;
    let (status, body) = s.get("/healthz").await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            v["data"]["healthy"].as_bool(),
            v["data"]["plugins"].as_u64()
        ),
        (Some(true), Some(1))
    );

    let (status, body) = s.get("/api/v1/platforms").await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    let p = &v["data"][0];
    assert_eq!(
        (p["id"].as_str(), p["plugin"].as_str()),
        (Some("bilibili"), Some("grabkit-bilibili"))
    );
    assert!(
        p["urlPatterns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "b23.tv/{code}")
    );
    assert!(
        p["allowedHosts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "api.bilibili.com")
    );

    s.parse("https://www.bilibili.com/video/BV117411r7R1").await;
    s.parse("https://www.bilibili.com/video/BV1gone").await;
    let (status, metrics) = s.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains(r#"grabkit_parses_total{platform="bilibili",outcome="success"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"grabkit_parses_total{platform="bilibili",outcome="not_found"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("grabkit_parse_duration_seconds_bucket"),
        "{metrics}"
    );
    assert!(metrics.contains("grabkit_plugins_loaded 1"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shipped_plugin_loads_and_is_listed() {
    let mock = Mock::start(HOSTS, upstream()).await;
    let names = grabkit_tests::platforms();
    let s = TestServer::start(
        &mock,
        TestSettings {
            plugins: names.iter().map(|n| shipped_plugin(n)).collect(),
            ..Default::default()
        },
    )
    .await;
    let (status, body) = s.get("/api/v1/platforms").await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, names, "{v}");
    assert!(
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| !p["urlPatterns"].as_array().unwrap().is_empty()
                && !p["allowedHosts"].as_array().unwrap().is_empty())
    );
    // One link per platform is routed to its plugin.
    for (url, platform) in [
        ("https://b23.tv/x", "bilibili"),
        ("https://v.douyin.com/abc/", "douyin"),
        ("https://v.kuaishou.com/abc", "kuaishou"),
        ("https://x.com/NASA/status/1682484564325908480", "twitter"),
        ("https://vm.tiktok.com/ZMabcdEF/", "tiktok"),
        ("https://weixin.qq.com/sph/AkBAEKjbtY", "wechat_channels"),
        ("https://m.weibo.cn/status/4307734449242769", "weibo"),
        ("https://xhslink.com/a/abc", "xiaohongshu"),
    ] {
        let (status, body) = s.post_json("/api/v1/match", &json!({ "url": url })).await;
        assert_eq!(
            (status, body["data"]["platform"].as_str()),
            (200, Some(platform)),
            "{url}: {body}"
        );
    }
}
