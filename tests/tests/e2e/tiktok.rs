//! The TikTok plugin end to end against the mock post pages.

use grabkit_tests::TestServer;
use grabkit_tests::tiktok::{HOSTS, upstream};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn videos_in_every_link_form_with_the_cdn_cookie() {
    let (_m, s) = TestServer::for_plugin("tiktok", HOSTS, upstream()).await;
    for url in [
        "https://www.tiktok.com/@scout2015/video/6718335390845095173",
        "https://tiktok.com/@scout2015/video/6718335390845095173?is_from_webapp=1",
        "https://vm.tiktok.com/ZMabcdEF/",
        "https://m.tiktok.com/v/6718335390845095173.html",
        "https://www.tiktok.com/share/video/6718335390845095173",
        "https://www.tiktok.com/@/video/6718335390845095173/",
        "https://www.tiktok.com/i18n/share/video/6718335390845095173?u_code=abc",
        "https://t.tiktok.com/ZT2abc/",
        "Scramble up ur name 😍 #foryoupage https://vm.tiktok.com/ZMabcdEF/ Check out Scout2015’s video! #TikTok",
    ] {
        let d = s.ok(url).await;
        assert_eq!(
            (
                d["platform"].as_str(),
                d["id"].as_str(),
                d["author"].as_str()
            ),
            (
                Some("tiktok"),
                Some("6718335390845095173"),
                Some("Scout2015")
            )
        );
        assert_eq!(d["duration"], 15);
        let v = d["videos"].as_array().unwrap();
        let got: Vec<(&str, &str)> = v
            .iter()
            .map(|v| {
                (
                    v["quality"].as_str().unwrap(),
                    v["codec"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("720p", "avc"),
                ("720p", "hevc"),
                ("540p", "avc"),
                ("720p", ""),
                ("download", "")
            ],
            "every bitrate variant, then play and download addresses"
        );
        assert_eq!(
            d["audios"][0]["url"],
            "https://sf16-ies-music-va.tiktokcdn.com/obj/music.mp3"
        );
        assert_eq!(
            d["headers"]["Cookie"], "tt_chain_token=abc123==; ttwid=1%7Cxyz",
            "the CDN's cookies travel with the result"
        );
        assert_eq!(d["headers"]["Referer"], "https://www.tiktok.com/");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photo_posts_errors_and_unsupported_pages() {
    let (_m, s) = TestServer::for_plugin("tiktok", HOSTS, upstream()).await;
    for url in [
        "https://vt.tiktok.com/ZSphoto1/",
        "https://www.tiktok.com/@chef/photo/7300000000000000001",
    ] {
        let d = s.ok(url).await;
        let imgs = d["images"].as_array().unwrap();
        assert_eq!(imgs.len(), 2);
        assert_eq!(
            (imgs[0]["url"].as_str(), imgs[0]["height"].as_u64()),
            (
                Some("https://p16-sign-sg.tiktokcdn.com/photo1.jpeg"),
                Some(1440)
            )
        );
        assert_eq!(
            d["audios"][0]["url"], "https://sf16-ies-music-sg.tiktokcdn.com/obj/cook.mp3",
            "the photo post's music"
        );
        assert_eq!(
            d["thumbnail"],
            "https://p16-sign-sg.tiktokcdn.com/photo-cover.jpeg"
        );
    }
    for (url, http, code) in [
        (
            "https://www.tiktok.com/@a/video/7000000000000000001",
            404,
            "not_found",
        ),
        (
            "https://www.tiktok.com/@a/video/7000000000000000002",
            403,
            "private",
        ),
        (
            "https://www.tiktok.com/@a/video/7000000000000000003",
            502,
            "upstream_failed",
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
        "https://www.tiktok.com/@scout2015",
        "https://www.tiktok.com/t/ZTRlive/",
        "https://www.tiktok.com/@scout2015/live",
        "https://lite.tiktok.com/t/abc",
        "https://www.tiktok.com/tag/cats",
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
async fn the_app_api_answers_when_the_page_is_a_challenge() {
    let (mock, s) = TestServer::for_plugin("tiktok", HOSTS, upstream()).await;
    let d = s
        .ok("https://www.tiktok.com/@appuser/video/7000000000000000004")
        .await;
    assert_eq!(
        (d["id"].as_str(), d["author"].as_str(), d["title"].as_str()),
        (
            Some("7000000000000000004"),
            Some("App User"),
            Some("app route post #fyp")
        )
    );
    let q: Vec<(&str, &str)> = d["videos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["quality"].as_str().unwrap(),
                v["codec"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        q,
        [("1080p", "hevc"), ("576p", "avc"), ("", "")],
        "every gear by bitrate, then the play address"
    );
    assert_eq!(d["duration"], 12.48);
    assert_eq!(
        d["audios"][0]["url"],
        "https://sf16-ies-music-va.tiktokcdn.com/obj/music-4.mp3"
    );
    let asked = mock.seen_path("/aweme/v1/feed/");
    assert_eq!(asked.len(), 1);
    assert!(asked[0].query.contains("aid=1180"));
}
