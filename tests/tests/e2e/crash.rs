//! kill -9 in the middle of charging: after the restart every committed
//! charge is there, no success went uncharged, and credits held by the
//! interrupted parses come back.

use grabkit_store::KeyStore;
use grabkit_tests::Mock;
use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::mock::Responder;
use grabkit_tests::server::shipped_plugin;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CREDITS: i64 = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_dash_nine_keeps_balance_and_successes_consistent() {
    // A slow upstream keeps many parses in flight when the kill lands.
    let inner = upstream();
    let slow: Responder = Arc::new(move |s| inner(s).delayed(Duration::from_millis(20)));
    let mock = Mock::start(HOSTS, slow).await;
    let dir = tempfile::tempdir().unwrap();
    let (plugins, data) = (dir.path().join("plugins"), dir.path().join("data"));
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(shipped_plugin("bilibili"), plugins.join("bilibili.wasm")).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &mock.cert_pem).unwrap();
    let resolve: Vec<String> = HOSTS
        .iter()
        .map(|h| format!("{h}={}", mock.tls_addr))
        .collect();
    let bin = env!("GRABKIT_BIN");

    let out = std::process::Command::new(bin)
        .args([
            "keys",
            "create",
            "--name",
            "crash",
            "--credits",
            &CREDITS.to_string(),
            "--rate-per-sec",
            "100000",
            "--rate-burst",
            "100000",
            "--data-dir",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (id, token) = (
        created["id"].as_i64().unwrap(),
        created["token"].as_str().unwrap().to_string(),
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(bin)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--plugins",
            plugins.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ])
        .args([
            "--allow-loopback",
            "--ca-cert",
            ca.to_str().unwrap(),
            "--resolve",
            &resolve.join(","),
            "--admin-token",
            "crash-admin",
            "--no-watch",
        ])
        .env("GRABKIT_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let successes = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (client, base, token, successes) = (
            client.clone(),
            base.clone(),
            token.clone(),
            successes.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for _ in 0..100 {
                let r = client
                    .post(format!("{base}/api/v1/parse"))
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    // Past the result cache: every parse holds its credit upstream.
                    .body(r#"{"url":"https://www.bilibili.com/video/BV117411r7R1","cache":"no"}"#)
                    .send()
                    .await;
                let Ok(r) = r else { break }; // the server is gone
                if r.status() == 200 && r.bytes().await.is_ok() {
                    successes.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    // Let charges pile up, then kill without warning.
    while successes.load(Ordering::SeqCst) < 20 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no traffic got through"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    for t in tasks {
        let _ = t.await;
    }
    let seen = successes.load(Ordering::SeqCst) as u64;
    assert!(
        seen < CREDITS as u64,
        "the kill must land before the credits run out ({seen})"
    );

    // Restart: open the database as the server would, refunding held credits.
    let raw = grabkit_store_sqlite::SqliteStore::open(&data.join("grabkit.db")).unwrap();
    let refunded = grabkit_store::KeyStore::recover(&raw).await.unwrap();
    drop(raw);
    let settings = grabkit::config::Settings {
        data_dir: data.clone(),
        ..Default::default()
    };
    let store = grabkit::app::open_store(&settings).await.unwrap();
    let key = store.get(id).await.unwrap().unwrap();
    let usage = store.usage(id, 0).await.unwrap();
    let left = key.credits.unwrap();
    assert_eq!(
        left + usage.total.charged as i64,
        CREDITS,
        "balance + charged successes = what the key started with"
    );
    assert!(
        usage.total.charged >= seen,
        "every success a client saw was charged ({} charged, {seen} seen)",
        usage.total.charged
    );
    assert!(refunded >= 1, "the kill landed while parses held credits");
    assert_eq!(store.recover().await.unwrap(), 0, "nothing left pending");
    eprintln!(
        "kill -9 after {seen} successes seen by clients: {} charged, {left} credits left, {refunded} interrupted holds refunded",
        usage.total.charged
    );
}
