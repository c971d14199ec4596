//! Hot reload and plugin lifecycle: swaps picked up from the folder, every
//! failure keeping the serving version, pins, the compiled cache, rollback.

use grabkit_tests::mock::Responder;
use grabkit_tests::server::test_plugin;
use grabkit_tests::{Mock, Reply, TestServer, TestSettings, wait_until};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

fn upstream() -> Responder {
    Arc::new(|s| match s.path.as_str() {
        "/ok" => {
            Reply::json(r#"{"id":"p1","title":"probe ok","url":"https://cdn.probe.test/v.mp4"}"#)
        }
        _ => Reply::status(404),
    })
}

struct Env {
    _mock: Mock,
    server: TestServer,
    dir: PathBuf,
}

async fn setup(admin_token: Option<&str>) -> Env {
    let mock = Mock::start(&["*.probe.test"], upstream()).await;
    let token = admin_token.map(str::to_string);
    let tweak: Arc<dyn Fn(&mut grabkit::config::Settings) + Send + Sync> = Arc::new(move |s| {
        s.reload.debounce_ms = 50;
        if token.is_some() {
            s.admin_token = token.clone();
        }
    });
    let server = TestServer::start(
        &mock,
        TestSettings {
            plugins: vec![test_plugin("probe")],
            hosts: vec!["up.probe.test".into()],
            tweak: Some(tweak),
            ..Default::default()
        },
    )
    .await;
    let dir = server.app.service.registry.dir().to_path_buf();
    Env {
        _mock: mock,
        server,
        dir,
    }
}

/// The version answering a parse now, or the error code.
async fn answering(server: &TestServer) -> String {
    let (status, body) = server.parse("https://probe.test/ok").await;
    if status == 200 {
        body["data"]["title"]
            .as_str()
            .unwrap()
            .trim_start_matches("probe ok ")
            .to_string()
    } else {
        format!("{status} {}", body["code"])
    }
}

fn file_error(server: &TestServer, file: &Path) -> Option<String> {
    server
        .app
        .service
        .registry
        .files()
        .into_iter()
        .find(|f| f.source == file)
        .and_then(|f| f.error)
}

/// Write in place, in two steps, like a slow copy tool.
fn write_slowly(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(&bytes[..bytes.len() / 2]).unwrap();
    f.flush().unwrap();
    std::thread::sleep(Duration::from_millis(5));
    f.write_all(&bytes[bytes.len() / 2..]).unwrap();
}

/// Write a temp file, then rename it over the target.
fn rename_over(path: &Path, bytes: &[u8]) {
    let tmp = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().unwrap().to_str().unwrap()
    ));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn v1() -> Vec<u8> {
    std::fs::read(test_plugin("probe")).unwrap()
}
fn v2() -> Vec<u8> {
    std::fs::read(test_plugin("probe-next")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_in_place_rename_over_delete_and_readd() {
    let e = setup(None).await;
    let target = e.dir.join("probe.wasm");
    assert_eq!(answering(&e.server).await, "0.1.0");

    write_slowly(&target, &v2());
    wait_until("0.2.0 after an in-place write", async || {
        answering(&e.server).await == "0.2.0"
    })
    .await;

    rename_over(&target, &v1());
    wait_until("0.1.0 after rename-over", async || {
        answering(&e.server).await == "0.1.0"
    })
    .await;

    std::fs::remove_file(&target).unwrap();
    wait_until("unsupported after delete", async || {
        answering(&e.server).await == "400 302"
    })
    .await;
    let (_, body) = e.server.get("/api/v1/platforms").await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["data"],
        serde_json::json!([])
    );

    rename_over(&target, &v2());
    wait_until("served again after re-adding", async || {
        answering(&e.server).await == "0.2.0"
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_files_never_replace_a_working_plugin() {
    let e = setup(None).await;
    let target = e.dir.join("probe.wasm");
    let good = v1();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            good[..good.len() / 3].to_vec(),
            "not a valid WebAssembly component",
        ),
        (
            "not wasm",
            b"<html>oops</html>".to_vec(),
            "not a valid WebAssembly component",
        ),
        (
            "wrong contract",
            vec![0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00],
            "does not export `grabkit:plugin/extractor@0.4.0`",
        ),
        ("empty", vec![], "not a valid WebAssembly component"),
        (
            "invalid self-description",
            std::fs::read(test_plugin("bad-descriptor")).unwrap(),
            "invalid URL pattern",
        ),
    ];
    for (what, bytes, why) in cases {
        rename_over(&target, &bytes);
        wait_until(what, async || {
            file_error(&e.server, &target).is_some_and(|m| m.contains(why))
        })
        .await;
        assert_eq!(
            answering(&e.server).await,
            "0.1.0",
            "{what}: the old version keeps serving"
        );
    }
    // A second file claiming the same platform is refused; the first keeps it.
    rename_over(&target, &good);
    wait_until("good again", async || {
        file_error(&e.server, &target).is_none()
    })
    .await;
    let dup = e.dir.join("probe-copy.wasm");
    rename_over(&dup, &v2());
    wait_until("duplicate refused", async || {
        file_error(&e.server, &dup)
            .is_some_and(|m| m.contains("platform `probe` is already served"))
    })
    .await;
    assert_eq!(answering(&e.server).await, "0.1.0");

    // Visible in the admin API and the metrics.
    let (status, v) = e.server.admin("GET", "/api/v1/plugins", None).await;
    assert_eq!(status, 200);
    assert_eq!(v["data"]["plugins"][0]["version"], "0.1.0");
    // Times in one form, RFC 3339, like every other time in the API.
    let times = v["data"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["updatedAt"])
        .chain([&v["data"]["plugins"][0]["loadedAt"]]);
    for t in times {
        let t = t.as_str().unwrap_or_default();
        assert!(t.len() == 20 && t.ends_with('Z') && t.contains('T'), "{t}");
    }
    assert!(
        v["data"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["error"]
                .as_str()
                .is_some_and(|m| m.contains("already served"))),
        "{v}"
    );
    let (_, metrics) = e.server.get("/metrics").await;
    assert!(
        metrics.lines().any(
            |l| l.starts_with(r#"grabkit_plugin_reloads_total{outcome="failed"}"#)
                && !l.ends_with(" 0")
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("grabkit_plugin_load_failures 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pin_list_refuses_unlisted_and_mismatching_files() {
    let e = setup(None).await;
    let target = e.dir.join("probe.wasm");
    let v1_digest = grabkit_tests::sha256_hex(&v1());
    assert_eq!(
        e.server
            .app
            .service
            .registry
            .table()
            .get("probe")
            .unwrap()
            .digest,
        v1_digest
    );
    std::fs::write(
        e.dir.join("plugins.lock"),
        format!("probe = \"{v1_digest}\"\n"),
    )
    .unwrap();
    rename_over(&target, &v2());
    wait_until("pin mismatch", async || {
        file_error(&e.server, &target).is_some_and(|m| m.contains("the pin list allows"))
    })
    .await;
    assert_eq!(answering(&e.server).await, "0.1.0");

    let other = e.dir.join("other.wasm");
    rename_over(&other, &v2());
    wait_until("unlisted refused", async || {
        file_error(&e.server, &other).is_some_and(|m| m.contains("`other` is not in the pin list"))
    })
    .await;
    std::fs::remove_file(&other).unwrap();

    // Pinning the new digest lets the waiting file in.
    let v2_digest = grabkit_tests::sha256_hex(&v2());
    std::fs::write(
        e.dir.join("plugins.lock"),
        format!("probe = \"{v2_digest}\"\n"),
    )
    .unwrap();
    wait_until("pinned digest served", async || {
        answering(&e.server).await == "0.2.0"
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compiled_cache_makes_a_restart_compile_nothing() {
    let e = setup(None).await;
    let registry = &e.server.app.service.registry;
    assert_eq!(registry.cache_stats(), (0, 1), "first load compiles");
    let (_, metrics) = e.server.get("/metrics").await;
    assert!(
        metrics.contains(r#"grabkit_plugin_compile_cache_total{outcome="miss"} 1"#),
        "{metrics}"
    );

    // A second host on the same folder (a restart) deserializes instead.
    let mut s = grabkit::config::Settings {
        plugins_dir: e.dir.clone(),
        ..Default::default()
    };
    s.reload.watch = false;
    let again = grabkit::app::build_service(&s).await.unwrap();
    assert_eq!(
        again.registry.cache_stats(),
        (1, 0),
        "restart with a warm cache: no compile"
    );
    assert_eq!(
        again.registry.table().get("probe").unwrap().version,
        "0.1.0"
    );

    // Swapping back to a digest seen before also hits the cache.
    let target = e.dir.join("probe.wasm");
    rename_over(&target, &v2());
    wait_until("v2", async || answering(&e.server).await == "0.2.0").await;
    rename_over(&target, &v1());
    wait_until("v1", async || answering(&e.server).await == "0.1.0").await;
    assert_eq!(registry.cache_stats(), (1, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_new_version_is_rolled_back() {
    let e = setup(None).await;
    let target = e.dir.join("probe.wasm");
    for _ in 0..5 {
        assert_eq!(answering(&e.server).await, "0.1.0");
    }
    rename_over(&target, &v2());
    wait_until("v2", async || answering(&e.server).await == "0.2.0").await;
    for _ in 0..3 {
        let (status, _) = e.server.parse("https://probe.test/panic").await;
        assert_eq!(status, 500);
    }
    assert_eq!(
        answering(&e.server).await,
        "0.1.0",
        "rolled back after 3 crashes in its first parses"
    );
    assert!(
        file_error(&e.server, &target).is_some_and(|m| m.contains("rolled back")),
        "{:?}",
        file_error(&e.server, &target)
    );
    let (_, metrics) = e.server.get("/metrics").await;
    assert!(
        metrics.contains(r#"grabkit_plugin_rollbacks_total{platform="probe"} 1"#),
        "{metrics}"
    );

    // The rejected build is not taken again until the file changes.
    let (status, body) = e.server.admin("POST", "/api/v1/plugins/reload", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(answering(&e.server).await, "0.1.0");
    let (status, body) = e
        .server
        .admin("POST", "/api/v1/plugins/probe/rollback", None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("no_previous_version")),
        "{body}"
    );
    let (status, body) = e
        .server
        .admin("POST", "/api/v1/plugins/nope/rollback", None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("unknown_platform")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_rollback_and_admin_token() {
    let e = setup(Some("adm1n")).await;
    let target = e.dir.join("probe.wasm");
    rename_over(&target, &v2());
    wait_until("v2", async || answering(&e.server).await == "0.2.0").await;

    let url = format!("{}/api/v1/plugins/probe/rollback", e.server.base);
    let r = e.server.client.post(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let (status, _) = e
        .server
        .send_json("GET", "/api/v1/plugins", "wrong", None)
        .await;
    assert_eq!(status, 401);
    let (status, _) = e
        .server
        .send_json("GET", "/api/v1/plugins", &e.server.token, None)
        .await;
    assert_eq!(status, 401, "an API key is not an admin token");
    let (status, _) = e
        .server
        .send_json("POST", "/api/v1/plugins/probe/rollback", "adm1n", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(answering(&e.server).await, "0.1.0");
    let (_, v) = e
        .server
        .send_json("GET", "/api/v1/plugins", "adm1n", None)
        .await;
    assert_eq!(v["data"]["plugins"][0]["version"], "0.1.0");
    assert!(
        v["data"]["plugins"][0]["lastLoadError"]
            .as_str()
            .unwrap()
            .contains("rolled back by an operator"),
        "{v}"
    );
}
