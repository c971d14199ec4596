//! `/openapi.json` against the server that serves it: every documented
//! operation is routed (and no undocumented method is), the document names
//! every error code with its status, and real answers, successes and
//! failures, validate against the schemas the document gives them.

use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::server::shipped_plugin;
use grabkit_tests::{Mock, TestServer, TestSettings};
use serde_json::{Value, json};

async fn serve() -> (Mock, TestServer) {
    let mock = Mock::start(HOSTS, upstream()).await;
    let plugins = vec![shipped_plugin("bilibili")];
    let hosts = HOSTS.iter().map(|h| h.to_string()).collect();
    let t = TestSettings {
        plugins,
        hosts,
        ..Default::default()
    };
    let server = TestServer::start(&mock, t).await;
    (mock, server)
}

async fn document(s: &TestServer) -> Value {
    let r = s.client.get(format!("{}/openapi.json", s.base));
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/json"), "{ct}");
    serde_json::from_str(&r.text().await.unwrap()).unwrap()
}

const METHODS: &[&str] = &["get", "post", "patch", "delete", "head", "options", "put"];

/// A concrete path for a templated one.
fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{platform}", "bilibili")
        .replace("{token}", "not-a-token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_routed_and_nothing_else() {
    let (_mock, s) = serve().await;
    let doc = document(&s).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 30, "{:?}", paths.keys());
    for (path, item) in paths {
        let url = format!("{}{}", s.base, concrete(path));
        for method in METHODS {
            let documented = item.get(*method).is_some();
            let m: reqwest::Method = method.to_uppercase().parse().unwrap();
            let r = s.client.request(m, &url).send().await.unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            let code = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["code"].as_str().map(String::from));
            let unrouted = matches!(code.as_deref(), Some("no_route" | "method_not_allowed"));
            if documented {
                assert!(!unrouted, "{method} {path} is documented but not routed");
            } else if path != "/mcp" {
                // HEAD rides along with GET in axum; everything else is refused.
                let head_of_get = *method == "head" && item.get("get").is_some();
                if !head_of_get {
                    assert_eq!(status, 405, "{method} {path}: {text}");
                    if *method != "head" {
                        let code = code.as_deref();
                        assert_eq!(code, Some("method_not_allowed"), "{method} {path}");
                    }
                }
            }
        }
    }
    let (status, v) = s
        .send_json("GET", "/api/v1/nothing-here", &s.token, None)
        .await;
    assert_eq!((status, v["code"].as_str()), (404, Some("no_route")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_names_every_code_credential_and_operation_detail() {
    let (_mock, s) = serve().await;
    let doc = document(&s).await;
    let table = doc["x-error-codes"].as_object().unwrap();
    let listed: Vec<_> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for (code, status) in grabkit_server::error::CODES {
        assert_eq!(table[*code], json!(status), "{code}");
        assert!(listed.contains(code), "{code}");
    }
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    for s in ["apiKey", "adminToken", "feedToken"] {
        assert!(schemes.contains_key(s), "{s}");
    }
    let described = doc["info"]["description"].as_str().unwrap();
    assert!(described.contains("media links"), "{described}");
    // Every operation says what it answers and, where it fails, with what.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path}");
            assert!(op["tags"].as_array().is_some(), "{method} {path}");
        }
    }
    let parse = &doc["paths"]["/api/v1/parse"]["post"];
    assert_eq!(parse["security"][0]["apiKey"], json!([]));
    let admin = &doc["paths"]["/api/v1/admin/keys"]["get"];
    assert_eq!(admin["security"][0]["adminToken"], json!([]));
    let feed = &doc["paths"]["/api/v1/feeds/{platform}"]["get"];
    assert_eq!(feed["security"][0]["feedToken"], json!([]));
}

