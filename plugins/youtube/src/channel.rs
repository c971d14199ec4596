//! Channels: `/@handle`, `/channel/UC…`, `/c/name`, `/user/name` (with or
//! without a tab), resolved to the channel id by innertube
//! `navigation/resolve_url`; the profile from `browse`'s
//! `channelMetadataRenderer` and page header; uploads from the Videos tab
//! and its continuations (yt-dlp's `YoutubeTabIE` route).

use crate::web::{self, text};
use grabkit_sdk::prelude::*;

/// `browse` params of a channel's Videos tab.
const VIDEOS_TAB: &str = "EgZ2aWRlb3PyBgQKAjoA";

/// The `UC…` id of the channel `url` names.
pub fn channel_id(url: &Url) -> Result<String> {
    if let Some(id) = url
        .path_segments()
        .and_then(|mut s| (s.next() == Some("channel")).then(|| s.next()).flatten())
        .filter(|id| id.starts_with("UC"))
    {
        return Ok(id.to_string());
    }
    let resolved = web::call("navigation/resolve_url", json!({ "url": url.as_str() }))?;
    resolved["endpoint"]["browseEndpoint"]["browseId"]
        .as_str()
        .filter(|id| id.starts_with("UC"))
        .map(str::to_string)
        .ok_or_else(|| Error::not_found(format!("{url} is not a channel YouTube knows")))
}

pub fn profile(id: &str) -> Result<User> {
    let page = web::call("browse", json!({ "browseId": id }))?;
    let meta = &page["metadata"]["channelMetadataRenderer"];
    if !meta.is_object() {
        return Err(refusal(&page).unwrap_or_else(|| Error::parse("browse: no channel metadata")));
    }
    let rows = header_rows(&page);
    let find = |word: &str| {
        rows.iter()
            .find(|t| t.contains(word))
            .and_then(|t| web::count(t))
    };
    let handle = rows.iter().find(|t| t.starts_with('@')).cloned();
    let vanity = meta["vanityChannelUrl"].as_str();
    Ok(User {
        id: id.to_string(),
        name: meta["title"].as_str().map(str::to_string),
        handle: handle.or_else(|| {
            vanity
                .and_then(|u| u.rsplit('/').next())
                .map(str::to_string)
        }),
        avatar: web::best_thumbnail(&meta["avatar"]),
        bio: meta["description"]
            .as_str()
            .map(str::to_string)
            .filter(|d| !d.is_empty()),
        followers: find("subscriber"),
        following: None,
        posts: find("video"),
        likes: None,
        verified: None,
        url: Some(format!("https://www.youtube.com/channel/{id}")),
    })
}

/// The texts of the page header's metadata rows ("@handle", "1.2M
/// subscribers", "321 videos").
fn header_rows(page: &Value) -> Vec<String> {
    let model = &page["header"]["pageHeaderRenderer"]["content"]["pageHeaderViewModel"];
    let rows = model["metadata"]["contentMetadataViewModel"]["metadataRows"].as_array();
    rows.into_iter()
        .flatten()
        .flat_map(|r| r["metadataParts"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p["text"]["content"].as_str().map(str::to_string))
        .collect()
}

/// A channel that is gone answers with an alert instead of metadata.
fn refusal(page: &Value) -> Option<Error> {
    let alert = page["alerts"]
        .as_array()?
        .iter()
        .find_map(|a| text(&a["alertRenderer"]["text"]))?;
    Some(Error::not_found(alert))
}

pub fn videos(id: &str, page: &Page) -> Result<PostPage> {
    let items = match page.token()? {
        Some(token) => {
            let resp = web::call("browse", json!({ "continuation": token }))?;
            let actions = resp["onResponseReceivedActions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            actions
                .iter()
                .find_map(|a| {
                    a["appendContinuationItemsAction"]["continuationItems"]
                        .as_array()
                        .cloned()
                })
                .unwrap_or_default()
        }
        None => {
            let resp = web::call("browse", json!({ "browseId": id, "params": VIDEOS_TAB }))?;
            let tabs = resp["contents"]["twoColumnBrowseResultsRenderer"]["tabs"].as_array();
            let Some(tab) = tabs
                .into_iter()
                .flatten()
                .find(|t| t["tabRenderer"]["selected"] == true)
            else {
                return Err(
                    refusal(&resp).unwrap_or_else(|| Error::parse("browse: no selected tab"))
                );
            };
            let grid = &tab["tabRenderer"]["content"]["richGridRenderer"]["contents"];
            grid.as_array().cloned().unwrap_or_default()
        }
    };
    let mut out = PostPage::default();
    for item in &items {
        if let Some(t) = web::continuation(item) {
            out.cursor = Some(t);
        } else if let Some(p) = web::video_post(&item["richItemRenderer"]["content"]) {
            out.posts.push(p);
        }
    }
    out.has_more = out.cursor.is_some();
    Ok(out)
}
