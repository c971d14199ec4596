//! Feeds end to end: feed tokens (created, listed, revoked; never the API
//! key in a URL), Atom and RSS documents of a Bilibili space read back by a
//! feed parser, the feed cache (one credit per miss), and enclosures that
//! redirect to the download proxy.

use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::{Mock, TestServer};
use serde_json::{Value, json};

const SPACE: &str = "https://space.bilibili.com/66606350";

async fn serve() -> (Mock, TestServer) {
    TestServer::for_plugin("bilibili", HOSTS, upstream()).await
}

async fn json_of(r: reqwest::Response) -> Value {
    serde_json::from_str(&r.text().await.unwrap()).unwrap()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn get(s: &TestServer, path: &str) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    client
        .get(format!("{}{path}", s.base))
        .send()
        .await
        .unwrap()
}

async fn feed_token(s: &TestServer, token: &str) -> String {
    let body = json!({ "label": "my reader" });
    let (status, v) = s
        .send_json("POST", "/api/v1/feed-tokens", token, Some(&body))
        .await;
    assert_eq!(status, 201, "{v}");
    v["data"]["token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn atom_and_rss_documents_read_back_by_a_feed_parser() {
    let (mock, s) = serve().await;
    let ft = feed_token(&s, &s.token).await;
    assert!(ft.starts_with("gk_feed_"), "{ft}");
    let path = format!("/api/v1/feeds/bilibili?url={}&token={ft}", enc(SPACE));
    let r = get(&s, &path).await;
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/atom+xml"), "{ct}");
    assert_eq!(r.headers()["x-cache"], "miss");
    let atom = feed_rs::parser::parse(r.bytes().await.unwrap().as_ref()).expect("valid Atom");
    assert_eq!(atom.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(atom.title.unwrap().content, "陈楒潼桶桶桶 on bilibili");
    assert_eq!(atom.entries.len(), 2, "the first page of posts");
    let e = &atom.entries[0];
    assert_eq!(
        e.title.as_ref().unwrap().content,
        "当我给拜年祭的快板加了电音配乐…"
    );
    assert_eq!(
        e.links[0].href,
        "https://www.bilibili.com/video/BV117411r7R1"
    );
    assert_eq!(e.published.unwrap().timestamp(), 1_700_000_000);
    let enclosure = e
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("enclosure"))
        .unwrap();
    assert!(
        enclosure
            .href
            .contains("/api/v1/feeds/bilibili/media?token=gk_feed_"),
        "{enclosure:?}"
    );
    assert!(
        e.summary.as_ref().unwrap().content.contains("i2.hdslb.com"),
        "the cover"
    );

    let r = get(&s, &format!("{path}&format=rss")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["x-cache"],
        "hit",
        "the posts are cached for the ttl"
    );
    let rss = feed_rs::parser::parse(r.bytes().await.unwrap().as_ref()).expect("valid RSS");
    assert_eq!(rss.feed_type, feed_rs::model::FeedType::RSS2);
    assert_eq!(rss.entries.len(), 2);
    assert_eq!(
        rss.entries[1].links[0].href,
        "https://www.bilibili.com/video/BV1rp4y1e745"
    );
    assert_eq!(
        rss.entries[0].media[0].content[0]
            .url
            .as_ref()
            .unwrap()
            .as_str(),
        enclosure.href
    );
    // One upstream fetch of the space for both documents.
    assert_eq!(mock.seen_path("/x/space/wbi/arc/search").len(), 1);

    // The enclosure parses the post and redirects to the download proxy.
    let at = enclosure.href.find("/api/v1/").unwrap();
    let r = get(&s, &enclosure.href[at..]).await;
    assert_eq!(r.status(), 302, "{:?}", r.text().await);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.contains("/api/v1/media/"), "{to}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_listed_revoked_and_never_the_api_key() {
    let (_mock, s) = serve().await;
    let ft = feed_token(&s, &s.token).await;
    let (status, v) = s
        .send_json("GET", "/api/v1/feed-tokens", &s.token, None)
        .await;
    assert_eq!(status, 200);
    let listed = &v["data"][0];
    assert_eq!(listed["label"], "my reader");
    assert!(listed.get("token").is_none(), "shown once: {v}");
    assert!(ft.starts_with(listed["prefix"].as_str().unwrap()));
    let id = listed["id"].as_i64().unwrap();

    let path = |t: &str| format!("/api/v1/feeds/bilibili?url={}&token={t}", enc(SPACE));
    let code = |r: Value| r["code"].as_str().unwrap_or_default().to_string();
    let r = get(&s, &path(&s.token)).await;
    assert_eq!(r.status(), 401, "the API key is not a feed token");
    assert_eq!(code(json_of(r).await), "invalid_token");
    let r = get(&s, &format!("/api/v1/feeds/bilibili?url={}", enc(SPACE))).await;
    assert_eq!(code(json_of(r).await), "missing_token");
    let r = get(&s, &format!("{}&format=xml", path(&ft))).await;
    assert_eq!(
        (r.status().as_u16(), code(json_of(r).await)),
        (400, "invalid_request".into())
    );
    let r = get(
        &s,
        &format!("/api/v1/feeds/youtube?url={}&token={ft}", enc(SPACE)),
    )
    .await;
    assert_eq!(r.status(), 400, "a Bilibili link under another platform");
    let r = get(&s, &format!("/api/v1/feeds/bilibili?token={ft}")).await;
    assert_eq!(code(json_of(r).await), "missing_url");

    let (status, _) = s
        .send_json(
            "DELETE",
            &format!("/api/v1/feed-tokens/{id}"),
            &s.token,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let r = get(&s, &path(&ft)).await;
    assert_eq!(r.status(), 401, "revoked");
    let (status, v) = s
        .send_json(
            "DELETE",
            &format!("/api/v1/feed-tokens/{id}"),
            &s.token,
            None,
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (404, Some("feed_token_not_found"))
    );
    let (status, v) = s
        .send_json("DELETE", "/api/v1/feed-tokens/abc", &s.token, None)
        .await;
    assert_eq!((status, v["code"].as_str()), (400, Some("invalid_path")));
    let body = json!({ "label": "x", "extra": 1 });
    let (status, _) = s
        .send_json("POST", "/api/v1/feed-tokens", &s.token, Some(&body))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_miss_costs_one_credit_and_a_hit_none() {
    let (_mock, s) = serve().await;
    let body = json!({ "name": "reader", "credits": 1 });
    let (status, k) = s.admin("POST", "/api/v1/admin/keys", Some(&body)).await;
    assert_eq!(status, 200, "{k}");
    let key = k["data"]["token"].as_str().unwrap().to_string();
    let ft = feed_token(&s, &key).await;
    let path = format!("/api/v1/feeds/bilibili?url={}&token={ft}", enc(SPACE));
    let r = get(&s, &path).await;
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["x-credits-remaining"].to_str().unwrap()
        ),
        (200, "0")
    );
    for _ in 0..3 {
        let r = get(&s, &path).await;
        assert_eq!(r.status(), 200, "served from the cache at no charge");
    }
    // Another space is a miss the key cannot pay for.
    let other = format!(
        "/api/v1/feeds/bilibili?url={}&token={ft}",
        enc("https://space.bilibili.com/1")
    );
    let r = get(&s, &other).await;
    assert_eq!(r.status(), 402);
}
