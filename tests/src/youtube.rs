//! The mock YouTube: innertube `player` answering per client and video,
//! `iframe_api` naming a player release, and that release's script (a
//! fixture whose signature and `n` transforms we wrote, so we know them).

use crate::mock::{Reply, Responder, Seen};
use std::sync::Arc;

pub const HOSTS: &[&str] = &["www.youtube.com"];
pub const PLAYER_ID: &str = "9a3b7c1e";
pub const STS: u64 = 20361;
/// The scrambled signature in the fixtures (each format appends its itag).
pub const SCRAMBLED: &str =
    "AOq0QJ8wRQIhAPmB2xkQ9sX3_LMtPAgaB8tYk2mH-Xw1PYd7fZc4eKcbAiBsEXAMPLEsignature0123456789abcdef";

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/youtube/",
            $name
        ))
    };
}

/// What the fixture player's signature function does: swap(19), reverse, drop 2, swap(61), reverse.
pub fn expected_sig(s: &str) -> String {
    let mut a: Vec<char> = s.chars().collect();
    let swap = |a: &mut Vec<char>, b: usize| {
        let i = b % a.len();
        a.swap(0, i);
    };
    swap(&mut a, 19);
    a.reverse();
    a.drain(0..2);
    swap(&mut a, 61);
    a.reverse();
    a.into_iter().collect()
}

/// What the fixture player's `n` function does: swap(7), reverse, rotate right 3, drop at −2, swap(−1234), reverse.
pub fn expected_n(n: &str) -> String {
    let mut b: Vec<char> = n.chars().collect();
    let wrap = |e: i64, len: usize| e.rem_euclid(len as i64) as usize;
    let i = wrap(7, b.len());
    b.swap(0, i);
    b.reverse();
    let r = wrap(3, b.len());
    b.rotate_right(r);
    let d = wrap(-2, b.len());
    b.remove(d);
    let i = wrap(-1234, b.len());
    b.swap(0, i);
    b.reverse();
    b.into_iter().collect()
}

pub fn upstream() -> Responder {
    Arc::new(|s: &Seen| match (s.method.as_str(), s.path.as_str()) {
        ("GET", "/iframe_api") => Reply {
            headers: vec![("content-type".into(), "text/javascript".into())],
            ..Reply::html(fixture!("iframe_api.js"))
        },
        ("GET", p) if p == format!("/s/player/{PLAYER_ID}/player_ias.vflset/en_US/base.js") => {
            Reply {
                headers: vec![("content-type".into(), "text/javascript".into())],
                ..Reply::html(fixture!("base.js"))
            }
        }
        ("POST", "/youtubei/v1/player") => player(s),
        ("GET", "/clip/UgyClip0001") => Reply::html(&clip_page()),
        ("GET", "/clip/UgyGone0001") => {
            Reply::html("<script>var ytInitialData = {\"contents\":{}};</script>")
        }
        ("POST", "/youtubei/v1/next" | "/youtubei/v1/browse" | "/youtubei/v1/search") => data(s),
        ("POST", "/youtubei/v1/navigation/resolve_url") => resolve(s),
        _ => Reply::status(404),
    })
}

