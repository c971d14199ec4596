//! Accounts end to end, with the probe plugin and the mock: an import's
//! cookies reach only the hosts they belong to (a redirect to another
//! host carries none), `Set-Cookie` answers are kept and stored, a login
//! failure cools the account down and the next login-needing parse says
//! `no_account_available`; the config file's cookie is one read-only
//! account; every admin endpoint's bad input answers in the envelope; and
//! nothing of a cookie's value is in the database file.

use grabkit_tests::mock::{Responder, Seen};
use grabkit_tests::server::{Tweak, test_plugin};
use grabkit_tests::{Mock, Reply, TestServer, TestSettings};
use serde_json::{Value, json};
use std::sync::Arc;

const SECRET: &str = "s3cr3t-session-value-4711";

fn cookie_of(s: &Seen) -> String {
    s.headers
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("<none>")
        .to_string()
}

fn upstream() -> Responder {
    Arc::new(|s| match s.path.as_str() {
        // The title carries the Cookie header this hop arrived with.
        "/ok" => {
            let body =
                json!({"id": "p1", "title": cookie_of(s), "url": "https://cdn.probe.test/v.mp4"});
            let mut r = Reply::json(&body.to_string());
            r.headers.push((
                "set-cookie".into(),
                "fresh=renewed; Path=/; Max-Age=3600".into(),
            ));
            r
        }
        "/redirect-in" => Reply::redirect("https://lo.probe.test/landing"),
        "/landing" => Reply::json("{}"),
        _ => Reply::status(404),
    })
}

async fn setup(tweak: Option<Tweak>) -> (Mock, TestServer) {
    let mock = Mock::start(&["*.probe.test", "probe.test"], upstream()).await;
    let t = TestSettings {
        plugins: vec![test_plugin("probe")],
        hosts: vec!["up.probe.test".into(), "lo.probe.test".into()],
        tweak,
        ..Default::default()
    };
    let server = TestServer::start(&mock, t).await;
    (mock, server)
}

/// A cookies.txt whose session cookie belongs to `up.probe.test` alone.
fn cookies_txt() -> String {
    format!(
        "# Netscape HTTP Cookie File\n\
         up.probe.test\tFALSE\t/\tTRUE\t4102444800\tsession\t{SECRET}\n\
         .probe.test\tTRUE\t/\tTRUE\t4102444800\twide\tw1\n"
    )
}

