//! The result cache: hits, `"cache": "no"`, `?refresh=1`, single flight for
//! identical parses in flight, what hits cost, jobs sharing it.

use grabkit::config::Settings;
use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::mock::Responder;
use grabkit_tests::{Mock, TestServer};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const VIDEO: &str = "https://www.bilibili.com/video/BV117411r7R1";

async fn server(delay_ms: u64, tweak: fn(&mut Settings)) -> (Mock, TestServer) {
    let inner = upstream();
    let slow: Responder = Arc::new(move |s| inner(s).delayed(Duration::from_millis(delay_ms)));
    TestServer::for_plugin_tweaked("bilibili", HOSTS, slow, tweak).await
}

fn cached(s: &mut Settings) {
    s.cache.ttl_secs = 600;
}

fn free_hits(s: &mut Settings) {
    s.cache.ttl_secs = 600;
    s.cache.charge_hits = false;
}

/// Parse with `body` and query `q`: status, X-Cache, envelope.
async fn parse(s: &TestServer, token: &str, q: &str, body: Value) -> (u16, String, Value) {
    let r = s
        .client
        .post(format!("{}/api/v1/parse{q}", s.base))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let x = r
        .headers()
        .get("x-cache")
        .map(|v| v.to_str().unwrap().to_string());
    let v = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    (status, x.unwrap_or_default(), v)
}

fn views(m: &Mock) -> usize {
    m.seen_path("/x/web-interface/view").len()
}

async fn key(s: &TestServer, credits: i64) -> String {
    let body = json!({"name": "c", "credits": credits});
    let (_, v) = s.admin("POST", "/api/v1/admin/keys", Some(&body)).await;
    v["data"]["token"].as_str().unwrap().to_string()
}

async fn credits(s: &TestServer, token: &str) -> i64 {
    let (_, u) = s.send_json("GET", "/api/v1/usage", token, None).await;
    u["data"]["credits"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_links_are_answered_from_the_cache_unless_asked_not_to() {
    let (mock, s) = server(0, cached).await;
    let t = key(&s, 10).await;
    let url = json!({"url": VIDEO});
    let (status, x, first) = parse(&s, &t, "", url.clone()).await;
    assert_eq!((status, x.as_str()), (200, "miss"));
    let (_, x, second) = parse(&s, &t, "", url.clone()).await;
    assert_eq!(x, "hit");
    assert_eq!(first["data"], second["data"], "the same answer");
    let share = json!({"url": format!("看这个 {VIDEO} 太好笑了")});
    assert_eq!(
        parse(&s, &t, "", share).await.1,
        "hit",
        "share text finds the same link"
    );
    assert_eq!(views(&mock), 1, "one plugin run");
    assert_eq!(
        credits(&s, &t).await,
        7,
        "cached answers cost a credit by default"
    );

    let (_, x, _) = parse(&s, &t, "", json!({"url": VIDEO, "cache": "no"})).await;
    assert_eq!(
        (x.as_str(), views(&mock)),
        ("miss", 2),
        "\"cache\": \"no\" runs anew"
    );
    let (_, x, _) = parse(&s, &t, "?refresh=1", url.clone()).await;
    assert_eq!(
        (x.as_str(), views(&mock)),
        ("miss", 3),
        "?refresh=1 runs anew…"
    );
    assert_eq!(
        parse(&s, &t, "", url).await.1,
        "hit",
        "…and keeps the fresh result"
    );
    assert_eq!(views(&mock), 3);

    let (status, _, v) = parse(&s, &t, "", json!({"url": VIDEO, "cache": "maybe"})).await;
    assert_eq!((status, v["code"].as_str()), (400, Some("invalid_request")));
    let (status, x, _) = parse(
        &s,
        &t,
        "",
        json!({"url": "https://www.bilibili.com/video/BV1gone"}),
    )
    .await;
    assert_eq!((status, x.as_str()), (404, "miss"));
    parse(
        &s,
        &t,
        "",
        json!({"url": "https://www.bilibili.com/video/BV1gone"}),
    )
    .await;
    let gone = mock
        .seen_path("/x/web-interface/view")
        .iter()
        .filter(|r| r.query.contains("BV1gone"))
        .count();
    assert_eq!(gone, 2, "failures are never cached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_parses_in_flight_share_one_run() {
    // The cache keeps nothing here (the tests' default): only in-flight sharing.
    let (mock, s) = server(300, |_| {}).await;
    let s = Arc::new(s);
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { parse(&s, &s.token, "", json!({"url": VIDEO})).await })
        })
        .collect();
    let mut hits = 0;
    for t in tasks {
        let (status, x, _) = t.await.unwrap();
        assert_eq!(status, 200);
        hits += (x == "hit") as usize;
    }
    assert_eq!(views(&mock), 1, "twelve requests, one upstream fetch");
    assert_eq!(
        hits, 11,
        "all but the one that ran say they were served from it"
    );
    parse(&s, &s.token, "", json!({"url": VIDEO})).await;
    assert_eq!(views(&mock), 2, "with ttl 0 nothing is kept afterwards");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hits_can_be_free_and_jobs_share_the_cache() {
    let (mock, s) = server(0, free_hits).await;
    let t = key(&s, 10).await;
    parse(&s, &t, "", json!({"url": VIDEO})).await;
    parse(&s, &t, "", json!({"url": VIDEO})).await;
    assert_eq!(credits(&s, &t).await, 9, "the hit cost nothing");
    let (_, v) = s
        .send_json(
            "POST",
            "/api/v1/jobs",
            &t,
            Some(&json!({"items": [{"url": VIDEO}]})),
        )
        .await;
    let job = v["data"]["job_id"].as_str().unwrap().to_string();
    for _ in 0..200 {
        let (_, j) = s
            .send_json("GET", &format!("/api/v1/jobs/{job}"), &t, None)
            .await;
        if j["data"]["finished_at"].is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(views(&mock), 1, "the job's item came from the cache");
    assert_eq!(credits(&s, &t).await, 9, "free for the job too");
    let (_, u) = s.send_json("GET", "/api/v1/usage", &t, None).await;
    assert_eq!(
        u["data"]["byOutcome"]["cache_hit"], 2,
        "the parse and the job item: {u}"
    );
}
