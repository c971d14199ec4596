//! A grabkit server for tests: plugins copied into a temp folder, DNS
//! overrides pointing the platforms' hosts at the mock, the mock's
//! certificate trusted, served on 127.0.0.1.

use crate::mock::Mock;
use grabkit::app::App;
use grabkit::config::Settings;
use std::path::PathBuf;
use std::sync::Arc;

/// Where `cargo xtask plugins` put a shipped plugin.
pub fn shipped_plugin(name: &str) -> PathBuf {
    built(PathBuf::from(grabkit::config::BUILT_PLUGINS_DIR).join(format!("{name}.wasm")))
}

/// Where `cargo xtask plugins` put a test guest (`tests/plugins/`).
pub fn test_plugin(name: &str) -> PathBuf {
    built(PathBuf::from(env!("GRABKIT_TEST_PLUGINS_DIR")).join(format!("{name}.wasm")))
}

/// A committed plugin file built against an older contract (`tests/artifacts/`).
pub fn artifact(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("artifacts")
        .join(name)
}

fn built(path: PathBuf) -> PathBuf {
    assert!(
        path.is_file(),
        "{} is missing: run `cargo xtask plugins` (or `cargo xtask test`)",
        path.display()
    );
    path
}

/// A change to the server's settings.
pub type Tweak = Arc<dyn Fn(&mut Settings) + Send + Sync>;

/// Knobs the tests turn.
#[derive(Clone)]
pub struct TestSettings {
    pub plugins: Vec<PathBuf>,
    /// Hosts mapped to the mock's TLS port.
    pub hosts: Vec<String>,
    /// Extra `host=ip[:port]` overrides.
    pub resolve: Vec<String>,
    pub allow_loopback: bool,
    /// Adjust anything else.
    pub tweak: Option<Tweak>,
}

