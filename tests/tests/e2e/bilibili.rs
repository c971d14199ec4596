//! The Bilibili plugin end to end through the HTTP API, against the mock
//! upstream: every link form of the seed, share text, every error class.

use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::mock::param;
use grabkit_tests::server::shipped_plugin;
use grabkit_tests::{Mock, TestServer, TestSettings};
use serde_json::Value;
use tokio::sync::OnceCell;

struct Env {
    mock: Mock,
    server: TestServer,
}

static ENV: OnceCell<Env> = OnceCell::const_new();

/// One mock and one server for the whole file (tests run in parallel on it).
async fn env() -> &'static Env {
    ENV.get_or_init(|| async {
        let mock = Mock::start(HOSTS, upstream()).await;
        let server = TestServer::start(
            &mock,
            TestSettings {
                plugins: vec![shipped_plugin("bilibili")],
                hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
                ..Default::default()
            },
        )
        .await;
        Env { mock, server }
    })
    .await
}

async fn ok(url: &str) -> Value {
    let (status, body) = env().await.server.parse(url).await;
    assert_eq!(status, 200, "{url}: {body}");
    assert_eq!(body["msg"], "success", "{url}: {body}");
    body["data"].clone()
}

async fn fails(url: &str, http: u16, code: Value) -> Value {
    let (status, body) = env().await.server.parse(url).await;
    assert_eq!((status, &body["code"]), (http, &code), "{url}: {body}");
    assert!(body["data"].is_null());
    assert_eq!(body["status"], http);
    body
}

// A shared runtime: the server spawned by the first test must outlive it.
fn rt() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

macro_rules! t {
    ($name:ident, $body:expr) => {
        #[test]
        fn $name() {
            rt().block_on(async { $body.await });
        }
    };
}

