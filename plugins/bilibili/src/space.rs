//! A user's space: profile and uploaded videos.
//!
//! Routes (bilibili-API-collect's user docs, yt-dlp's `BilibiliSpaceVideoIE`):
//! - `x/web-interface/card?mid=&photo=true` (no signature) for the profile;
//! - `x/space/wbi/arc/search` (WBI-signed, with the `dm_img_*` browser
//!   fingerprint fields and the space page as Referer) for uploads, paged by
//!   page number.

use crate::api::{API, call, send};
use crate::wbi;
use grabkit_sdk::prelude::*;

/// The profile of user `mid`.
pub fn profile(client: &Client, mid: &str) -> Result<User> {
    let url = format!("{API}/x/web-interface/card?mid={mid}&photo=true");
    let data = call(client, "user card API", &url)?;
    let card = &data["card"];
    let verified = card["official_verify"]["type"].as_i64().map(|t| t >= 0);
    Ok(User {
        id: card["mid"].as_str().unwrap_or(mid).to_string(),
        name: card["name"].as_str().map(str::to_string),
        handle: None,
        avatar: card["face"].as_str().map(https),
        bio: card["sign"].as_str().map(str::to_string),
        followers: data["follower"].as_u64().or_else(|| card["fans"].as_u64()),
        following: card["attention"].as_u64(),
        posts: data["archive_count"].as_u64(),
        likes: data["like_num"].as_u64(),
        verified,
        url: Some(format!("https://space.bilibili.com/{mid}")),
    })
}

/// One page of user `mid`'s uploads, newest first.
pub fn uploads(client: &Client, mid: &str, page: &Page) -> Result<PostPage> {
    let pn = page.number(1)?.max(1);
    let ps = page.size(30);
    let params = [
        ("mid", mid.to_string()),
        ("pn", pn.to_string()),
        ("ps", ps.to_string()),
        ("order", "pubdate".to_string()),
        ("tid", "0".to_string()),
        ("keyword", String::new()),
        ("platform", "web".to_string()),
        ("web_location", "1550101".to_string()),
        ("order_avoided", "true".to_string()),
        // The browser fingerprint fields the space page sends; without them
        // guests get -352 more often.
        ("dm_img_list", "[]".to_string()),
        (
            "dm_img_str",
            "V2ViR0wgMS4wIChPcGVuR0wgRVMgMi4wIENocm9taXVtKQ".to_string(),
        ),
        ("dm_cover_img_str", "QU5HTEUgKEludGVsKQ".to_string()),
        (
            "dm_img_inter",
            r#"{"ds":[],"wh":[0,0,0],"of":[0,0,0]}"#.to_string(),
        ),
    ];
    let key = wbi::mixin_key(client)?;
    let url = format!(
        "{API}/x/space/wbi/arc/search?{}",
        wbi::sign_now(&params, &key)
    );
    let request = client
        .get(url)
        .header("Referer", format!("https://space.bilibili.com/{mid}/video"))
        .header("Origin", "https://space.bilibili.com");
    let data = send("space videos API", request)?;
    let list = data["list"]["vlist"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let total = data["page"]["count"].as_u64().unwrap_or(0);
    let more = !list.is_empty() && pn * (ps as u64) < total;
    Ok(PostPage {
        user: None,
        posts: list.iter().filter_map(upload).collect(),
        cursor: more.then(|| (pn + 1).to_string()),
        has_more: more,
    })
}

fn upload(v: &Value) -> Option<Post> {
    let bvid = v["bvid"].as_str()?;
    Some(Post {
        id: bvid.to_string(),
        url: format!("https://www.bilibili.com/video/{bvid}"),
        title: v["title"].as_str().unwrap_or_default().to_string(),
        kind: PostKind::Video,
        cover: v["pic"].as_str().map(https),
        duration: v["length"].as_str().and_then(clock_seconds),
        created_at: v["created"].as_i64(),
        stats: Stats {
            views: v["play"].as_u64(),
            comments: v["comment"].as_u64(),
            ..Default::default()
        },
        author: None,
    })
}

/// "MM:SS" or "H:MM:SS" in seconds.
pub fn clock_seconds(s: &str) -> Option<f64> {
    let mut total = 0u64;
    for part in s.split(':') {
        total = total * 60 + part.trim().parse::<u64>().ok()?;
    }
    Some(total as f64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_durations() {
        assert_eq!(super::clock_seconds("04:05"), Some(245.0));
        assert_eq!(super::clock_seconds("1:00:01"), Some(3601.0));
        assert_eq!(super::clock_seconds("--"), None);
    }
}
