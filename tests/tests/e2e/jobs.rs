//! Batch jobs through the HTTP API against the mock Bilibili: create,
//! stream (SSE framing, heartbeats, `Last-Event-ID` replay), urgent items,
//! cancel, credits, the pool, webhooks, and every bad input.

use grabkit::config::Settings;
use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::mock::{Reply, Responder, Seen};
use grabkit_tests::server::shipped_plugin;
use grabkit_tests::{Mock, TestServer, TestSettings};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const OK1: &str = "https://www.bilibili.com/video/BV117411r7R1";
const OK2: &str = "https://www.bilibili.com/video/av170001";
const GONE: &str = "https://www.bilibili.com/video/BV1gone";
const ELSEWHERE: &str = "https://example.com/not/a/post";

/// The mock Bilibili, plus a webhook receiver on `hooks.test` (whose
/// `/flaky` answers 500 the first time).
fn responder(delay: Option<Duration>) -> Responder {
    let inner = upstream();
    let flaky = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Arc::new(move |s: &Seen| {
        if s.host == "hooks.test" {
            if s.path == "/flaky" && flaky.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                return Reply::status(500);
            }
            return Reply::json("{}");
        }
        let r = inner(s);
        match delay {
            Some(d) if s.path == "/x/web-interface/view" => r.delayed(d),
            _ => r,
        }
    })
}

async fn server(delay: Option<Duration>, tweak: fn(&mut Settings)) -> (Mock, TestServer) {
    let mut hosts: Vec<&str> = HOSTS.to_vec();
    hosts.push("hooks.test");
    let mock = Mock::start(&hosts, responder(delay)).await;
    let s = TestServer::start(
        &mock,
        TestSettings {
            plugins: vec![shipped_plugin("bilibili")],
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            tweak: Some(Arc::new(tweak)),
            ..Default::default()
        },
    )
    .await;
    (mock, s)
}

async fn key(s: &TestServer, body: Value) -> String {
    let (status, v) = s.admin("POST", "/api/v1/admin/keys", Some(&body)).await;
    assert_eq!(status, 200, "{v}");
    v["data"]["token"].as_str().unwrap().to_string()
}

async fn create(s: &TestServer, token: &str, body: Value) -> (u16, Value) {
    s.send_json("POST", "/api/v1/jobs", token, Some(&body))
        .await
}

fn items(urls: &[&str]) -> Value {
    json!({"items": urls.iter().map(|u| json!({"url": u})).collect::<Vec<_>>()})
}

/// One SSE message.
#[derive(Debug, Clone)]
struct Msg {
    id: Option<i64>,
    event: String,
    data: Value,
}

/// Read a job's stream until its `done` event (or 30 s): the messages, and
/// whether a comment (heartbeat) came.
async fn stream(s: &TestServer, token: &str, job: &str, last: Option<&str>) -> (Vec<Msg>, bool) {
    let mut rb = s
        .client
        .get(format!("{}/api/v1/jobs/{job}/events", s.base))
        .bearer_auth(token);
    if let Some(l) = last {
        rb = rb.header("last-event-id", l);
    }
    let mut resp = rb.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let (mut buf, mut msgs, mut comment) = (String::new(), Vec::new(), false);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let chunk = tokio::time::timeout_at(deadline, resp.chunk()).await;
        let Ok(Ok(Some(bytes))) = chunk else { break };
        buf.push_str(&String::from_utf8_lossy(&bytes));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut m = Msg {
                id: None,
                event: "message".into(),
                data: Value::Null,
            };
            let mut is_comment = true;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id: ").or(line.strip_prefix("id:")) {
                    m.id = v.trim().parse().ok();
                    is_comment = false;
                } else if let Some(v) = line.strip_prefix("event: ").or(line.strip_prefix("event:"))
                {
                    m.event = v.trim().into();
                    is_comment = false;
                } else if let Some(v) = line.strip_prefix("data: ").or(line.strip_prefix("data:")) {
                    m.data = serde_json::from_str(v.trim()).unwrap_or(Value::Null);
                    is_comment = false;
                }
            }
            if is_comment {
                comment = true;
                continue;
            }
            let done = m.event == "done";
            msgs.push(m);
            if done {
                return (msgs, comment);
            }
        }
    }
    (msgs, comment)
}

