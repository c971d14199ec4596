//! The YouTube plugin end to end against the mock innertube: client after
//! client, the player script's transforms solved inside the plugin, and
//! every playability refusal.

use grabkit_tests::TestServer;
use grabkit_tests::mock::param;
use grabkit_tests::youtube::{
    HOSTS, PLAYER_ID, SCRAMBLED, STS, expected_n, expected_sig, upstream,
};
use serde_json::Value;

fn query(url: &str, key: &str) -> Option<String> {
    param(url.split_once('?').map(|(_, q)| q).unwrap_or_default(), key)
}

#[test]
fn the_known_transforms_match_the_fixture_player() {
    // Vectors from running the fixture's base.js in a browser engine.
    assert_eq!(
        expected_sig(
            "AOq0QJ8wRQIhAPmB2xkQ9sX3_LMtPAgaB8tYk2mH-Xw1PYd7fZc4eKcbAiBsEXAMPLEsignature0123456789abcdefABCDEF"
        ),
        "QOq0QJ8wRQIhAPmB2xkA9sX3_LMtPAgaB8DYk2mH-Xw1PYd7fZc4eKcbAiBsEXAMPLEsignature0123456789abcdefABCt"
    );
    assert_eq!(expected_n("kX9aB3dE2fGhJ1"), "a3dk2fGhJ1E9X");
    assert_eq!(expected_n("Zq7PwRt5Yu8Io0"), "PRtZYu8Io057q");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_link_form_through_the_first_client() {
    let (mock, s) = TestServer::for_plugin("youtube", HOSTS, upstream()).await;
    for url in [
        "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
        "https://www.youtube.com/watch?v=aqz-KE-bpKQ&t=42s&list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf&index=3",
        "https://youtu.be/aqz-KE-bpKQ?si=Xq3Y",
        "https://www.youtube.com/shorts/aqz-KE-bpKQ",
        "https://www.youtube.com/live/aqz-KE-bpKQ?feature=share",
        "https://m.youtube.com/watch?v=aqz-KE-bpKQ",
        "https://music.youtube.com/watch?v=aqz-KE-bpKQ&feature=share",
        "https://www.youtube.com/embed/aqz-KE-bpKQ?autoplay=1",
        "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ",
        "https://www.youtubekids.com/watch?v=aqz-KE-bpKQ",
        "https://www.youtube.com/watch_popup?v=aqz-KE-bpKQ",
        "https://www.youtube.com/attribution_link?a=abc&u=%2Fwatch%3Fv%3Daqz-KE-bpKQ%26feature%3Dshare",
        "Big Buck Bunny in 4K 🐰 https://youtu.be/aqz-KE-bpKQ watch it!",
    ] {
        let d = s.ok(url).await;
        assert_eq!(
            (
                d["platform"].as_str(),
                d["id"].as_str(),
                d["author"].as_str()
            ),
            (Some("youtube"), Some("aqz-KE-bpKQ"), Some("Blender")),
            "{url}"
        );
        assert_eq!(d["duration"], 634.0);
        assert_eq!(
            d["thumbnail"],
            "https://i.ytimg.com/vi_webp/aqz-KE-bpKQ/maxresdefault.webp"
        );
        let v = d["videos"].as_array().unwrap();
        let got: Vec<(&str, &str, bool)> = v
            .iter()
            .map(|v| {
                (
                    v["quality"].as_str().unwrap(),
                    v["mimeType"].as_str().unwrap(),
                    v["hasAudio"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("1080p", "video/mp4", false),
                ("1080p", "video/webm", false),
                ("720p", "video/mp4", false),
                ("360p", "video/mp4", true)
            ],
            "best first; DRM and OTF formats skipped"
        );
        assert_eq!(
            (
                v[0]["width"].as_u64(),
                v[0]["height"].as_u64(),
                v[0]["codec"].as_str()
            ),
            (Some(1920), Some(1080), Some("avc1.640028"))
        );
        assert_eq!(
            query(v[0]["url"].as_str().unwrap(), "itag").as_deref(),
            Some("137")
        );
        let a = d["audios"].as_array().unwrap();
        assert_eq!(
            a.iter()
                .map(|a| (
                    a["mimeType"].as_str().unwrap(),
                    a["codec"].as_str().unwrap()
                ))
                .collect::<Vec<_>>(),
            [("audio/webm", "opus"), ("audio/mp4", "mp4a.40.2")]
        );
        assert_eq!(d["headers"]["Referer"], "https://www.youtube.com/");
        assert!(
            d["headers"]["User-Agent"]
                .as_str()
                .unwrap()
                .contains("Safari"),
            "the asking client's UA"
        );
    }
    // The first client needs no player script.
    assert!(mock.seen_path("/iframe_api").is_empty());
    let p = &mock.seen_path("/youtubei/v1/player")[0];
    let body: Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(
        (
            body["videoId"].as_str(),
            body["context"]["client"]["clientName"].as_str(),
            body["contentCheckOk"].as_bool()
        ),
        (Some("aqz-KE-bpKQ"), Some("VISIONOS"), Some(true))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protected_formats_are_solved_by_the_player_script() {
    let (mock, s) = TestServer::for_plugin("youtube", HOSTS, upstream()).await;
    // The first client is refused ("not a bot"); the web client's formats need the player.
    let d = s.ok("https://www.youtube.com/watch?v=BotCheck001").await;
    let v = d["videos"].as_array().unwrap();
    assert_eq!(v.len(), 4);
    for f in v.iter().chain(d["audios"].as_array().unwrap()) {
        let url = f["url"].as_str().unwrap();
        let itag = query(url, "itag").unwrap();
        assert_eq!(
            query(url, "sig"),
            Some(expected_sig(&format!("{SCRAMBLED}{itag}"))),
            "signature deciphered into `sig`: {url}"
        );
        assert_eq!(
            query(url, "n"),
            Some(expected_n("kX9aB3dE2fGhJ1")),
            "n transformed: {url}"
        );
        assert!(url.starts_with("https://rr3---sn-5hne6nzk.googlevideo.com/videoplayback?"));
    }
    assert!(
        d["headers"]["User-Agent"]
            .as_str()
            .unwrap()
            .contains("Chrome"),
        "the web client speaks as a desktop browser"
    );
    let web: Vec<Value> = mock
        .seen_path("/youtubei/v1/player")
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .filter(|b: &Value| b["context"]["client"]["clientName"] == "WEB")
        .collect();
    assert_eq!(
        web[0]["playbackContext"]["contentPlaybackContext"]["signatureTimestamp"],
        STS
    );

    // Age-restricted but embeddable: the embedded client plays it.
    let d = s.ok("https://youtu.be/AgeGated001").await;
    let url = d["videos"][0]["url"].as_str().unwrap();
    assert_eq!(query(url, "n"), Some(expected_n("Zq7PwRt5Yu8Io0")));

    // A client answering for another video is not believed.
    let d = s.ok("https://www.youtube.com/watch?v=OtherVideo1").await;
    assert_eq!(d["id"], "OtherVideo1");
    assert!(
        query(d["videos"][0]["url"].as_str().unwrap(), "sig").is_some(),
        "answered by the web client"
    );

    // The player release and its transforms were fetched once, then kept in kv.
    assert_eq!(mock.seen_path("/iframe_api").len(), 1);
    assert_eq!(
        mock.seen_path(&format!(
            "/s/player/{PLAYER_ID}/player_ias.vflset/en_US/base.js"
        ))
        .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_settings() {
    let (mock, s) = TestServer::for_plugin_with_config(
        "youtube",
        HOSTS,
        upstream(),
        &[
            ("clients", "web"),
            ("po_token", "MnPoTok3n"),
            ("visitor_data", "CgtWaXNpdG9y"),
            ("player_id", PLAYER_ID),
            // A signed-in session (one account, from the file).
            ("cookie", "SAPISID=sapi-secret; SID=sid1"),
        ],
    )
    .await;
    let d = s.ok("https://www.youtube.com/watch?v=BotCheck001").await;
    assert_eq!(
        query(d["videos"][0]["url"].as_str().unwrap(), "pot").as_deref(),
        Some("MnPoTok3n")
    );
    let seen = mock.seen_path("/youtubei/v1/player");
    assert_eq!(seen.len(), 1, "only the configured client");
    let body: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(
        (
            body["serviceIntegrityDimensions"]["poToken"].as_str(),
            body["context"]["client"]["visitorData"].as_str()
        ),
        (Some("MnPoTok3n"), Some("CgtWaXNpdG9y"))
    );
    assert_eq!(seen[0].headers["x-goog-visitor-id"], "CgtWaXNpdG9y");
    // The host sends the account's cookies; the plugin signs with SAPISID.
    let cookie = seen[0].headers["cookie"].to_str().unwrap();
    assert!(cookie.contains("SAPISID=sapi-secret") && cookie.contains("SID=sid1"));
    let auth = seen[0].headers["authorization"].to_str().unwrap();
    let (ts, digest) = auth
        .strip_prefix("SAPISIDHASH ")
        .and_then(|r| r.split_once('_'))
        .unwrap_or_else(|| panic!("{auth}"));
    assert!(ts.parse::<u64>().is_ok() && digest.len() == 40, "{auth}");
    assert!(
        !auth.contains("sapi-secret"),
        "the cookie itself is not sent here"
    );
    assert!(
        mock.seen_path("/iframe_api").is_empty(),
        "a pinned release needs no lookup"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_player_script_that_cannot_be_fetched_is_not_a_missing_video() {
    let config = [("clients", "web"), ("player_id", "0000dead")];
    let (_m, s) = TestServer::for_plugin_with_config("youtube", HOSTS, upstream(), &config).await;
    let (status, body) = s.parse("https://www.youtube.com/watch?v=BotCheck001").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("upstream_failed")),
        "{body}"
    );
    assert!(
        body["msg"].as_str().unwrap().contains("player script"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_refusals_and_unsupported_links() {
    let (mock, s) = TestServer::for_plugin("youtube", HOSTS, upstream()).await;
    let d = s.ok("https://www.youtube.com/live/LiveNow0001").await;
    let v: Vec<(&str, &str)> = d["videos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["source"].as_str().unwrap(),
                v["quality"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        v,
        [("dash", "720p"), ("hls", "adaptive"), ("dash", "adaptive")],
        "a broadcast in progress: its live formats, then the HLS and DASH manifests"
    );
    assert_eq!(d["videos"][2]["mimeType"], "application/dash+xml");

    for (url, http, code) in [
        (
            "https://www.youtube.com/watch?v=PrivateVid1",
            403,
            "private",
        ),
        (
            "https://www.youtube.com/watch?v=RemovedVid1",
            404,
            "not_found",
        ),
        (
            "https://www.youtube.com/watch?v=GeoBlocked1",
            451,
            "geo_blocked",
        ),
        (
            "https://www.youtube.com/watch?v=Upcoming001",
            404,
            "not_found",
        ),
        (
            "https://www.youtube.com/watch?v=AgeNoEmbed1",
            403,
            "login_required",
        ),
        (
            "https://www.youtube.com/watch?v=Throttled01",
            429,
            "upstream_rate_limited",
        ),
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (http, Some(code)),
            "{url}: {body}"
        );
    }
    let (_, body) = s.parse("https://www.youtube.com/watch?v=AgeNoEmbed1").await;
    assert!(
        body["msg"].as_str().unwrap().contains("age-restricted"),
        "{body}"
    );
    // Private holds for every client: only the first was asked.
    let asked: Vec<Value> = mock
        .seen_path("/youtubei/v1/player")
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .filter(|b: &Value| b["videoId"] == "PrivateVid1")
        .collect();
    assert_eq!(asked.len(), 1);

    // Channels belong to the data endpoints, which are named.
    for url in [
        "https://www.youtube.com/@BlenderOfficial",
        "https://www.youtube.com/channel/UCSMOQeBJ2RAnuFungnQOxLg",
    ] {
        let (status, body) = s.parse(url).await;
        let code = body["code"].as_str();
        assert_eq!(
            (status, code),
            (400, Some("wrong_endpoint")),
            "{url}: {body}"
        );
    }
    for url in [
        "https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf",
        "https://www.youtube.com/post/UgkxAbCdEfGh",
        "https://www.youtube.com/watch?v=tooShort",
        "https://www.youtube.com/watch?v=has%20space_x",
        "https://www.youtube.com/embed/videoseries?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf",
        "https://www.youtube.com/embed/live_stream?channel=UCSMOQeBJ2RAnuFungnQOxLg",
    ] {
        let (status, body) = s.parse(url).await;
        assert_eq!(
            (status, &body["code"]),
            (400, &Value::from(302)),
            "{url}: {body}"
        );
    }
}
