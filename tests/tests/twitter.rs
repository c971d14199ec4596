//! The X / Twitter plugin end to end against the mock syndication endpoint.

use grabkit_tests::TestServer;
use grabkit_tests::twitter::{HOSTS, upstream};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn videos_photos_gifs_and_quotes() {
    let (mock, s) = TestServer::for_plugin("twitter", HOSTS, upstream()).await;
    for url in [
        "https://x.com/NASA/status/1682484564325908480",
        "https://twitter.com/NASA/status/1682484564325908480?s=20&t=abc",
        "https://mobile.twitter.com/NASA/status/1682484564325908480",
        "https://x.com/NASA/status/1682484564325908480/video/1",
        "Watching the sunrise from orbit 🌅 https://x.com/NASA/status/1682484564325908480 via @NASA",
    ] {
        let d = s.ok(url).await;
        assert_eq!((d["platform"].as_str(), d["id"].as_str(), d["author"].as_str()), (Some("twitter"), Some("1682484564325908480"), Some("NASA")));
        assert_eq!(d["duration"], 30.03);
        let v = d["videos"].as_array().unwrap();
        let q: Vec<&str> = v.iter().map(|v| v["quality"].as_str().unwrap()).collect();
        assert_eq!(q, ["720p", "360p", "270p", "adaptive"], "every mp4 variant by bitrate, then HLS");
        assert_eq!((v[0]["width"].as_u64(), v[0]["height"].as_u64(), v[0]["bitrate"].as_u64()), (Some(1280), Some(720), Some(2_176_000)));
        assert_eq!(v[3]["source"], "hls");
        assert_eq!(d["thumbnail"], "https://pbs.twimg.com/ext_tw_video_thumb/1682484500000000000/pu/img/thumb.jpg");
    }
    assert!(mock.seen().iter().all(|r| r.headers["user-agent"] == "Googlebot"));

    let d = s.ok("https://x.com/cityphotos/status/1700000000000000001/photo/2").await;
    let imgs = d["images"].as_array().unwrap();
    assert_eq!(imgs[0]["url"], "https://pbs.twimg.com/media/F5abcXYZ.jpg?name=orig");
    assert_eq!((imgs[1]["width"].as_u64(), imgs[1]["height"].as_u64()), (Some(1920), Some(1080)));

    let d = s.ok("https://x.com/quoter/status/1700000000000000002").await;
    assert_eq!((d["videos"][0]["quality"].as_str(), d["videos"][0]["url"].as_str()), (Some("gif"), Some("https://video.twimg.com/tweet_video/GifThumb.mp4")), "the quoted tweet's media when the tweet has none");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_and_unsupported_links() {
    let (_m, s) = TestServer::for_plugin("twitter", HOSTS, upstream()).await;
    for (url, http, code) in [
        ("https://x.com/a/status/1700000000000000009", 404, "not_found"),
        ("https://x.com/a/status/1700000000000000004", 403, "login_required"),
        ("https://x.com/a/status/1700000000000000005", 429, "upstream_rate_limited"),
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!((status, body["code"].as_str()), (http, Some(code)), "{url}: {body}");
    }
    for url in ["https://x.com/NASA", "https://fxtwitter.com/NASA/status/1682484564325908480", "https://vxtwitter.com/NASA/status/1682484564325908480", "https://x.com/search?q=moon", "https://x.com/i/spaces/1OdKrBnaEPXKX", "https://pbs.twimg.com/media/F5abcXYZ.jpg"] {
        let (status, body) = s.parse(url).await;
        assert_eq!((status, &body["code"]), (400, &Value::from(302)), "{url}: {body}");
    }
}
