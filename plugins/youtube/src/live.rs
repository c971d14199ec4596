//! Live: a channel's `/live` link resolves (innertube
//! `navigation/resolve_url`) to its current broadcast, or a video link names
//! one; the player answer says whether it is live (`videoDetails.isLive`;
//! `LIVE_STREAM_OFFLINE` is an offline room, not an error) and gives the
//! HLS playlist.

use crate::clients;
use crate::innertube::{self, Session};
use crate::web;
use grabkit_sdk::prelude::*;

/// The video id of the broadcast a channel's `/live` link leads to, if any.
pub fn current_broadcast(url: &Url) -> Result<Option<String>> {
    let resolved = web::call("navigation/resolve_url", json!({ "url": url.as_str() }))?;
    let endpoint = &resolved["endpoint"];
    if let Some(id) = endpoint["watchEndpoint"]["videoId"].as_str() {
        return Ok(Some(id.to_string()));
    }
    if endpoint["browseEndpoint"].is_object() {
        return Ok(None);
    }
    Err(Error::not_found(format!(
        "{url} is not a channel YouTube knows"
    )))
}

/// The room of channel `channel` (its id or link), broadcasting `video`.
pub fn room(channel: &str, video: Option<&str>) -> Result<LiveRoom> {
    let Some(video) = video else {
        return Ok(LiveRoom {
            room_id: channel.to_string(),
            ..Default::default()
        });
    };
    let session = Session::from_config();
    let mut last = None;
    for client in clients::chosen(config::get("clients").as_deref()) {
        let resp = innertube::player(&client, video, None, &session)?;
        if resp["playabilityStatus"]["status"] == "LIVE_STREAM_OFFLINE" {
            return Ok(read(&resp, video, false));
        }
        if let Some(e) = innertube::refusal(&resp) {
            last = Some(e);
            continue;
        }
        let live = resp["videoDetails"]["isLive"] == true;
        if live && resp["streamingData"]["hlsManifestUrl"].is_null() {
            last = Some(Error::upstream("live, but no HLS playlist for this client"));
            continue;
        }
        return Ok(read(&resp, video, live));
    }
    Err(last.unwrap_or_else(|| Error::upstream("no client answered")))
}

fn read(resp: &Value, video: &str, live: bool) -> LiveRoom {
    let d = &resp["videoDetails"];
    let streams = resp["streamingData"]["hlsManifestUrl"]
        .as_str()
        .filter(|_| live);
    LiveRoom {
        room_id: video.to_string(),
        title: d["title"].as_str().unwrap_or_default().to_string(),
        author: d["channelId"].as_str().map(|id| Author {
            id: id.to_string(),
            name: d["author"].as_str().map(str::to_string),
            avatar: None,
        }),
        live,
        // The player answer does not count viewers.
        viewers: None,
        cover: web::best_thumbnail(&d["thumbnail"]),
        streams: streams
            .map(|u| LiveStream {
                url: u.to_string(),
                format: StreamFormat::Hls,
                quality: "adaptive".into(),
            })
            .into_iter()
            .collect(),
    }
}
