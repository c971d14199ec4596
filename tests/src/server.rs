//! A grabkit server for tests: plugins copied into a temp folder, DNS
//! overrides pointing the platforms' hosts at the mock, the mock's
//! certificate trusted, served on 127.0.0.1.

use crate::mock::Mock;
use grabkit_host::app::App;
use grabkit_host::config::Settings;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the build put the plugins.
pub fn shipped_plugin(name: &str) -> PathBuf {
    PathBuf::from(grabkit_host::config::BUILT_PLUGINS_DIR).join(format!("{name}.wasm"))
}

pub fn test_plugin(name: &str) -> PathBuf {
    PathBuf::from(env!("GRABKIT_TEST_PLUGINS_DIR")).join(format!("{name}.wasm"))
}

/// Knobs the tests turn.
#[derive(Clone)]
pub struct TestSettings {
    pub plugins: Vec<PathBuf>,
    /// Hosts mapped to the mock's TLS port.
    pub hosts: Vec<String>,
    /// Extra `host=ip[:port]` overrides.
    pub resolve: Vec<String>,
    pub allow_loopback: bool,
    pub api_token: Option<String>,
    /// Adjust anything else.
    pub tweak: Option<Arc<dyn Fn(&mut Settings) + Send + Sync>>,
}

impl Default for TestSettings {
    fn default() -> Self {
        TestSettings { plugins: vec![], hosts: vec![], resolve: vec![], allow_loopback: true, api_token: None, tweak: None }
    }
}

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub app: App,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start(mock: &Mock, t: TestSettings) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        for p in &t.plugins {
            std::fs::copy(p, plugins.join(p.file_name().unwrap())).unwrap_or_else(|e| panic!("copying {}: {e}", p.display()));
        }
        let ca = dir.path().join("mock-ca.pem");
        std::fs::write(&ca, &mock.cert_pem).unwrap();
        let mut s = Settings::default();
        s.listen = "127.0.0.1:0".parse().unwrap();
        s.plugins_dir = plugins;
        s.api_token = t.api_token.clone();
        s.sandbox.allow_loopback = t.allow_loopback;
        s.sandbox.ca_certs = vec![ca];
        s.sandbox.resolve = t.hosts.iter().map(|h| format!("{h}={}", mock.tls_addr)).chain(t.resolve.iter().cloned()).collect();
        s.sandbox.http_timeout_secs = 2.0;
        s.sandbox.max_response_bytes = 1 << 20;
        s.limits.deadline_secs = 4.0;
        s.limits.memory_mib = 32;
        s.limits.max_concurrency = 16;
        if let Some(f) = &t.tweak {
            f(&mut s);
        }
        let app = App::build(&s).await.expect("building the app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = app.router();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        TestServer { base, client: reqwest::Client::new(), app, _dir: dir }
    }

    /// POST /api/v1/parse with `{"url": url}`; returns (HTTP status, body).
    pub async fn parse(&self, url: &str) -> (u16, serde_json::Value) {
        self.post_json("/api/v1/parse", &serde_json::json!({ "url": url })).await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let r = self.client.post(format!("{}{path}", self.base)).header("content-type", "application/json").body(body.to_string()).send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")))
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}
