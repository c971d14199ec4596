//! The Kuaishou plugin end to end against the mock share pages.

use grabkit_tests::kuaishou::{HOSTS, upstream};
use grabkit_tests::{Mock, TestServer};
use serde_json::Value;

async fn setup() -> (Mock, TestServer) {
    TestServer::for_plugin("kuaishou", HOSTS, upstream()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_in_every_link_form() {
    let (mock, s) = setup().await;
    for url in [
        "https://v.kuaishou.com/2yQz3k",
        "https://v.kuaishou.com/2yQz3k 将旅途心愿化作纸飞机✈️ \"旅行 该作品在快手被播放过6.4万次，点击链接，打开【快手】直接观看！",
        "https://www.kuaishou.com/short-video/3xfakework00001",
        "https://www.kuaishou.cn/short-video/3xfakework00001?authorId=3xfakeuser00001",
        "https://m.gifshow.com/fw/photo/3xfakework00001",
        "https://v.m.chenzhongtech.com/fw/photo/3xfakework00001?fid=1",
        "https://c.kuaishou.com/fw/photo/3xfakework00001",
        "https://v.kuaishou.com/long1",
    ] {
        let d = s.ok(url).await;
        assert_eq!(d["platform"], "kuaishou");
        assert_eq!(d["id"], "5100000000000000001");
        assert_eq!(d["title"], "将旅途心愿化作纸飞机 #旅行");
        assert_eq!(d["author"], "旅行者小王", "the Hangul filler is stripped");
        assert_eq!(d["duration"], 8.783);
        assert_eq!(
            d["thumbnail"],
            "https://p2.a.yximgs.com/upic/2026/01/01/cover.jpg?clientCacheKey=3xfakework00001.jpg&di=1&bp=10000"
        );
        let v = d["videos"].as_array().unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(
            (
                v[0]["codec"].as_str(),
                v[0]["quality"].as_str(),
                v[0]["bitrate"].as_u64(),
                v[0]["hasAudio"].as_bool()
            ),
            (Some("avc"), Some("720p"), Some(3_449_000), Some(true)),
            "avc before hevc at 720p"
        );
        assert_eq!(
            v[0]["backupUrls"][0],
            "https://v4.oskwai.com/upic/2026/01/01/main_b.mp4?x=1"
        );
        assert_eq!(v[1]["codec"], "hevc");
        assert_eq!(
            (v[2]["quality"].as_str(), v[2]["height"].as_u64()),
            (Some("480p"), Some(854))
        );
    }
    let pages = mock.seen_path("/fw/photo/3xfakework00001");
    assert!(
        pages
            .iter()
            .all(|p| p.headers["user-agent"].to_str().unwrap().contains("iPhone")),
        "share pages are fetched as a phone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_sets_and_single_pictures() {
    let (_m, s) = setup().await;
    let d = s.ok("https://www.kuaishou.com/f/X3t3Ee6o1L7gqHe").await;
    assert_eq!(d["id"], "5100000000000000002");
    let imgs = d["images"].as_array().unwrap();
    assert_eq!(imgs.len(), 3);
    assert_eq!(
        (
            imgs[0]["url"].as_str(),
            imgs[0]["width"].as_u64(),
            imgs[0]["height"].as_u64()
        ),
        (
            Some("https://p5.a.yximgs.com/ufile/atlas/NTEwMA_0.webp"),
            Some(1080),
            Some(1440)
        )
    );
    assert_eq!(
        d["audios"][0]["url"],
        "https://tymov2.a.kwimgs.com/ufile/atlas/NTEwMA.m4a"
    );
    assert_eq!(
        (
            d["videos"].as_array().unwrap().len(),
            d["duration"].as_u64()
        ),
        (0, Some(0))
    );

    let d = s
        .ok("https://v.m.chenzhongtech.com/fw/photo/3xfakesingle003")
        .await;
    assert_eq!(
        d["images"][0]["url"],
        "https://p2.a.yximgs.com/upic/single.jpg"
    );
    assert_eq!(
        d["audios"][0]["url"],
        "https://tymov2.a.kwimgs.com/ufile/atlas/single.m4a"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_and_unsupported_pages() {
    let (_m, s) = setup().await;
    for (url, http, code) in [
        (
            "https://v.m.chenzhongtech.com/fw/photo/3xgone",
            404,
            "not_found",
        ),
        (
            "https://v.m.chenzhongtech.com/fw/photo/3xcaptcha",
            429,
            "upstream_rate_limited",
        ),
        ("https://v.kuaishou.com/nothere", 404, "not_found"),
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (http, Some(code)),
            "{url}: {body}"
        );
    }
    for url in [
        "https://v.kuaishou.com/toProfile",
        "https://www.kuaishou.com/search/video?searchKey=x",
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, &body["code"]),
            (400, &Value::from(302)),
            "{url}: {body}"
        );
    } // Profiles and live rooms belong to the data endpoints, which are named.
    for url in [
        "https://www.kuaishou.com/profile/3xfakeuser00001",
        "https://live.kuaishou.com/u/3xabc",
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("wrong_endpoint")),
            "{url}: {body}"
        );
    }
}
