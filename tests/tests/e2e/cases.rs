//! Every shipped plugin's cases (`plugins/<platform>/cases/`), run the way
//! an author runs theirs: `grabkit check` logic, offline, from cassettes.
//!
//! The cases were recorded from the mock upstreams by the ignored test
//! below: `cargo test -p grabkit-tests --test e2e -- --ignored cases::record`
//! re-records them (and rewrites their goldens, keeping `<any>` markers);
//! `GRABKIT_RECORD=douyin` records one platform.

use grabkit::config::{PluginSection, Settings};
use grabkit_egress::TapeMode;
use grabkit_kit::check;
use grabkit_tests::server::shipped_plugin;
use grabkit_tests::{Mock, mock::Responder};
use std::path::{Path, PathBuf};

fn cases_dir(platform: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plugins")
        .join(platform)
        .join("cases")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shipped_plugin_passes_its_cases() {
    let mut report = String::new();
    let mut failed = false;
    for p in &grabkit_tests::platforms() {
        let outcomes = check::run(
            &shipped_plugin(p),
            &cases_dir(p),
            false,
            &Settings::default().pipeline().unwrap(),
        )
        .await
        .unwrap_or_else(|e| panic!("{p}: {e:#}"));
        assert!(
            outcomes.len() >= 2,
            "{p} has {} cases; every plugin keeps a success and an error case",
            outcomes.len()
        );
        failed |= outcomes.iter().any(|o| !o.passed);
        report += &format!("== {p}\n{}", check::table(&outcomes));
    }
    assert!(!failed, "{report}");
}

/// One case to record: folder name, link, what it shows, operator config.
struct Rec {
    name: &'static str,
    url: &'static str,
    about: &'static str,
    config: &'static [(&'static str, &'static str)],
}

/// Query parameters a platform's plugin makes anew on every run.
fn varying(platform: &str) -> &'static [&'static str] {
    match platform {
        "bilibili" => &["wts", "w_rid"],
        "wechat_channels" => &["_rid"],
        _ => &[],
    }
}

const fn rec(name: &'static str, url: &'static str, about: &'static str) -> Rec {
    Rec {
        name,
        url,
        about,
        config: &[],
    }
}

fn plan(platform: &str) -> (Vec<Rec>, &'static [&'static str], Responder) {
    use grabkit_tests as t;
    match platform {
        "bilibili" => (
            vec![
                rec(
                    "playinfo-fallback",
                    "https://www.bilibili.com/video/BV1riskctl",
                    "the signed playurl is refused; the video page's __playinfo__ answers",
                ),
                rec(
                    "flv-parts",
                    "https://www.bilibili.com/video/BV1oldflv",
                    "an old upload: every FLV part, in order",
                ),
                rec(
                    "opus-pictures",
                    "https://www.bilibili.com/opus/915864237515112457",
                    "a picture post through the dynamic detail route",
                ),
                rec(
                    "video-dash",
                    "https://www.bilibili.com/video/BV117411r7R1",
                    "a video: every DASH stream and the progressive mp4",
                ),
                rec(
                    "missing-part",
                    "https://www.bilibili.com/video/BV117411r7R1?p=5",
                    "a part that does not exist",
                ),
            ],
            t::bilibili::HOSTS,
            t::bilibili::upstream(),
        ),
        "douyin" => (
            vec![
                rec(
                    "share-link",
                    "https://v.douyin.com/iP6Uu1Kh/",
                    "a share link to a video",
                ),
                rec(
                    "private",
                    "https://www.douyin.com/video/7000000000000000001",
                    "a post only its author sees",
                ),
                rec(
                    "note-slidesinfo",
                    "https://v.douyin.com/NoteAb1/",
                    "a note through slidesinfo, asked again with request_source=200",
                ),
                rec(
                    "share-page-fallback",
                    "https://www.douyin.com/video/7468908569061100999",
                    "slidesinfo has nothing; the old share page answers",
                ),
            ],
            t::douyin::HOSTS,
            t::douyin::upstream(),
        ),
        "instagram" => (
            vec![
                rec(
                    "reel",
                    "https://www.instagram.com/reel/CwqAgUZgCku/",
                    "a reel through the ladder",
                ),
                rec(
                    "rate-limited",
                    "https://www.instagram.com/p/CThrottled1/",
                    "\"Please wait a few minutes\"",
                ),
            ],
            t::instagram::HOSTS,
            t::instagram::upstream(),
        ),
        "kuaishou" => (
            vec![
                rec(
                    "short-link",
                    "https://v.kuaishou.com/2yQz3k",
                    "a short link to a video",
                ),
                rec(
                    "gone",
                    "https://v.m.chenzhongtech.com/fw/photo/3xgone",
                    "a deleted work",
                ),
            ],
            t::kuaishou::HOSTS,
            t::kuaishou::upstream(),
        ),
        "tiktok" => (
            vec![
                rec(
                    "app-fallback",
                    "https://www.tiktok.com/@appuser/video/7000000000000000004",
                    "the page is a challenge; the app feed API answers",
                ),
                rec(
                    "video",
                    "https://www.tiktok.com/@scout2015/video/6718335390845095173",
                    "a video with its CDN cookie",
                ),
                rec(
                    "photo-short-link",
                    "https://vt.tiktok.com/ZSphoto1/",
                    "a photo post by share link",
                ),
                rec(
                    "private",
                    "https://www.tiktok.com/@a/video/7000000000000000002",
                    "a private post",
                ),
            ],
            t::tiktok::HOSTS,
            t::tiktok::upstream(),
        ),
        "twitter" => (
            vec![
                rec(
                    "video",
                    "https://x.com/NASA/status/1682484564325908480",
                    "a video through syndication",
                ),
                rec(
                    "graphql-fallback",
                    "https://x.com/harbourwatch/status/1700000000000000010",
                    "syndication does not know it: guest-token GraphQL",
                ),
                rec(
                    "age-restricted",
                    "https://x.com/a/status/1700000000000000004",
                    "login required",
                ),
            ],
            t::twitter::HOSTS,
            t::twitter::upstream(),
        ),
        "wechat_channels" => (
            vec![
                Rec {
                    name: "share-via-yuanbao",
                    url: "https://channels.weixin.qq.com/finder-preview/pages/sph?id=AoPX5bEBDd",
                    about: "a share link through Yuanbao (cookie set)",
                    config: &[("cookie", t::wechat_channels::COOKIE)],
                },
                rec(
                    "share-without-cookie",
                    "https://channels.weixin.qq.com/finder-preview/pages/sph?id=AoPX5bEBDd",
                    "a share link without the Yuanbao cookie",
                ),
            ],
            t::wechat_channels::HOSTS,
            t::wechat_channels::upstream(),
        ),
        "weibo" => (
            vec![
                rec(
                    "video",
                    "https://m.weibo.cn/status/4307734449242769",
                    "a video post",
                ),
                rec(
                    "desktop-visitor",
                    "https://weibo.com/1669879400/5100000000000000001",
                    "the mobile route refuses; weibo.com answers with a visitor cookie",
                ),
                rec("gone", "https://m.weibo.cn/status/gone", "a deleted post"),
            ],
            t::weibo::HOSTS,
            t::weibo::upstream(),
        ),
        "xiaohongshu" => (
            vec![
                Rec {
                    name: "video-note",
                    url: "https://www.xiaohongshu.com/explore/6a0000000000000000000001?xsec_token=CBvideo%3D&xsec_source=pc_share",
                    about: "a video note with a session cookie",
                    config: &[("cookie", "web_session=abc; webId=def")],
                },
                rec(
                    "image-short-link",
                    "https://xhslink.com/m/Img2",
                    "an image note by short link",
                ),
            ],
            t::xiaohongshu::HOSTS,
            t::xiaohongshu::upstream(),
        ),
        "youtube" => (
            vec![
                rec(
                    "watch",
                    "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
                    "a video through the first client",
                ),
                rec(
                    "private",
                    "https://www.youtube.com/watch?v=PrivateVid1",
                    "a private video",
                ),
                rec(
                    "dubbed-audio",
                    "https://www.youtube.com/watch?v=DubbedVid01",
                    "audio tracks labelled, the default first; caption tracks",
                ),
                rec(
                    "clip",
                    "https://www.youtube.com/clip/UgyClip0001",
                    "a clip: its video and the section",
                ),
                rec(
                    "live",
                    "https://www.youtube.com/live/LiveNow0001",
                    "a live stream: its live formats and manifests",
                ),
            ],
            t::youtube::HOSTS,
            t::youtube::upstream(),
        ),
        other => panic!("no recording plan for {other}"),
    }
}