fn item_events(msgs: &[Msg]) -> Vec<&Value> {
    msgs.iter()
        .filter(|m| m.event == "item")
        .map(|m| &m.data)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_streams_every_result_and_charges_one_credit_per_success() {
    let (_m, s) = server(None, |_| {}).await;
    let token = key(&s, json!({"name": "jobs", "credits": 10})).await;
    let body = json!({"items": [
        {"url": OK1, "meta": {"row": 1}},
        {"url": GONE},
        {"url": ELSEWHERE, "meta": {"row": 3}},
        {"url": OK1, "meta": {"row": 4}},
        {"url": OK2},
    ]});
    let (status, v) = create(&s, &token, body).await;
    assert_eq!(status, 202, "{v}");
    let job = v["data"]["job_id"].as_str().unwrap().to_string();
    assert!(job.starts_with("job_"));
    assert_eq!(
        v["data"]["stream_url"],
        format!("/api/v1/jobs/{job}/events")
    );
    let accepted = v["data"]["items"].as_array().unwrap();
    assert_eq!(
        accepted[2]["error"]["code"], 302,
        "unsupported: answered at once"
    );
    assert_eq!(
        accepted[0]["item_id"], accepted[3]["item_id"],
        "a duplicate runs once"
    );
    assert_eq!(accepted[0]["platform"], "bilibili");

    let (msgs, _) = stream(&s, &token, &job, None).await;
    let ids: Vec<i64> = msgs.iter().map(|m| m.id.unwrap()).collect();
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "monotonic ids: {ids:?}"
    );
    assert_eq!(msgs.last().unwrap().event, "done");
    assert!(msgs.iter().any(|m| m.event == "progress"));
    let items = item_events(&msgs);
    assert_eq!(items.len(), 4, "four distinct links");
    let by_url = |u: &str| items.iter().find(|i| i["url"] == u).copied().unwrap();
    let first = by_url(OK1);
    assert_eq!(
        (first["ok"].as_bool(), &first["meta"]),
        (Some(true), &json!({"row": 1}))
    );
    assert_eq!(first["result"]["id"], "BV117411r7R1");
    assert_eq!(first["priority_used"], "normal");
    assert!(first["elapsed_seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(by_url(GONE)["error"]["code"], "not_found");
    assert_eq!(by_url(ELSEWHERE)["meta"], json!({"row": 3}));

    let (_, j) = s
        .send_json("GET", &format!("/api/v1/jobs/{job}"), &token, None)
        .await;
    let c = &j["data"]["counts"];
    assert_eq!(
        (
            c["done"].as_u64(),
            c["failed"].as_u64(),
            j["data"]["total"].as_u64()
        ),
        (Some(2), Some(2), Some(4))
    );
    assert_eq!(j["data"]["by_platform"]["bilibili"]["done"], 2);
    let (_, u) = s.send_json("GET", "/api/v1/usage", &token, None).await;
    assert_eq!(u["data"]["credits"], 8, "two successes, two credits");

    // Reconnecting replays what came after the last id seen, from the store.
    let (replay, _) = stream(&s, &token, &job, Some("2")).await;
    assert_eq!(replay.first().unwrap().id, Some(3));
    assert_eq!(replay.len(), msgs.len() - 2);

    let (_, list) = s
        .send_json("GET", "/api/v1/jobs?limit=1", &token, None)
        .await;
    assert_eq!(list["data"]["jobs"][0]["job_id"], job.as_str());
    assert_eq!(list["data"]["has_more"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_header_works_and_jobs_are_private_to_their_key() {
    let (_m, s) = server(None, |_| {}).await;
    let r = s
        .client
        .post(format!("{}/api/v1/jobs", s.base))
        .header("x-api-key", &s.token)
        .header("content-type", "application/json")
        .body(items(&[OK1]).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let job = v["data"]["job_id"].as_str().unwrap();
    let other = key(&s, json!({"name": "other"})).await;
    for (method, path) in [
        ("GET", format!("/api/v1/jobs/{job}")),
        ("GET", format!("/api/v1/jobs/{job}/events")),
        ("DELETE", format!("/api/v1/jobs/{job}")),
        ("GET", "/api/v1/jobs/job_doesnotexist".to_string()),
    ] {
        let (status, v) = s.send_json(method, &path, &other, None).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (404, Some("job_not_found")),
            "{method} {path}"
        );
    }
    let (status, v) = s
        .send_json(
            "POST",
            &format!("/api/v1/jobs/{job}/urgent"),
            &other,
            Some(&json!({"urls": [OK1]})),
        )
        .await;
    assert_eq!((status, v["code"].as_str()), (404, Some("job_not_found")));
}

fn three_items_max(s: &mut Settings) {
    s.jobs.max_items = 3;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_job_requests_answer_in_the_envelope() {
    let (_m, s) = server(None, three_items_max).await;
    let t = &s.token;
    for (body, code) in [
        (json!({"items": []}), "invalid_request"),
        (json!({"items": "x"}), "invalid_request"),
        (json!({}), "invalid_request"),
        (json!({"items": [{"link": OK1}]}), "invalid_request"),
        (
            json!({"items": [{"url": OK1}], "priority": "asap"}),
            "invalid_request",
        ),
        (
            json!({"items": [{"url": OK1}], "kind": "comments"}),
            "invalid_request",
        ),
        (
            json!({"items": [{"url": OK1}], "webhook": {"url": "http://hooks.test/x"}}),
            "invalid_request",
        ),
        (items(&[OK1, OK2, GONE, OK1]), "too_many_items"),
    ] {
        let (status, v) = create(&s, t, body.clone()).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some(code)),
            "{body}: {v}"
        );
    }
    let poor = key(&s, json!({"name": "poor", "credits": 0})).await;
    let (status, v) = create(&s, &poor, items(&[OK1])).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (402, Some("insufficient_credits"))
    );
    let (status, v) = create(&s, "gk_live_nope", items(&[OK1])).await;
    assert_eq!((status, v["code"].as_str()), (401, Some("invalid_token")));

    let (_, v) = create(&s, t, items(&[OK1])).await;
    let job = v["data"]["job_id"].as_str().unwrap();
    let r = s
        .client
        .get(format!("{}/api/v1/jobs/{job}/events", s.base))
        .bearer_auth(t)
        .header("last-event-id", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(v["code"], "invalid_request");
    for bad in [
        "/api/v1/jobs?cursor=%%%",
        "/api/v1/jobs?limit=0",
        "/api/v1/jobs?limit=abc",
    ] {
        let (status, v) = s.send_json("GET", bad, t, None).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("invalid_request")),
            "{bad}"
        );
    }
}

fn one_worker(s: &mut Settings) {
    s.jobs.workers = 1;
    s.server.sse_heartbeat_secs = 1;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgent_items_jump_the_queue_and_heartbeats_keep_the_stream_alive() {
    let (_m, s) = server(Some(Duration::from_millis(1200)), one_worker).await;
    let t = &s.token;
    let urls = [
        OK1.to_string(),
        OK2.to_string(),
        format!("{OK1}?p=2"),
        "https://www.bilibili.com/video/BV1rp4y1e745".to_string(),
        "https://www.bilibili.com/video/BV1rp4y1e745?p=2".to_string(),
    ];
    let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
    let (_, v) = create(&s, t, items(&refs)).await;
    let job = v["data"]["job_id"].as_str().unwrap().to_string();
    let last = urls[4].clone();
    let (status, moved) = s
        .send_json(
            "POST",
            &format!("/api/v1/jobs/{job}/urgent"),
            t,
            Some(&json!({"urls": [last]})),
        )
        .await;
    assert_eq!(
        (status, moved["data"]["moved"].as_u64()),
        (200, Some(1)),
        "{moved}"
    );
    let (msgs, heartbeat) = stream(&s, t, &job, None).await;
    let order: Vec<&str> = item_events(&msgs)
        .iter()
        .map(|i| i["url"].as_str().unwrap())
        .collect();
    let pos = order.iter().position(|u| *u == urls[4]).unwrap();
    assert!(
        pos <= 1,
        "the urgent item runs next (the first may be running): {order:?}"
    );
    let urgent = item_events(&msgs)[pos];
    assert_eq!(urgent["priority_used"], "urgent");
    assert!(heartbeat, "a comment heartbeat while items ran");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_stops_what_is_still_queued() {
    let (_m, s) = server(Some(Duration::from_millis(500)), one_worker).await;
    let t = key(&s, json!({"name": "c", "credits": 10})).await;
    let (_, v) = create(
        &s,
        &t,
        items(&[OK1, OK2, "https://www.bilibili.com/video/BV1rp4y1e745"]),
    )
    .await;
    let job = v["data"]["job_id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, c) = s
        .send_json("DELETE", &format!("/api/v1/jobs/{job}"), &t, None)
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["data"]["cancelled"], true);
    let (msgs, _) = stream(&s, &t, &job, None).await;
    let done = msgs.last().unwrap();
    assert_eq!(
        (done.event.as_str(), done.data["cancelled"].as_bool()),
        ("done", Some(true))
    );
    let (_, j) = s
        .send_json("GET", &format!("/api/v1/jobs/{job}"), &t, None)
        .await;
    let counts = &j["data"]["counts"];
    assert_eq!(counts["cancelled"], 2, "{j}");
    let (_, u) = s.send_json("GET", "/api/v1/usage", &t, None).await;
    assert_eq!(
        u["data"]["credits"], 9,
        "only the item that ran was charged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_is_public_and_names_no_link() {
    let (_m, s) = server(None, |_| {}).await;
    let (_, v) = create(&s, &s.token, items(&[OK1, GONE])).await;
    let job = v["data"]["job_id"].as_str().unwrap().to_string();
    stream(&s, &s.token, &job, None).await;
    let r = s
        .client
        .get(format!("{}/api/v1/pool", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(
        !text.contains("BV117411r7R1") && !text.contains(&s.token),
        "{text}"
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    let b = &v["data"]["platforms"]["bilibili"];
    assert_eq!(
        (b["done5m"].as_u64(), b["failed5m"].as_u64()),
        (Some(1), Some(1)),
        "{v}"
    );
    assert!(b["medianLatencyMs"].is_u64());
    assert_eq!(v["data"]["totals"]["done5m"], 1);
    let (_, metrics) = s.get("/metrics").await;
    assert!(
        metrics.contains(r#"grabkit_job_items_done_5m{platform="bilibili"} 1"#),
        "{metrics}"
    );
    assert!(metrics.trim_end().ends_with("# EOF"));
    let (status, one) = s.get("/api/v1/pool/bilibili").await;
    assert_eq!(status, 200, "{one}");
    let (status, _) = s.get("/api/v1/pool/myspace").await;
    assert_eq!(status, 404);
}

async fn summary_when(s: &TestServer, job: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..400 {
        let (_, j) = s
            .send_json("GET", &format!("/api/v1/jobs/{job}"), &s.token, None)
            .await;
        if done(&j["data"]) {
            return j["data"].clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the job never got there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_signed_and_private_targets_refused() {
    let (mock, s) = server(None, |_| {}).await;
    let hook = json!({"url": "https://hooks.test/receive?tag=1", "secret": "s3cret"});
    let (_, v) = create(
        &s,
        &s.token,
        json!({"items": [{"url": OK1}], "webhook": hook}),
    )
    .await;
    let job = v["data"]["job_id"].as_str().unwrap().to_string();
    let sum = summary_when(&s, &job, |j| {
        j["webhook_attempts"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    })
    .await;
    assert_eq!(sum["webhook_attempts"][0]["status"], 200, "{sum}");
    assert!(
        sum["webhook"]["secret"].is_null(),
        "the secret is never shown"
    );
    let got = mock.seen_path("/receive");
    assert_eq!(got.len(), 1);
    let h = |n: &str| got[0].headers[n].to_str().unwrap().to_string();
    let ts = h("x-grabkit-timestamp");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
    mac.update(format!("{ts}.{}", got[0].body).as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(h("x-grabkit-signature"), expected);
    assert_eq!(h("x-grabkit-event"), "done");
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["id"], job.as_str());

    let hook = json!({"url": "https://hooks.test/flaky", "perItem": true});
    let (_, v) = create(
        &s,
        &s.token,
        json!({"items": [{"url": OK1}], "webhook": hook}),
    )
    .await;
    let job = v["data"]["job_id"].as_str().unwrap().to_string();
    let sum = summary_when(&s, &job, |j| {
        j["webhook_attempts"]
            .as_array()
            .is_some_and(|a| a.len() >= 3)
    })
    .await;
    let attempts: Vec<(&str, u64)> = sum["webhook_attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["event"].as_str().unwrap(),
                a["status"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert!(
        attempts.contains(&("item", 200)),
        "per-item delivery: {attempts:?}"
    );
    let failed_first = attempts.iter().filter(|a| a.1 == 500).count();
    assert_eq!(
        failed_first, 1,
        "one failure, retried after a wait: {attempts:?}"
    );
    assert_eq!(attempts.iter().filter(|a| a.1 == 200).count(), 2);
    assert!(
        mock.seen_path("/flaky")
            .iter()
            .all(|r| r.headers.get("x-grabkit-signature").is_none()),
        "no secret, no signature"
    );

    let hook = json!({"url": "https://10.0.0.1/hook"});
    let (_, v) = create(
        &s,
        &s.token,
        json!({"items": [{"url": OK1}], "webhook": hook}),
    )
    .await;
    let job = v["data"]["job_id"].as_str().unwrap().to_string();
    let sum = summary_when(&s, &job, |j| {
        j["webhook_attempts"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    })
    .await;
    let err = sum["webhook_attempts"][0]["error"].as_str().unwrap();
    assert!(err.contains("private"), "{err}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let again = summary_when(&s, &job, |_| true).await;
    assert_eq!(
        again["webhook_attempts"].as_array().unwrap().len(),
        1,
        "not retried"
    );
}

/// `grabkit serve` as its own process on `data`, ready to answer.
async fn spawn_server(
    data: &std::path::Path,
    dir: &std::path::Path,
    mock: &Mock,
) -> (tokio::process::Child, String) {
    let plugins = dir.join("plugins");
    let ca = dir.join("ca.pem");
    let config = dir.join("grabkit.toml");
    std::fs::write(&config, "[jobs]\nworkers = 4\n").unwrap();
    let resolve: Vec<String> = HOSTS
        .iter()
        .map(|h| format!("{h}={}", mock.tls_addr))
        .collect();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(env!("GRABKIT_BIN"))
        .args(["serve", "--config", config.to_str().unwrap()])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args([
            "--plugins",
            plugins.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ])
        .args(["--allow-loopback", "--ca-cert", ca.to_str().unwrap()])
        .args([
            "--resolve",
            &resolve.join(","),
            "--admin-token",
            "jobs-admin",
            "--no-watch",
        ])
        .env("GRABKIT_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..600 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start");
}

/// Item events from a stream until `stop` of them or the end; the last id seen.
async fn read_items(
    base: &str,
    token: &str,
    job: &str,
    after: i64,
    stop: usize,
) -> (Vec<Value>, i64, bool) {
    let mut rb = reqwest::Client::new()
        .get(format!("{base}/api/v1/jobs/{job}/events"))
        .bearer_auth(token);
    if after > 0 {
        rb = rb.header("last-event-id", after.to_string());
    }
    let Ok(mut resp) = rb.send().await else {
        return (Vec::new(), after, false);
    };
    let (mut buf, mut items, mut last) = (String::new(), Vec::new(), after);
    while let Ok(Some(bytes)) = tokio::time::timeout(Duration::from_secs(30), resp.chunk())
        .await
        .unwrap_or(Ok(None))
    {
        buf.push_str(&String::from_utf8_lossy(&bytes));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim().to_string())
            };
            let Some(id) = field("id:").and_then(|i| i.parse::<i64>().ok()) else {
                continue;
            };
            last = id;
            match field("event:").as_deref() {
                Some("item") => items.push(serde_json::from_str(&field("data:").unwrap()).unwrap()),
                Some("done") => return (items, last, true),
                _ => {}
            }
            if items.len() >= stop {
                return (items, last, false);
            }
        }
    }
    (items, last, false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_dash_nine_mid_job_resumes_without_losing_or_repeating_anything() {
    let inner = upstream();
    let slow: Responder = Arc::new(move |s| inner(s).delayed(Duration::from_millis(40)));
    let mock = Mock::start(HOSTS, slow).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(dir.path().join("plugins")).unwrap();
    std::fs::copy(
        shipped_plugin("bilibili"),
        dir.path().join("plugins/bilibili.wasm"),
    )
    .unwrap();
    std::fs::write(dir.path().join("ca.pem"), &mock.cert_pem).unwrap();

    let (mut child, base) = spawn_server(&data, dir.path(), &mock).await;
    let admin = reqwest::Client::new();
    let k: Value = serde_json::from_str(
        &admin
            .post(format!("{base}/api/v1/admin/keys"))
            .bearer_auth("jobs-admin")
            .header("content-type", "application/json")
            .body(
                json!({"name": "k9", "credits": 500, "ratePerSec": 100000, "rateBurst": 100000})
                    .to_string(),
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let token = k["data"]["token"].as_str().unwrap().to_string();
    const N: usize = 120;
    let urls: Vec<String> = (0..N).map(|i| format!("{OK1}?n={i}")).collect();
    let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
    let r = admin
        .post(format!("{base}/api/v1/jobs"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(items(&refs).to_string())
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let job = v["data"]["job_id"].as_str().unwrap().to_string();

    let (before, last, finished) = read_items(&base, &token, &job, 0, 15).await;
    assert!(!finished && before.len() >= 15, "the kill lands mid-job");
    child.start_kill().unwrap();
    child.wait().await.unwrap();

    let (mut child, base) = spawn_server(&data, dir.path(), &mock).await;
    let (after, _, finished) = read_items(&base, &token, &job, last, usize::MAX).await;
    assert!(finished, "the job finished after the restart");
    let mut ids: Vec<i64> = before
        .iter()
        .chain(&after)
        .map(|i| i["item_id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        (1..=N as i64).collect::<Vec<_>>(),
        "every item exactly once"
    );
    assert!(before.iter().chain(&after).all(|i| i["ok"] == true));
    let u: Value = serde_json::from_str(
        &admin
            .get(format!("{base}/api/v1/usage"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        u["data"]["credits"],
        500 - N as i64,
        "one credit per item, none twice: {u}"
    );
    child.start_kill().unwrap();
}
