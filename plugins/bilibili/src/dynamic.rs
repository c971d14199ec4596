//! Picture and text posts (dynamics and opus pages): the dynamic detail API,
//! read with a browser's user agent and no Referer. Pictures come from the
//! `draw` or `opus` major; a post that shares a video answers as that video;
//! a forward answers with what it forwards.

use crate::PLATFORM;
use crate::api::{API, call};
use crate::streams::pixels;
use grabkit_sdk::prelude::*;

const FEATURES: &str = "itemOpusStyle,opusBigCover,onlyfansVote,endFooterHidden,decorationCard,\
                        onlyfansAssetsV2,ugcDelete,onlyfansQaCard";

/// What a dynamic holds.
pub enum Post {
    Pictures(Box<Media>),
    /// The bvid of the video it shares.
    Video(String),
}

pub fn fetch(id: &str) -> Result<Post> {
    let client = Client::new().user_agent(ua::DESKTOP);
    let url = format!("{API}/x/polymer/web-dynamic/v1/detail?id={id}&features={FEATURES}");
    let data = call(&client, "dynamic detail API", &url)?;
    let item = &data["item"];
    if !item.is_object() {
        return Err(Error::parse("dynamic detail API: no `item`"));
    }
    Ok(read(item, id))
}

fn read(item: &Value, id: &str) -> Post {
    let modules = &item["modules"];
    let major = &modules["module_dynamic"]["major"];
    if let Some(bvid) = major["archive"]["bvid"].as_str() {
        return Post::Video(bvid.to_string());
    }
    let pictures = pictures(major);
    // A forward carries nothing itself: the original is under `orig`.
    if pictures.is_empty() && item["orig"].is_object() {
        return read(&item["orig"], id);
    }
    let mut media = Media::new(PLATFORM, format!("dynamic{id}"));
    media.author = modules["module_author"]["name"]
        .as_str()
        .map(str::to_string);
    let opus = &major["opus"];
    let text = opus["title"]
        .as_str()
        .filter(|t| !t.is_empty())
        .or(opus["summary"]["text"].as_str())
        .or(modules["module_dynamic"]["desc"]["text"].as_str())
        .unwrap_or_default();
    media.title = text.lines().next().unwrap_or_default().trim().to_string();
    media.thumbnail = pictures.first().map(|i| i.url.clone());
    media.images = pictures;
    Post::Pictures(Box::new(media))
}

/// Every picture of a `draw` or `opus` major, in order, over https.
fn pictures(major: &Value) -> Vec<Image> {
    let list = major["draw"]["items"]
        .as_array()
        .or(major["opus"]["pics"].as_array());
    let dim = |v: &Value| pixels(v.as_u64());
    list.into_iter()
        .flatten()
        .filter_map(|p| {
            let url = p["src"].as_str().or(p["url"].as_str())?;
            Some(Image::new(https(url)).size(dim(&p["width"]), dim(&p["height"])))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draw_opus_archive_and_forwards() {
        let draw = json!({"modules": {"module_author": {"name": "UP"}, "module_dynamic": {
            "desc": {"text": "two pictures\nsecond line"},
            "major": {"type": "MAJOR_TYPE_DRAW", "draw": {"items": [
                {"src": "http://i0.hdslb.com/bfs/new_dyn/a.jpg", "width": 1080, "height": 720},
                {"src": "https://i0.hdslb.com/bfs/new_dyn/b.png", "width": 0, "height": 0}]}}}}});
        let Post::Pictures(m) = read(&draw, "1") else {
            panic!()
        };
        assert_eq!(m.images.len(), 2);
        assert_eq!(m.images[0].url, "https://i0.hdslb.com/bfs/new_dyn/a.jpg");
        assert_eq!(
            (m.title.as_str(), m.author.as_deref()),
            ("two pictures", Some("UP"))
        );
        let opus = json!({"modules": {"module_dynamic": {"major": {"type": "MAJOR_TYPE_OPUS",
            "opus": {"title": "", "summary": {"text": "an opus"},
                     "pics": [{"url": "https://i0.hdslb.com/bfs/new_dyn/c.jpg"}]}}}}});
        let Post::Pictures(m) = read(&opus, "2") else {
            panic!()
        };
        assert_eq!((m.images.len(), m.title.as_str()), (1, "an opus"));
        let video = json!({"modules": {"module_dynamic": {"major": {"type": "MAJOR_TYPE_ARCHIVE",
            "archive": {"bvid": "BV117411r7R1", "jump_url": "//www.bilibili.com/video/BV117411r7R1/"}}}}});
        assert!(matches!(read(&video, "3"), Post::Video(b) if b == "BV117411r7R1"));
        let forward = json!({"modules": {"module_dynamic": {"major": null}}, "orig": opus});
        let Post::Pictures(m) = read(&forward, "4") else {
            panic!()
        };
        assert_eq!(m.images.len(), 1, "the forwarded post's pictures");
    }
}
