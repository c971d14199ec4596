//! The two shapes Instagram describes a post in, read into the unified media:
//! the mobile API's `items[0]` (`video_versions`, `image_versions2`,
//! `carousel_media`) and the web's `shortcode_media` node (`video_url`,
//! `display_resources`, `edge_sidecar_to_children`), which the embed page and
//! web GraphQL share.

use grabkit_sdk::prelude::*;

pub const PLATFORM: &str = "instagram";

fn dim(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|n| u32::try_from(n).ok())
}

fn label(w: Option<u32>, h: Option<u32>) -> String {
    match (w, h) {
        (Some(w), Some(h)) => format!("{}p", w.min(h)),
        (_, Some(h)) => format!("{h}p"),
        _ => String::new(),
    }
}

/// A post from the mobile API (`media/{id}/info` `items[0]`).
pub fn from_item(item: &Value, code: &str) -> Result<Media> {
    let mut media = Media::new(PLATFORM, item["code"].as_str().unwrap_or(code));
    media.title = item["caption"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    media.author = item["user"]["username"].as_str().map(str::to_string);
    media.duration = item["video_duration"].as_f64().unwrap_or(0.0);
    media.thumbnail = best_candidate(item).map(|(url, _, _)| url.to_string());
    match item["carousel_media"].as_array() {
        Some(children) => {
            for child in children {
                item_media(child, &mut media, false);
            }
        }
        None => item_media(item, &mut media, true),
    }
    if media.images.is_empty() && media.videos.is_empty() {
        return Err(Error::parse(
            "the API item has neither `video_versions` nor `image_versions2`",
        ));
    }
    Ok(media)
}

/// The largest `image_versions2` candidate.
fn best_candidate(item: &Value) -> Option<(&str, Option<u32>, Option<u32>)> {
    item["image_versions2"]["candidates"]
        .as_array()?
        .iter()
        .filter_map(|c| Some((c["url"].as_str()?, dim(&c["width"]), dim(&c["height"]))))
        .max_by_key(|(_, w, h)| w.unwrap_or(0) as u64 * h.unwrap_or(0) as u64)
}

/// One item (or carousel child): a video with its versions, else an image.
/// A lone video lists every version; a carousel child gives its best with the rest as backups.
fn item_media(item: &Value, media: &mut Media, every_version: bool) {
    let mut versions: Vec<(&str, Option<u32>, Option<u32>)> = item["video_versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| Some((v["url"].as_str()?, dim(&v["width"]), dim(&v["height"]))))
        .collect();
    if versions.is_empty() {
        if let Some((url, w, h)) = best_candidate(item) {
            media.images.push(Image::new(url).size(w, h));
        }
        return;
    }
    versions
        .sort_by_key(|(_, w, h)| std::cmp::Reverse(w.unwrap_or(0) as u64 * h.unwrap_or(0) as u64));
    versions.dedup_by_key(|(url, _, _)| *url);
    let video = |(url, w, h): (&str, Option<u32>, Option<u32>)| {
        Video::new(url)
            .size(w, h)
            .quality(label(w, h))
            .mime("video/mp4")
    };
    if every_version {
        media.videos.extend(versions.into_iter().map(video));
    } else {
        let backups = versions[1..]
            .iter()
            .map(|(u, _, _)| u.to_string())
            .collect();
        media.videos.push(video(versions[0]).backups(backups));
    }
}

/// A post from the web's `shortcode_media` node (embed page or GraphQL).
pub fn from_node(node: &Value, code: &str) -> Result<Media> {
    let mut media = Media::new(PLATFORM, node["shortcode"].as_str().unwrap_or(code));
    media.title = node["edge_media_to_caption"]["edges"][0]["node"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    media.author = node["owner"]["username"].as_str().map(str::to_string);
    media.duration = node["video_duration"].as_f64().unwrap_or(0.0);
    media.thumbnail = node["display_url"]
        .as_str()
        .or(node["thumbnail_src"].as_str())
        .map(str::to_string);
    match node["edge_sidecar_to_children"]["edges"].as_array() {
        Some(edges) => {
            for edge in edges {
                node_media(&edge["node"], &mut media);
            }
        }
        None => node_media(node, &mut media),
    }
    if media.images.is_empty() && media.videos.is_empty() {
        return Err(Error::parse(
            "the post node has neither `video_url` nor `display_url`",
        ));
    }
    Ok(media)
}

fn node_media(node: &Value, media: &mut Media) {
    let (w, h) = (
        dim(&node["dimensions"]["width"]),
        dim(&node["dimensions"]["height"]),
    );
    if node["is_video"] == true
        && let Some(url) = node["video_url"].as_str()
    {
        media.videos.push(
            Video::new(url)
                .size(w, h)
                .quality(label(w, h))
                .mime("video/mp4"),
        );
        return;
    }
    // `display_resources` lists sizes smallest first; the largest is the original.
    let largest = node["display_resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some((
                r["src"].as_str()?,
                dim(&r["config_width"]),
                dim(&r["config_height"]),
            ))
        })
        .max_by_key(|(_, w, h)| w.unwrap_or(0) as u64 * h.unwrap_or(0) as u64);
    match largest {
        Some((url, rw, rh)) if rw.unwrap_or(0) >= w.unwrap_or(0) => {
            media.images.push(Image::new(url).size(rw, rh))
        }
        _ => {
            if let Some(url) = node["display_url"].as_str() {
                media.images.push(Image::new(url).size(w, h));
            }
        }
    }
}