/// Re-record every case from the mocks, then rewrite the goldens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "rewrites plugins/*/cases from the mock upstreams"]
async fn record() {
    // `GRABKIT_RECORD=douyin,bilibili` records only those platforms.
    let only = std::env::var("GRABKIT_RECORD").unwrap_or_default();
    let wanted = |p: &str| only.is_empty() || only.split(',').any(|o| o.trim() == p);
    for p in grabkit_tests::platforms().iter().filter(|p| wanted(p)) {
        let (recs, hosts, responder) = plan(p);
        let mock = Mock::start(hosts, responder).await;
        let tmp = tempfile::tempdir().unwrap();
        let ca = tmp.path().join("ca.pem");
        std::fs::write(&ca, &mock.cert_pem).unwrap();
        let plugins = tmp.path().join("plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        std::fs::copy(shipped_plugin(p), plugins.join(format!("{p}.wasm"))).unwrap();
        for r in &recs {
            let dir = cases_dir(p).join(r.name);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let config: std::collections::BTreeMap<String, String> = r
                .config
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let mut s = Settings {
                plugins_dir: plugins.clone(),
                ..Default::default()
            };
            s.reload.watch = false;
            s.reload.cache_dir = None;
            s.reload.pin_file = None;
            s.sandbox.allow_loopback = true;
            s.sandbox.ca_certs = vec![ca.clone()];
            s.sandbox.resolve = hosts
                .iter()
                .map(|h| format!("{h}={}", mock.tls_addr))
                .collect();
            s.plugins.insert(
                p.to_string(),
                PluginSection {
                    config: config.clone(),
                    ..Default::default()
                },
            );
            s.tape = Some(TapeMode::Record(dir.join("cassette")));
            let service = grabkit::app::build_service(&s).await.unwrap();
            let _ = service.parse(r.url).await;
            let mut spec = serde_json::json!({"url": r.url, "about": r.about, "config": config});
            if !varying(p).is_empty() {
                spec["ignore_query"] = serde_json::json!(varying(p));
            }
            std::fs::write(
                dir.join("case.json"),
                serde_json::to_string_pretty(&spec).unwrap() + "\n",
            )
            .unwrap();
        }
        let outcomes = check::run(
            &shipped_plugin(p),
            &cases_dir(p),
            true,
            &Settings::default().pipeline().unwrap(),
        )
        .await
        .unwrap();
        println!("== {p}\n{}", check::table(&outcomes));
    }
}
