//! Outbound traffic through an operator's proxy (`--proxy`), with the
//! sandbox's checks still applied before the proxy is asked.

use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::proxy::ConnectProxy;
use grabkit_tests::server::shipped_plugin;
use grabkit_tests::{Mock, TestServer, TestSettings};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parses_through_a_connect_proxy_and_still_checks_addresses() {
    let mock = Mock::start(HOSTS, upstream()).await;
    let proxy = ConnectProxy::start(mock.tls_addr).await;
    let proxy_url = format!("http://{}", proxy.addr);
    let tweak: Arc<dyn Fn(&mut grabkit::config::Settings) + Send + Sync> =
        Arc::new(move |s| s.sandbox.proxy = Some(proxy_url.clone()));
    // Names resolve (for the sandbox's check) to loopback, which this server allows;
    // the proxy does the connecting. One host maps to a private address instead.
    let mut resolve: Vec<String> = HOSTS.iter().map(|h| format!("{h}=127.0.0.1")).collect();
    resolve.retain(|r| !r.starts_with("api.bilibili.tv="));
    resolve.push("api.bilibili.tv=10.1.2.3".into());
    let server = TestServer::start(
        &mock,
        TestSettings {
            plugins: vec![shipped_plugin("bilibili")],
            resolve,
            tweak: Some(tweak),
            ..Default::default()
        },
    )
    .await;

    let (status, body) = server.parse("https://b23.tv/Xy12AbC").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["id"], "BV117411r7R1");
    let targets = proxy.targets();
    assert!(
        targets.iter().any(|t| t == "api.bilibili.com:443"),
        "{targets:?}"
    );
    assert!(targets.iter().any(|t| t == "b23.tv:443"), "{targets:?}");

    let (status, body) = server.parse("https://bili.im/Ab3dE").await;
    assert_eq!(status, 502, "{body}");
    assert!(
        body["msg"].as_str().unwrap().contains("private address"),
        "{body}"
    );
    assert!(
        !proxy
            .targets()
            .iter()
            .any(|t| t.starts_with("api.bilibili.tv")),
        "the proxy was never asked for a refused host"
    );
}
