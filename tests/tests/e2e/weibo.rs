//! The Weibo plugin end to end against the mock: every link form, share
//! links, retweets, long text, mixed media, video pages, error classes.

use grabkit_tests::server::shipped_plugin;
use grabkit_tests::weibo::{HOSTS, upstream};
use grabkit_tests::{Mock, TestServer, TestSettings};
use serde_json::Value;

async fn setup() -> (Mock, TestServer) {
    let mock = Mock::start(HOSTS, upstream()).await;
    let t = TestSettings {
        plugins: vec![shipped_plugin("weibo")],
        hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
        resolve: vec![format!("t.cn={}", mock.plain_addr)],
        ..Default::default()
    };
    let server = TestServer::start(&mock, t).await;
    (mock, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_status_in_every_status_form() {
    let (mock, s) = setup().await;
    for url in [
        "https://weibo.com/6152576398/H3fcUCMsV",
        "https://weibo.com/6152576398/4307734449242769",
        "https://m.weibo.cn/status/4307734449242769",
        "https://m.weibo.cn/detail/H3fcUCMsV",
        "https://weibo.cn/detail/4307734449242769",
        "快乐童年。😂 https://m.weibo.cn/6152576398/4307734449242769 （分享自 @微博）",
    ] {
        let d = s.ok(url).await;
        assert_eq!(d["platform"], "weibo");
        assert_eq!(d["id"], "4307734449242769");
        assert_eq!(d["title"], "快乐童年。 \n幼儿园园长熊熊的微博视频");
        assert_eq!(d["author"], "幼儿园园长熊熊");
        assert_eq!(d["duration"], 15);
        assert_eq!(
            d["thumbnail"],
            "https://wx1.sinaimg.cn/orj480/006InAbcly1fxc9ktv514j30k00zmac8.jpg"
        );
        let v = d["videos"].as_array().unwrap();
        assert_eq!(
            v.iter()
                .map(|v| v["quality"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["720p", "480p", "360p"],
            "{v:?}"
        );
        assert_eq!(
            (
                v[0]["width"].as_u64(),
                v[0]["height"].as_u64(),
                v[0]["hasAudio"].as_bool()
            ),
            (Some(720), Some(1280), Some(true))
        );
        assert!(
            v[0]["url"]
                .as_str()
                .unwrap()
                .starts_with("https://f.video.weibocdn.com/")
        );
        assert_eq!(d["headers"]["Referer"], "https://weibo.com/");
    }
    let show = mock.seen_path("/statuses/show");
    assert!(
        show.iter()
            .all(|s| s.headers["mweibo-pwa"] == "1"
                && s.headers["x-requested-with"] == "XMLHttpRequest"),
        "PWA headers sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_retweets_long_text_and_mixed_media() {
    let (_mock, s) = setup().await;
    let d = s.ok("https://weibo.com/1220057585/Q0KtXh6z2").await;
    let imgs = d["images"].as_array().unwrap();
    assert_eq!(imgs.len(), 3);
    assert_eq!(
        (
            imgs[0]["url"].as_str(),
            imgs[0]["width"].as_u64(),
            imgs[0]["height"].as_u64()
        ),
        (
            Some("https://wx3.sinaimg.cn/large/48c999f1gy1g6rg0p5ctvj20yi1pc4qq.jpg"),
            Some(1242),
            Some(2208)
        )
    );
    assert_eq!(
        imgs[1]["url"], "https://wx1.sinaimg.cn/large/48c999f1gy1g6rg0pa3xbj21hc0u0npd.jpg",
        "large size, https"
    );
    assert_eq!(
        (
            d["duration"].as_u64(),
            d["videos"].as_array().unwrap().len()
        ),
        (Some(0), 0)
    );
    assert_eq!(d["title"], "秋天的第一组照片 @摄影");

    let d = s.ok("https://weibo.com/7827771738/N4xlMvjhI").await;
    assert_eq!(
        d["images"][0]["url"], "https://wx3.sinaimg.cn/large/48c999f1gy1g6rg0p5ctvj20yi1pc4qq.jpg",
        "a retweet gives the original's media"
    );
    assert_eq!(d["author"], "转发的人");

    let d = s.ok("https://m.weibo.cn/status/5093426468489917").await;
    assert_eq!(
        d["title"], "这是一条很长的微博，开头部分，\n以及完整的第二段。",
        "long text through statuses/extend"
    );

    let d = s.ok("https://weibo.com/5535551863/OkKFUkErt").await;
    assert_eq!(d["images"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            d["videos"][0]["quality"].as_str(),
            d["videos"][0]["height"].as_u64()
        ),
        (Some("720p"), Some(1280))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_pages_and_share_links() {
    let (mock, s) = setup().await;
    for url in [
        "https://weibo.com/tv/show/1034:4307734431224746",
        "https://video.weibo.com/show?fid=1034:4307734431224746",
        "https://video.h5.weibo.cn/1034:4307734431224746/4307734449242769",
        "http://t.cn/E2JUxBL",
    ] {
        let d = s.ok(url).await;
        assert_eq!(d["id"], "1034:4307734431224746", "{url}");
        assert_eq!(d["title"], "幼儿园园长熊熊的微博视频");
        assert_eq!(
            d["thumbnail"],
            "https://wx1.sinaimg.cn/orj480/006InAbcly1fxc9ktv514j30k00zmac8.jpg"
        );
        assert_eq!(d["duration"], 15.015);
        let q: Vec<&str> = d["videos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["quality"].as_str().unwrap())
            .collect();
        assert_eq!(q, ["720p", "480p", "360p"]);
        assert!(
            d["videos"][0]["url"]
                .as_str()
                .unwrap()
                .starts_with("https://f.video.weibocdn.com/"),
            "protocol-relative made https"
        );
    }
    let posts = mock.seen_path("/api/component");
    assert!(
        posts.iter().all(|p| p.method == "POST"
            && p.headers["content-type"] == "application/x-www-form-urlencoded")
    );
    // A video page that names its status goes through the status.
    assert_eq!(
        s.ok("https://weibo.com/tv/show/1034:4307734431224746?mid=4307734449242769")
            .await["id"],
        "4307734449242769"
    );
    assert_eq!(
        s.ok("https://mapp.api.weibo.cn/fx/77eaa5c2f741894631a87fc4806a1f05.html")
            .await["id"],
        "5201786814076812"
    );
    let (status, body) = s.parse("http://t.cn/Away").await;
    assert_eq!(
        (status, &body["code"]),
        (400, &Value::from(302)),
        "a share link to another site: {body}"
    );
    let (status, body) = s.parse("https://weibo.com/tv/show/1034:4b7f1e0c9a2d").await;
    assert_eq!(status, 200, "a hexadecimal video id: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_classes_and_unsupported_pages() {
    let (_mock, s) = setup().await;
    let cases = [
        ("https://m.weibo.cn/status/gone", 404, "not_found"),
        ("https://m.weibo.cn/status/wall", 403, "login_required"),
        ("https://m.weibo.cn/status/login", 403, "login_required"),
        (
            "https://m.weibo.cn/status/bot",
            429,
            "upstream_rate_limited",
        ),
        ("https://weibo.com/tv/show/1034:999", 404, "not_found"),
    ];
    for (url, http, code) in cases {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (http, Some(code)),
            "{url}: {body}"
        );
    }
    for url in [
        "https://weibo.com/u/6152576398",
        "https://s.weibo.com/weibo?q=test",
        "https://weibo.com/p/1008087a/super_index",
        "https://weibo.com/ttarticle/p/show?id=2309404",
        "https://weibo.com/l/wblive/p/show/1022:2321324",
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
async fn the_desktop_route_with_a_visitor_cookie_when_the_mobile_one_refuses() {
    let (mock, s) = TestServer::for_plugin("weibo", HOSTS, upstream()).await;
    let d = s
        .ok("https://weibo.com/1669879400/5100000000000000001")
        .await;
    assert_eq!(d["id"], "5100000000000000001");
    assert_eq!(d["author"], "摄影师小林");
    let imgs: Vec<&str> = d["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        imgs,
        [
            "https://wx1.sinaimg.cn/large/006AbCdEly1i0snow1j31o01o0npd.jpg",
            "https://wx2.sinaimg.cn/large/006AbCdEly1i0snow2j30u01hc7wh.jpg"
        ],
        "pic_ids order, largest size, over https"
    );
    assert_eq!(d["images"][0]["width"], 2048);
    assert_eq!(d["videos"][0]["quality"], "live photo");

    let d = s.ok("https://m.weibo.cn/status/5100000000000000002").await;
    let q: Vec<&str> = d["videos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["quality"].as_str().unwrap())
        .collect();
    assert_eq!(q, ["1080p", "720p"], "the playback list, best first");
    assert_eq!(d["videos"][0]["bitrate"], 2_901_000);
    assert_eq!(d["duration"], 32.5);
    assert_eq!(
        d["thumbnail"],
        "https://wx3.sinaimg.cn/orj480/006AbCdEly1i0vid0j30k00zk0tz.jpg"
    );
    assert_eq!(
        mock.seen_path("/visitor/genvisitor").len(),
        1,
        "the visitor cookie is made once and kept"
    );
}
