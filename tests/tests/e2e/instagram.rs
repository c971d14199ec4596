//! The Instagram plugin end to end against the mock: each route of the
//! ladder answering in turn, share links, and every refusal.

use grabkit_tests::TestServer;
use grabkit_tests::instagram::{HOSTS, SESSION, upstream};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reels_from_the_embed_page_in_every_link_form() {
    let (mock, s) = TestServer::for_plugin("instagram", HOSTS, upstream()).await;
    for url in [
        "https://www.instagram.com/reel/CwqAgUZgCku/",
        "https://www.instagram.com/reels/CwqAgUZgCku/",
        "https://www.instagram.com/p/CwqAgUZgCku/?igsh=MWQ1ZGUxMzBkMA==",
        "https://instagram.com/marvelskies.fc/reel/CwqAgUZgCku",
        "https://www.instagram.com/marvelskies.fc/p/CwqAgUZgCku/",
        "https://www.instagram.com/tv/CwqAgUZgCku",
        "https://www.instagram.com/p/CwqAgUZgCku/embed/",
        "https://www.instagram.com/r/CwqAgUZgCku/",
        "https://www.instagram.com/share/reel/BAMh1sCaXh/",
        "https://www.ddinstagram.com/reel/CwqAgUZgCku/",
        "https://ddinstagram.com/marvelskies.fc/p/CwqAgUZgCku/",
        "Golden hour 🌅 look at this https://www.instagram.com/reel/CwqAgUZgCku/?utm_source=ig_web_copy_link and tell me",
    ] {
        let d = s.ok(url).await;
        assert_eq!(
            (
                d["platform"].as_str(),
                d["id"].as_str(),
                d["author"].as_str()
            ),
            (
                Some("instagram"),
                Some("CwqAgUZgCku"),
                Some("marvelskies.fc")
            ),
            "{url}"
        );
        assert_eq!(d["title"], "Golden hour over the bay 🌅 #sunset");
        assert_eq!(d["duration"], 12.433);
        let v = &d["videos"][0];
        assert!(
            v["url"].as_str().unwrap().contains("/reel_1080.mp4?efg="),
            "{v}"
        );
        assert_eq!(
            (
                v["width"].as_u64(),
                v["height"].as_u64(),
                v["quality"].as_str()
            ),
            (Some(1080), Some(1920), Some("1080p"))
        );
        assert!(
            d["images"].as_array().unwrap().is_empty(),
            "a reel is its video, not its cover"
        );
        assert_eq!(d["headers"]["Referer"], "https://www.instagram.com/");
    }
    let oembed = mock.seen_path("/api/v1/oembed/");
    assert!(oembed.iter().all(|r| {
        r.query
            .contains("url=https%3A%2F%2Fwww.instagram.com%2Fp%2FCwqAgUZgCku%2F")
    }));
    // Anonymous media info was tried with the id oEmbed gave, and refused.
    assert!(
        !mock
            .seen_path("/api/v1/media/3182358307616598318/info/")
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carousels_from_web_graphql_with_the_page_tokens() {
    let (mock, s) = TestServer::for_plugin("instagram", HOSTS, upstream()).await;
    for url in [
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        "https://www.instagram.com/share/BQshareAbc",
    ] {
        let d = s.ok(url).await;
        assert_eq!(
            (d["id"].as_str(), d["author"].as_str(), d["title"].as_str()),
            (
                Some("BQ0eAlwhDrw"),
                Some("instagram"),
                Some("Three clips from the studio")
            )
        );
        let imgs: Vec<(&str, u64, u64)> = d["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["url"].as_str().unwrap(),
                    i["width"].as_u64().unwrap(),
                    i["height"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            imgs,
            [
                (
                    "https://scontent-iad3-1.cdninstagram.com/v/t51.2885-15/studio_a_1080.jpg",
                    1080,
                    1080
                ),
                (
                    "https://scontent-iad3-1.cdninstagram.com/v/t51.2885-15/studio_b_1080.jpg",
                    1080,
                    1350
                )
            ],
            "every image at its largest size"
        );
        assert_eq!(d["videos"].as_array().unwrap().len(), 1);
        assert!(
            d["videos"][0]["url"]
                .as_str()
                .unwrap()
                .contains("studio_clip.mp4")
        );
    }
    let q = mock.seen_path("/graphql/query");
    let body = &q[0].body;
    assert!(
        body.contains("doc_id=8845758582119845")
            && body.contains("fb_api_req_friendly_name=PolarisPostActionLoadPostQueryQuery"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_session_the_mobile_api_answers() {
    let (mock, s) =
        TestServer::for_plugin_with_config("instagram", HOSTS, upstream(), &[("cookie", SESSION)])
            .await;
    // No oEmbed id for these: the media id is computed from the shortcode.
    let d = s.ok("https://www.instagram.com/p/C1mageAPIaa/").await;
    assert_eq!(
        (d["author"].as_str(), d["title"].as_str()),
        (Some("harbour.cats"), Some("Cat nap in the sun ☀️🐈"))
    );
    assert_eq!(d["images"][0]["width"], 1440, "the largest candidate");
    assert!(
        d["images"][0]["url"]
            .as_str()
            .unwrap()
            .contains("cat_nap_1440.jpg")
    );

    let d = s.ok("https://www.instagram.com/p/C8carouselA/").await;
    assert_eq!(d["images"].as_array().unwrap().len(), 1);
    let v = &d["videos"][0];
    assert_eq!(
        (v["width"].as_u64(), v["quality"].as_str()),
        (Some(720), Some("720p"))
    );
    assert_eq!(
        v["backupUrls"].as_array().unwrap().len(),
        1,
        "the smaller version, once, as a backup"
    );

    let d = s.ok("https://www.instagram.com/tv/BkfuX9UB-eK/").await;
    let q: Vec<&str> = d["videos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["quality"].as_str().unwrap())
        .collect();
    assert_eq!(
        q,
        ["1080p", "720p", "480p"],
        "a lone video lists every version"
    );
    assert_eq!(d["duration"], 53.83);
    assert_eq!(d["title"], "", "no caption");
    assert!(
        mock.seen_path("/api/v1/media/3271418759780009626/info/")
            .iter()
            .all(|r| r.headers["cookie"] == SESSION)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_unsupported_links() {
    let (mock, s) = TestServer::for_plugin("instagram", HOSTS, upstream()).await;
    for (url, http, code) in [
        ("https://www.instagram.com/p/DeletedPost/", 404, "not_found"),
        (
            "https://www.instagram.com/p/CThrottled1/",
            429,
            "upstream_rate_limited",
        ),
        (
            "https://www.instagram.com/p/CLoginWall1/",
            403,
            "login_required",
        ),
        (
            "https://www.instagram.com/p/CBadShape01/",
            502,
            "parse_failed",
        ),
        (
            "https://www.instagram.com/share/NoSuchShare",
            404,
            "not_found",
        ),
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (http, Some(code)),
            "{url}: {body}"
        );
    }
    let (_, body) = s.parse("https://www.instagram.com/p/CLoginWall1/").await;
    assert!(
        body["msg"].as_str().unwrap().contains("cookie"),
        "tells the operator what would help: {body}"
    );
    // Throttled: the ladder stops instead of hammering the other routes.
    assert!(mock.seen_path("/p/CThrottled1/embed/captioned/").is_empty());

    for url in [
        "https://www.instagram.com/natgeo/",
        "https://www.instagram.com/stories/natgeo/3123456789012345678/",
        "https://www.instagram.com/stories/highlights/17912345678901234/",
        "https://www.instagram.com/explore/tags/cats/",
        "https://www.instagram.com/direct/inbox/",
        "https://www.instagram.com/p/abc!def/",
        "https://www.instagram.com/share/ProfileShare",
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, &body["code"]),
            (400, &Value::from(302)),
            "{url}: {body}"
        );
    }
}