t!(bv_video_has_dash_streams_audio_and_progressive_mp4, async {
    let d = ok("https://www.bilibili.com/video/BV117411r7R1").await;
    assert_eq!(d["platform"], "bilibili");
    assert_eq!(d["id"], "BV117411r7R1");
    assert_eq!(d["title"], "当我给拜年祭的快板加了电音配乐…");
    assert_eq!(d["author"], "陈楒潼桶桶桶");
    assert_eq!(
        d["thumbnail"],
        "https://i1.hdslb.com/bfs/archive/ea0dd34bf41e23a68175680a00e3358cd249105f.jpg"
    );
    assert_eq!(d["duration"], 486);
    let videos = d["videos"].as_array().unwrap();
    assert_eq!(videos.len(), 4, "{videos:?}");
    let best = &videos[0];
    assert_eq!(best["quality"], "1080p");
    assert_eq!(best["mimeType"], "video/mp4");
    assert_eq!(
        (best["width"].as_u64(), best["height"].as_u64()),
        (Some(1920), Some(1080))
    );
    assert_eq!(
        (best["hasAudio"].as_bool(), best["source"].as_str()),
        (Some(false), Some("dash"))
    );
    assert_eq!(best["codec"], "avc1.640032");
    assert_eq!(best["bitrate"], 2303481);
    assert!(
        best["url"]
            .as_str()
            .unwrap()
            .starts_with("https://upos-sz-mirrorcos.bilivideo.com/"),
        "http upgraded to https"
    );
    assert_eq!(videos[1]["codec"], "hev1.1.6.L120.90");
    assert_eq!(videos[2]["quality"], "720p");
    assert_eq!(
        videos[2]["backupUrls"][0],
        "https://upos-sz-mirrorcosb.bilivideo.com/upgcxcode/93/46/146044693/146044693_nb2-1-30064.m4s?deadline=1700000000"
    );
    let mp4 = &videos[3];
    assert_eq!(
        (
            mp4["hasAudio"].as_bool(),
            mp4["source"].as_str(),
            mp4["quality"].as_str()
        ),
        (Some(true), Some("direct"), Some("720p"))
    );
    assert!(mp4["url"].as_str().unwrap().contains("146044693-1-64.mp4"));
    let audios = d["audios"].as_array().unwrap();
    assert_eq!(
        audios
            .iter()
            .map(|a| a["quality"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["192k", "64k"]
    );
    assert_eq!(audios[0]["mimeType"], "audio/mp4");
    assert_eq!(d["images"], serde_json::json!([]));
    assert_eq!(d["headers"]["Referer"], "https://www.bilibili.com/");
    assert!(
        d["headers"]["User-Agent"]
            .as_str()
            .unwrap()
            .starts_with("Mozilla/5.0")
    );

    // The stream requests were WBI-signed (the mock refuses bad signatures) and sent the Referer.
    let plays = env().await.mock.seen_path("/x/player/wbi/playurl");
    let dash = plays
        .iter()
        .find(|s| {
            param(&s.query, "cid").as_deref() == Some("146044693")
                && param(&s.query, "fnval").as_deref() == Some("4048")
        })
        .expect("dash playurl call");
    assert!(param(&dash.query, "w_rid").is_some() && param(&dash.query, "wts").is_some());
    assert_eq!(dash.headers["referer"], "https://www.bilibili.com/");
});

t!(multi_part_video_takes_the_part_in_p, async {
    let d = ok("https://www.bilibili.com/video/BV1rp4y1e745/?p=2&vd_source=abc").await;
    assert_eq!(d["id"], "BV1rp4y1e745_p2");
    assert_eq!(d["title"], "两集合集 - P2 下集");
    assert_eq!(d["duration"], 353);
    let plays = env().await.mock.seen_path("/x/player/wbi/playurl");
    assert!(
        plays
            .iter()
            .any(|s| param(&s.query, "cid").as_deref() == Some("244954666")),
        "part 2's cid requested"
    );
    // Part 2 is rotated: the progressive entry reports portrait dimensions.
    let mp4 = d["videos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["source"] == "direct")
        .unwrap()
        .clone();
    assert_eq!(
        (mp4["width"].as_u64(), mp4["height"].as_u64()),
        (Some(1080), Some(1920))
    );
    fails(
        "https://www.bilibili.com/video/BV117411r7R1?p=5",
        404,
        "not_found".into(),
    )
    .await;
});

t!(av_numbers_and_other_hosts, async {
    let d = ok("https://www.bilibili.com/video/av170001").await;
    assert_eq!(
        (d["id"].as_str(), d["author"].as_str()),
        (Some("BV17x411w7KC"), Some("冰封.虾子"))
    );
    assert!(
        env()
            .await
            .mock
            .seen_path("/x/web-interface/view")
            .iter()
            .any(|s| param(&s.query, "aid").as_deref() == Some("170001"))
    );
    assert_eq!(
        ok("https://m.bilibili.com/video/BV117411r7R1").await["id"],
        "BV117411r7R1"
    );
    assert_eq!(
        ok("bilibili.com/video/BV117411r7R1").await["id"],
        "BV117411r7R1"
    );
    assert_eq!(
        ok("https://www.bilibili.com/list/66606350?sid=2&oid=85440373&bvid=BV117411r7R1").await["id"],
        "BV117411r7R1"
    );
});

t!(share_text_and_short_links, async {
    let d = ok("【当我给拜年祭的快板加了电音配乐…-哔哩哔哩】 https://b23.tv/Xy12AbC").await;
    assert_eq!(d["id"], "BV117411r7R1");
    let d =
        ok("快来看 https://www.bilibili.com/video/BV117411r7R1?share_source=copy_web，笑死").await;
    assert_eq!(d["id"], "BV117411r7R1");
    assert_eq!(ok("https://b23.tv/ep702596").await["id"], "ep702596");
    // The short link is followed hop by hop, and the final page is not fetched.
    assert!(
        env()
            .await
            .mock
            .seen()
            .iter()
            // Other tests on this mock fetch other video pages on purpose.
            .all(|s| !(s.host == "www.bilibili.com" && s.path.contains("BV117411r7R1")))
    );
    fails("https://b23.tv/dead", 404, "not_found".into()).await;
    fails("https://b23.tv/toSpace", 400, 302.into()).await;
});

t!(bili_im_leads_to_bilibili_tv, async {
    let d = ok("https://bili.im/Ab3dE").await;
    assert_eq!(d["id"], "tv2041863208");
    assert_eq!(d["title"], "Tokyo night walk & rain");
    assert_eq!(
        d["thumbnail"],
        "https://pic.bstarstatic.com/ugc/2041863208.jpg"
    );
    assert_eq!(d["duration"], 212);
    let v = d["videos"].as_array().unwrap();
    assert_eq!(
        v.iter()
            .map(|v| v["quality"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["1080P (HD)", "720P"],
        "locked qualities (no url) are skipped"
    );
    assert_eq!(d["audios"][0]["bitrate"], 192000);
});

t!(
    the_video_page_answers_when_the_signed_playurl_is_refused,
    async {
        let d = ok("https://www.bilibili.com/video/BV1riskctl").await;
        assert_eq!(d["id"], "BV1riskctl");
        let dash = d["videos"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["source"] == "dash")
            .count();
        assert!(dash > 0, "DASH streams from window.__playinfo__: {d}");
        assert!(!d["audios"].as_array().unwrap().is_empty());
        let pages = env().await.mock.seen_path("/video/BV1riskctl/");
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].headers["user-agent"], "facebookexternalhit/1.1");
    }
);

t!(
    an_old_upload_in_several_parts_gives_every_part_in_order,
    async {
        let d = ok("https://www.bilibili.com/video/BV1oldflv").await;
        let v = d["videos"].as_array().unwrap();
        let q: Vec<&str> = v.iter().map(|v| v["quality"].as_str().unwrap()).collect();
        assert_eq!(
            q,
            [
                "1080p part 1 of 4",
                "1080p part 2 of 4",
                "1080p part 3 of 4",
                "1080p part 4 of 4"
            ]
        );
        assert!(
            v.iter()
                .all(|v| v["mimeType"] == "video/x-flv" && v["hasAudio"] == true)
        );
        assert!(
            v[0]["url"]
                .as_str()
                .unwrap()
                .starts_with("https://upos-sz-mirrorcos.bilivideo.com/")
        );
        assert!(v[3]["url"].as_str().unwrap().contains("3344-4-80.flv"));
    }
);

t!(bilibili_tv_episodes, async {
    let d =
        ok("https://www.bilibili.tv/en/play/1048837/11246489?bstar_from=bstar-web.homepage").await;
    assert_eq!(d["id"], "tvep11246489");
    assert_eq!(d["title"], "Tokyo night walk & rain");
    let asked = env().await.mock.seen_path("/intl/gateway/web/playurl");
    assert!(
        asked
            .iter()
            .any(|a| param(&a.query, "ep_id").as_deref() == Some("11246489"))
    );
});

t!(embedded_players, async {
    for url in [
        "https://player.bilibili.com/player.html?isOutside=true&aid=170001&bvid=BV117411r7R1&cid=279786&p=1",
        "https://player.bilibili.com/player.html?aid=170001",
    ] {
        let d = ok(url).await;
        assert!(!d["videos"].as_array().unwrap().is_empty(), "{url}");
    }
});

t!(picture_posts_through_the_dynamic_detail_route, async {
    for url in [
        "https://www.bilibili.com/opus/915864237515112457",
        "https://t.bilibili.com/915864237515112457?share_source=pc_native",
        "https://m.bilibili.com/dynamic/915864237515112457",
    ] {
        let d = ok(url).await;
        assert_eq!(d["id"], "dynamic915864237515112457", "{url}");
        assert_eq!(d["author"], "哔哩哔哩弹幕网");
        assert_eq!(d["title"], "春天的第一组照片");
        let imgs = d["images"].as_array().unwrap();
        assert_eq!(
            imgs.iter()
                .map(|i| i["url"].as_str().unwrap())
                .collect::<Vec<_>>(),
            [
                "https://i0.hdslb.com/bfs/new_dyn/4f1e5b0d1a.jpg",
                "https://i0.hdslb.com/bfs/new_dyn/9c2a7e3b44.png"
            ],
            "every picture, in order, over https"
        );
        assert_eq!(
            (imgs[0]["width"].as_u64(), imgs[0]["height"].as_u64()),
            (Some(1440), Some(1920))
        );
    }
    let d = ok("https://www.bilibili.com/opus/915864237515112458").await;
    assert_eq!(
        d["id"], "BV117411r7R1",
        "a post sharing a video answers as the video"
    );
    let d = ok("https://t.bilibili.com/915864237515112459").await;
    assert_eq!(
        d["images"][0]["url"], "https://i0.hdslb.com/bfs/album/a1b2c3.jpg",
        "a forward answers with the original's pictures"
    );
    fails(
        "https://t.bilibili.com/915864237515112460",
        429,
        "upstream_rate_limited".into(),
    )
    .await;
    fails(
        "https://t.bilibili.com/915864237515112461",
        502,
        "upstream_failed".into(),
    )
    .await;
});

t!(bangumi_episodes_and_seasons, async {
    let d = ok("https://www.bilibili.com/bangumi/play/ep702596").await;
    assert_eq!(d["id"], "ep702596");
    assert_eq!(d["title"], "新·奥特曼 原版");
    assert_eq!(d["duration"], 6709);
    assert_eq!(
        d["thumbnail"],
        "https://i0.hdslb.com/bfs/archive/3980ep.jpg"
    );
    assert_eq!(d["videos"][0]["height"], 804);
    assert_eq!(d["audios"][0]["quality"], "Dolby Atmos");
    assert_eq!(d["audios"][1]["quality"], "192k");
    assert_eq!(
        ok("https://www.bilibili.com/bangumi/play/ss43771").await["id"],
        "ep702596",
        "a season link takes its first episode"
    );
    assert_eq!(
        ok("https://www.bilibili.com/bangumi/play/ep702600?from=search").await["title"],
        "新·奥特曼 PV 预告",
        "episodes in sections are found"
    );
    assert_eq!(
        ok("https://www.bilibili.com/video/BV1xP411g74E").await["id"],
        "ep702596",
        "an av/BV of a bangumi title plays through the bangumi route"
    );
    fails(
        "https://www.bilibili.com/bangumi/play/ss43772",
        451,
        "geo_blocked".into(),
    )
    .await;
    fails(
        "https://www.bilibili.com/bangumi/play/ss43773",
        403,
        "login_required".into(),
    )
    .await;
    fails(
        "https://www.bilibili.com/bangumi/play/ep1",
        404,
        "not_found".into(),
    )
    .await;
});

t!(courses, async {
    let d = ok("https://www.bilibili.com/cheese/play/ss61").await;
    assert_eq!(d["id"], "cheese-ep790");
    assert_eq!(d["title"], "日语零基础入门 第一课：五十音");
    assert_eq!(d["author"], "日语老师");
    assert_eq!(d["duration"], 2223);
    assert_eq!(d["audios"][0]["quality"], "132k");
    assert_eq!(
        ok("https://www.bilibili.com/cheese/play/ep790").await["id"],
        "cheese-ep790"
    );
    let b = fails(
        "https://www.bilibili.com/cheese/play/ep791",
        403,
        "login_required".into(),
    )
    .await;
    assert!(b["msg"].as_str().unwrap().contains("purchased"), "{b}");
});

t!(error_classes, async {
    fails(
        "https://www.bilibili.com/video/BV1gone",
        404,
        "not_found".into(),
    )
    .await;
    fails(
        "https://www.bilibili.com/video/BV1hidden",
        403,
        "private".into(),
    )
    .await;
    let b = fails(
        "https://www.bilibili.com/video/BV1blocked",
        429,
        "upstream_rate_limited".into(),
    )
    .await;
    assert!(b["msg"].as_str().unwrap().contains("412"), "{b}");
    fails(
        "https://www.bilibili.com/video/BV1broken",
        502,
        "upstream_failed".into(),
    )
    .await;
    fails(
        "https://www.bilibili.com/video/BV1garbled",
        502,
        "parse_failed".into(),
    )
    .await;
    let b = fails("https://www.bilibili.com/video/BV1silent", 200, 304.into()).await;
    assert_eq!(b["status"], 200);
});

t!(pages_that_are_not_one_video_are_unsupported, async {
    // Spaces and live rooms belong to the data endpoints, which are named.
    for (url, endpoint) in [
        ("https://space.bilibili.com/66606350", "/api/v1/profile"),
        ("https://live.bilibili.com/21452505", "/api/v1/live"),
    ] {
        let b = fails(url, 400, "wrong_endpoint".into()).await;
        assert!(b["msg"].as_str().unwrap().contains(endpoint), "{b}");
    }
    for url in [
        "https://www.bilibili.com/list/watchlater?bvid=BV117411r7R1",
        "https://www.bilibili.com/list/ml1234567?bvid=BV117411r7R1",
        "https://www.bilibili.com/medialist/detail/ml1234567",
        "https://search.bilibili.com/all?keyword=test",
        "https://www.bilibili.com/",
    ] {
        let b = fails(url, 400, 302.into()).await;
        assert!(b["msg"].as_str().unwrap().contains("unsupported"), "{b}");
    }
});

t!(match_routes_without_touching_the_upstream, async {
    let e = env().await;
    let (status, body) = e
        .server
        .post_json(
            "/api/v1/match",
            &serde_json::json!({"url": "看看 https://b23.tv/Zz9 这个"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["data"]["platform"].as_str(),
            body["data"]["plugin"].as_str()
        ),
        (Some("bilibili"), Some("grabkit-bilibili"))
    );
    assert_eq!(body["data"]["url"], "https://b23.tv/Zz9");
    let (status, body) = e
        .server
        .post_json(
            "/api/v1/match",
            &serde_json::json!({"url": "https://www.bilibili.com/"}),
        )
        .await;
    assert_eq!((status, &body["code"]), (400, &Value::from(302)));
    // Other tests share this mock, so look for the one request /match must not make.
    assert!(
        e.mock.seen().iter().all(|s| s.path != "/Zz9"),
        "match never contacts the upstream"
    );
});

/// The DASH and progressive playurl requests go out together
/// (`http.send-all`): with their answers held back a moment, the mock is
/// answering both at once. Its own server, so no other test's requests
/// count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_two_playurl_requests_overlap() {
    let inner = upstream();
    let held: grabkit_tests::mock::Responder = std::sync::Arc::new(move |s| {
        let reply = inner(s);
        if s.path == "/x/player/wbi/playurl" {
            reply.delayed(std::time::Duration::from_millis(300))
        } else {
            reply
        }
    });
    let mock = Mock::start(HOSTS, held).await;
    let t = TestSettings {
        plugins: vec![shipped_plugin("bilibili")],
        hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
        ..Default::default()
    };
    let server = TestServer::start(&mock, t).await;
    let v = server
        .ok("https://www.bilibili.com/video/BV117411r7R1")
        .await;
    assert!(v["videos"].as_array().is_some_and(|a| a.len() > 1), "{v}");
    assert_eq!(mock.seen_path("/x/player/wbi/playurl").len(), 2);
    assert_eq!(
        mock.most_at_once(),
        2,
        "both playurl requests in flight together"
    );
}
