//! The X / Twitter plugin end to end against the mock syndication and
//! guest-token GraphQL endpoints.

use grabkit_tests::TestServer;
use grabkit_tests::twitter::{GuestTokens, HOSTS, upstream, upstream_with};
use serde_json::Value;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn videos_photos_gifs_and_quotes() {
    let (mock, s) = TestServer::for_plugin("twitter", HOSTS, upstream()).await;
    for url in [
        "https://x.com/NASA/status/1682484564325908480",
        "https://twitter.com/NASA/status/1682484564325908480?s=20&t=abc",
        "https://mobile.twitter.com/NASA/status/1682484564325908480",
        "https://x.com/NASA/status/1682484564325908480/video/1",
        "https://twitter.com/i/web/status/1682484564325908480",
        "https://twitter.com/NASA/statuses/1682484564325908480",
        "https://x.com/NASA/status/1682484564325908480/mediaViewer?currentTweet=1682484564325908480",
        "https://x.com/i/bookmarks?post_id=1682484564325908480",
        "https://vxtwitter.com/NASA/status/1682484564325908480",
        "https://fixvx.com/NASA/status/1682484564325908480",
        "Watching the sunrise from orbit 🌅 https://x.com/NASA/status/1682484564325908480 via @NASA",
    ] {
        let d = s.ok(url).await;
        assert_eq!(
            (
                d["platform"].as_str(),
                d["id"].as_str(),
                d["author"].as_str()
            ),
            (Some("twitter"), Some("1682484564325908480"), Some("NASA"))
        );
        assert_eq!(d["duration"], 30.03);
        let v = d["videos"].as_array().unwrap();
        let q: Vec<&str> = v.iter().map(|v| v["quality"].as_str().unwrap()).collect();
        assert_eq!(
            q,
            ["720p", "360p", "270p", "adaptive"],
            "every mp4 variant by bitrate, then HLS"
        );
        assert_eq!(
            (
                v[0]["width"].as_u64(),
                v[0]["height"].as_u64(),
                v[0]["bitrate"].as_u64()
            ),
            (Some(1280), Some(720), Some(2_176_000))
        );
        assert_eq!(v[3]["source"], "hls");
        assert_eq!(
            d["thumbnail"],
            "https://pbs.twimg.com/ext_tw_video_thumb/1682484500000000000/pu/img/thumb.jpg"
        );
    }
    assert!(
        mock.seen()
            .iter()
            .all(|r| r.headers["user-agent"] == "Googlebot")
    );
    assert!(
        mock.seen()
            .iter()
            .all(|r| r.host == "cdn.syndication.twimg.com"),
        "GraphQL is not asked when syndication has the media"
    );

    let d = s
        .ok("https://x.com/cityphotos/status/1700000000000000001/photo/2")
        .await;
    let imgs = d["images"].as_array().unwrap();
    assert_eq!(
        imgs[0]["url"],
        "https://pbs.twimg.com/media/F5abcXYZ.jpg?name=orig"
    );
    assert_eq!(
        (imgs[1]["width"].as_u64(), imgs[1]["height"].as_u64()),
        (Some(1920), Some(1080))
    );

    let d = s
        .ok("https://x.com/quoter/status/1700000000000000002")
        .await;
    assert_eq!(
        (
            d["videos"][0]["quality"].as_str(),
            d["videos"][0]["url"].as_str()
        ),
        (
            Some("gif"),
            Some("https://video.twimg.com/tweet_video/GifThumb.mp4")
        ),
        "the quoted tweet's media when the tweet has none"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_and_unsupported_links() {
    let (_m, s) = TestServer::for_plugin("twitter", HOSTS, upstream()).await;
    for (url, http, code) in [
        (
            "https://x.com/a/status/1700000000000000009",
            404,
            "not_found",
        ),
        (
            "https://x.com/a/status/1700000000000000004",
            403,
            "login_required",
        ),
        (
            "https://x.com/a/status/1700000000000000005",
            429,
            "upstream_rate_limited",
        ),
        // Syndication misses it; GraphQL says why.
        (
            "https://x.com/a/status/1700000000000000012",
            403,
            "login_required",
        ),
        ("https://x.com/a/status/1700000000000000013", 403, "private"),
        // GraphQL down: syndication's answer stands.
        (
            "https://x.com/a/status/1700000000000000014",
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
    for url in [
        "https://x.com/NASA",
        "https://vxtwitter.com/NASA",
        "https://x.com/i/bookmarks",
        "https://x.com/search?q=moon",
        "https://x.com/i/spaces/1OdKrBnaEPXKX",
        "https://pbs.twimg.com/media/F5abcXYZ.jpg",
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, &body["code"]),
            (400, &Value::from(302)),
            "{url}: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_fallback_with_a_cached_guest_token() {
    let tokens = Arc::new(GuestTokens::default());
    let (mock, s) = TestServer::for_plugin("twitter", HOSTS, upstream_with(tokens.clone())).await;

    // Syndication does not know this tweet: GraphQL (behind a visibility wrapper) does.
    let d = s
        .ok("https://x.com/harbourwatch/status/1700000000000000010")
        .await;
    assert_eq!(
        (d["id"].as_str(), d["author"].as_str()),
        (Some("1700000000000000010"), Some("Harbour Watch"))
    );
    let imgs: Vec<&str> = d["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        imgs,
        [
            "https://pbs.twimg.com/media/GHarbour1.jpg?name=orig",
            "https://pbs.twimg.com/media/GHarbour2.png?name=orig"
        ]
    );
    let v = d["videos"].as_array().unwrap();
    assert_eq!(
        v.iter()
            .map(|v| v["quality"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["720p", "320p", "adaptive"]
    );
    assert_eq!(
        (
            v[0]["width"].as_u64(),
            v[0]["height"].as_u64(),
            v[0]["bitrate"].as_u64()
        ),
        (Some(720), Some(1280), Some(2_176_000))
    );
    assert_eq!(d["duration"], 14.5);
    assert_eq!(tokens.issued(), 1);
    let gql = mock.seen_path("/graphql/2ICDjqPd81tulZcYrtpTuQ/TweetResultByRestId");
    assert_eq!(
        (
            gql[0].headers["x-guest-token"].to_str().unwrap(),
            gql[0].headers["cookie"].to_str().unwrap()
        ),
        ("gt-1", "guest_id=v1%3Agt-1")
    );

    // Syndication has the tweet but not its media: GraphQL's long text and photo.
    let d = s
        .ok("https://twitter.com/nightsky/status/1700000000000000011")
        .await;
    assert_eq!(
        d["images"][0]["url"],
        "https://pbs.twimg.com/media/GAurora.jpg?name=orig"
    );
    assert!(
        d["title"]
            .as_str()
            .unwrap()
            .contains("longer than the 280 characters"),
        "note tweets keep their full text"
    );
    assert_eq!(tokens.issued(), 1, "the guest token is reused from kv");

    // The token expires: the plugin drops it, fetches a new one, and the parse still succeeds.
    tokens.revoke_all();
    s.ok("https://x.com/harbourwatch/status/1700000000000000010")
        .await;
    assert_eq!(tokens.issued(), 2);
    let last = mock
        .seen_path("/graphql/2ICDjqPd81tulZcYrtpTuQ/TweetResultByRestId")
        .pop()
        .unwrap();
    assert_eq!(last.headers["x-guest-token"], "gt-2");
}
