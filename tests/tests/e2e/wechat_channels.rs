//! The WeChat Channels plugin end to end: share links through Yuanbao (with
//! the operator's cookie), finder-preview links directly, errors.

use grabkit_tests::server::shipped_plugin;
use grabkit_tests::wechat_channels::{COOKIE, HOSTS, upstream};
use grabkit_tests::{Mock, TestServer, TestSettings};
use std::sync::Arc;

async fn setup(cookie: Option<&'static str>) -> (Mock, TestServer) {
    let mock = Mock::start(HOSTS, upstream()).await;
    let tweak: Arc<dyn Fn(&mut grabkit::config::Settings) + Send + Sync> = Arc::new(move |s| {
        if let Some(c) = cookie {
            s.plugins.insert(
                "wechat_channels".into(),
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
            plugins: vec![shipped_plugin("wechat_channels")],
            hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
            tweak: Some(tweak),
            ..Default::default()
        },
    )
    .await;
    (mock, s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_links_through_yuanbao_and_preview_links_directly() {
    let (mock, s) = setup(Some(COOKIE)).await;
    for url in [
        "看看这个视频号 https://weixin.qq.com/sph/AkBAEKjbtY，",
        "https://channels.weixin.qq.com/finder-preview/pages/sph?id=AoPX5bEBDd",
        "https://channels.weixin.qq.com/web/pages/feed?oid=zagCB5LjCrE&nid=d3pMFaDgxy4&context_id=1&entrance_id=1002",
        "https://channels.weixin.qq.com/finder-preview/pages/feed?entry_card_type=48&appid=51&token=cVZMDwgBGENTOKEN%3D&eid=export%2FUzFfAgtgekIEAQAAAAAAyMIN72dp",
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(status, 200, "{url}: {body}");
        let d = &body["data"];
        assert_eq!(d["platform"], "wechat_channels");
        assert_eq!(d["id"], "UzFfAgtgekIEAQAAAAAAyMIN72dp");
        assert_eq!(
            (d["title"].as_str(), d["author"].as_str()),
            (Some("夜色中的老街 #城市"), Some("城市漫步"))
        );
        let v = d["videos"].as_array().unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            (v[0]["codec"].as_str(), v[0]["url"].as_str()),
            (
                Some("avc"),
                Some(
                    "https://finder.video.qq.com/251/20302/stodownload?encfilekey=K264&token=T1&X-snsvideoflag=xWT111"
                )
            )
        );
        assert_eq!(v[1]["codec"], "hevc");
        assert_eq!(
            (v[0]["decodeKey"].as_str(), v[1]["decodeKey"].as_str()),
            (Some("1227338722"), Some("1227338722")),
            "the key travels with each encrypted file"
        );
        assert_eq!(
            d["thumbnail"],
            "https://finder.video.qq.com/251/20304/stodownload?encfilekey=COVER&token=C&picformat=200"
        );
    }
    let calls = mock.seen_path("/finder-preview/api/feed/get_feed_info");
    let body: serde_json::Value = serde_json::from_str(&calls[0].body).unwrap();
    assert_eq!(body["exportId"], "export/UzFfAgtgekIEAQAAAAAAyMIN72dp");
    assert!(calls[0].query.contains("_rid="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picture_posts_and_errors() {
    let (_m, s) = setup(Some(COOKIE)).await;
    let (status, body) = s.parse("https://channels.weixin.qq.com/finder-preview/pages/feed?token=PICS&eid=export%2FPICS1").await;
    assert_eq!(status, 200, "{body}");
    let d = &body["data"];
    assert_eq!(d["images"].as_array().unwrap().len(), 2);
    assert!(d["videos"].as_array().unwrap().is_empty());
    assert_eq!(
        (
            d["images"][0]["width"].as_u64(),
            d["images"][0]["height"].as_u64()
        ),
        (Some(1080), Some(1440))
    );
    assert_eq!(
        d["audios"][0]["url"],
        "https://res.wx.qq.com/voice/getvoice?mediaid=BGM"
    );

    for (url, http, code) in [
        (
            "https://channels.weixin.qq.com/finder-preview/pages/feed?token=BLOCKED&eid=export%2FX",
            403,
            "private",
        ),
        (
            "https://channels.weixin.qq.com/finder-preview/pages/feed?token=OLD&eid=export%2FX",
            502,
            "upstream_failed",
        ),
        ("https://weixin.qq.com/sph/Gone1", 404, "not_found"),
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (http, Some(code)),
            "{url}: {body}"
        );
    }
    let (_, body) = s
        .parse("https://channels.weixin.qq.com/finder-preview/pages/feed?token=OLD&eid=export%2FX")
        .await;
    assert_eq!(
        body["msg"], "get_feed_info: token 已过期",
        "HTML stripped from upstream errors"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_or_with_a_bad_cookie_share_links_need_login() {
    let (_m, s) = setup(None).await;
    let (status, body) = s.parse("https://weixin.qq.com/sph/AkBAEKjbtY").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("login_required")),
        "{body}"
    );
    assert!(
        body["msg"]
            .as_str()
            .unwrap()
            .contains("wechat_channels account"),
        "{body}"
    );
    let (_m, s) = setup(Some("stale=1")).await;
    let (status, body) = s.parse("https://weixin.qq.com/sph/AkBAEKjbtY").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("login_required")),
        "{body}"
    );
    let (status, body) = s
        .parse("https://channels.weixin.qq.com/web/pages/home")
        .await;
    assert_eq!(
        (status, &body["code"]),
        (400, &serde_json::Value::from(302))
    );
}
