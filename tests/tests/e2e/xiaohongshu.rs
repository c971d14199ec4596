//! The Xiaohongshu plugin end to end against the mock note pages.

use grabkit_tests::server::shipped_plugin;
use grabkit_tests::xiaohongshu::{HOSTS, upstream};
use grabkit_tests::{Mock, TestServer, TestSettings};
use serde_json::Value;
use std::sync::Arc;

async fn setup(cookie: Option<&'static str>) -> (Mock, TestServer) {
    let mock = Mock::start(HOSTS, upstream()).await;
    let tweak: Arc<dyn Fn(&mut grabkit::config::Settings) + Send + Sync> = Arc::new(move |s| {
        if let Some(c) = cookie {
            s.plugins.insert(
                "xiaohongshu".into(),
                grabkit::config::PluginSection {
                    config: [("cookie".to_string(), c.to_string())].into(),
                    ..Default::default()
                },
            );
        }
    });
    let s = TestServer::start(
        &mock,
        TestSettings {
            plugins: vec![shipped_plugin("xiaohongshu")],
            hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
            tweak: Some(tweak),
            ..Default::default()
        },
    )
    .await;
    (mock, s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_notes_keep_the_token_and_offer_every_stream() {
    let (mock, s) = setup(Some("web_session=abc; webId=def")).await;
    for url in [
        "https://www.xiaohongshu.com/explore/6a0000000000000000000001?xsec_token=CBvideo%3D&xsec_source=pc_share",
        "https://www.xiaohongshu.com/discovery/item/6a0000000000000000000001?xsec_token=CBvideo%3D",
        "https://www.rednote.com/explore/6a0000000000000000000001?xsec_token=CBvideo%3D",
        "http://xhslink.cn/o/7Vd2kQ",
        "64 骑行的人发布了一篇小红书笔记，快来看吧！ 😆 Xa2Kb3Lm 😆 http://xhslink.com/a/jqL6B32eU0F7，复制本条信息，打开【小红书】App查看精彩内容！",
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(status, 200, "{url}: {body}");
        let d = &body["data"];
        assert_eq!(
            (d["id"].as_str(), d["title"].as_str(), d["author"].as_str()),
            (
                Some("6a0000000000000000000001"),
                Some("海边骑行"),
                Some("骑行的人")
            )
        );
        assert_eq!(d["duration"], 24);
        assert_eq!(
            d["thumbnail"],
            "https://sns-webpic-qc.xhscdn.com/202510201140/82a3/110/0/01e8f4e9cover_0.jpg!nd_dft_wgth_webp_3"
        );
        let v = d["videos"].as_array().unwrap();
        let q: Vec<&str> = v.iter().map(|v| v["quality"].as_str().unwrap()).collect();
        assert_eq!(q, ["original", "1080p", "720p", "720p"]);
        assert_eq!(
            v[0]["url"],
            "https://sns-video-bd.xhscdn.com/pre_post/1040g0cg31nqrl9gm52q04a6a5db1guek79ia0so"
        );
        assert_eq!(
            (v[1]["codec"].as_str(), v[1]["width"].as_u64()),
            (Some("hevc"), Some(1920))
        );
        assert!(
            v[2]["url"].as_str().unwrap().ends_with("_258.mp4"),
            "the unwatermarked 720p before the watermarked one"
        );
    }
    let pages = mock
        .seen()
        .into_iter()
        .filter(|s| s.path.starts_with("/explore/"))
        .collect::<Vec<_>>();
    assert!(
        pages
            .iter()
            .all(|p| p.headers["cookie"] == "web_session=abc; webId=def"),
        "the operator's cookie is sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_notes_give_originals_and_live_photos() {
    let (_m, s) = setup(None).await;
    let (status, body) = s.parse("https://xhslink.com/m/Img2").await;
    assert_eq!(status, 200, "{body}");
    let d = &body["data"];
    assert_eq!(d["title"], "周末咖啡店合集", "desc when the title is empty");
    let imgs = d["images"].as_array().unwrap();
    assert_eq!(
        imgs[0]["url"],
        "https://ci.xiaohongshu.com/notes_pre_post/1040g2sg31img1"
    );
    assert_eq!(
        imgs[1]["url"],
        "https://ci.xiaohongshu.com/spectrum/1040g0k031img2"
    );
    assert_eq!(
        (imgs[0]["width"].as_u64(), imgs[0]["height"].as_u64()),
        (Some(1080), Some(1440))
    );
    assert_eq!(
        (
            d["videos"][0]["quality"].as_str(),
            d["videos"][0]["url"].as_str()
        ),
        (
            Some("live photo"),
            Some("https://sns-video-bd.xhscdn.com/stream/1/110/258/live2_258.mp4")
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_walls_and_errors() {
    let (_m, s) = setup(None).await;
    for (url, http, code) in [
        (
            "https://www.xiaohongshu.com/explore/6a0000000000000000000001",
            403,
            "login_required",
        ),
        (
            "https://www.xiaohongshu.com/explore/6a0000000000000000000009?xsec_token=AB%3D",
            403,
            "login_required",
        ),
        (
            "https://www.xiaohongshu.com/explore/6a0000000000000000000003?xsec_token=AB%3D",
            404,
            "not_found",
        ),
        (
            "https://www.xiaohongshu.com/explore/6a0000000000000000000004?xsec_token=AB%3D",
            403,
            "login_required",
        ),
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (http, Some(code)),
            "{url}: {body}"
        );
        if code == "login_required" {
            assert!(body["msg"].as_str().unwrap().contains("cookie"), "{body}");
        }
    }
    let (_m, s) = setup(Some("web_session=stale")).await;
    let (status, body) = s
        .parse("https://www.xiaohongshu.com/explore/6a0000000000000000000004?xsec_token=AB%3D")
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("upstream_rate_limited")),
        "with a cookie, a captcha is a challenge: {body}"
    );
    for url in [
        "https://www.xiaohongshu.com/user/profile/5b24961811be105dfe1079d4",
        "https://www.xiaohongshu.com/search_result?keyword=cat",
        "https://www.xiaohongshu.com/board/5b2",
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, &body["code"]),
            (400, &Value::from(302)),
            "{url}: {body}"
        );
    }
}