/// Validates `answer` against the document's schema for that operation
/// and status (the exact status, else its `4XX`/`5XX` range).
fn check(doc: &Value, path: &str, method: &str, status: u16, answer: &Value) {
    let responses = &doc["paths"][path][method]["responses"];
    let range = format!("{}XX", status / 100);
    let response = [status.to_string(), range]
        .iter()
        .map(|k| &responses[k])
        .find(|r| !r.is_null())
        .unwrap_or_else(|| panic!("{method} {path}: no {status} in {responses}"));
    let schema = &response["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} {status}: {response}");
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    let validator = jsonschema::validator_for(&root).unwrap();
    let errors: Vec<_> = validator
        .iter_errors(answer)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status} does not match its schema: {errors:#?}\n{answer:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_answers_validate_against_their_schemas() {
    let (_mock, s) = serve().await;
    let doc = document(&s).await;
    let video = json!({"url": "https://www.bilibili.com/video/BV117411r7R1"});
    let space = json!({"url": "https://space.bilibili.com/66606350"});
    let tok = s.token.clone();
    let calls: Vec<(&str, &str, &str, Option<Value>)> = vec![
        (
            "post",
            "/api/v1/parse",
            "/api/v1/parse",
            Some(video.clone()),
        ),
        (
            "post",
            "/api/v1/parse",
            "/api/v1/parse?proxy=1",
            Some(video.clone()),
        ),
        (
            "post",
            "/api/v1/parse",
            "/api/v1/parse",
            Some(json!({"url": "https://example.com/x"})),
        ),
        (
            "post",
            "/api/v1/parse",
            "/api/v1/parse",
            Some(json!({"link": 1})),
        ),
        (
            "post",
            "/api/v1/match",
            "/api/v1/match",
            Some(video.clone()),
        ),
        ("get", "/api/v1/usage", "/api/v1/usage", None),
        (
            "post",
            "/api/v1/comments",
            "/api/v1/comments",
            Some(video.clone()),
        ),
        (
            "post",
            "/api/v1/profile",
            "/api/v1/profile",
            Some(space.clone()),
        ),
        (
            "post",
            "/api/v1/posts",
            "/api/v1/posts",
            Some(space.clone()),
        ),
        (
            "post",
            "/api/v1/posts",
            "/api/v1/posts",
            Some(json!({"url": "x", "cursor": "bad"})),
        ),
        ("get", "/api/v1/platforms", "/api/v1/platforms", None),
        ("get", "/healthz", "/healthz", None),
        (
            "post",
            "/api/v1/feed-tokens",
            "/api/v1/feed-tokens",
            Some(json!({"label": "r"})),
        ),
        ("get", "/api/v1/feed-tokens", "/api/v1/feed-tokens", None),
        (
            "delete",
            "/api/v1/feed-tokens/{id}",
            "/api/v1/feed-tokens/999",
            None,
        ),
        (
            "post",
            "/api/v1/jobs",
            "/api/v1/jobs",
            Some(json!({"items": [video.clone()]})),
        ),
        ("get", "/api/v1/jobs", "/api/v1/jobs", None),
        ("get", "/api/v1/jobs/{id}", "/api/v1/jobs/nope", None),
        ("get", "/api/v1/pool", "/api/v1/pool", None),
        (
            "get",
            "/api/v1/pool/{platform}",
            "/api/v1/pool/bilibili",
            None,
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (method, path, url, body) in calls {
        // A documented answer, not a routing refusal.
        let verb = method.to_uppercase();
        let (status, v) = s.send_json(&verb, url, &tok, body.as_ref()).await;
        assert_ne!(v["code"], "method_not_allowed", "{method} {url}");
        check(&doc, path, method, status, &v);
        seen.insert(status / 100);
        // A job's own page, once one exists.
        if path == "/api/v1/jobs" && method == "post" {
            let id = v["data"]["job_id"].as_str();
            let id = id.unwrap_or_else(|| panic!("no job id: {v}"));
            let (st, j) = s
                .send_json("GET", &format!("/api/v1/jobs/{id}"), &tok, None)
                .await;
            check(&doc, "/api/v1/jobs/{id}", "get", st, &j);
        }
    }
    assert_eq!(seen, [2, 4].into(), "successes and refusals both checked");

    let admin: Vec<(&str, &str, &str, Option<Value>)> = vec![
        (
            "post",
            "/api/v1/admin/keys",
            "/api/v1/admin/keys",
            Some(json!({"name": "x"})),
        ),
        ("get", "/api/v1/admin/keys", "/api/v1/admin/keys", None),
        (
            "get",
            "/api/v1/admin/keys/{id}",
            "/api/v1/admin/keys/1",
            None,
        ),
        (
            "patch",
            "/api/v1/admin/keys/{id}",
            "/api/v1/admin/keys/1",
            Some(json!({"name": "y"})),
        ),
        (
            "post",
            "/api/v1/admin/keys/{id}/credits",
            "/api/v1/admin/keys/1/credits",
            Some(json!({"add": 5})),
        ),
        (
            "get",
            "/api/v1/admin/keys/{id}",
            "/api/v1/admin/keys/777",
            None,
        ),
        (
            "delete",
            "/api/v1/admin/keys/{id}",
            "/api/v1/admin/keys/1",
            None,
        ),
        ("get", "/api/v1/plugins", "/api/v1/plugins", None),
        (
            "post",
            "/api/v1/plugins/reload",
            "/api/v1/plugins/reload",
            None,
        ),
        (
            "post",
            "/api/v1/plugins/{platform}/rollback",
            "/api/v1/plugins/bilibili/rollback",
            None,
        ),
        (
            "post",
            "/api/v1/admin/accounts",
            "/api/v1/admin/accounts",
            Some(json!({"platform": "bilibili", "cookies": "SESSDATA=s1; bili_jct=j"})),
        ),
        (
            "post",
            "/api/v1/admin/accounts",
            "/api/v1/admin/accounts",
            Some(json!({"platform": "bilibili", "cookies": "no pairs"})),
        ),
        (
            "get",
            "/api/v1/admin/accounts",
            "/api/v1/admin/accounts",
            None,
        ),
        (
            "patch",
            "/api/v1/admin/accounts/{id}",
            "/api/v1/admin/accounts/1",
            Some(json!({"label": "main"})),
        ),
        (
            "post",
            "/api/v1/admin/accounts/{id}/check",
            "/api/v1/admin/accounts/1/check",
            Some(video.clone()),
        ),
        (
            "get",
            "/api/v1/admin/accounts/{id}",
            "/api/v1/admin/accounts/9",
            None,
        ),
        (
            "delete",
            "/api/v1/admin/accounts/{id}",
            "/api/v1/admin/accounts/1",
            None,
        ),
    ];
    for (method, path, url, body) in admin {
        let (status, v) = s.admin(&method.to_uppercase(), url, body.as_ref()).await;
        check(&doc, path, method, status, &v);
    }
    // Without a credential: the envelope of a refusal, as documented.
    let (status, v) = s
        .send_json("GET", "/api/v1/admin/keys", "wrong", None)
        .await;
    check(&doc, "/api/v1/admin/keys", "get", status, &v);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_page_is_self_contained() {
    let (_mock, s) = serve().await;
    let r = s
        .client
        .get(format!("{}/docs", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("/openapi.json"));
    for external in ["http://", "https://", "//cdn"] {
        assert!(!html.contains(external), "the page loads {external}…");
    }
}
