//! An aweme item (from the `slidesinfo` API or the share page's
//! `_ROUTER_DATA`) → media.

use crate::PLATFORM;
use grabkit_sdk::prelude::*;

pub fn from_share_page(client: &Client, kind: &str, id: &str) -> Result<Media> {
    let resp = client
        .get(format!("https://www.iesdouyin.com/share/{kind}/{id}/"))
        .no_redirects()
        .send()
        .context("share page")?;
    if resp.status != 200 {
        return Err(resp
            .error_for_status()
            .err()
            .unwrap_or_else(|| {
                Error::upstream("share page redirected (Douyin wants a browser session)")
            })
            .context("share page"));
    }
    let html = resp.text();
    let state = json_after(&html, "window._ROUTER_DATA = ")
        .or_else(|_| json_after(&html, "window._ROUTER_DATA="))?;
    let loader = state["loaderData"]
        .as_object()
        .ok_or_else(|| Error::parse("_ROUTER_DATA has no loaderData"))?;
    let res = loader
        .values()
        .find(|v| v["videoInfoRes"].is_object())
        .map(|v| &v["videoInfoRes"])
        .ok_or_else(|| Error::parse("_ROUTER_DATA has no videoInfoRes"))?;
    if let Some(item) = res["item_list"].get(0).filter(|i| i.is_object()) {
        return Ok(media_of(item));
    }
    Err(filtered(&res["filter_list"][0]))
}

/// The `slidesinfo` API: videos, notes and slides alike, no cookie, no
/// signature, an iPhone's user agent. Notes answer only with
/// `request_source=200`, so an empty answer is asked again with it.
pub fn from_slidesinfo(client: &Client, id: &str) -> Result<Media> {
    slidesinfo_item(client, id).map(|item| media_of(&item))
}

/// The post's item from the `slidesinfo` API (asked again with
/// `request_source=200` when empty), or why it is filtered.
pub fn slidesinfo_item(client: &Client, id: &str) -> Result<Value> {
    let base =
        format!("https://www.iesdouyin.com/web/api/v2/aweme/slidesinfo/?aweme_ids=%5B{id}%5D");
    let mut last = Value::Null;
    for url in [base.clone(), format!("{base}&request_source=200")] {
        let v: Value = client
            .get(url)
            .header("Accept", "application/json, text/plain, */*")
            .json_response()
            .context("slidesinfo API")?;
        if let Some(item) = v["aweme_details"].get(0).filter(|i| i.is_object()) {
            return Ok(item.clone());
        }
        if v["filter_list"][0].is_object() {
            return Err(filtered(&v["filter_list"][0]));
        }
        last = v;
    }
    Err(Error::upstream(format!(
        "no item for {id} (status_code {})",
        last["status_code"]
    )))
}

/// Why an item was filtered out of the share page.
fn filtered(f: &Value) -> Error {
    let reason = f["filter_reason"].as_str().unwrap_or_default();
    let msg = format!(
        "{} ({reason})",
        f["detail_msg"]
            .as_str()
            .unwrap_or("the post is not available")
    );
    match reason {
        "status_self_see" | "status_friend_see" => Error::private(msg),
        "copyright_geo_filter" | "cross_border_violation" => Error::geo_blocked(msg),
        "" => Error::upstream(
            "the share page came back empty; Douyin may want a fresh session, try again",
        ),
        _ => Error::not_found(msg),
    }
}

fn first_url(v: &Value) -> Option<&str> {
    v["url_list"][0].as_str()
}

/// The best still picture of a `url_list`: a non-WebP one when there is
/// one (WebP is the list's first entry, and not every client shows it),
/// over https.
pub fn picture(v: &Value) -> Option<String> {
    let urls: Vec<&str> = v["url_list"]
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let plain = urls
        .iter()
        .find(|u| !u.split('?').next().unwrap_or(u).ends_with(".webp"));
    plain.or(urls.first()).map(|u| https(u))
}

fn dim(v: &Value) -> Option<u32> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n > 0)
}

/// The no-watermark play URL: `playwm` → `play` in the path only.
pub fn no_watermark(url: &str) -> String {
    match url.split_once('?') {
        Some((path, query)) => format!(
            "{}?{query}",
            path.replace("/playwm/", "/play/")
                .replace("/playwm", "/play")
        ),
        None => url.replace("/playwm/", "/play/"),
    }
}

