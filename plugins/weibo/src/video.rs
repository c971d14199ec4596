//! A video page (`1034:{id}`) through the cookie-less H5 component API.

use crate::{PLATFORM, quality_of, template_size};
use grabkit_sdk::prelude::*;

pub fn parse(fid: &str) -> Result<Media> {
    let oid = format!("1034:{fid}");
    let resp = Client::new()
        .user_agent(ua::DESKTOP)
        .post(format!(
            "https://h5.video.weibo.com/api/component?page=/show/{oid}"
        ))
        .header("Referer", format!("https://h5.video.weibo.com/show/{oid}"))
        .form(&[(
            "data",
            json!({"Component_Play_Playinfo": {"oid": oid}}).to_string(),
        )])
        .send_ok()
        .context("video component API")?;
    let body: Value = resp.json().context("video component API")?;
    // `code` is "100000" on success (a string; some clients see a number).
    if body["code"].as_str() != Some("100000") && body["code"].as_i64() != Some(100000) {
        return Err(Error::upstream(format!(
            "video component API answered code {}: {}",
            body["code"],
            body["msg"].as_str().unwrap_or_default()
        )));
    }
    let info = &body["data"]["Component_Play_Playinfo"];
    if !info.is_object() || info.as_object().is_some_and(|o| o.is_empty()) {
        return Err(Error::not_found(format!(
            "video {oid} does not exist or is not visible"
        )));
    }
    let mut media = Media::new(PLATFORM, oid.clone());
    media.title = info["title"].as_str().unwrap_or_default().to_string();
    media.author = info["author"].as_str().map(str::to_string);
    media.thumbnail = info["cover_image"].as_str().map(https);
    media.duration = info["duration_time"].as_f64().unwrap_or(0.0);
    let mut streams: Vec<(String, String)> = info["urls"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|u| (k.clone(), u.to_string())))
                .collect()
        })
        .unwrap_or_default();
    // Highest resolution first (the labels end in 360P … 4K).
    streams.sort_by_key(|(label, url)| std::cmp::Reverse(rank(&quality_of(url, label))));
    for (label, url) in streams {
        let (w, h) = template_size(&url);
        media.videos.push(
            Video::new(https(&url))
                .quality(quality_of(&url, &label))
                .size(w, h),
        );
    }
    Ok(media)
}

fn rank(q: &str) -> u32 {
    q.trim_end_matches('p').parse().unwrap_or(0)
}
