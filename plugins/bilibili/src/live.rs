//! Live rooms: `live.bilibili.com/{room}` (a short or the real id).
//!
//! Routes (bilibili-API-collect's live docs, yt-dlp's `BiliLiveIE`):
//! - `room/v1/Room/get_info?room_id=` for the real id, title, cover, state
//!   (`live_status` 1 = live, 2 = replays in rotation, 0 = off);
//! - `xlive/web-room/v2/index/getRoomPlayInfo` for the streams: each
//!   `stream[].format[].codec[]` is `url_info[].host + base_url + extra`.

use crate::api::call;
use grabkit_sdk::prelude::*;

pub const LIVE_API: &str = "https://api.live.bilibili.com";

pub fn room(client: &Client, id: &str) -> Result<LiveRoom> {
    let info = call(
        client,
        "room info API",
        &format!("{LIVE_API}/room/v1/Room/get_info?room_id={id}"),
    )?;
    let room_id = info["room_id"].as_u64().required("data.room_id")?;
    let live = info["live_status"].as_i64() == Some(1);
    let mut room = LiveRoom {
        room_id: room_id.to_string(),
        title: info["title"].as_str().unwrap_or_default().to_string(),
        author: info["uid"].as_u64().map(|uid| Author {
            id: uid.to_string(),
            ..Default::default()
        }),
        live,
        viewers: info["online"].as_u64().filter(|_| live),
        cover: info["user_cover"]
            .as_str()
            .filter(|c| !c.is_empty())
            .map(https),
        streams: Vec::new(),
    };
    if live {
        let url = format!(
            "{LIVE_API}/xlive/web-room/v2/index/getRoomPlayInfo?room_id={room_id}\
             &protocol=0,1&format=0,1,2&codec=0,1&qn=10000&platform=web&ptype=8"
        );
        let play = call(client, "room play info API", &url)?;
        room.streams = streams(&play["playurl_info"]["playurl"]);
        if room.streams.is_empty() {
            return Err(Error::parse("room play info API: live, but no stream URLs"));
        }
    }
    Ok(room)
}

/// Every stream, FLV first (what most players take), best codec first.
fn streams(playurl: &Value) -> Vec<LiveStream> {
    let names = playurl["g_qn_desc"].as_array().cloned().unwrap_or_default();
    let label = |qn: u64| {
        names
            .iter()
            .find(|d| d["qn"].as_u64() == Some(qn))
            .and_then(|d| d["desc"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut out = Vec::new();
    for stream in playurl["stream"].as_array().into_iter().flatten() {
        for format in stream["format"].as_array().into_iter().flatten() {
            let kind = match format["format_name"].as_str() {
                Some("flv") => StreamFormat::Flv,
                Some("ts" | "fmp4") => StreamFormat::Hls,
                _ => continue,
            };
            for codec in format["codec"].as_array().into_iter().flatten() {
                let base = codec["base_url"].as_str().unwrap_or_default();
                let qn = codec["current_qn"].as_u64().unwrap_or(0);
                for info in codec["url_info"].as_array().into_iter().flatten() {
                    let host = info["host"].as_str().unwrap_or_default();
                    let extra = info["extra"].as_str().unwrap_or_default();
                    if host.starts_with("https://") && !base.is_empty() {
                        out.push(LiveStream {
                            url: format!("{host}{base}{extra}"),
                            format: kind,
                            quality: label(qn),
                        });
                    }
                }
            }
        }
    }
    out.sort_by_key(|s| s.format != StreamFormat::Flv);
    out
}
