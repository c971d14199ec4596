//! The download proxy end to end: links on parse results, byte-exact full
//! and ranged downloads with the platform's headers, refused tokens and
//! hosts, refresh of expired URLs, client hang-ups, decryption and merging.
//!
//! Merge fixtures were made with ffmpeg's test sources:
//! `ffmpeg -f lavfi -i testsrc=size=160x120:rate=10 -t 2 -c:v libx264 -an -movflags frag_keyframe+empty_moov+default_base_moof video_only.mp4`
//! and `ffmpeg -f lavfi -i sine=frequency=440:duration=2 -c:a aac -b:a 32k -movflags frag_keyframe+empty_moov+default_base_moof audio_only.m4a`.

use grabkit_tests::media::{HOSTS, Watch, clip, upstream, wechat_plain};
use grabkit_tests::server::test_plugin;
use grabkit_tests::{Mock, TestServer, TestSettings};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

async fn server() -> (Mock, TestServer, Arc<Watch>) {
    let watch = Arc::new(Watch::default());
    let mock = Mock::start(HOSTS, upstream(watch.clone())).await;
    let s = TestServer::start(
        &mock,
        TestSettings {
            plugins: vec![test_plugin("probe")],
            hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
            ..Default::default()
        },
    )
    .await;
    (mock, s, watch)
}

async fn get(s: &TestServer, url: &str, range: Option<&str>) -> reqwest::Response {
    let mut rb = s.client.get(url);
    if let Some(r) = range {
        rb = rb.header("range", r);
    }
    rb.send().await.unwrap()
}

/// An error answer: (status, envelope code).
async fn refused(resp: reqwest::Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let v: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(v["status"], status, "envelope: {v}");
    (status, v["code"].as_str().unwrap_or_default().to_string())
}

