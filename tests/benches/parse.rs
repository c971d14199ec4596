//! Parse throughput and latency, side by side in one run:
//! 1. the mock upstream fetched directly (the ceiling: one fetch per parse);
//! 2. a parse through the HTTP API with the probe plugin (one upstream fetch);
//! 3. a Bilibili parse through the API (view + playurl×2, WBI key cached);
//! 4. plugin instantiate + call alone (no HTTP).
//!
//! All traffic stays on 127.0.0.1; counts and time are bounded.
//!
//! `cargo bench -p grabkit-tests --bench parse` (env BENCH_N, BENCH_CONCURRENCY).

use grabkit_tests::bilibili;
use grabkit_tests::mock::Responder;
use grabkit_tests::server::{shipped_plugin, test_plugin};
use grabkit_tests::{Mock, Reply, TestServer, TestSettings};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Run {
    name: &'static str,
    n: usize,
    wall: Duration,
    lat: Vec<Duration>,
}

impl Run {
    fn rps(&self) -> f64 {
        self.n as f64 / self.wall.as_secs_f64()
    }
    fn pct(&self, p: f64) -> Duration {
        let mut l = self.lat.clone();
        l.sort();
        l[((l.len() as f64 - 1.0) * p).round() as usize]
    }
}

/// Run `n` calls of `f` with `c` in flight at once.
async fn load<F, Fut>(name: &'static str, n: usize, c: usize, f: F) -> Run
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let f = Arc::new(f);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..c {
        let (f, next) = (f.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
                let t = Instant::now();
                assert!(f().await, "{name}: a request failed");
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    Run {
        name,
        n,
        wall: start.elapsed(),
        lat,
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(bench());
}

async fn bench() {
    let n: usize = std::env::var("BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let c: usize = std::env::var("BENCH_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let bili = bilibili::upstream();
    let responder: Responder = Arc::new(move |s| match s.host.as_str() {
        "up.probe.test" => {
            Reply::json(r#"{"id":"p1","title":"probe ok","url":"https://cdn.probe.test/v.mp4"}"#)
        }
        _ => bili(s),
    });
    let mut hosts: Vec<&str> = bilibili::HOSTS.to_vec();
    hosts.extend(["*.probe.test", "probe.test"]);
    let mock = Mock::start(&hosts, responder).await;
    let mut mapped: Vec<String> = bilibili::HOSTS.iter().map(|h| h.to_string()).collect();
    mapped.push("up.probe.test".into());
    let tweak: Arc<dyn Fn(&mut grabkit::config::Settings) + Send + Sync> = Arc::new(|s| {
        s.limits.max_concurrency = 64;
        s.limits.deadline_secs = 10.0;
        s.sandbox.http_timeout_secs = 10.0;
    });
    let server = Arc::new(
        TestServer::start(
            &mock,
            TestSettings {
                plugins: vec![shipped_plugin("bilibili"), test_plugin("probe")],
                hosts: mapped,
                tweak: Some(tweak),
                ..Default::default()
            },
        )
        .await,
    );

    // The ceiling: the same upstream fetch with a plain client (TLS, pooled).
    let direct = {
        let ca = reqwest::Certificate::from_pem(mock.cert_pem.as_bytes()).unwrap();
        reqwest::Client::builder()
            .add_root_certificate(ca)
            .resolve("up.probe.test", mock.tls_addr)
            .no_proxy()
            .build()
            .unwrap()
    };
    let api_client = {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            "authorization",
            format!("Bearer {}", server.token).parse().unwrap(),
        );
        reqwest::Client::builder()
            .default_headers(h)
            .build()
            .unwrap()
    };
    let parse = |url: &'static str| {
        let (client, base) = (api_client.clone(), server.base.clone());
        move || {
            let (client, base) = (client.clone(), base.clone());
            async move {
                let r = client
                    .post(format!("{base}/api/v1/parse"))
                    .header("content-type", "application/json")
                    .body(format!("{{\"url\":\"{url}\"}}"))
                    .send()
                    .await
                    .unwrap();
                r.status() == 200 && r.bytes().await.is_ok()
            }
        }
    };

    // Warm up every path (connections, WBI key, code caches).
    for _ in 0..50 {
        assert!(parse("https://probe.test/ok")().await);
        assert!(parse("https://www.bilibili.com/video/BV117411r7R1")().await);
    }
    let url = format!("https://up.probe.test:{}/ok", mock.tls_addr.port());
    let direct_run = {
        let (client, url) = (direct.clone(), url.clone());
        load("upstream fetched directly (ceiling)", n, c, move || {
            let (client, url) = (client.clone(), url.clone());
            async move {
                client
                    .get(&url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200)
            }
        })
        .await
    };
    let match_run = {
        let (client, base) = (api_client.clone(), server.base.clone());
        load(
            "API hop alone (POST /api/v1/match, no plugin run)",
            n,
            c,
            move || {
                let (client, base) = (client.clone(), base.clone());
                async move {
                    let r = client
                        .post(format!("{base}/api/v1/match"))
                        .header("content-type", "application/json")
                        .body(r#"{"url":"https://probe.test/ok"}"#)
                        .send()
                        .await
                        .unwrap();
                    r.status() == 200 && r.bytes().await.is_ok()
                }
            },
        )
        .await
    };
    let sandbox_run = {
        let svc = server.app.service.clone();
        let policy = svc
            .registry
            .table()
            .get("probe")
            .unwrap()
            .context
            .policy
            .clone();
        let url = url.clone();
        load(
            "sandbox http.send alone (checks + pooled client)",
            n,
            c,
            move || {
                let (svc, policy, url) = (svc.clone(), policy.clone(), url.clone());
                async move {
                    let budget = grabkit_egress::Budget::new(4);
                    let out = grabkit_egress::Outbound {
                        method: reqwest::Method::GET,
                        url,
                        headers: vec![],
                        body: None,
                        follow_redirects: true,
                        timeout: None,
                    };
                    svc.sandbox
                        .send(&policy, &budget, out)
                        .await
                        .is_ok_and(|r| r.status == 200)
                }
            },
        )
        .await
    };
    let probe_run = load(
        "parse via API, 1 upstream fetch (probe)",
        n,
        c,
        parse("https://probe.test/ok"),
    )
    .await;
    let bili_run = load(
        "parse via API, Bilibili (3 upstream fetches)",
        n / 2,
        c,
        parse("https://www.bilibili.com/video/BV117411r7R1"),
    )
    .await;

    // Instantiate + call alone: a fresh instance per call, no HTTP.
    let svc = server.app.service.clone();
    let plugin = svc.registry.table().get("probe").unwrap().clone();
    let inst_n = n;
    let call = grabkit_runtime::bindings::Call::Parse("https://probe.test/empty".into());
    let t = Instant::now();
    let mut inst_lat = Vec::with_capacity(inst_n);
    for i in 0..inst_n {
        let s = Instant::now();
        let inv = svc
            .runtime
            .invoke(
                &plugin,
                svc.sandbox.clone(),
                svc.kv.clone(),
                &call,
                &format!("b{i}"),
                None,
            )
            .await
            .unwrap();
        assert!(inv.result.is_ok());
        inst_lat.push(s.elapsed());
    }
    let inst = Run {
        name: "instantiate + call alone (sequential)",
        n: inst_n,
        wall: t.elapsed(),
        lat: inst_lat,
    };

    println!("\n| run | requests | req/s | p50 | p99 |\n|---|---:|---:|---:|---:|");
    for r in [
        &direct_run,
        &sandbox_run,
        &match_run,
        &probe_run,
        &bili_run,
        &inst,
    ] {
        println!(
            "| {} | {} | {:.0} | {:.3} ms | {:.3} ms |",
            r.name,
            r.n,
            r.rps(),
            r.pct(0.5).as_secs_f64() * 1e3,
            r.pct(0.99).as_secs_f64() * 1e3
        );
    }
    let p50 = |r: &Run| r.pct(0.5).as_secs_f64() * 1e3;
    println!(
        "\nconcurrency {c}, client, server and mock sharing one 2-thread runtime.\nthroughput ratio parse/ceiling = {:.2}\nhost overhead per parse, p50 (parse − direct fetch − API hop) = {:.3} ms\nincluding the client's API hop (parse − direct fetch) = {:.3} ms\ninstantiate + call p50 = {:.3} ms",
        probe_run.rps() / direct_run.rps(),
        p50(&probe_run) - p50(&direct_run) - p50(&match_run),
        p50(&probe_run) - p50(&direct_run),
        p50(&inst)
    );
}