pub fn media_of(item: &Value) -> Media {
    let id = item["aweme_id"]
        .as_str()
        .map(str::to_string)
        .or_else(|| item["aweme_id"].as_u64().map(|n| n.to_string()))
        .unwrap_or_default();
    let mut media = Media::new(PLATFORM, id);
    media.title = item["desc"].as_str().unwrap_or_default().trim().to_string();
    media.author = item["author"]["nickname"].as_str().map(str::to_string);
    media.published_at = item["create_time"].as_i64();
    let counts = &item["statistics"];
    media.stats = Stats {
        views: counts["play_count"].as_u64().filter(|&n| n > 0),
        likes: counts["digg_count"].as_u64(),
        comments: counts["comment_count"].as_u64(),
        shares: counts["share_count"].as_u64(),
    };
    let video = &item["video"];
    media.thumbnail = picture(&video["origin_cover"]).or_else(|| picture(&video["cover"]));
    let images = item["images"].as_array().filter(|a| !a.is_empty());
    if let Some(images) = images {
        // A note: every picture, plus the motion clip of live photos.
        for img in images {
            if let Some(u) = picture(img) {
                media
                    .images
                    .push(Image::new(u).size(dim(&img["width"]), dim(&img["height"])));
            }
            let clip = &img["video"];
            if let Some(u) = first_url(&clip["play_addr_h264"]).or(first_url(&clip["play_addr"])) {
                media.videos.push(
                    Video::new(u)
                        .quality("live photo")
                        .size(dim(&img["width"]), dim(&img["height"])),
                );
            }
        }
        media.thumbnail = media
            .thumbnail
            .take()
            .or_else(|| media.images.first().map(|i| i.url.clone()));
    } else {
        media.duration = video["duration"]
            .as_f64()
            .map(|ms| ms / 1000.0)
            .unwrap_or(0.0);
        let (w, h) = (dim(&video["width"]), dim(&video["height"]));
        let mut gears: Vec<&Value> = video["bit_rate"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        gears.sort_by_key(|g| std::cmp::Reverse(g["bit_rate"].as_u64().unwrap_or(0)));
        for g in gears {
            let Some(u) = first_url(&g["play_addr"]) else {
                continue;
            };
            let codec = if g["is_bytevc1"] == 1 || g["is_h265"] == 1 {
                "hevc"
            } else {
                "avc"
            };
            let label = g["gear_name"]
                .as_str()
                .unwrap_or_default()
                .split('_')
                .find(|p| p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty())
                .map(|p| format!("{p}p"))
                .unwrap_or_default();
            media.videos.push(
                Video::new(u)
                    .quality(label)
                    .codec(codec)
                    .size(
                        dim(&g["play_addr"]["width"]).or(w),
                        dim(&g["play_addr"]["height"]).or(h),
                    )
                    .bitrate(g["bit_rate"].as_u64()),
            );
        }
        if let Some(u) = first_url(&video["play_addr"])
            .filter(|u| !u.contains(".mp3") && !u.contains("ies-music"))
        {
            let quality = video["ratio"].as_str().unwrap_or_default();
            media
                .videos
                .push(Video::new(no_watermark(u)).quality(quality).size(w, h));
        }
    }
    if let Some(u) = first_url(&item["music"]["play_url"]) {
        media
            .audios
            .push(Audio::new(u).quality("music").mime("audio/mpeg"));
    }
    media
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watermark_rewrite_touches_the_path_only() {
        assert_eq!(
            no_watermark(
                "https://www.iesdouyin.com/aweme/v1/playwm/?video_id=v0200playwm&ratio=720p"
            ),
            "https://www.iesdouyin.com/aweme/v1/play/?video_id=v0200playwm&ratio=720p"
        );
    }

    #[test]
    fn pictures_prefer_plain_formats_over_https() {
        let v = json!({"url_list": [
            "http://p3.douyinpic.com/a~tplv.webp?x=1",
            "http://p3.douyinpic.com/a~tplv.jpeg?x=1",
        ]});
        assert_eq!(
            picture(&v).unwrap(),
            "https://p3.douyinpic.com/a~tplv.jpeg?x=1"
        );
        let only_webp = json!({"url_list": ["https://p3.douyinpic.com/a.webp"]});
        assert_eq!(
            picture(&only_webp).unwrap(),
            "https://p3.douyinpic.com/a.webp"
        );
        assert_eq!(picture(&json!({})), None);
    }
}