fn path_of(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    u.path().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_ranged_and_head_downloads_are_byte_exact_with_the_platform_headers() {
    let (mock, s, _) = server().await;
    let plain = s.ok("https://probe.test/media/clip").await;
    assert!(
        plain["videos"][0].get("proxyUrl").is_none(),
        "links only when asked"
    );

    let d = s.ok_proxied("https://probe.test/media/clip").await;
    let link = d["videos"][0]["proxyUrl"].as_str().unwrap().to_string();
    assert!(
        link.starts_with(&format!("{}/api/v1/media/", s.base)),
        "{link}"
    );
    assert!(
        d["videos"][0].get("mergedUrl").is_none(),
        "it has its own sound"
    );
    assert!(d["images"][0]["proxyUrl"].is_string());

    let r = get(&s, &link, None).await;
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "video/mp4");
    assert_eq!(h["content-length"], "300000");
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["access-control-allow-origin"], "*");
    let cd = h["content-disposition"].to_str().unwrap();
    assert!(
        cd.contains("filename*=UTF-8''%E7%8C%AB%20cat%20clip-1.mp4")
            && cd.starts_with("attachment; filename=\"_ cat clip-1.mp4\""),
        "{cd}"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), clip().as_slice());

    let seen = mock.seen_path("/v/clip.mp4");
    let last = seen.last().unwrap();
    assert_eq!(
        last.headers["referer"], "https://probe.test/",
        "the plugin's download headers"
    );
    assert_eq!(
        last.headers["cookie"], "tt_chain_token=abc123",
        "cookies the parse returned"
    );
    assert_eq!(last.headers["user-agent"], "grabkit-test-agent");
    assert_eq!(last.query, "sig=abc");

    let r = get(&s, &link, Some("bytes=1000-1999")).await;
    assert_eq!(r.status(), 206);
    assert_eq!(r.headers()["content-range"], "bytes 1000-1999/300000");
    assert_eq!(r.headers()["content-length"], "1000");
    assert_eq!(r.bytes().await.unwrap().as_ref(), &clip()[1000..2000]);
    assert_eq!(
        mock.seen_path("/v/clip.mp4").last().unwrap().headers["range"],
        "bytes=1000-1999",
        "Range forwarded"
    );

    let r = get(&s, &link, Some("bytes=299990-")).await;
    assert_eq!(
        (r.status().as_u16(), r.bytes().await.unwrap().as_ref()),
        (206, &clip()[299_990..])
    );
    let r = get(&s, &link, Some("bytes=400000-")).await;
    assert_eq!(r.status(), 416, "past the end");
    assert_eq!(r.headers()["content-range"], "bytes */300000");

    let r = s.client.head(&link).send().await.unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["content-length"].to_str().unwrap()
        ),
        (200, "300000")
    );
    assert_eq!(mock.seen_path("/v/clip.mp4").last().unwrap().method, "HEAD");
    assert!(r.bytes().await.unwrap().is_empty());

    // A page on another origin may ask for ranges.
    let pre = s
        .client
        .request(reqwest::Method::OPTIONS, &link)
        .header("origin", "https://app.example")
        .header("access-control-request-headers", "range")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 204);
    assert_eq!(
        (
            pre.headers()["access-control-allow-origin"]
                .to_str()
                .unwrap(),
            pre.headers()["access-control-allow-headers"]
                .to_str()
                .unwrap()
        ),
        ("*", "Range, If-Range")
    );

    let img = get(&s, d["images"][0]["proxyUrl"].as_str().unwrap(), None).await;
    assert_eq!(
        (
            img.status().as_u16(),
            img.headers()["content-type"].to_str().unwrap()
        ),
        (200, "image/jpeg")
    );
    assert_eq!(img.bytes().await.unwrap().as_ref(), b"\xff\xd8jpeg one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_expired_and_revoked_tokens_are_refused() {
    let (_mock, s, _) = server().await;
    let d = s.ok_proxied("https://probe.test/media/clip").await;
    let link = d["videos"][0]["proxyUrl"].as_str().unwrap().to_string();
    let token = path_of(&link)
        .trim_start_matches("/api/v1/media/")
        .to_string();

    // One character changed in the signed part, then in the signature.
    for i in [10, token.len() - 3] {
        let mut bytes = token.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(bytes).unwrap();
        let r = get(&s, &format!("{}/api/v1/media/{forged}", s.base), None).await;
        assert_eq!(
            refused(r).await,
            (403, "invalid_media_token".into()),
            "byte {i}"
        );
    }
    for junk in ["x", "not.a-token", "%00"] {
        assert_eq!(
            refused(get(&s, &format!("{}/api/v1/media/{junk}", s.base), None).await)
                .await
                .0,
            403
        );
    }

    // A validly signed ticket pointing elsewhere is still held to the plugin's media hosts.
    let signer = &s.app.state.proxy.signer;
    let ticket = signer.open(&token, 0).unwrap();
    let mut evil = ticket.clone();
    evil.main.url = "https://evil.example.org/x.mp4".into();
    assert_eq!(
        refused(
            get(
                &s,
                &format!("{}/api/v1/media/{}", s.base, signer.seal(&evil)),
                None
            )
            .await
        )
        .await,
        (403, "media_host_denied".into())
    );
    evil.main.url = "https://169.254.169.254/latest/meta-data".into();
    assert_eq!(
        refused(
            get(
                &s,
                &format!("{}/api/v1/media/{}", s.base, signer.seal(&evil)),
                None
            )
            .await
        )
        .await,
        (403, "media_host_denied".into())
    );

    let mut old = ticket.clone();
    old.exp = 1;
    assert_eq!(
        refused(
            get(
                &s,
                &format!("{}/api/v1/media/{}", s.base, signer.seal(&old)),
                None
            )
            .await
        )
        .await,
        (403, "media_token_expired".into())
    );

    // Disabling the API key kills its links.
    assert_eq!(get(&s, &link, None).await.status(), 200);
    let (st, _) = s
        .admin(
            "PATCH",
            &format!("/api/v1/admin/keys/{}", ticket.key),
            Some(&serde_json::json!({"enabled": false})),
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(
        refused(get(&s, &link, None).await).await,
        (403, "invalid_media_token".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_outside_the_plugins_hosts_gets_no_link_and_private_addresses_are_refused() {
    let (_mock, s, _) = server().await;
    let d = s.ok_proxied("https://probe.test/media/elsewhere").await;
    assert!(
        d["videos"][0].get("proxyUrl").is_none(),
        "evil.example.org is not a media host"
    );
    assert!(d["videos"][1]["proxyUrl"].is_string());

    // The same link on a server that does not allow loopback: the CDN name
    // resolves to 127.0.0.1, which the sandbox refuses.
    let mock = Mock::start(HOSTS, upstream(Arc::new(Watch::default()))).await;
    let strict = TestServer::start(
        &mock,
        TestSettings {
            plugins: vec![test_plugin("probe")],
            hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
            allow_loopback: false,
            ..Default::default()
        },
    )
    .await;
    let token = path_of(d["videos"][1]["proxyUrl"].as_str().unwrap())
        .trim_start_matches("/api/v1/media/")
        .to_string();
    let mut t = s.app.state.proxy.signer.open(&token, 0).unwrap();
    let (_, usage) = strict
        .send_json("GET", "/api/v1/usage", &strict.token, None)
        .await;
    t.key = usage["data"]["key"]["id"].as_i64().unwrap();
    let r = get(
        &strict,
        &format!(
            "{}/api/v1/media/{}",
            strict.base,
            strict.app.state.proxy.signer.seal(&t)
        ),
        None,
    )
    .await;
    let status = r.status().as_u16();
    let v: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(
        (status, v["code"].as_str()),
        (403, Some("media_host_denied")),
        "{v}"
    );
    assert!(
        v["msg"].as_str().unwrap().contains("private address"),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_media_url_is_refreshed_once_by_parsing_again() {
    let (mock, s, watch) = server().await;
    let d = s.ok_proxied("https://probe.test/media/refresh").await;
    assert_eq!(watch.refresh_parses.load(Ordering::SeqCst), 1);
    let link = d["videos"][1]["proxyUrl"].as_str().unwrap();
    let r = get(&s, link, Some("bytes=0-99")).await;
    assert_eq!(r.status(), 206, "served after the refresh");
    assert_eq!(r.bytes().await.unwrap().as_ref(), &clip()[..100]);
    assert_eq!(
        watch.refresh_parses.load(Ordering::SeqCst),
        2,
        "parsed once more"
    );
    let sigs: Vec<String> = mock
        .seen_path("/v/expiring.mp4")
        .iter()
        .map(|x| x.query.clone())
        .collect();
    assert_eq!(
        sigs,
        ["sig=1", "sig=2"],
        "the same 720p variant, newly signed"
    );
    assert!(
        mock.seen_path("/v/other.mp4").is_empty(),
        "not another quality"
    );

    // Still refused after the refresh: a clear upstream failure, no loop.
    let d = s.ok_proxied("https://probe.test/media/gone").await;
    let r = get(&s, d["videos"][0]["proxyUrl"].as_str().unwrap(), None).await;
    let status = r.status().as_u16();
    let v: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!((status, v["code"].as_str()), (502, Some("upstream_failed")));
    assert!(v["msg"].as_str().unwrap().contains("410 even after"), "{v}");
    assert_eq!(
        mock.seen_path("/v/gone.mp4").len(),
        2,
        "tried once, refreshed, tried once more"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_is_refreshed_at_most_once_per_interval_and_counted() {
    let (mock, s, watch) = server().await;
    let d = s.ok_proxied("https://probe.test/media/refresh").await;
    let link = d["videos"][1]["proxyUrl"].as_str().unwrap().to_string();
    for _ in 0..5 {
        let r = get(&s, &link, Some("bytes=0-9")).await;
        assert_eq!(r.status(), 206);
    }
    assert_eq!(
        watch.refresh_parses.load(Ordering::SeqCst),
        2,
        "one refresh; later requests reuse the refreshed URL"
    );

    // A host that keeps refusing: one refresh, then no re-parse per request.
    let d = s.ok_proxied("https://probe.test/media/gone").await;
    let link = d["videos"][0]["proxyUrl"].as_str().unwrap().to_string();
    let parses = || mock.seen_path("/media/gone").len();
    let parsed_once = parses();
    for _ in 0..20 {
        let r = get(&s, &link, None).await;
        assert_eq!(r.status(), 502);
    }
    assert_eq!(parses(), parsed_once + 1, "refreshed once for 20 downloads");
    let (_, usage) = s.get("/api/v1/usage").await;
    let usage: Value = serde_json::from_str(&usage).unwrap();
    let refreshes = &usage["data"]["byOutcome"]["media_refresh"];
    assert_eq!(refreshes, 2, "each refresh is in the key's usage: {usage}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_takes_the_keys_rate_limit() {
    let (_mock, s, watch) = server().await;
    let body = serde_json::json!({"name": "slow", "ratePerSec": 1, "rateBurst": 1});
    let (_, k) = s.admin("POST", "/api/v1/admin/keys", Some(&body)).await;
    let token = k["data"]["token"].as_str().unwrap();
    let url = serde_json::json!({"url": "https://probe.test/media/refresh"});
    let (status, d) = s
        .send_json("POST", "/api/v1/parse?proxy=1", token, Some(&url))
        .await;
    assert_eq!(status, 200, "{d}");
    let link = d["data"]["videos"][1]["proxyUrl"].as_str().unwrap();
    let r = get(&s, link, None).await;
    assert_eq!(
        r.status(),
        429,
        "the parse took the only request this second"
    );
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        watch.refresh_parses.load(Ordering::SeqCst),
        1,
        "no re-parse"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_hangs_up_stops_the_upstream_transfer() {
    let (_mock, s, watch) = server().await;
    let d = s.ok_proxied("https://probe.test/media/slow").await;
    let mut r = get(&s, d["videos"][0]["proxyUrl"].as_str().unwrap(), None).await;
    assert_eq!(r.status(), 200);
    let mut got = 0;
    while got < 256 << 10 {
        got += r.chunk().await.unwrap().unwrap().len();
    }
    drop(r);
    let slow = watch.slow.get().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !slow.hung_up.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        slow.hung_up.load(Ordering::SeqCst),
        "the upstream saw the hang-up"
    );
    let sent = slow.sent.load(Ordering::SeqCst);
    assert!(
        sent < slow.len / 4,
        "stopped early: {sent} of {} bytes sent",
        slow.len
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wechat_videos_are_decrypted_whole_and_from_any_range() {
    let (_mock, s, _) = server().await;
    let d = s.ok_proxied("https://probe.test/media/wechat").await;
    assert_eq!(d["videos"][0]["decodeKey"], "2366281446");
    let link = d["videos"][0]["proxyUrl"].as_str().unwrap();
    let plain = wechat_plain();
    let whole = get(&s, link, None).await.bytes().await.unwrap();
    assert_eq!(whole.len(), plain.len());
    assert!(whole.as_ref() == plain.as_slice(), "whole file decrypted");
    for (range, from, to) in [
        ("bytes=5-10", 5, 11),
        ("bytes=131000-131200", 131_000, 131_201),
        ("bytes=150000-", 150_000, 200_000),
        ("bytes=65536-131071", 65_536, 131_072),
    ] {
        let r = get(&s, link, Some(range)).await;
        assert_eq!(r.status(), 206, "{range}");
        assert!(
            r.bytes().await.unwrap().as_ref() == &plain[from..to],
            "{range} decrypted"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_only_streams_merge_with_their_audio_into_one_mp4() {
    let (_mock, s, _) = server().await;
    let d = s.ok_proxied("https://probe.test/media/dash").await;
    let merged = d["videos"][0]["mergedUrl"]
        .as_str()
        .expect("video-only with a separate audio gets a merge link")
        .to_string();
    assert!(merged.ends_with("/merged"));
    assert!(d["audios"][0]["proxyUrl"].is_string());

    // A link without audio cannot be merged.
    let single = d["videos"][0]["proxyUrl"].as_str().unwrap();
    assert_eq!(
        refused(get(&s, &format!("{single}/merged"), None).await).await,
        (400, "nothing_to_merge".into())
    );

    let has_ffmpeg = grabkit_tests::installed("ffmpeg");
    let r = get(&s, &merged, None).await;
    if !has_ffmpeg {
        // .ci/run installs ffmpeg, so CI always takes the other branch.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ffmpeg installed"
        );
        assert_eq!(refused(r).await, (501, "merge_unavailable".into()));
        return;
    }
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "video/mp4");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("split.mp4")
    );
    let bytes = r.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("merged.mp4");
    std::fs::write(&out, &bytes).unwrap();
    let probe = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,codec_name",
            "-of",
            "csv=p=0",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        probe.status.success(),
        "ffprobe: {}",
        String::from_utf8_lossy(&probe.stderr)
    );
    let streams = String::from_utf8(probe.stdout).unwrap();
    let mut kinds: Vec<&str> = streams.lines().map(|l| l.trim()).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        ["aac,audio", "h264,video"],
        "one video and one audio stream"
    );
}

/// A shipped plugin's responder plus its CDN answering every media path
/// with the test clip.
fn with_cdn(
    inner: grabkit_tests::mock::Responder,
    cdn: &'static str,
) -> grabkit_tests::mock::Responder {
    Arc::new(move |s: &grabkit_tests::mock::Seen| {
        if s.host == cdn {
            grabkit_tests::Reply::ranged(&clip(), "video/mp4", s)
        } else {
            inner(s)
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipped_plugins_download_headers_reach_their_cdns() {
    // TikTok: Referer, a browser User-Agent and the page's cookies.
    let cdn = "v16-webapp-prime.tiktok.com";
    let hosts: Vec<&str> = grabkit_tests::tiktok::HOSTS
        .iter()
        .copied()
        .chain([cdn])
        .collect();
    let (mock, s) = TestServer::for_plugin(
        "tiktok",
        &hosts,
        with_cdn(grabkit_tests::tiktok::upstream(), cdn),
    )
    .await;
    let d = s
        .ok_proxied("https://www.tiktok.com/@scout2015/video/6718335390845095173")
        .await;
    let r = get(
        &s,
        d["videos"][0]["proxyUrl"].as_str().unwrap(),
        Some("bytes=0-9"),
    )
    .await;
    assert_eq!(r.status(), 206);
    let seen = mock.seen().into_iter().rfind(|x| x.host == cdn).unwrap();
    assert_eq!(seen.headers["referer"], "https://www.tiktok.com/");
    assert!(
        seen.headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("Mozilla/5.0")
    );
    assert_eq!(
        seen.headers["cookie"],
        "tt_chain_token=abc123==; ttwid=1%7Cxyz"
    );

    // YouTube: Referer and Origin; adaptive video-only formats get a merge link.
    let cdn = "rr3---sn-5hne6nzk.googlevideo.com";
    let hosts: Vec<&str> = grabkit_tests::youtube::HOSTS
        .iter()
        .copied()
        .chain([cdn])
        .collect();
    let (mock, s) = TestServer::for_plugin(
        "youtube",
        &hosts,
        with_cdn(grabkit_tests::youtube::upstream(), cdn),
    )
    .await;
    let d = s
        .ok_proxied("https://www.youtube.com/watch?v=aqz-KE-bpKQ")
        .await;
    let videos = d["videos"].as_array().unwrap();
    assert!(
        videos
            .iter()
            .any(|v| v["hasAudio"] == false && v["mergedUrl"].is_string()),
        "adaptive video gets a merge link"
    );
    assert!(
        videos
            .iter()
            .filter(|v| v["hasAudio"] == true)
            .all(|v| v.get("mergedUrl").is_none())
    );
    let r = get(&s, videos[0]["proxyUrl"].as_str().unwrap(), None).await;
    assert_eq!(r.status(), 200);
    let seen = mock.seen().into_iter().rfind(|x| x.host == cdn).unwrap();
    assert_eq!(
        (
            seen.headers["referer"].to_str().unwrap(),
            seen.headers["origin"].to_str().unwrap()
        ),
        ("https://www.youtube.com/", "https://www.youtube.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merging_without_ffmpeg_is_a_clear_501() {
    let watch = Arc::new(Watch::default());
    let mock = Mock::start(HOSTS, upstream(watch)).await;
    let tweak: Arc<dyn Fn(&mut grabkit::config::Settings) + Send + Sync> =
        Arc::new(|s| s.proxy.ffmpeg = "/nonexistent/ffmpeg".into());
    let s = TestServer::start(
        &mock,
        TestSettings {
            plugins: vec![test_plugin("probe")],
            hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
            tweak: Some(tweak),
            ..Default::default()
        },
    )
    .await;
    let d = s.ok_proxied("https://probe.test/media/dash").await;
    let r = get(&s, d["videos"][0]["mergedUrl"].as_str().unwrap(), None).await;
    let status = r.status().as_u16();
    let v: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(
        (status, v["code"].as_str()),
        (501, Some("merge_unavailable"))
    );
    assert!(
        v["msg"].as_str().unwrap().contains("/nonexistent/ffmpeg"),
        "{v}"
    );
    assert!(
        mock.seen_path("/v/video_only.mp4").is_empty(),
        "nothing fetched before the check"
    );
}

/// Seconds of media in `bytes`, by ffprobe.
fn duration_of(bytes: &[u8]) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("m.mp4");
    std::fs::write(&f, bytes).unwrap();
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(&f)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ffprobe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_in_ordered_parts_is_joined_into_one_mp4() {
    let (_mock, s, _) = server().await;
    let d = s.ok_proxied("https://probe.test/media/parts").await;
    let v = d["videos"].as_array().unwrap();
    assert_eq!(
        v[0]["part"],
        serde_json::json!({"index": 1, "count": 2}),
        "{d}"
    );
    let joined = v[0]["mergedUrl"]
        .as_str()
        .expect("part 1 joins them all")
        .to_string();
    assert!(
        v[1].get("mergedUrl").is_none(),
        "only the first part carries the join"
    );
    let has_ffmpeg = grabkit_tests::installed("ffmpeg");
    let r = get(&s, &joined, None).await;
    if !has_ffmpeg {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ffmpeg installed"
        );
        assert_eq!(refused(r).await, (501, "merge_unavailable".into()));
        return;
    }
    assert_eq!(r.status(), 200);
    let one = get(&s, v[0]["proxyUrl"].as_str().unwrap(), None).await;
    let single = duration_of(&one.bytes().await.unwrap());
    let both = duration_of(&r.bytes().await.unwrap());
    assert!(
        single > 0.0 && (both - 2.0 * single).abs() < 0.2,
        "one part {single} s, joined {both} s"
    );
}