async fn import(server: &TestServer, body: Value) -> (u16, Value) {
    server
        .admin("POST", "/api/v1/admin/accounts", Some(&body))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_go_where_they_belong_and_refreshed_ones_are_kept() {
    let (mock, server) = setup(None).await;
    let body = json!({"platform": "probe", "cookies": cookies_txt(), "label": "main",
        "userAgent": "Mozilla/5.0 (grabkit-test)"});
    let (status, a) = import(&server, body).await;
    assert_eq!(status, 200, "{a}");
    let id = a["data"]["id"].as_i64().unwrap();
    assert_eq!(a["data"]["state"], "ready");
    assert!(
        !a.to_string().contains(SECRET),
        "an answer shows a value: {a}"
    );
    let names: Vec<&str> = a["data"]["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["session", "wide"]);

    // The host attaches the account's cookies and user agent.
    let media = server.ok("https://probe.test/ok").await;
    let title = media["title"].as_str().unwrap();
    assert!(title.contains(&format!("session={SECRET}")), "{title}");
    assert!(title.contains("wide=w1"), "{title}");
    let seen = mock.seen_path("/ok");
    let ua = seen[0].headers.get("user-agent").unwrap().to_str().unwrap();
    assert_eq!(ua, "Mozilla/5.0 (grabkit-test)", "the account's user agent");

    // The answer's Set-Cookie is kept: the next parse sends it.
    let media = server.ok("https://probe.test/ok").await;
    let title = media["title"].as_str().unwrap();
    assert!(title.contains("fresh=renewed"), "{title}");
    // …and it is stored (sealed): the account shows it.
    let (_, a) = server
        .admin("GET", &format!("/api/v1/admin/accounts/{id}"), None)
        .await;
    let has_fresh = a["data"]["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "fresh" && c["domain"] == "up.probe.test");
    assert!(has_fresh, "{a}");
    assert_eq!(a["data"]["health"]["uses"], 2);
    assert_eq!(a["data"]["health"]["successRate"], 1.0);

    // A redirect to another host: the host-only cookie stays behind; the
    // one for the whole domain goes on (the domain rule, per hop).
    server.ok("https://probe.test/redirect-in").await;
    let landing = mock.seen_path("/landing");
    assert_eq!(landing[0].host.split(':').next(), Some("lo.probe.test"));
    let sent = cookie_of(&landing[0]);
    assert!(
        !sent.contains(SECRET),
        "the host-only cookie crossed: {sent}"
    );
    assert!(!sent.contains("fresh="), "up's Set-Cookie crossed: {sent}");
    assert_eq!(sent, "wide=w1");

    // The plugin reads the leased session as its `cookie` setting.
    let media = server.ok("https://probe.test/cookie").await;
    let title = media["title"].as_str().unwrap();
    assert!(title.contains(&format!("session={SECRET}")), "{title}");

    // …and through the contract's `account` import.
    let media = server.ok("https://probe.test/account").await;
    let want = format!("true {SECRET} Mozilla/5.0 (grabkit-test)");
    assert_eq!(media["title"], want);

    // Nothing of the value in the database files, the WAL included.
    for entry in std::fs::read_dir(&server.data_dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(SECRET) && !text.contains("renewed"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_failure_cools_the_account_and_then_none_is_available() {
    let (_mock, server) = setup(None).await;
    let (status, a) = import(&server, json!({"platform": "probe", "cookies": "a=1"})).await;
    assert_eq!(status, 200, "{a}");
    let id = a["data"]["id"].as_i64().unwrap();

    let (status, body) = server.parse("https://probe.test/error/login").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("login_required"))
    );
    let (_, a) = server
        .admin("GET", &format!("/api/v1/admin/accounts/{id}"), None)
        .await;
    assert_eq!(a["data"]["state"], "cooling_down", "{a}");
    assert_eq!(a["data"]["health"]["lastFailureCode"], "login_required");

    // A route that needs no session goes on without one…
    let media = server.ok("https://probe.test/ok").await;
    assert_eq!(media["title"], "<none> 0.1.0");
    // …one that needs it says that no account is ready, and when.
    let r = server
        .client
        .post(format!("{}/api/v1/parse", server.base))
        .bearer_auth(&server.token)
        .header("content-type", "application/json")
        .body(json!({"url": "https://probe.test/error/login"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    let body: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "no_account_available", "{body}");

    // Turning it off and on again is a fresh start.
    let path = format!("/api/v1/admin/accounts/{id}");
    for on in [false, true] {
        let (status, a) = server
            .admin("PATCH", &path, Some(&json!({"enabled": on})))
            .await;
        assert_eq!(status, 200, "{a}");
    }
    let (_, a) = server.admin("GET", &path, None).await;
    assert_eq!(a["data"]["state"], "ready", "{a}");

    // A check parses with it and counts (no credits, no key needed).
    let (status, c) = server
        .admin(
            "POST",
            &format!("{path}/check"),
            Some(&json!({"url": "https://probe.test/ok"})),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["data"]["passed"], true, "{c}");
    assert_eq!(
        c["data"]["media"]["title"], "a=1 0.1.0",
        "parsed as that account"
    );
    assert!(c["data"]["account"]["health"]["lastSuccessAt"].is_string());

    // An admin pins it on a parse: `?account=` with the admin token.
    let pinned = |token: Option<String>, id: String| {
        let mut rb = server
            .client
            .post(format!("{}/api/v1/parse?account={id}", server.base))
            .bearer_auth(&server.token)
            .header("content-type", "application/json")
            .body(json!({"url": "https://probe.test/ok"}).to_string());
        if let Some(t) = token {
            rb = rb.header("x-admin-token", t);
        }
        async move {
            let r = rb.send().await.unwrap();
            let status = r.status().as_u16();
            (
                status,
                serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap(),
            )
        }
    };
    let admin = Some(server.admin_token.clone());
    let (status, b) = pinned(admin.clone(), id.to_string()).await;
    let title = b["data"]["title"].as_str().unwrap_or_default();
    // Its cookies, the one an earlier answer set included.
    assert_eq!((status, title), (200, "a=1; fresh=renewed 0.1.0"), "{b}");
    let (status, b) = pinned(None, id.to_string()).await;
    assert_eq!(
        (status, b["code"].as_str()),
        (401, Some("missing_token")),
        "{b}"
    );
    let (status, b) = pinned(Some("wrong".into()), id.to_string()).await;
    assert_eq!(
        (status, b["code"].as_str()),
        (401, Some("invalid_token")),
        "{b}"
    );
    let (status, b) = pinned(admin.clone(), "999".into()).await;
    assert_eq!(
        (status, b["code"].as_str()),
        (404, Some("account_not_found")),
        "{b}"
    );
    let (status, b) = pinned(admin, "x".into()).await;
    assert_eq!(
        (status, b["code"].as_str()),
        (400, Some("invalid_request")),
        "{b}"
    );

    // The platform listing and the metrics show it.
    let (_, p) = server.get("/api/v1/platforms").await;
    let p: Value = serde_json::from_str(&p).unwrap();
    assert_eq!(
        p["data"][0]["accounts"],
        json!({"total": 1, "ready": 1}),
        "{p}"
    );
    let (_, m) = server.get("/metrics").await;
    assert!(
        m.contains("grabkit_accounts{platform=\"probe\",state=\"ready\"} 1"),
        "{m}"
    );
    assert!(m.contains(&format!(
        "grabkit_account_uses{{platform=\"probe\",account=\"{id}\"}}"
    )));

    let (status, _) = server.admin("DELETE", &path, None).await;
    assert_eq!(status, 200);
    let (status, b) = server.admin("GET", &path, None).await;
    assert_eq!(
        (status, b["code"].as_str()),
        (404, Some("account_not_found"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_config_files_cookie_is_one_read_only_account() {
    let tweak: Tweak = Arc::new(|s| {
        let p = s.plugins.entry("probe".into()).or_default();
        p.config.insert("cookie".into(), "cfg=from-file".into());
    });
    let (_mock, server) = setup(Some(tweak)).await;
    let media = server.ok("https://probe.test/ok").await;
    assert_eq!(media["title"], "cfg=from-file 0.1.0");
    let (_, all) = server.admin("GET", "/api/v1/admin/accounts", None).await;
    let a = &all["data"][0];
    assert_eq!(
        (a["source"].as_str(), a["id"].as_i64()),
        (Some("config"), Some(-1))
    );
    assert_eq!(a["health"]["uses"], 1);
    for (method, body) in [("DELETE", None), ("PATCH", Some(json!({"label": "x"})))] {
        let (status, b) = server
            .admin(method, "/api/v1/admin/accounts/-1", body.as_ref())
            .await;
        assert_eq!(
            (status, b["code"].as_str()),
            (409, Some("account_read_only")),
            "{b}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_admin_input_answers_in_the_envelope() {
    let (_mock, server) = setup(None).await;
    let bad_imports = [
        (
            json!({"platform": "probe", "cookies": "no pairs here"}),
            400,
            "invalid_cookies",
        ),
        (
            json!({"platform": "probe", "cookies": "[{\"name\": 1}]"}),
            400,
            "invalid_cookies",
        ),
        (
            json!({"platform": "probe", "cookies": ""}),
            400,
            "invalid_cookies",
        ),
        (
            json!({"platform": "probe", "cookies": 7}),
            400,
            "invalid_request",
        ),
        (
            json!({"platform": "nowhere", "cookies": "a=1"}),
            404,
            "unknown_platform",
        ),
        (json!({"platform": "probe"}), 400, "invalid_request"),
        (
            json!({"platform": "probe", "cookies": "a=1", "extra": 1}),
            400,
            "invalid_request",
        ),
        (
            json!({"platform": "probe", "cookies": "a=1", "proxy": "ftp://x"}),
            400,
            "invalid_request",
        ),
        (
            json!({"platform": "probe", "cookies": "a=1", "id": 3}),
            400,
            "invalid_request",
        ),
    ];
    for (body, want_status, want_code) in bad_imports {
        let (status, b) = import(&server, body.clone()).await;
        assert_eq!(
            (status, b["code"].as_str()),
            (want_status, Some(want_code)),
            "{body} → {b}"
        );
        assert_eq!(b["data"], Value::Null);
    }
    // The cookie-editor export as JSON (not text) imports.
    let export = json!([{"name": "sid", "value": "v", "domain": ".probe.test", "path": "/",
        "secure": true, "httpOnly": true, "hostOnly": false, "expirationDate": 4102444800.0}]);
    let (status, a) = import(&server, json!({"platform": "probe", "cookies": export})).await;
    assert_eq!(status, 200, "{a}");
    let path = format!("/api/v1/admin/accounts/{}", a["data"]["id"]);
    let bad_changes = [
        (json!({}), "invalid_request"),
        (json!({"enabled": "yes"}), "invalid_request"),
        (json!({"cookies": "a=2"}), "invalid_request"),
        (json!({"proxy": "not a url"}), "invalid_request"),
    ];
    for (body, want) in bad_changes {
        let (status, b) = server.admin("PATCH", &path, Some(&body)).await;
        assert_eq!(
            (status, b["code"].as_str()),
            (400, Some(want)),
            "{body} → {b}"
        );
    }
    let (status, a) = server
        .admin(
            "PATCH",
            &path,
            Some(&json!({"proxy": "http://u:pw@10.1.2.3:3128"})),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(
        a["data"]["proxy"], "http://10.1.2.3:3128",
        "credentials masked"
    );
    for (method, p, want_status, want) in [
        ("GET", "/api/v1/admin/accounts/abc", 400, "invalid_path"),
        (
            "GET",
            "/api/v1/admin/accounts/999",
            404,
            "account_not_found",
        ),
        (
            "DELETE",
            "/api/v1/admin/accounts/999",
            404,
            "account_not_found",
        ),
        ("PUT", "/api/v1/admin/accounts/1", 405, "method_not_allowed"),
    ] {
        let (status, b) = server.admin(method, p, None).await;
        assert_eq!(
            (status, b["code"].as_str()),
            (want_status, Some(want)),
            "{method} {p}"
        );
    }
    // A check with no link and no canary configured says so.
    let (status, b) = server
        .admin("POST", &format!("{path}/check"), Some(&json!({})))
        .await;
    assert_eq!(
        (status, b["code"].as_str()),
        (400, Some("invalid_request")),
        "{b}"
    );
    // Without the admin token: refused.
    let (status, b) = server
        .send_json("GET", "/api/v1/admin/accounts", &server.token, None)
        .await;
    assert_eq!(status, 401, "{b}");
}

/// A plugin built before the `account` import: the host still attaches the
/// session, and the plugin's `cookie` setting is the leased account's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_0_3_plugin_runs_with_the_session_too() {
    let mock = Mock::start(&["*.probe.test", "probe.test"], upstream()).await;
    let t = TestSettings {
        plugins: vec![grabkit_tests::server::artifact(
            "contracts/probe-v0.3.0.wasm",
        )],
        hosts: vec!["up.probe.test".into()],
        ..Default::default()
    };
    let server = TestServer::start(&mock, t).await;
    let body = json!({"platform": "probe", "cookies": format!("session={SECRET}")});
    let (status, a) = import(&server, body).await;
    assert_eq!(status, 200, "{a}");
    let media = server.ok("https://probe.test/ok").await;
    assert_eq!(media["title"], format!("session={SECRET} 0.1.0"));
}

/// `grabkit accounts …` against the running server: an import from a
/// cookies.txt applies at once; list, edit, check and remove round-trip;
/// a bad file and a wrong token fail with the server's message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_accounts_command_drives_the_running_server() {
    let (_mock, server) = setup(None).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cookies.txt");
    std::fs::write(&file, cookies_txt()).unwrap();
    let run = |args: Vec<String>, token: &str| {
        let mut cmd = tokio::process::Command::new(env!("GRABKIT_BIN"));
        cmd.arg("accounts")
            .args(&args)
            .args(["--server", &server.base])
            .env("GRABKIT_ADMIN_TOKEN", token)
            .env("GRABKIT_LOG", "error");
        async move { cmd.output().await.unwrap() }
    };
    let admin = server.admin_token.clone();
    let path = file.to_str().unwrap().to_string();
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let out = run(args(&["import", "probe", &path, "--label", "cli"]), &admin).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = a["id"].as_i64().unwrap().to_string();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET));
    // At once: the next parse runs as it.
    let media = server.ok("https://probe.test/ok").await;
    assert!(media["title"].as_str().unwrap().contains(SECRET));

    let out = run(args(&["list"]), &admin).await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("probe") && table.contains("cli") && table.contains("ready"),
        "{table}"
    );
    let out = run(args(&["edit", &id, "--disable"]), &admin).await;
    let a: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(a["state"], "disabled");
    let out = run(
        args(&["check", &id, "--url", "https://probe.test/ok"]),
        &admin,
    )
    .await;
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["passed"], true, "{c}");
    let out = run(args(&["remove", &id]), &admin).await;
    assert!(out.status.success());

    std::fs::write(&file, "this is not a cookie file").unwrap();
    let out = run(args(&["import", "probe", &path]), &admin).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("invalid_cookies"),
        "{err}"
    );
    let out = run(args(&["list"]), "wrong-token").await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("invalid_token"),
        "{err}"
    );
}

/// An account's proxy carries that account's traffic (identity and IP
/// together); with the proxy removed, the traffic goes direct again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accounts_proxy_carries_its_traffic() {
    let (mock, server) = setup(None).await;
    let proxy = grabkit_tests::proxy::ConnectProxy::start(mock.tls_addr).await;
    let body = json!({"platform": "probe", "cookies": "sid=via-proxy",
        "proxy": format!("http://{}", proxy.addr)});
    let (status, a) = import(&server, body).await;
    assert_eq!(status, 200, "{a}");
    let media = server.ok("https://probe.test/ok").await;
    assert_eq!(media["title"], "sid=via-proxy 0.1.0");
    let targets = proxy.targets();
    assert_eq!(targets, ["up.probe.test:443"], "{targets:?}");

    let path = format!("/api/v1/admin/accounts/{}", a["data"]["id"]);
    let (status, a) = server
        .admin("PATCH", &path, Some(&json!({"proxy": null})))
        .await;
    assert_eq!((status, &a["data"]["proxy"]), (200, &Value::Null), "{a}");
    let media = server.ok("https://probe.test/ok").await;
    assert!(
        media["title"]
            .as_str()
            .unwrap()
            .starts_with("sid=via-proxy")
    );
    assert_eq!(proxy.targets().len(), 1, "direct again");
}
