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
        _ => Reply::json(fixture!("removed.json")),
    }
}
