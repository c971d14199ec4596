//! Search through innertube `search` with yt-dlp's filters (videos only,
//! or channels only); later pages by the section's continuation.

use crate::web::{self, text};
use grabkit_sdk::prelude::*;

const VIDEOS: &str = "EgIQAQ%3D%3D";
const CHANNELS: &str = "EgIQAg%3D%3D";

pub fn search(query: &str, kind: SearchKind, page: &Page) -> Result<SearchPage> {
    let sections = match page.token()? {
        Some(token) => {
            let resp = web::call("search", json!({ "continuation": token }))?;
            let cmds = resp["onResponseReceivedCommands"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            cmds.iter()
                .find_map(|c| {
                    c["appendContinuationItemsAction"]["continuationItems"]
                        .as_array()
                        .cloned()
                })
                .unwrap_or_default()
        }
        None => {
            let params = match kind {
                SearchKind::Posts => VIDEOS,
                SearchKind::Users => CHANNELS,
            };
            let params = params.replace("%3D", "=");
            let resp = web::call("search", json!({ "query": query, "params": params }))?;
            let list = &resp["contents"]["twoColumnSearchResultsRenderer"]["primaryContents"]["sectionListRenderer"]
                ["contents"];
            list.as_array().cloned().unwrap_or_default()
        }
    };
    let mut out = SearchPage::default();
    for section in &sections {
        if let Some(t) = web::continuation(section) {
            out.cursor = Some(t);
            continue;
        }
        for item in section["itemSectionRenderer"]["contents"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(p) = web::video_post(item) {
                out.posts.push(p);
            } else if let Some(u) = channel(&item["channelRenderer"]) {
                out.users.push(u);
            }
        }
    }
    out.has_more = out.cursor.is_some();
    Ok(out)
}

fn channel(r: &Value) -> Option<User> {
    let id = r["channelId"].as_str()?;
    // The handle sits where the subscriber count used to be.
    let sub = text(&r["subscriberCountText"]).unwrap_or_default();
    let videos = text(&r["videoCountText"]).unwrap_or_default();
    let (handle, followers) = match sub.starts_with('@') {
        true => (Some(sub), web::count(&videos)),
        false => (None, web::count(&sub)),
    };
    Some(User {
        id: id.to_string(),
        name: text(&r["title"]),
        handle,
        avatar: web::best_thumbnail(&r["thumbnail"]),
        bio: text(&r["descriptionSnippet"]),
        followers,
        url: Some(format!("https://www.youtube.com/channel/{id}")),
        ..Default::default()
    })
}
