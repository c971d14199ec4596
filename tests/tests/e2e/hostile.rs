//! Hostile requests per endpoint: malformed paths and methods, admin input
//! that would silently change nothing, balances past their range, a key
//! revoked while its request is under way, forwarded-header tricks,
//! refusals in bulk. Each answer is our envelope with a precise code.

use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::{Mock, TestServer};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const VIDEO: &str = "https://www.bilibili.com/video/BV117411r7R1";

async fn server() -> (Mock, TestServer) {
    TestServer::for_plugin("bilibili", HOSTS, upstream()).await
}

/// Any request; the status and the body, which must be our envelope.
async fn envelope(s: &TestServer, method: &str, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut rb = s
        .client
        .request(method.parse().unwrap(), format!("{}{path}", s.base));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    assert_eq!(
        r.headers()
            .get("x-content-type-options")
            .map(|v| v.as_bytes()),
        Some(&b"nosniff"[..]),
        "{method} {path}"
    );
    let text = r.text().await.unwrap();
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{method} {path}: {status} not an envelope: {text:?}"));
    assert_eq!(v["status"], status, "{method} {path}: {v}");
    (status, v)
}

async fn key(s: &TestServer, body: Value) -> (i64, String) {
    let (status, v) = s.admin("POST", "/api/v1/admin/keys", Some(&body)).await;
    assert_eq!(status, 200, "{v}");
    let id = v["data"]["id"].as_i64().unwrap();
    (id, v["data"]["token"].as_str().unwrap().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_wrong_methods_in_the_envelope() {
    let (_m, s) = server().await;
    let routes = [
        ("/api/v1/parse", "GET"),
        ("/api/v1/match", "GET"),
        ("/api/v1/usage", "POST"),
        ("/api/v1/platforms", "DELETE"),
        ("/api/v1/admin/keys", "PUT"),
        ("/api/v1/admin/keys/1", "POST"),
        ("/api/v1/admin/keys/1/reset", "GET"),
        ("/api/v1/admin/keys/1/credits", "PATCH"),
        ("/api/v1/plugins", "POST"),
        ("/api/v1/plugins/reload", "GET"),
        ("/api/v1/plugins/bilibili/rollback", "DELETE"),
        ("/api/v1/media/abc", "POST"),
        ("/api/v1/media/abc/merged", "PUT"),
        ("/api/v1/jobs", "PUT"),
        ("/api/v1/jobs/job_x", "POST"),
        ("/api/v1/jobs/job_x/urgent", "GET"),
        ("/api/v1/jobs/job_x/events", "POST"),
        ("/api/v1/pool", "POST"),
        ("/api/v1/pool/bilibili", "DELETE"),
        ("/api/v1/comments", "GET"),
        ("/api/v1/comments/replies", "PUT"),
        ("/api/v1/profile", "GET"),
        ("/api/v1/posts", "DELETE"),
        ("/api/v1/search", "GET"),
        ("/api/v1/live", "PATCH"),
        ("/api/v1/feed-tokens", "PUT"),
        ("/api/v1/feed-tokens/1", "GET"),
        ("/api/v1/feeds/bilibili", "POST"),
        ("/api/v1/feeds/bilibili/media", "POST"),
        ("/healthz", "POST"),
        ("/metrics", "POST"),
    ];
    for (path, method) in routes {
        let (status, v) = envelope(&s, method, path, Some(&s.admin_token)).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (405, Some("method_not_allowed")),
            "{method} {path}"
        );
    }
    let (status, v) = envelope(&s, "GET", "/nowhere", None).await;
    assert_eq!((status, v["code"].as_str()), (404, Some("no_route")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_path_segments_answer_in_the_envelope_after_auth() {
    let (_m, s) = server().await;
    let admin = Some(s.admin_token.as_str());
    for (method, path) in [
        ("GET", "/api/v1/admin/keys/abc"),
        ("GET", "/api/v1/admin/keys/9223372036854775808"),
        ("PATCH", "/api/v1/admin/keys/1.5"),
        ("POST", "/api/v1/admin/keys/-x/credits"),
        ("POST", "/api/v1/plugins/%ff/rollback"),
    ] {
        let (status, v) = envelope(&s, method, path, admin).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("invalid_path")),
            "{method} {path}: {v}"
        );
        let (status, v) = envelope(&s, method, path, None).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (401, Some("missing_token")),
            "{method} {path}: the token is checked first"
        );
    }
    let (status, v) = envelope(&s, "GET", "/api/v1/media/%ff", None).await;
    assert_eq!((status, v["code"].as_str()), (400, Some("invalid_path")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credit_overflow_is_refused_and_the_key_keeps_working() {
    let (_m, s) = server().await;
    let (id, token) = key(&s, json!({"name": "o", "credits": 5})).await;
    let path = format!("/api/v1/admin/keys/{id}/credits");
    for (body, code) in [
        (json!({"add": i64::MAX}), "invalid_request"),
        (
            json!({"add": 1_000_000_000_000_i64}),
            "credits_out_of_range",
        ),
        (json!({"set": 1_000_000_000_001_i64}), "invalid_request"),
        (json!({"add": 1.5}), "invalid_request"),
        (json!({"add": "5"}), "invalid_request"),
        (json!({"add": 1, "set": 2}), "invalid_request"),
    ] {
        let (status, v) = s.admin("POST", &path, Some(&body)).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some(code)),
            "{body}: {v}"
        );
    }
    let (status, v) = s.admin("GET", "/api/v1/admin/keys", None).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = s
        .send_json(
            "POST",
            "/api/v1/parse",
            &token,
            Some(&json!({"url": VIDEO})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (_, v) = s
        .admin("GET", &format!("/api/v1/admin/keys/{id}"), None)
        .await;
    assert_eq!(v["data"]["credits"], 4, "one charge, nothing else changed");
    let (status, _) = s
        .admin(
            "POST",
            "/api/v1/admin/keys",
            Some(&json!({"name": "big", "credits": i64::MAX})),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_edits_that_would_change_nothing_are_refused_naming_the_field() {
    let (_m, s) = server().await;
    let (id, _) = key(&s, json!({"name": "e", "platforms": ["bilibili"]})).await;
    let path = format!("/api/v1/admin/keys/{id}");
    for (body, field) in [
        (json!({"enable": false}), "enable"),
        (json!({"enabled": "false"}), "enabled"),
        (json!({"name": 5}), "name"),
        (json!({"credits": 0}), "credits"),
        (json!({"token": "gk_live_x"}), "token"),
        (json!({"platforms": []}), "platforms"),
        (json!({"platforms": [""]}), "platforms"),
        (json!({"platforms": ["bilbili"]}), "bilbili"),
        (json!({"platforms": ["all", "bilibili"]}), "all"),
        (json!({"ratePerSec": 0}), "ratePerSec"),
        (json!({"ratePerSec": -1}), "ratePerSec"),
        (json!({}), "changes nothing"),
    ] {
        let (status, v) = s.admin("PATCH", &path, Some(&body)).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("invalid_request")),
            "{body}"
        );
        let msg = v["msg"].as_str().unwrap();
        assert!(msg.contains(field), "{body}: {msg}");
    }
    let (_, v) = s.admin("GET", &path, None).await;
    assert_eq!(v["data"]["enabled"], true, "nothing changed");
    assert_eq!(v["data"]["platforms"], json!(["bilibili"]));

    for body in [
        json!({"name": "c", "platforms": []}),
        json!({"name": "c", "platforms": [""]}),
        json!({"name": "c", "platforms": ["nope"]}),
        json!({"name": "c", "enabled": false}),
        json!({"name": "c", "credit": 5}),
        json!({"platforms": ["all"]}),
    ] {
        let (status, v) = s.admin("POST", "/api/v1/admin/keys", Some(&body)).await;
        assert_eq!(status, 400, "{body}: {v}");
    }
    let (_, list) = s.admin("GET", "/api/v1/admin/keys", None).await;
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"c"), "no refused key was made: {names:?}");
    let (status, v) = s
        .admin("PATCH", &path, Some(&json!({"platforms": ["all"]})))
        .await;
    assert_eq!((status, &v["data"]["platforms"]), (200, &json!(["all"])));
}

/// Send a parse's head now and its body after `meanwhile` has run.
async fn parse_with_a_late_body(
    s: &TestServer,
    token: &str,
    meanwhile: impl std::future::Future<Output = ()>,
) -> (u16, Value) {
    let body = json!({"url": VIDEO}).to_string();
    let mut c = TcpStream::connect(s.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = format!(
        "POST /api/v1/parse HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    c.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    meanwhile.await;
    c.write_all(body.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), c.read_to_end(&mut raw))
        .await
        .unwrap()
        .unwrap();
    let raw = String::from_utf8_lossy(&raw);
    let status = raw.split(' ').nth(1).unwrap().parse().unwrap();
    let body = raw.split("\r\n\r\n").nth(1).unwrap();
    (status, serde_json::from_str(body).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_while_its_body_arrives_is_refused_and_not_charged() {
    let (_m, s) = server().await;
    let (id, token) = key(&s, json!({"name": "late", "credits": 3})).await;
    let path = format!("/api/v1/admin/keys/{id}");
    let off = json!({"enabled": false});
    let (status, v) = parse_with_a_late_body(&s, &token, async {
        s.admin("PATCH", &path, Some(&off)).await;
    })
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (401, Some("invalid_token")),
        "{v}"
    );
    s.admin("PATCH", &path, Some(&json!({"enabled": true})))
        .await;
    let (_, v) = s.admin("GET", &path, None).await;
    assert_eq!(v["data"]["credits"], 3, "not charged");

    let reset = format!("{path}/reset");
    let (status, v) = parse_with_a_late_body(&s, &token, async {
        s.admin("POST", &reset, None).await;
    })
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (401, Some("invalid_token")),
        "{v}"
    );

    let (id, token) = key(&s, json!({"name": "doomed"})).await;
    let doomed = format!("/api/v1/admin/keys/{id}");
    let (status, v) = parse_with_a_late_body(&s, &token, async {
        s.admin("DELETE", &doomed, None).await;
    })
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (401, Some("invalid_token")),
        "a deleted key is a 401, never a 500: {v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_early_refusal_says_it_closes_the_connection_it_did_not_read() {
    let (_m, s) = server().await;
    let body = json!({"url": VIDEO}).to_string();
    let ask = |token: &str| {
        format!(
            "POST /api/v1/match HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
    };
    let answer_to = |head: String| {
        let (base, body) = (s.base.clone(), body.clone());
        async move {
            let mut c = TcpStream::connect(base.trim_start_matches("http://"))
                .await
                .unwrap();
            c.write_all(head.as_bytes()).await.unwrap();
            c.write_all(body.as_bytes()).await.unwrap();
            let mut buf = vec![0u8; 16 << 10];
            let n = tokio::time::timeout(Duration::from_secs(20), c.read(&mut buf))
                .await
                .unwrap()
                .unwrap();
            String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase()
        }
    };
    let refused = answer_to(ask("gk_live_wrong")).await;
    assert!(refused.starts_with("http/1.1 401"), "{refused}");
    assert!(refused.contains("connection: close"), "{refused}");
    let served = answer_to(ask(&s.token)).await;
    assert!(served.starts_with("http/1.1 200"), "{served}");
    assert!(
        !served.contains("connection: close"),
        "read bodies keep the connection: {served}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_in_bulk_are_counted() {
    let (_m, s) = server().await;
    for _ in 0..300 {
        let r = s
            .client
            .post(format!("{}/api/v1/parse", s.base))
            .bearer_auth(&s.token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
    let (_, usage) = s.get("/api/v1/usage").await;
    let usage: Value = serde_json::from_str(&usage).unwrap();
    assert_eq!(usage["data"]["byOutcome"]["invalid_json"], 300, "{usage}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn match_and_usage_take_the_keys_rate_limit() {
    let (_m, s) = server().await;
    let (_, token) = key(&s, json!({"name": "r", "ratePerSec": 1, "rateBurst": 1})).await;
    let url = json!({"url": VIDEO});
    let (first, _) = s
        .send_json("POST", "/api/v1/match", &token, Some(&url))
        .await;
    let (second, v) = s
        .send_json("POST", "/api/v1/match", &token, Some(&url))
        .await;
    assert_eq!((first, second), (200, 429), "{v}");
    let (status, v) = s.send_json("GET", "/api/v1/usage", &token, None).await;
    assert_eq!((status, v["code"].as_str()), (429, Some("rate_limited")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_headers_from_an_untrusted_peer_cannot_move_proxy_links() {
    let (_m, s) = server().await;
    let r = s
        .client
        .post(format!("{}/api/v1/parse?proxy=1", s.base))
        .bearer_auth(&s.token)
        .header("content-type", "application/json")
        .header("x-forwarded-host", "evil.example/phish?t=")
        .header("x-forwarded-proto", "https")
        .body(json!({"url": VIDEO}).to_string())
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let link = v["data"]["videos"][0]["proxyUrl"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/api/v1/media/", s.base)),
        "{link}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_link_text_is_refused_cheaply() {
    let (_m, s) = server().await;
    let hostile = "http://[".repeat(8187);
    let (status, v) = s
        .send_json(
            "POST",
            "/api/v1/match",
            &s.token,
            Some(&json!({"url": hostile})),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (400, Some("invalid_url")),
        "{v}"
    );
}
