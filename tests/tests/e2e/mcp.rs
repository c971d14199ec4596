//! The MCP surface with rmcp's own client: over streamable HTTP at `/mcp`
//! (the tools, the same media as `/parse`, credits charged to the calling
//! key, tool errors with our codes, the key check before MCP) and over
//! stdio (`grabkit mcp` as a desktop agent starts it).

use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::server::shipped_plugin;
use grabkit_tests::{Mock, TestServer};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

const VIDEO: &str = "https://www.bilibili.com/video/BV117411r7R1";

const TOOLS: &[&str] = &[
    "parse_link",
    "match_link",
    "list_platforms",
    "get_comments",
    "get_comment_replies",
    "get_profile",
    "get_user_posts",
    "search",
    "get_live",
    "submit_batch",
    "get_batch",
];

type Client = RunningService<RoleClient, ()>;

async fn over_http(s: &TestServer, token: &str) -> Client {
    let config = StreamableHttpClientTransportConfig::with_uri(format!("{}/mcp", s.base))
        .auth_header(token.to_string());
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
        .expect("MCP handshake over HTTP")
}

async fn call(c: &Client, name: &'static str, args: Value) -> CallToolResult {
    let args = args.as_object().cloned().expect("arguments are an object");
    c.call_tool(CallToolRequestParams::new(name).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A successful tool call's structured content.
async fn call_ok(c: &Client, name: &'static str, args: Value) -> Value {
    let r = call(c, name, args).await;
    assert_ne!(r.is_error, Some(true), "{name}: {r:?}");
    r.structured_content
        .unwrap_or_else(|| panic!("{name}: no structured content"))
}

async fn tool_names(c: &Client) -> Vec<String> {
    let tools = c.list_all_tools().await.expect("tools/list");
    for t in &tools {
        assert_eq!(
            t.input_schema.get("type"),
            Some(&json!("object")),
            "{}: {:?}",
            t.name,
            t.input_schema
        );
        let described = t.description.as_deref().unwrap_or_default();
        assert!(described.len() > 20, "{} has no real description", t.name);
    }
    tools.iter().map(|t| t.name.to_string()).collect()
}

/// A key with `credits`, made through the admin API: (id, token).
async fn limited_key(s: &TestServer, credits: i64) -> (i64, String) {
    let body = json!({"name": "mcp", "credits": credits});
    let (status, v) = s.admin("POST", "/api/v1/admin/keys", Some(&body)).await;
    assert_eq!(status, 200, "{v}");
    let token = v["data"]["token"].as_str().unwrap().to_string();
    (v["data"]["id"].as_i64().unwrap(), token)
}

async fn credits(s: &TestServer, id: i64) -> Option<i64> {
    let path = format!("/api/v1/admin/keys/{id}");
    let (_, v) = s.admin("GET", &path, None).await;
    v["data"]["credits"].as_i64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_over_streamable_http_bill_the_calling_key() {
    let (_mock, s) = TestServer::for_plugin("bilibili", HOSTS, upstream()).await;
    let (id, token) = limited_key(&s, 10).await;
    let c = over_http(&s, &token).await;

    let names = tool_names(&c).await;
    for t in TOOLS {
        assert!(names.iter().any(|n| n == t), "{t} missing from {names:?}");
    }

    // The same media as POST /api/v1/parse, and exactly one credit.
    let media = call_ok(&c, "parse_link", json!({ "url": VIDEO })).await;
    assert_eq!(media, s.ok(VIDEO).await);
    assert_eq!(media["id"], "BV117411r7R1");
    assert_eq!(credits(&s, id).await, Some(9));

    // Matching and listing are free.
    let m = call_ok(&c, "match_link", json!({ "url": VIDEO })).await;
    let body = json!({ "url": VIDEO });
    let (_, http) = s
        .send_json("POST", "/api/v1/match", &token, Some(&body))
        .await;
    assert_eq!(
        (&m, m["platform"].as_str()),
        (&http["data"], Some("bilibili"))
    );
    let p = call_ok(&c, "list_platforms", json!({})).await;
    let (_, http) = s.send_json("GET", "/api/v1/platforms", &token, None).await;
    assert_eq!(p["platforms"], http["data"]);
    assert_eq!(credits(&s, id).await, Some(9));

    // A data tool: the comments endpoint's page, one credit.
    let page = call_ok(&c, "get_comments", json!({ "url": VIDEO, "count": 20 })).await;
    assert_eq!(page["postId"], "85440373", "{page}");
    assert_eq!(page["comments"].as_array().map(Vec::len), Some(3), "{page}");
    assert_eq!(page["hasMore"], true);
    assert_eq!(credits(&s, id).await, Some(8));

    // Failures are tool errors with our code; they cost nothing.
    let r = call(
        &c,
        "parse_link",
        json!({"url": "https://example.com/nothing"}),
    )
    .await;
    assert_eq!(r.is_error, Some(true), "{r:?}");
    let e = r
        .structured_content
        .expect("the error as structured content");
    assert_eq!(e["code"], "unsupported_link", "{e}");
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("example.com")),
        "{e}"
    );
    let r = call(&c, "get_comments", json!({ "url": VIDEO, "count": 0 })).await;
    let e = r.structured_content.unwrap();
    assert_eq!(
        (r.is_error, e["code"].as_str()),
        (Some(true), Some("invalid_request")),
        "{e}"
    );
    assert_eq!(credits(&s, id).await, Some(8));

    // The key's own usage shows what MCP did.
    let (_, usage) = s.send_json("GET", "/api/v1/usage", &token, None).await;
    assert_eq!(usage["data"]["credits"], 8, "{usage}");
    assert_eq!(usage["data"]["byOutcome"]["success"], 2, "{usage}");

    c.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_answer_pending_at_once_then_their_results() {
    let (_mock, s) = TestServer::for_plugin("bilibili", HOSTS, upstream()).await;
    let c = over_http(&s, &s.token).await;
    let items =
        json!({"items": [{"url": VIDEO, "meta": {"n": 1}}, {"url": "https://example.com/x"}]});
    let job = call_ok(&c, "submit_batch", items).await;
    assert_eq!(job["state"], "pending", "{job}");
    let id = job["job_id"].as_str().unwrap().to_string();
    assert_eq!(job["items"][1]["error"]["code"], 302, "{job}");

    // Polled a bounded number of times until it is done.
    let mut last = Value::Null;
    for _ in 0..100 {
        last = call_ok(&c, "get_batch", json!({ "job_id": id })).await;
        if last["state"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(last["state"], "done", "{last}");
    let parsed = last["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "item" && e["data"]["ok"] == true)
        .unwrap_or_else(|| panic!("no parsed item: {last}"));
    assert_eq!(parsed["data"]["result"]["id"], "BV117411r7R1");
    assert_eq!(parsed["data"]["meta"], json!({"n": 1}));
    let after = last["next_after"].as_i64().unwrap();
    let rest = call_ok(&c, "get_batch", json!({ "job_id": id, "after": after })).await;
    assert_eq!(rest["events"], json!([]), "{rest}");

    let r = call(&c, "get_batch", json!({"job_id": "job_nope"})).await;
    let e = r.structured_content.unwrap();
    assert_eq!(
        (r.is_error, e["code"].as_str()),
        (Some(true), Some("job_not_found"))
    );
    c.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_requests_without_a_valid_key_get_our_401() {
    let (_mock, s) = TestServer::for_plugin("bilibili", HOSTS, upstream()).await;
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}});
    for (auth, code) in [
        (None, "missing_token"),
        (Some("Bearer gk_live_nope"), "invalid_token"),
    ] {
        let mut rb = s
            .client
            .post(format!("{}/mcp", s.base))
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(init.to_string());
        if let Some(a) = auth {
            rb = rb.header("authorization", a);
        }
        let r = rb.send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401);
        let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert_eq!(
            (&v["status"], &v["data"], v["code"].as_str()),
            (&json!(401), &Value::Null, Some(code)),
            "{v}"
        );
        assert!(v["msg"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    }
}

/// The sandbox flags that point the plugin at the mock (as `cli.rs` does).
fn sandbox_args(mock: &Mock, ca: &std::path::Path) -> Vec<String> {
    let resolve: Vec<String> = HOSTS
        .iter()
        .map(|h| format!("{h}={}", mock.tls_addr))
        .collect();
    vec![
        "--allow-loopback".into(),
        "--ca-cert".into(),
        ca.to_str().unwrap().into(),
        "--resolve".into(),
        resolve.join(","),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grabkit_mcp_serves_the_tools_on_stdio() {
    let mock = Mock::start(HOSTS, upstream()).await;
    let dir = tempfile::tempdir().unwrap();
    let (plugins, data) = (dir.path().join("plugins"), dir.path().join("data"));
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(shipped_plugin("bilibili"), plugins.join("bilibili.wasm")).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &mock.cert_pem).unwrap();
    let bin = env!("GRABKIT_BIN");
    let out = std::process::Command::new(bin)
        .args(["keys", "create", "--name", "agent", "--credits", "5"])
        .args(["--data-dir", data.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = created["token"].as_str().unwrap().to_string();

    let command = |key: Option<&str>| {
        let mut cmd = tokio::process::Command::new(bin);
        cmd.arg("mcp")
            .args(["--plugins", plugins.to_str().unwrap()])
            .args(["--data-dir", data.to_str().unwrap()])
            .args(sandbox_args(&mock, &ca))
            .env("GRABKIT_LOG", "error")
            .env_remove("GRABKIT_API_KEY")
            .kill_on_drop(true);
        if let Some(k) = key {
            cmd.env("GRABKIT_API_KEY", k);
        }
        cmd
    };

    // No key, or a wrong one: it refuses to start, saying why.
    for (key, says) in [
        (None, "GRABKIT_API_KEY is not set"),
        (Some("gk_live_nope"), "invalid_token"),
    ] {
        let out = command(key)
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(says), "{stderr}");
        assert!(out.stdout.is_empty(), "stdout is the protocol's alone");
    }

    let transport = TokioChildProcess::new(command(Some(&token))).unwrap();
    let c = ().serve(transport).await.expect("MCP handshake over stdio");
    let names = tool_names(&c).await;
    assert!(
        TOOLS.iter().all(|t| names.iter().any(|n| n == t)),
        "{names:?}"
    );
    let media = call_ok(&c, "parse_link", json!({ "url": VIDEO })).await;
    assert_eq!(
        (media["platform"].as_str(), media["id"].as_str()),
        (Some("bilibili"), Some("BV117411r7R1"))
    );
    assert_eq!(media["audios"][0]["quality"], "192k");
    let r = call(
        &c,
        "parse_link",
        json!({"url": "https://example.com/nothing"}),
    )
    .await;
    let e = r.structured_content.unwrap();
    assert_eq!(
        (r.is_error, e["code"].as_str()),
        (Some(true), Some("unsupported_link"))
    );
    c.cancel().await.unwrap();

    // The credit went to the key's database.
    let out = std::process::Command::new(bin)
        .args(["keys", "list", "--data-dir", data.to_str().unwrap()])
        .output()
        .unwrap();
    let keys: Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed = keys
        .as_array()
        .and_then(|k| k.first())
        .cloned()
        .unwrap_or_default();
    assert_eq!(listed["credits"], 4, "{keys}");
}
