//! Limits that fit real upstream latency, measured side by side in one run:
//! (a) 1000 parses in flight against a mock that answers after 100 ms, with
//!     the default settings: refusals, throughput against the ideal
//!     (in flight ÷ upstream time), p50/p99, peak RSS;
//! (b) a 10,000-item job against the same mock: items/s, how late the
//!     stream's `done` event arrives after the job finished, RSS;
//! (c) cached parses against uncached ones (no upstream delay).
//!
//! Client, server and mock share one process and its 2 worker threads, so
//! RSS is theirs together. All traffic stays on 127.0.0.1.
//!
//! `cargo bench -p grabkit-tests --bench load` (env BENCH_INFLIGHT,
//! BENCH_JOB_ITEMS, BENCH_DELAY_MS).

use grabkit::config::{LimitsSection, ServerSection, Settings};
use grabkit_tests::mock::{Reply, Responder};
use grabkit_tests::server::test_plugin;
use grabkit_tests::{Mock, TestServer, TestSettings};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak and current resident memory of this process, in MiB.
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (kb("VmHWM:"), kb("VmRSS:"))
}

fn pct(lat: &mut [Duration], p: f64) -> Duration {
    lat.sort();
    lat[((lat.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(bench());
}

async fn server(delay: Duration, tweak: fn(&mut Settings)) -> (Mock, TestServer) {
    let responder: Responder = Arc::new(move |s| {
        let r =
            Reply::json(r#"{"id":"p1","title":"probe ok","url":"https://cdn.probe.test/v.mp4"}"#);
        if s.host == "up.probe.test" && !delay.is_zero() {
            r.delayed(delay)
        } else {
            r
        }
    });
    let mock = Mock::start(&["up.probe.test"], responder).await;
    let s = TestServer::start(
        &mock,
        TestSettings {
            plugins: vec![test_plugin("probe")],
            hosts: vec!["up.probe.test".into()],
            tweak: Some(Arc::new(tweak)),
            ..Default::default()
        },
    )
    .await;
    (mock, s)
}

/// The shipped defaults for limits and connections (the test harness
/// narrows them); the cache keeps nothing, so every parse runs.
fn defaults(s: &mut Settings) {
    s.limits = LimitsSection::default();
    s.server = ServerSection::default();
    s.jobs.max_items = 10_000;
    s.cache.ttl_secs = 0;
}

fn cached(s: &mut Settings) {
    s.cache.ttl_secs = 600;
}

async fn bench() {
    let inflight = env("BENCH_INFLIGHT", 1000);
    let job_items = env("BENCH_JOB_ITEMS", 10_000);
    let delay = Duration::from_millis(env("BENCH_DELAY_MS", 100) as u64);
    let (base_peak, _) = rss();

    // (a) Many parses in flight against a slow upstream.
    let (_mock, s) = server(delay, defaults).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(inflight)
        .build()
        .unwrap();
    let token = s.token.clone();
    let parse = |client: reqwest::Client, base: String, token: String, body: String| async move {
        let t = Instant::now();
        let r = client
            .post(format!("{base}/api/v1/parse"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        let ok = match r {
            Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
            Ok(r) => {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                eprintln!(
                    "refused: {status} {}",
                    text.chars().take(160).collect::<String>()
                );
                false
            }
            Err(e) => {
                eprintln!("failed: {e}");
                false
            }
        };
        (ok, t.elapsed())
    };
    let rounds = 3;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..inflight {
        let (client, base, token) = (client.clone(), s.base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for r in 0..rounds {
                let body = format!(r#"{{"url":"https://probe.test/ok?n={i}-{r}"}}"#);
                out.push(parse(client.clone(), base.clone(), token.clone(), body).await);
            }
            out
        }));
    }
    let mut lat = Vec::new();
    let mut refused = 0;
    for t in tasks {
        for (ok, took) in t.await.unwrap() {
            refused += (!ok) as usize;
            lat.push(took);
        }
    }
    let wall = started.elapsed();
    let total = inflight * rounds;
    let rps = total as f64 / wall.as_secs_f64();
    let ideal = inflight as f64 / delay.as_secs_f64().max(1e-3);
    let (peak_a, _) = rss();
    println!("| run | value |\n|---|---:|");
    println!(
        "| (a) parses, {inflight} in flight × {rounds} rounds, upstream {} ms | {total} |",
        delay.as_millis()
    );
    println!("| (a) refused (not 200) | {refused} |");
    println!(
        "| (a) parses/s (ideal {ideal:.0}/s) | {rps:.0} ({:.2} of ideal) |",
        rps / ideal
    );
    println!(
        "| (a) p50 / p99 | {:.0} / {:.0} ms |",
        pct(&mut lat, 0.5).as_secs_f64() * 1e3,
        pct(&mut lat, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "| (a) peak RSS (client + server + mock; {base_peak:.0} MiB before) | {peak_a:.0} MiB |"
    );
    println!(
        "| (a) RSS per parse in flight | {:.2} MiB |",
        (peak_a - base_peak).max(0.0) / inflight as f64
    );

    // (b) One big job against the same mock.
    let urls: Vec<String> = (0..job_items)
        .map(|i| format!(r#"{{"url":"https://probe.test/ok?job={i}"}}"#))
        .collect();
    let body = format!(r#"{{"items":[{}]}}"#, urls.join(","));
    let started = Instant::now();
    let r = client
        .post(format!("{}/api/v1/jobs", s.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let job = v["data"]["job_id"].as_str().expect("a job id").to_string();
    let finished_seen = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let poll = {
        let (client, base, token, job, seen) = (
            client.clone(),
            s.base.clone(),
            token.clone(),
            job.clone(),
            finished_seen.clone(),
        );
        tokio::spawn(async move {
            loop {
                let r = client
                    .get(format!("{base}/api/v1/jobs/{job}"))
                    .bearer_auth(&token)
                    .send()
                    .await;
                if let Ok(r) = r {
                    let v: serde_json::Value =
                        serde_json::from_str(&r.text().await.unwrap_or_default())
                            .unwrap_or_default();
                    if v["data"]["finished_at"].is_string() {
                        *seen.lock().unwrap() = Some(Instant::now());
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let mut resp = client
        .get(format!("{}/api/v1/jobs/{job}/events", s.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (mut buf, mut items, mut done_at) = (String::new(), 0usize, None);
    while let Ok(Some(chunk)) = resp.chunk().await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if block.contains("event: item") {
                items += 1;
            } else if block.contains("event: done") {
                done_at = Some(Instant::now());
            }
        }
        if done_at.is_some() {
            break;
        }
    }
    let job_wall = started.elapsed();
    let _ = poll.await;
    let lag = match (*finished_seen.lock().unwrap(), done_at) {
        (Some(f), Some(d)) => d.saturating_duration_since(f).as_secs_f64() * 1e3,
        _ => f64::NAN,
    };
    let (peak_b, now_b) = rss();
    println!("| (b) job of {job_items} items: items streamed | {items} |");
    println!(
        "| (b) items/s (32 workers, ideal {:.0}/s) | {:.0} |",
        32.0 / delay.as_secs_f64().max(1e-3),
        items as f64 / job_wall.as_secs_f64()
    );
    println!(
        "| (b) `done` on the stream after the job finished (poll every 10 ms) | {lag:.0} ms |"
    );
    println!("| (b) RSS now / peak | {now_b:.0} / {peak_b:.0} MiB |");
    drop(s);

    // (c) Cached against uncached, no upstream delay.
    let (_mock, s) = server(Duration::ZERO, cached).await;
    let n = 2000;
    let c = 8;
    for (label, body) in [
        (
            "uncached (\"cache\": \"no\")",
            r#"{"url":"https://probe.test/ok","cache":"no"}"#,
        ),
        ("cached (hits)", r#"{"url":"https://probe.test/ok"}"#),
    ] {
        let started = Instant::now();
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..c {
            let (client, base, token, next) = (
                client.clone(),
                s.base.clone(),
                s.token.clone(),
                next.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
                    let (ok, took) = parse(
                        client.clone(),
                        base.clone(),
                        token.clone(),
                        body.to_string(),
                    )
                    .await;
                    assert!(ok);
                    lat.push(took);
                }
                lat
            }));
        }
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await.unwrap());
        }
        let rps = n as f64 / started.elapsed().as_secs_f64();
        println!(
            "| (c) {label}, {c} in flight | {rps:.0} req/s, p50 {:.2} ms |",
            pct(&mut lat, 0.5).as_secs_f64() * 1e3
        );
    }
}
