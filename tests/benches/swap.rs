//! Hot swap under load: steady parse traffic against the mock upstream while
//! the plugin file is replaced `SWAPS` times (default 110), alternating two
//! builds (0.1.0 and 0.2.0), with a broken file written every 20th swap.
//! Reports total and failed requests, which version answered over time,
//! p99 latency without and during swaps, and file-write-to-serving latency.
//! 127.0.0.1 only; bounded in count and time.
//!
//! `cargo bench -p grabkit-tests --bench swap` (env SWAPS, WORKERS).

use grabkit_tests::mock::Responder;
use grabkit_tests::server::test_plugin;
use grabkit_tests::{Mock, Reply, TestServer, TestSettings};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Clone)]
struct Sample {
    at: Duration,
    latency: Duration,
    version: Option<String>,
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn rename_over(path: &Path, bytes: &[u8]) {
    let tmp = path.with_file_name(".probe.wasm.tmp");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Parse traffic from `workers` loops until `stop`; every answer recorded.
async fn traffic(
    server: Arc<TestServer>,
    workers: usize,
    stop: Arc<AtomicBool>,
    t0: Instant,
) -> Vec<Sample> {
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (server, stop) = (server.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let s = Instant::now();
                let (status, body) = server.parse("https://probe.test/ok").await;
                let version = (status == 200).then(|| {
                    body["data"]["title"]
                        .as_str()
                        .unwrap_or_default()
                        .trim_start_matches("probe ok ")
                        .to_string()
                });
                if version.is_none() {
                    eprintln!("FAILED request: {status} {body}");
                }
                out.push(Sample {
                    at: t0.elapsed(),
                    latency: s.elapsed(),
                    version,
                });
            }
            out
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

async fn run() {
    let swaps: usize = std::env::var("SWAPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(110);
    let workers: usize = std::env::var("WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let responder: Responder = Arc::new(|s| match s.path.as_str() {
        "/ok" => {
            Reply::json(r#"{"id":"p1","title":"probe ok","url":"https://cdn.probe.test/v.mp4"}"#)
        }
        _ => Reply::status(404),
    });
    let mock = Mock::start(&["*.probe.test"], responder).await;
    let server = Arc::new(
        TestServer::start(
            &mock,
            TestSettings {
                plugins: vec![test_plugin("probe")],
                hosts: vec!["up.probe.test".into()],
                ..Default::default()
            },
        )
        .await,
    );
    let target = server.app.service.registry.dir().join("probe.wasm");
    let builds = [
        std::fs::read(test_plugin("probe")).unwrap(),
        std::fs::read(test_plugin("probe-next")).unwrap(),
    ];
    let versions = ["0.1.0", "0.2.0"];
    let broken = builds[0][..builds[0].len() / 2].to_vec();

    // Phase 1: no swaps.
    let t0 = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let load = tokio::spawn(traffic(server.clone(), workers, stop.clone(), t0));
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let calm = load.await.unwrap();

    // Phase 2: swaps under the same traffic.
    let t0 = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let load = tokio::spawn(traffic(server.clone(), workers, stop.clone(), t0));
    let registry = server.app.service.registry.clone();
    let mut to_serving = Vec::new();
    let mut broken_written = 0;
    for i in 0..swaps {
        if i % 20 == 10 {
            rename_over(&target, &broken);
            broken_written += 1;
            // Give the watcher time to see it fail; traffic keeps flowing on the old version.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let want = (i + 1) % 2;
        let written = Instant::now();
        rename_over(&target, &builds[want]);
        loop {
            if registry
                .table()
                .get("probe")
                .is_some_and(|p| p.version == versions[want])
            {
                break;
            }
            assert!(
                written.elapsed() < Duration::from_secs(10),
                "swap {i} never served"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        to_serving.push(written.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let during = load.await.unwrap();
    let swap_wall = t0.elapsed();

    let failed = |s: &[Sample]| s.iter().filter(|x| x.version.is_none()).count();
    let lat = |s: &[Sample]| s.iter().map(|x| x.latency).collect::<Vec<_>>();
    println!("\n| phase | requests | failed | p50 | p99 |\n|---|---:|---:|---:|---:|");
    for (name, s) in [("no swaps (3 s)", &calm), ("during swaps", &during)] {
        println!(
            "| {name} | {} | {} | {:.2} ms | {:.2} ms |",
            s.len(),
            failed(s),
            pct(lat(s), 0.5).as_secs_f64() * 1e3,
            pct(lat(s), 0.99).as_secs_f64() * 1e3
        );
    }
    println!(
        "\n{swaps} swaps (+{broken_written} broken files) in {:.1} s; file write → new version serving: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        swap_wall.as_secs_f64(),
        pct(to_serving.clone(), 0.5).as_secs_f64() * 1e3,
        pct(to_serving.clone(), 0.99).as_secs_f64() * 1e3,
        to_serving.iter().max().unwrap().as_secs_f64() * 1e3
    );
    // Which version answered over time, one line per second.
    println!("\nversion answering, per second of the swap phase (0.1.0 / 0.2.0):");
    let secs = swap_wall.as_secs() as usize + 1;
    for sec in 0..secs {
        let in_sec: Vec<&Sample> = during
            .iter()
            .filter(|s| s.at.as_secs() as usize == sec)
            .collect();
        let n1 = in_sec
            .iter()
            .filter(|s| s.version.as_deref() == Some("0.1.0"))
            .count();
        let n2 = in_sec
            .iter()
            .filter(|s| s.version.as_deref() == Some("0.2.0"))
            .count();
        println!("  {sec:>3}s  {n1:>5} / {n2:<5}");
    }
    let (hits, compiles) = registry.cache_stats();
    println!("compiled cache: {hits} hits, {compiles} compiles");
    let total_failed = failed(&calm) + failed(&during);
    println!(
        "TOTAL requests {}, failed {}",
        calm.len() + during.len(),
        total_failed
    );
    assert_eq!(total_failed, 0, "a request failed during hot swaps");
}