fn player(s: &Seen) -> Reply {
    let body: serde_json::Value = serde_json::from_str(&s.body).unwrap_or_default();
    let client = body["context"]["client"]["clientName"]
        .as_str()
        .unwrap_or_default();
    let id_header = s
        .headers
        .get("x-youtube-client-name")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let expected_id = match client {
        "VISIONOS" => "101",
        "WEB" => "1",
        "WEB_EMBEDDED_PLAYER" => "56",
        "TVHTML5" => "7",
        "ANDROID_VR" => "28",
        _ => return Reply::json(r#"{"error":{"code":400,"message":"Precondition check failed.","status":"FAILED_PRECONDITION"}}"#).with_status(400),
    };
    if id_header != expected_id || s.query != "prettyPrint=false" {
        return Reply::status(400);
    }
    let video = body["videoId"].as_str().unwrap_or_default();
    let needs_player = client != "VISIONOS" && client != "ANDROID_VR";
    if needs_player
        && body["playbackContext"]["contentPlaybackContext"]["signatureTimestamp"] != STS
    {
        // Without the release's timestamp YouTube hands out signatures the player cannot solve.
        return Reply::json(fixture!("bot_check.json"));
    }
    match (client, video) {
        ("VISIONOS", "aqz-KE-bpKQ") => Reply::json(fixture!("visionos_ok.json")),
        ("VISIONOS", "OtherVideo1") => Reply::json(fixture!("visionos_ok.json")),
        ("WEB", "BotCheck001" | "OtherVideo1") => Reply::json(
            fixture!("web_cipher.json")
                .replace("BotCheck001", video)
                .as_str(),
        ),
        ("VISIONOS", "BotCheck001" | "Throttled01")
        | ("WEB" | "WEB_EMBEDDED_PLAYER", "Throttled01") => Reply::json(fixture!("bot_check.json")),
        ("VISIONOS" | "WEB", "AgeGated001" | "AgeNoEmbed1") => {
            Reply::json(fixture!("age_gate.json"))
        }
        ("WEB_EMBEDDED_PLAYER", "AgeGated001") => Reply::json(fixture!("embedded_cipher.json")),
        ("WEB_EMBEDDED_PLAYER", "AgeNoEmbed1") => Reply::json(fixture!("embed_disabled.json")),
        (_, "PrivateVid1") => Reply::json(fixture!("private.json")),
        (_, "RemovedVid1") => Reply::json(fixture!("removed.json")),
        (_, "GeoBlocked1") => Reply::json(fixture!("geo.json")),
        (_, "Upcoming001") => Reply::json(fixture!("upcoming.json")),
        ("VISIONOS", "LiveNow0001") => Reply::json(fixture!("live.json")),
        ("VISIONOS", "DubbedVid01") => Reply::json(&dubbed()),
        _ => Reply::json(fixture!("removed.json")),
    }
}

/// The ok video with two audio tracks (the dub listed first, the default
/// second) and two caption tracks, one speech-recognised.
fn dubbed() -> String {
    let mut v: serde_json::Value = serde_json::from_str(fixture!("visionos_ok.json")).unwrap();
    v["videoDetails"]["videoId"] = "DubbedVid01".into();
    for f in v["streamingData"]["adaptiveFormats"]
        .as_array_mut()
        .unwrap()
    {
        let track = match f["itag"].as_u64() {
            Some(251) => {
                serde_json::json!({"displayName": "Spanish (dubbed)", "id": "es.10", "audioIsDefault": false})
            }
            Some(140) => {
                serde_json::json!({"displayName": "English (original)", "id": "en.4", "audioIsDefault": true})
            }
            _ => continue,
        };
        f["audioTrack"] = track;
    }
    v["captions"] = serde_json::json!({"playerCaptionsTracklistRenderer": {"captionTracks": [
        {"baseUrl": "https://www.youtube.com/api/timedtext?v=DubbedVid01&lang=en&fmt=srv3", "name": {"simpleText": "English"}, "vssId": ".en", "languageCode": "en", "isTranslatable": true},
        {"baseUrl": "https://www.youtube.com/api/timedtext?v=DubbedVid01&lang=es&kind=asr", "name": {"runs": [{"text": "Spanish (auto-generated)"}]}, "vssId": "a.es", "languageCode": "es", "kind": "asr"}
    ]}});
    v.to_string()
}

fn body_of(s: &Seen) -> serde_json::Value {
    serde_json::from_str(&s.body).unwrap_or_default()
}

/// `next`, `browse`, `search`: asked as the WEB client, by id or by token.
fn data(s: &Seen) -> Reply {
    let b = body_of(s);
    if b["context"]["client"]["clientName"] != "WEB" {
        return Reply::status(400);
    }
    let token = b["continuation"].as_str().unwrap_or_default();
    let not_found = || {
        Reply::json(r#"{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}"#).with_status(404)
    };
    match (s.path.as_str(), b["videoId"].as_str(), token) {
        ("/youtubei/v1/next", Some("aqz-KE-bpKQ"), _) => Reply::json(fixture!("next_watch.json")),
        ("/youtubei/v1/next", Some("OtherVideo1"), _) => {
            Reply::json(fixture!("next_watch_nocomments.json"))
        }
        ("/youtubei/v1/next", _, "CMT_PAGE_1") => Reply::json(fixture!("next_comments_1.json")),
        ("/youtubei/v1/next", _, "CMT_PAGE_2") => Reply::json(fixture!("next_comments_2.json")),
        ("/youtubei/v1/next", _, "REPLIES_UgxAAA") => Reply::json(fixture!("next_replies.json")),
        ("/youtubei/v1/browse", _, "VIDS_2") => Reply::json(fixture!("browse_videos_2.json")),
        ("/youtubei/v1/browse", _, "") => match (b["browseId"].as_str(), b["params"].as_str()) {
            (Some("UCgrabkit000000000000001"), Some("EgZ2aWRlb3PyBgQKAjoA")) => {
                Reply::json(fixture!("browse_videos.json"))
            }
            (Some("UCgrabkit000000000000001" | "UCSMOQeBJ2RAnuFungnQOxLg"), None) => {
                Reply::json(fixture!("browse_channel.json"))
            }
            (Some("UCgone00000000000000000001"), _) => Reply::json(fixture!("browse_gone.json")),
            _ => not_found(),
        },
        ("/youtubei/v1/search", _, "SEARCH_2") => Reply::json(fixture!("search_videos_2.json")),
        ("/youtubei/v1/search", _, "") => match (b["query"].as_str(), b["params"].as_str()) {
            (Some("bunny"), Some("EgIQAQ==")) => Reply::json(fixture!("search_videos.json")),
            (Some("bunny"), Some("EgIQAg==")) => Reply::json(fixture!("search_channels.json")),
            _ => Reply::json(
                r#"{"contents":{"twoColumnSearchResultsRenderer":{"primaryContents":{"sectionListRenderer":{"contents":[]}}}}}"#,
            ),
        },
        _ => not_found(),
    }
}

/// `navigation/resolve_url`: channel links to their id, a channel's `/live`
/// to its broadcast (or, when none, the channel).
fn resolve(s: &Seen) -> Reply {
    let b = body_of(s);
    let url = b["url"].as_str().unwrap_or_default();
    let path = url.split("youtube.com").nth(1).unwrap_or_default();
    let browse = |id: &str| {
        Reply::json(
            &serde_json::json!({"endpoint": {"browseEndpoint": {"browseId": id}}}).to_string(),
        )
    };
    match path {
        "/@GrabkitTest" | "/@GrabkitTest/videos" | "/c/GrabkitTest" | "/user/grabkit" => browse("UCgrabkit000000000000001"),
        "/@GrabkitTest/live" => Reply::json(r#"{"endpoint":{"watchEndpoint":{"videoId":"LiveNow0001"}}}"#),
        "/@Quiet/live" => browse("UCquiet0000000000000000001"),
        _ => Reply::json(r#"{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}"#).with_status(404),
    }
}

/// A clip page: the video it cuts and, deep in its clip panel, the section.
fn clip_page() -> String {
    let data = serde_json::json!({
        "currentVideoEndpoint": {"watchEndpoint": {"videoId": "aqz-KE-bpKQ"}},
        "engagementPanels": [{"engagementPanelSectionListRenderer": {"content": {"clipSectionRenderer": {"contents": [
            {"clipAttributionRenderer": {"onScrubExit": {"commandExecutorCommand": {"commands": [
                {"openPopupAction": {"popup": {"notificationActionRenderer": {"actionButton": {"buttonRenderer": {"command": {
                    "commandExecutorCommand": {"commands": [
                        {"loopCommand": {"postId": "UgyClip0001", "startTimeMs": "29000", "endTimeMs": "39700"}}]}}}}}}}}]}}}}]}}}}]});
    format!("<html><script nonce=\"x\">var ytInitialData = {data};</script></html>")
}
