//! Download proxy memory and speed, side by side in one run: a large file
//! (BENCH_MB MiB, default 200) made on the fly by the mock CDN is read
//! 1. directly from the mock (the baseline), then
//! 2. through `GET /api/v1/media/{token}` (sandbox checks, headers, streaming),
//! 3. the same through the proxy with WeChat decryption on.
//!
//! For each: the process's peak resident memory above where it started
//! (sampled every 5 ms) and the throughput; then the ratios proxy/direct.
//! Everything (mock, server, client) is this one process on 127.0.0.1.
//!
//! `cargo bench -p grabkit-tests --bench proxy`

use grabkit_tests::media::{HOSTS, Watch, upstream};
use grabkit_tests::server::test_plugin;
use grabkit_tests::{Mock, TestServer, TestSettings};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

struct Result {
    name: &'static str,
    bytes: u64,
    secs: f64,
    peak_growth_mib: f64,
}

/// Read `url` to the end, discarding, while sampling memory.
async fn measure(name: &'static str, client: &reqwest::Client, url: &str) -> Result {
    let start_rss = rss_kib();
    let peak = Arc::new(AtomicU64::new(start_rss));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let t = Instant::now();
    let mut resp = client.get(url).send().await.unwrap();
    assert!(resp.status().is_success(), "{name}: {}", resp.status());
    let mut bytes = 0u64;
    while let Some(chunk) = resp.chunk().await.unwrap() {
        bytes += chunk.len() as u64;
    }
    let secs = t.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    sampler.await.unwrap();
    Result {
        name,
        bytes,
        secs,
        peak_growth_mib: peak.load(Ordering::Relaxed).saturating_sub(start_rss) as f64 / 1024.0,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mb: u64 = std::env::var("BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mock = Mock::start(HOSTS, upstream(Arc::new(Watch::default()))).await;
    let s = TestServer::start(
        &mock,
        TestSettings {
            plugins: vec![test_plugin("probe")],
            hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
            ..Default::default()
        },
    )
    .await;
    let (_, v) = s
        .post_json(
            "/api/v1/parse?proxy=1",
            &serde_json::json!({"url": format!("https://probe.test/media/big-{mb}")}),
        )
        .await;
    let proxied = v["data"]["videos"][0]["proxyUrl"]
        .as_str()
        .expect("a proxy link")
        .to_string();

    // The direct client trusts the mock's certificate and resolves the CDN name to it.
    let direct = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(mock.cert_pem.as_bytes()).unwrap())
        .resolve("cdn.probecdn.test", mock.tls_addr)
        .build()
        .unwrap();
    let direct_url = format!("https://cdn.probecdn.test/v/big.mp4?mb={mb}");

    // Warm both paths so one-time allocations are not counted.
    let _ = measure("warm", &direct, "https://cdn.probecdn.test/v/big.mp4?mb=1").await;
    let (_, w) = s
        .post_json(
            "/api/v1/parse?proxy=1",
            &serde_json::json!({"url": "https://probe.test/media/big-1"}),
        )
        .await;
    let _ = measure(
        "warm",
        &s.client,
        w["data"]["videos"][0]["proxyUrl"].as_str().unwrap(),
    )
    .await;

    // Decryption on: the same file under a WeChat-style ticket.
    let token = proxied.rsplit('/').next().unwrap();
    let signer = &s.app.state.proxy.signer;
    let mut ticket = signer.open(token, 0).unwrap();
    ticket.main.decode_key = Some("2366281446".into());
    let decrypting = format!("{}/api/v1/media/{}", s.base, signer.seal(&ticket));

    let runs = [
        measure("direct from the mock CDN", &direct, &direct_url).await,
        measure("through the proxy", &s.client, &proxied).await,
        measure("through the proxy, decrypting", &s.client, &decrypting).await,
    ];
    println!("{mb} MiB each, one process (mock + server + client), 2 cores");
    println!(
        "{:<34} {:>10} {:>12} {:>18}",
        "path", "MiB/s", "bytes", "peak RSS growth"
    );
    for r in &runs {
        assert_eq!(r.bytes, mb << 20, "{}: every byte arrived", r.name);
        println!(
            "{:<34} {:>10.0} {:>12} {:>15.1} MiB",
            r.name,
            r.bytes as f64 / (1 << 20) as f64 / r.secs,
            r.bytes,
            r.peak_growth_mib
        );
    }
    let (d, p, x) = (&runs[0], &runs[1], &runs[2]);
    println!(
        "proxy / direct throughput: {:.2}   decrypting / direct: {:.2}",
        d.secs / p.secs,
        d.secs / x.secs
    );
    println!(
        "peak RSS growth as a share of the file: proxy {:.3}%, decrypting {:.3}%",
        p.peak_growth_mib / mb as f64 * 100.0,
        x.peak_growth_mib / mb as f64 * 100.0
    );
}
