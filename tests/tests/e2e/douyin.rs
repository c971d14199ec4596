//! The Douyin plugin end to end against the mock share pages.

use grabkit_tests::douyin::{HOSTS, upstream};
use grabkit_tests::{Mock, TestServer};
use serde_json::Value;

async fn setup() -> (Mock, TestServer) {
    TestServer::for_plugin("douyin", HOSTS, upstream()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_in_every_link_form() {
    let (mock, s) = setup().await;
    for url in [
        "https://v.douyin.com/iP6Uu1Kh/",
        "7.43 复制打开抖音，看看【海边的人的作品】海边的日落🌅 # 旅行 https://v.douyin.com/iP6Uu1Kh/ xSd:/ 01/29 T@y.Go",
        "https://www.douyin.com/video/7468908569061100857",
        "https://www.douyin.com/share/video/7468908569061100857",
        "https://www.douyin.com/shipin/7468908569061100857",
        "https://www.douyin.com/vsdetail/7468908569061100857",
        "https://www.douyin.com/jingxuan?modal_id=7468908569061100857",
        "https://www.iesdouyin.com/share/video/7468908569061100857/?region=CN",
        "https://www.douyin.com/user/MS4wLjABAAAAEKnfa654JAJ?from_tab_name=main&vid=7468908569061100857",
    ] {
        let d = s.ok(url).await;
        assert_eq!(d["platform"], "douyin");
        assert_eq!(d["id"], "7468908569061100857");
        assert_eq!(d["title"], "#旅行 海边的日落 @朋友");
        assert_eq!(d["author"], "海边的人");
        assert_eq!(d["duration"], 15.394);
        assert_eq!(
            d["thumbnail"],
            "https://p3-sign.douyinpic.com/tos-cn-p-0015/75ff489e_1621401609~tplv-dy-360p.jpeg?x-expires=1767000000&x-signature=s2",
            "the JPEG cover, over https"
        );
        let v = &d["videos"][0];
        assert_eq!(
            v["url"],
            "https://aweme.snssdk.com/aweme/v1/play/?video_id=v0200fg10000c2i9vhn1u1atmr5f2o1g&ratio=720p&line=0",
            "no watermark"
        );
        assert_eq!(
            (
                v["width"].as_u64(),
                v["height"].as_u64(),
                v["hasAudio"].as_bool()
            ),
            (Some(1080), Some(1920), Some(true))
        );
        assert_eq!(
            d["audios"][0]["url"],
            "https://sf6-cdn-tos.douyinstatic.com/obj/ies-music/6963867021574556429.mp3"
        );
        assert_eq!(d["headers"]["Referer"], "https://www.douyin.com/");
    }
    let api = mock.seen_path("/web/api/v2/aweme/slidesinfo/");
    assert!(!api.is_empty());
    assert!(
        api.iter()
            .all(|p| p.headers["user-agent"].to_str().unwrap().contains("iPhone"))
    );
    assert!(
        mock.seen_path("/share/video/7468908569061100857/")
            .is_empty(),
        "slidesinfo answered; the stale share page was not needed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_share_page_is_the_fallback_when_slidesinfo_has_nothing() {
    let (mock, s) = setup().await;
    let d = s
        .ok("https://www.douyin.com/video/7468908569061100999")
        .await;
    assert_eq!(d["id"], "7468908569061100999");
    assert_eq!(
        d["videos"][0]["url"],
        "https://www.iesdouyin.com/aweme/v1/play/?video_id=v0200fg10000c2i9vhn1u1atmr5f2o1g&ratio=720p&line=0"
    );
    let asked: Vec<String> = mock
        .seen_path("/web/api/v2/aweme/slidesinfo/")
        .iter()
        .map(|x| x.query.clone())
        .collect();
    assert_eq!(
        asked,
        [
            "aweme_ids=%5B7468908569061100999%5D",
            "aweme_ids=%5B7468908569061100999%5D&request_source=200"
        ],
        "asked plainly, then with request_source=200, then the page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_live_photos_and_slides() {
    let (_m, s) = setup().await;
    for url in [
        "https://v.douyin.com/NoteAb1/",
        "https://www.douyin.com/note/7469411074119322899",
        "https://www.douyin.com/share/note/7469411074119322899",
    ] {
        let d = s.ok(url).await;
        assert_eq!(d["id"], "7469411074119322899");
        let imgs = d["images"].as_array().unwrap();
        assert_eq!(imgs.len(), 2);
        assert_eq!(
            (imgs[0]["width"].as_u64(), imgs[0]["height"].as_u64()),
            (Some(1080), Some(1440))
        );
        assert_eq!(
            imgs[0]["url"],
            "https://p9-sign.douyinpic.com/tos-cn-i-0813/oQAA1~tplv-dy-aweme-images:q75.jpeg?x-expires=1770512400&x-signature=b",
            "the clean JPEG, over https"
        );
        let v = d["videos"].as_array().unwrap();
        assert_eq!(
            v.len(),
            1,
            "only the live photo's clip; the note's music pseudo-video is skipped: {v:?}"
        );
        assert_eq!(
            (v[0]["quality"].as_str(), v[0]["url"].as_str()),
            (
                Some("live photo"),
                Some(
                    "https://v26-web.douyinvod.com/live-h264/video/tos/cn/tos-cn-ve-15/oceF2/?mime_type=video_mp4"
                )
            )
        );
        assert_eq!(
            d["audios"][0]["url"],
            "https://sf6-cdn-tos.douyinstatic.com/obj/ies-music/7469.mp3"
        );
        assert_eq!(d["duration"], 0);
    }
    let d = s.ok("https://v.douyin.com/Slides9/").await;
    assert_eq!(
        (
            d["id"].as_str(),
            d["images"].as_array().unwrap().len(),
            d["videos"].as_array().unwrap().len()
        ),
        (Some("7500000000000000003"), 2, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cdn_links_errors_and_unsupported_pages() {
    let (mock, s) = setup().await;
    let before = mock.seen().len();
    let d = s
        .ok("https://v26-web.douyinvod.com/abc/video/tos/cn/tos-cn-ve-15/xyz/?mime_type=video_mp4")
        .await;
    assert_eq!(
        d["videos"][0]["url"],
        "https://v26-web.douyinvod.com/abc/video/tos/cn/tos-cn-ve-15/xyz/?mime_type=video_mp4"
    );
    let d = s
        .ok("https://p3-sign.douyinpic.com/tos-cn-i-0813/abc~tplv-dy-aweme-images:q75.jpeg")
        .await;
    assert_eq!(d["images"].as_array().unwrap().len(), 1);
    assert_eq!(
        mock.seen().len(),
        before,
        "CDN links are described without a request"
    );

    for (url, http, code) in [
        (
            "https://www.douyin.com/video/7000000000000000001",
            403,
            "private",
        ),
        (
            "https://www.douyin.com/video/7000000000000000002",
            404,
            "not_found",
        ),
        (
            "https://www.douyin.com/video/7000000000000000003",
            502,
            "upstream_failed",
        ),
        (
            "https://www.douyin.com/video/7000000000000000009",
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
        "https://v.douyin.com/UserPg/",
        "https://www.douyin.com/search/cat",
        "https://www.douyin.com/collection/7123",
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, &body["code"]),
            (400, &Value::from(302)),
            "{url}: {body}"
        );
    } // Profiles and live rooms belong to the data endpoints, which are named.
    for url in [
        "https://www.douyin.com/user/MS4wLjABAAAA",
        "https://live.douyin.com/123456",
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("wrong_endpoint")),
            "{url}: {body}"
        );
    }
}
