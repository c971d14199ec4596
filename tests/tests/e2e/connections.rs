//! The connection layer against slow and greedy clients: head and body
//! deadlines, idle keep-alive, connection caps, the drain on shutdown.
//! Deadlines are set short; the tests assert what the server did (an
//! answer, a closed connection, a request still served), never how fast.

use grabkit::config::Settings;
use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::mock::{Reply, Responder};
use grabkit_tests::{Mock, TestServer};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every read here gives up after this (a bound, not an assertion).
const PATIENCE: Duration = Duration::from_secs(20);

async fn server_with(responder: Responder, tweak: fn(&mut Settings)) -> (Mock, TestServer) {
    TestServer::for_plugin_tweaked("bilibili", HOSTS, responder, tweak).await
}

fn short_deadlines(s: &mut Settings) {
    s.server.header_timeout_secs = 1;
    s.server.body_timeout_secs = 1;
}

async fn connect(s: &TestServer) -> TcpStream {
    TcpStream::connect(s.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Everything the server sends until it closes the connection.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut out))
        .await
        .expect("the server closed the connection")
        .ok();
    String::from_utf8_lossy(&out).into_owned()
}

/// The status line's code and the envelope of a raw answer.
fn answer(raw: &str) -> (u16, Value) {
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

async fn healthy(s: &TestServer) {
    let r = s
        .client
        .get(format!("{}/healthz", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a normal request is still served");
}

#[tokio::test]
async fn a_client_that_sends_nothing_gets_408_and_is_closed() {
    let (_m, s) = server_with(upstream(), short_deadlines).await;
    let mut c = connect(&s).await;
    let (status, env) = answer(&read_to_close(&mut c).await);
    assert_eq!(status, 408);
    assert_eq!(env["code"], "request_timeout");
    healthy(&s).await;
}

#[tokio::test]
async fn half_a_request_head_gets_408_and_is_closed() {
    let (_m, s) = server_with(upstream(), short_deadlines).await;
    let mut c = connect(&s).await;
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let (status, env) = answer(&read_to_close(&mut c).await);
    assert_eq!((status, env["status"].as_u64()), (408, Some(408)));
    healthy(&s).await;
}

#[tokio::test]
async fn a_body_trickled_too_slowly_gets_408_and_is_closed() {
    let (_m, s) = server_with(upstream(), short_deadlines).await;
    let mut c = connect(&s).await;
    let head = format!(
        "POST /api/v1/parse HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"url\":",
        s.token
    );
    c.write_all(head.as_bytes()).await.unwrap();
    let raw = read_to_close(&mut c).await;
    let (status, env) = answer(&raw);
    assert_eq!(status, 408);
    assert_eq!(env["code"], "request_timeout");
    assert!(
        raw.to_ascii_lowercase().contains("connection: close"),
        "{raw}"
    );
    healthy(&s).await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_without_an_answer() {
    let (_m, s) = server_with(upstream(), short_deadlines).await;
    let mut c = connect(&s).await;
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let raw = read_to_close(&mut c).await;
    assert_eq!(raw.matches("HTTP/1.1 ").count(), 1, "{raw}");
    assert_eq!(answer(&raw).0, 200, "the request itself was answered");
}

#[tokio::test]
async fn an_oversized_head_is_refused_without_being_kept() {
    let (_m, s) = server_with(upstream(), short_deadlines).await;
    let mut c = connect(&s).await;
    let filler = "a".repeat(40 << 10);
    let head = format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {filler}\r\n\r\n");
    let _ = c.write_all(head.as_bytes()).await;
    let raw = read_to_close(&mut c).await;
    assert!(raw.starts_with("HTTP/1.1 431"), "{raw:.80}");
    healthy(&s).await;
}

fn two_per_peer(s: &mut Settings) {
    s.server.max_connections_per_peer = 2;
}

#[tokio::test]
async fn connections_over_the_per_peer_cap_get_503_and_a_freed_place_is_reused() {
    let (_m, s) = server_with(upstream(), two_per_peer).await;
    let mut held = vec![connect(&s).await, connect(&s).await];
    // Let the server count them before the third arrives.
    for c in &mut held {
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 512];
        let n = tokio::time::timeout(PATIENCE, c.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
    }
    let mut third = connect(&s).await;
    let (status, env) = answer(&read_to_close(&mut third).await);
    assert_eq!(status, 503);
    assert_eq!(env["code"], "too_many_connections");
    drop(held.pop());
    // The freed place is taken again once the server has seen the close.
    let mut served = false;
    for _ in 0..50 {
        let r = reqwest::Client::new()
            .get(format!("{}/healthz", s.base))
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served, "a place freed by a closed connection is reused");
}

fn slow_upstream() -> Responder {
    let inner = upstream();
    Arc::new(move |seen| {
        let r: Reply = inner(seen);
        r.delayed(Duration::from_millis(300))
    })
}

#[tokio::test]
async fn shutdown_lets_a_parse_in_flight_finish_then_stops() {
    let (_m, mut s) = server_with(slow_upstream(), |_| {}).await;
    let client = s.client.clone();
    let (base, token) = (s.base.clone(), s.token.clone());
    let in_flight = tokio::spawn(async move {
        client
            .post(format!("{base}/api/v1/parse"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(r#"{"url": "https://www.bilibili.com/video/BV117411r7R1"}"#)
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    // The request is under way once the mock has seen its first call.
    for _ in 0..200 {
        if !_m.seen().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    s.stop();
    let status = in_flight.await.unwrap().expect("the answer arrived");
    assert_eq!(status, 200, "the parse in flight finished");
    let served = s.served.take().unwrap();
    tokio::time::timeout(PATIENCE, served)
        .await
        .expect("the serve loop ended after the drain")
        .unwrap();
    assert!(
        TcpStream::connect(s.base.trim_start_matches("http://"))
            .await
            .is_err(),
        "no longer accepting"
    );
}

fn drain_one_second(s: &mut Settings) {
    s.server.drain_timeout_secs = 1;
    s.server.header_timeout_secs = 60;
    s.server.body_timeout_secs = 60;
}

#[tokio::test]
async fn shutdown_does_not_wait_forever_for_a_stuck_client() {
    let (_m, mut s) = server_with(upstream(), drain_one_second).await;
    let mut c = connect(&s).await;
    let head = format!(
        "POST /api/v1/match HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Length: 100\r\n\r\n{{",
        s.token
    );
    c.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    s.stop();
    let served = s.served.take().unwrap();
    tokio::time::timeout(PATIENCE, served)
        .await
        .expect("the serve loop ended at the drain timeout")
        .unwrap();
    read_to_close(&mut c).await;
}
