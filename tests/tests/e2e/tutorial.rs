//! README's "Write a plugin" tutorial, run command for command: a new
//! plugin crate outside the tree, its unit test, its component, `inspect`,
//! `check` on its example case, a running server answering parses with it
//! (replaying the case), and a hot swap of a changed build.
//!
//! The crate builds in `target/tutorial/` so it never waits for the outer
//! build's lock, and later runs reuse what the first compiled.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn grabkit() -> Command {
    let mut c = Command::new(env!("GRABKIT_BIN"));
    c.env("GRABKIT_LOG", "error");
    c
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target);
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_TARGET"] {
        c.env_remove(var);
    }
    c
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn parse_title(client: &reqwest::Client, base: &str, token: &str) -> Option<String> {
    let body = serde_json::json!({"url": "https://www.demo.example/video/42"}).to_string();
    let r = client
        .post(format!("{base}/api/v1/parse"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.ok()?).ok()?;
    v["data"]["title"].as_str().map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_a_plugin_tutorial_works_verbatim() {
    let work = tempfile::tempdir().unwrap();
    let target: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tutorial");

    // 2. A new plugin crate outside the tree.
    let out = run(
        grabkit()
            .args(["plugin", "new", "demo", "--dir"])
            .arg(work.path()),
        "plugin new",
    );
    assert!(out.contains("created"), "{out}");
    let krate = work.path().join("demo");

    // 3. Its unit test, natively.
    run(
        &mut cargo(&krate, &target, &["test", "--quiet"]),
        "cargo test",
    );

    // 4. The component, and what it is.
    run(
        &mut cargo(
            &krate,
            &target,
            &["build", "--release", "--quiet", "--target", "wasm32-wasip2"],
        ),
        "cargo build",
    );
    let wasm = target.join("wasm32-wasip2/release/grabkit_plugin_demo.wasm");
    let inspected = run(grabkit().arg("inspect").arg(&wasm), "inspect");
    assert!(
        inspected.contains("platform `demo`")
            && inspected.contains("grabkit:plugin/extractor@0.4.0"),
        "{inspected}"
    );

    // 5. Its example case passes.
    let table = run(
        grabkit()
            .arg("check")
            .arg(&wasm)
            .arg("--cases")
            .arg(krate.join("cases")),
        "check",
    );
    assert!(table.contains("1 cases, 1 passed, 0 failed"), "{table}");

    // 6. Serve it, answering from the example's cassette.
    let plugins = krate.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(&wasm, plugins.join("demo.wasm")).unwrap();
    let data = krate.join("data");
    let key: serde_json::Value = serde_json::from_str(&run(
        grabkit()
            .args(["keys", "create", "--name", "me", "--data-dir"])
            .arg(&data),
        "keys create",
    ))
    .unwrap();
    let token = key["token"].as_str().unwrap().to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let _server = Server(
        grabkit()
            .args([
                "serve",
                "--listen",
                &listen,
                "--admin-token",
                "tutorial-admin",
                "--plugins",
            ])
            .arg(&plugins)
            .arg("--data-dir")
            .arg(&data)
            .arg("--replay")
            .arg(krate.join("cases/example"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://{listen}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut title = None;
    while title.is_none() && Instant::now() < deadline {
        title = parse_title(&client, &base, &token).await;
        if title.is_none() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    assert_eq!(
        title.as_deref(),
        Some("An example video"),
        "the running server parses with the new plugin"
    );

    // 7. Change it, rebuild, copy over: swapped in without a restart.
    let lib = krate.join("src/lib.rs");
    let code = std::fs::read_to_string(&lib).unwrap();
    let changed = code.replace(
        r#"media.title = info["title"].as_str().unwrap_or_default().into();"#,
        r#"media.title = format!("{} (v2)", info["title"].as_str().unwrap_or_default());"#,
    );
    assert_ne!(code, changed, "the tutorial's edit applies");
    std::fs::write(&lib, changed).unwrap();
    run(
        &mut cargo(
            &krate,
            &target,
            &["build", "--release", "--quiet", "--target", "wasm32-wasip2"],
        ),
        "cargo build v2",
    );
    std::fs::copy(&wasm, plugins.join("demo.wasm")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let t = parse_title(&client, &base, &token).await;
        if t.as_deref() == Some("An example video (v2)") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new build was not swapped in (last title {t:?})"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
