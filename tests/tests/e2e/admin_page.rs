//! The admin page and `/docs` in a real browser: headless Chromium driven
//! through chromedriver. Sign in (a wrong token first: the error state),
//! create a key and see it listed, reload the plugins, parse a link from
//! the "try a link" form; `/docs` renders every error code. Screenshots of
//! each page go to `target/screenshots/` (README's come from there).
//!
//! Without chromium and chromedriver the test says so and passes, unless
//! `GRABKIT_REQUIRE_BROWSER=1` (CI sets it, after installing both).

use fantoccini::{Client, ClientBuilder, Locator};
use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::server::shipped_plugin;
use grabkit_tests::{Mock, TestServer, TestSettings};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const VIDEO: &str = "https://www.bilibili.com/video/BV117411r7R1";

/// chromedriver on a free loopback port, stopped on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn browser_present() -> bool {
    let runs = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    runs("chromedriver") && (runs("chromium") || runs("chromium-browser"))
}

async fn driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

async fn browser(d: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
    ];
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "args": args }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&d.url)
        .await
        .expect("a browser session")
}

/// The text of the first element matching `css`, once it shows.
async fn text_of(c: &Client, css: &str) -> String {
    let e = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    e.text().await.unwrap()
}

/// Waits until `css`'s text contains `want`.
async fn until_text(c: &Client, css: &str, want: &str) -> String {
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
            && t.contains(want)
        {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {want:?}");
}

async fn fill(c: &Client, css: &str, value: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(value).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn screenshot(c: &Client, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_page_and_docs_work_in_headless_chromium() {
    if !browser_present() {
        let required = std::env::var("GRABKIT_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "GRABKIT_REQUIRE_BROWSER=1 but chromium/chromedriver are missing"
        );
        eprintln!("skipped: chromium and chromedriver are not installed");
        return;
    }
    let mock = Mock::start(HOSTS, upstream()).await;
    let t = TestSettings {
        plugins: vec![shipped_plugin("bilibili")],
        hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
        ..Default::default()
    };
    let s = TestServer::start(&mock, t).await;
    let d = driver().await;
    let c = browser(&d).await;
    let run = async {
        // `/` leads to the page; it asks for the token.
        c.goto(&format!("{}/", s.base)).await.unwrap();
        assert!(c.current_url().await.unwrap().path().ends_with("/admin"));
        text_of(&c, "#signin-title").await;
        screenshot(&c, "signin").await;

        // A wrong token: the error state, still signed out.
        fill(&c, "#admin-token", "not-the-token").await;
        click(&c, "#signin button[type=submit]").await;
        until_text(&c, "#alert", "invalid_token").await;
        let nav = c.find(Locator::Css("#nav")).await.unwrap();
        assert!(!nav.is_displayed().await.unwrap(), "still signed out");

        // The right one: the keys page, with the test key listed.
        fill(&c, "#admin-token", &s.admin_token).await;
        click(&c, "#signin button[type=submit]").await;
        until_text(&c, "#keys-table tbody", "tests").await;
        let url = c.current_url().await.unwrap();
        assert!(
            !url.as_str().contains(&s.admin_token),
            "never in a URL: {url}"
        );
        let stored = c
            .execute("return sessionStorage.getItem('grabkit-admin')", vec![])
            .await
            .unwrap();
        assert_eq!(stored, serde_json::json!(s.admin_token));

        // Create a key: its token shown once, the key listed, and real.
        fill(&c, "#key-name", "browser-made").await;
        fill(&c, "#key-credits", "5").await;
        click(&c, "#create-key button[type=submit]").await;
        let token = text_of(&c, "#new-token-value").await;
        assert!(token.starts_with("gk_"), "{token}");
        until_text(&c, "#keys-table tbody", "browser-made").await;
        screenshot(&c, "keys").await;
        let usage = s.send_json("GET", "/api/v1/usage", &token, None).await;
        assert_eq!(
            (usage.0, &usage.1["data"]["credits"]),
            (200, &serde_json::json!(5))
        );

        // Plugins: listed; a reload goes through.
        c.goto(&format!("{}/admin#plugins", s.base)).await.unwrap();
        until_text(&c, "#plugins-table tbody", "bilibili").await;
        click(&c, "#reload").await;
        until_text(&c, "#reload-status", "reloaded at").await;
        screenshot(&c, "plugins").await;

        // Accounts: import one from a Cookie header; listed, values never shown.
        c.goto(&format!("{}/admin#accounts", s.base)).await.unwrap();
        fill(&c, "#account-platform", "bilibili").await;
        fill(&c, "#account-label", "browser").await;
        fill(
            &c,
            "#account-cookies",
            "SESSDATA=sess-value-9; bili_jct=jct",
        )
        .await;
        click(&c, "#import-account button[type=submit]").await;
        until_text(&c, "#accounts-table tbody", "SESSDATA, bili_jct").await;
        let table = text_of(&c, "#accounts-table tbody").await;
        assert!(
            table.contains("ready") && !table.contains("sess-value-9"),
            "{table}"
        );
        screenshot(&c, "accounts").await;
        // A bad import: the error state names the code.
        fill(&c, "#account-platform", "bilibili").await;
        fill(&c, "#account-cookies", "no cookies here").await;
        click(&c, "#import-account button[type=submit]").await;
        until_text(&c, "#alert", "invalid_cookies").await;

        c.goto(&format!("{}/admin#platforms", s.base))
            .await
            .unwrap();
        until_text(&c, "#platforms-table tbody", "comments").await;
        until_text(&c, "#platforms-table tbody", "1 / 1").await;
        screenshot(&c, "platforms").await;

        // Try a link with the new key: the parse's title shows.
        c.goto(&format!("{}/admin#try", s.base)).await.unwrap();
        fill(&c, "#try-key", &token).await;
        fill(&c, "#try-url", VIDEO).await;
        click(&c, "#try-form button[type=submit]").await;
        let want = s.ok(VIDEO).await["title"].as_str().unwrap().to_string();
        until_text(&c, "#try-title-result", &want).await;
        screenshot(&c, "try").await;

        // A bad link there: the error state names the code.
        fill(&c, "#try-url", "https://example.com/nothing").await;
        click(&c, "#try-form button[type=submit]").await;
        until_text(&c, "#alert", "302").await;

        // /docs renders the document, error table included.
        c.goto(&format!("{}/docs", s.base)).await.unwrap();
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("body[data-ready=true]"))
            .await
            .unwrap();
        let rows = c.find_all(Locator::Css("#error-codes tr")).await.unwrap();
        assert_eq!(rows.len(), grabkit_server::error::CODES.len() + 1);
        until_text(&c, "#doc", "/api/v1/parse").await;
        screenshot(&c, "docs").await;
    };
    // Close the session whatever happened, then report.
    let outcome = tokio::time::timeout(Duration::from_secs(120), run).await;
    c.close().await.ok();
    outcome.expect("the browser run finished within two minutes");
}