impl Default for TestSettings {
    fn default() -> Self {
        TestSettings {
            plugins: vec![],
            hosts: vec![],
            resolve: vec![],
            allow_loopback: true,
            tweak: None,
        }
    }
}

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub app: App,
    /// An unlimited API key every helper sends.
    pub token: String,
    pub admin_token: String,
    pub data_dir: PathBuf,
    /// Resolving it starts the server's shutdown (see [`TestServer::stop`]).
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// The serve loop; it ends once shutdown has drained.
    pub served: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start(mock: &Mock, t: TestSettings) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        for p in &t.plugins {
            std::fs::copy(p, plugins.join(p.file_name().unwrap()))
                .unwrap_or_else(|e| panic!("copying {}: {e}", p.display()));
        }
        let ca = dir.path().join("mock-ca.pem");
        std::fs::write(&ca, &mock.cert_pem).unwrap();
        let mut s = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            plugins_dir: plugins,
            data_dir: dir.path().join("data"),
            admin_token: Some("test-admin-token".into()),
            ..Default::default()
        };
        // Rate limits get their own tests; elsewhere they stay out of the way.
        s.keys.rate_per_sec = 100_000;
        s.keys.rate_burst = 100_000;
        s.sandbox.allow_loopback = t.allow_loopback;
        s.sandbox.ca_certs = vec![ca];
        s.sandbox.resolve = t
            .hosts
            .iter()
            .map(|h| format!("{h}={}", mock.tls_addr))
            .chain(t.resolve.iter().cloned())
            .collect();
        s.sandbox.http_timeout_secs = 2.0;
        s.sandbox.max_response_bytes = 1 << 20;
        s.limits.deadline_secs = 4.0;
        s.limits.memory_mib = 32;
        s.limits.max_concurrency = 16;
        // Tests count upstream requests per parse; the cache has its own tests.
        s.cache.ttl_secs = 0;
        if let Some(f) = &t.tweak {
            f(&mut s);
        }
        let app = App::build(&s).await.expect("building the app");
        let token = grabkit_core::key_admin::create(
            app.store().as_ref(),
            grabkit_store::keys::NewKey {
                name: "tests".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .token;
        let admin_token = s.admin_token.clone().unwrap();
        let data_dir = s.data_dir.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = app.router();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let limits = s.connections().unwrap();
        let served = tokio::spawn(grabkit_server::listen::serve(
            listener,
            router,
            limits,
            async move {
                let _ = stopped.await;
            },
        ));
        TestServer {
            stop: Some(stop),
            served: Some(served),
            base,
            client: reqwest::Client::new(),
            app,
            token,
            admin_token,
            data_dir,
            _dir: dir,
        }
    }

    /// Begin a graceful shutdown (what SIGINT and SIGTERM do).
    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }

    /// A mock with `responder` and a server running one shipped plugin whose hosts point at it.
    pub async fn for_plugin(
        plugin: &str,
        hosts: &[&str],
        responder: crate::mock::Responder,
    ) -> (Mock, TestServer) {
        let mock = Mock::start(hosts, responder).await;
        let server = TestServer::start(
            &mock,
            TestSettings {
                plugins: vec![shipped_plugin(plugin)],
                hosts: hosts.iter().map(|h| h.to_string()).collect(),
                ..Default::default()
            },
        )
        .await;
        (mock, server)
    }

    /// Like [`TestServer::for_plugin`], with `tweak` applied to the settings.
    pub async fn for_plugin_tweaked(
        plugin: &str,
        hosts: &[&str],
        responder: crate::mock::Responder,
        tweak: fn(&mut Settings),
    ) -> (Mock, TestServer) {
        let mock = Mock::start(hosts, responder).await;
        let server = TestServer::start(
            &mock,
            TestSettings {
                plugins: vec![shipped_plugin(plugin)],
                hosts: hosts.iter().map(|h| h.to_string()).collect(),
                tweak: Some(Arc::new(tweak)),
                ..Default::default()
            },
        )
        .await;
        (mock, server)
    }

    /// Like [`TestServer::for_plugin`], with operator config for the plugin
    /// (`[plugins.<platform>] config = {…}`).
    pub async fn for_plugin_with_config(
        plugin: &str,
        hosts: &[&str],
        responder: crate::mock::Responder,
        config: &[(&str, &str)],
    ) -> (Mock, TestServer) {
        let mock = Mock::start(hosts, responder).await;
        let (platform, config): (String, std::collections::BTreeMap<String, String>) = (
            plugin.to_string(),
            config
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let tweak: Arc<dyn Fn(&mut Settings) + Send + Sync> = Arc::new(move |s| {
            s.plugins.insert(
                platform.clone(),
                grabkit::config::PluginSection {
                    config: config.clone(),
                    ..Default::default()
                },
            );
        });
        let server = TestServer::start(
            &mock,
            TestSettings {
                plugins: vec![shipped_plugin(plugin)],
                hosts: hosts.iter().map(|h| h.to_string()).collect(),
                tweak: Some(tweak),
                ..Default::default()
            },
        )
        .await;
        (mock, server)
    }

    /// Parse `url`, require success, return `data`.
    pub async fn ok(&self, url: &str) -> serde_json::Value {
        let (status, body) = self.parse(url).await;
        assert_eq!(status, 200, "{url}: {body}");
        body["data"].clone()
    }

    /// Parse `url` asking for proxy links (`?proxy=1`), require success, return `data`.
    pub async fn ok_proxied(&self, url: &str) -> serde_json::Value {
        let (status, body) = self
            .post_json("/api/v1/parse?proxy=1", &serde_json::json!({ "url": url }))
            .await;
        assert_eq!(status, 200, "{url}: {body}");
        body["data"].clone()
    }

    /// POST /api/v1/parse with `{"url": url}`; returns (HTTP status, body).
    pub async fn parse(&self, url: &str) -> (u16, serde_json::Value) {
        self.post_json("/api/v1/parse", &serde_json::json!({ "url": url }))
            .await
    }

    /// POST `body` to a data endpoint; require success; return `data`.
    pub async fn data_ok(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, v) = self.post_json(path, &body).await;
        assert_eq!(status, 200, "{path} {body}: {v}");
        assert_eq!(v["msg"], "success", "{path} {body}: {v}");
        v["data"].clone()
    }

    /// POST `body` to a data endpoint; require the failure `(http, code)`
    /// in the envelope; return its message.
    pub async fn data_fails(
        &self,
        path: &str,
        body: serde_json::Value,
        http: u16,
        code: &str,
    ) -> String {
        let (status, v) = self.post_json(path, &body).await;
        let got = (status, v["code"].as_str());
        assert_eq!(got, (http, Some(code)), "{path} {body}: {v}");
        assert!(v["data"].is_null(), "{v}");
        v["msg"].as_str().unwrap_or_default().to_string()
    }

    /// POST JSON with the test API key.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.send_json("POST", path, &self.token, Some(body)).await
    }

    /// Any method, any token, optional JSON body; the answer as JSON.
    pub async fn send_json(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut rb = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {token}"));
        if let Some(b) = body {
            rb = rb
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")),
        )
    }

    /// An admin request with the admin token.
    pub async fn admin(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        self.send_json(method, path, &self.admin_token, body).await
    }

    /// GET with the test API key, body as text.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {}", self.token))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}
