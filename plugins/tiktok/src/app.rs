//! The second route: the mobile app's feed API, asked for one post by
//! `aweme_id` as an Android app install would (yt-dlp's fallback; app
//! name `trill`, aid 1180). No cookie is needed; the answer's `aweme_list`
//! may lead with the post or hold other posts, so it is searched by id.

use crate::{PLATFORM, dim};
use grabkit_sdk::prelude::*;

pub const HOST: &str = "api22-normal-c-useast2a.tiktokv.com";
const VERSION: (&str, &str) = ("26.1.3", "260103");

pub fn fetch(id: &str) -> Result<Media> {
    let what = "app feed API";
    // A stable made-up install: ids of the right shape, derived from the post.
    let install = 7_300_000_000_000_000_000u64
        + id.bytes().fold(0u64, |a, b| a * 31 + b as u64) % 1_000_000_000_000;
    let query = [
        ("aweme_id", id.to_string()),
        ("iid", install.to_string()),
        ("device_id", (install + 1).to_string()),
        ("aid", "1180".into()),
        ("app_name", "trill".into()),
        ("version_name", VERSION.0.into()),
        ("version_code", VERSION.1.into()),
        ("manifest_version_code", VERSION.1.into()),
        ("device_platform", "android".into()),
        ("os", "android".into()),
        ("channel", "googleplay".into()),
        ("device_type", "Pixel 7".into()),
        ("os_version", "13".into()),
        ("region", "US".into()),
        ("app_language", "en".into()),
    ];
    let v: Value = Client::new()
        .user_agent(&format!(
            "com.ss.android.ugc.trill/{} (Linux; U; Android 13; en_US; Pixel 7; Build/TD1A.220804.031; Cronet/58.0.2991.0)",
            VERSION.1
        ))
        .get(format!("https://{HOST}/aweme/v1/feed/"))
        .query(&query)
        .json_response()
        .context(what)?;
    if v["status_code"].as_i64().is_some_and(|c| c != 0) {
        return Err(Error::upstream(format!(
            "{what}: status_code {} {}",
            v["status_code"],
            v["status_msg"].as_str().unwrap_or_default()
        )));
    }
    let item = v["aweme_list"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["aweme_id"].as_str() == Some(id))
        // A feed may answer with other posts: weak evidence, never "not found".
        .ok_or_else(|| Error::upstream(format!("{what}: post {id} is not in the answer")))?;
    Ok(media_of(item, id))
}

/// An app `aweme` → media: every bitrate gear, then the play address;
/// photo posts' images; the music.
fn media_of(item: &Value, id: &str) -> Media {
    let mut media = Media::new(PLATFORM, id);
    media.title = item["desc"].as_str().unwrap_or_default().trim().to_string();
    media.author = item["author"]["nickname"]
        .as_str()
        .or(item["author"]["unique_id"].as_str())
        .map(str::to_string);
    let first = |v: &Value| v["url_list"][0].as_str().map(str::to_string);
    let video = &item["video"];
    media.thumbnail = first(&video["origin_cover"]).or_else(|| first(&video["cover"]));
    if let Some(images) = item["image_post_info"]["images"].as_array() {
        for img in images {
            let shown = &img["display_image"];
            if let Some(u) = first(shown) {
                media
                    .images
                    .push(Image::new(u).size(dim(&shown["width"]), dim(&shown["height"])));
            }
        }
    } else {
        media.duration = video["duration"]
            .as_f64()
            .map(|ms| ms / 1000.0)
            .unwrap_or(0.0);
        let mut gears: Vec<&Value> = video["bit_rate"].as_array().into_iter().flatten().collect();
        gears.sort_by_key(|g| std::cmp::Reverse(g["bit_rate"].as_u64().unwrap_or(0)));
        for g in gears {
            let addr = &g["play_addr"];
            let Some(u) = first(addr) else { continue };
            let codec = if g["is_h265"] == 1 || g["is_bytevc1"] == 1 {
                "hevc"
            } else {
                "avc"
            };
            let (w, h) = (dim(&addr["width"]), dim(&addr["height"]));
            let quality = match (w, h) {
                (Some(a), Some(b)) => format!("{}p", a.min(b)),
                _ => g["gear_name"].as_str().unwrap_or_default().to_string(),
            };
            media.videos.push(
                Video::new(u)
                    .quality(quality)
                    .codec(codec)
                    .size(w, h)
                    .bitrate(g["bit_rate"].as_u64()),
            );
        }
        if let Some(u) =
            first(&video["play_addr"]).filter(|u| !media.videos.iter().any(|v| v.url == *u))
        {
            let (w, h) = (dim(&video["width"]), dim(&video["height"]));
            media.videos.push(Video::new(u).size(w, h));
        }
    }
    if let Some(u) = first(&item["music"]["play_url"]) {
        media
            .audios
            .push(Audio::new(u).quality("music").mime("audio/mpeg"));
    }
    media
}
