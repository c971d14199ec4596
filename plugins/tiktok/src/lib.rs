//! TikTok: `tiktok.com/@user/video/{id}` and `/photo/{id}`, share links
//! (`vm.`/`vt.tiktok.com/{code}`, `tiktok.com/t/{code}`), `m.tiktok.com/v/{id}`
//! and `tiktok.com|tiktokv.com/share/video/{id}`.
//!
//! Routes, in order:
//! 1. the web page `www.tiktok.com/@i/video/{id}` (any user works, also for
//!    photo posts) and its `__UNIVERSAL_DATA_FOR_REHYDRATION__` state →
//!    `webapp.video-detail.itemInfo.itemStruct`. The media CDN wants the
//!    cookies that page set (`tt_chain_token`…), so they go into the
//!    download headers;
//! 2. the app's feed API (see `app`), when the page is a challenge or empty.

mod app;

use grabkit_sdk::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Post,
    Short,
}

// Hosts are listed one by one: TikTok Lite (`lite.tiktok.com`) is not ours.
const LINKS: Links<Link> = &[
    (Link::Post, "www.tiktok.com/@{user}/video/{id:num}"),
    (Link::Post, "tiktok.com/@{user}/video/{id:num}"),
    (Link::Post, "m.tiktok.com/@{user}/video/{id:num}"),
    (Link::Post, "www.tiktok.com/@{user}/photo/{id:num}"),
    (Link::Post, "tiktok.com/@{user}/photo/{id:num}"),
    // The empty-user form apps and peers produce.
    (Link::Post, "www.tiktok.com/@/video/{id:num}"),
    (Link::Post, "tiktok.com/@/video/{id:num}"),
    (Link::Post, "m.tiktok.com/@/video/{id:num}"),
    (Link::Post, "www.tiktok.com/i18n/share/video/{id:num}"),
    (Link::Post, "www.tiktok.com/share/video/{id:num}"),
    (Link::Post, "www.tiktokv.com/share/video/{id:num}"),
    (Link::Post, "m.tiktok.com/v/{id:num}.html"),
    (Link::Post, "m.tiktok.com/v/{id:num}"),
    (Link::Short, "vm.tiktok.com/{code}"),
    (Link::Short, "vt.tiktok.com/{code}"),
    (Link::Short, "t.tiktok.com/{code}"),
    (Link::Short, "www.tiktok.com/t/{code}"),
    (Link::Short, "tiktok.com/t/{code}"),
];

const PLATFORM: &str = "tiktok";

struct Tiktok;

impl Plugin for Tiktok {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-tiktok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: PLATFORM.into(),
            url_patterns: patterns(LINKS),
            allowed_hosts: vec![
                "www.tiktok.com".into(),
                "vm.tiktok.com".into(),
                "vt.tiktok.com".into(),
                "t.tiktok.com".into(),
                app::HOST.into(),
            ],
            insecure_hosts: vec![],
            download_headers: vec![
                ("Referer".into(), "https://www.tiktok.com/".into()),
                ("User-Agent".into(), ua::DESKTOP.into()),
            ],
            media_hosts: vec![
                "*.tiktokcdn.com".into(),
                "*.tiktokcdn-us.com".into(),
                "*.tiktokcdn-eu.com".into(),
                "*.tiktok.com".into(),
                "*.tiktokv.com".into(),
                "*.ibytedtos.com".into(),
                "*.byteoversea.com".into(),
                "*.muscdn.com".into(),
            ],
            capabilities: Vec::new(),
        }
    }

    fn parse(input: &str) -> Result<Media> {
        let client = Client::new()
            .user_agent(ua::DESKTOP)
            .header("Accept-Language", "en-US,en;q=0.9");
        let link = route_following(input, LINKS, &client, |k| k == Link::Short)?;
        let id = link.cap("id");
        first_answer(&[
            ("post page", &|| from_page(&client, id)),
            ("app API", &|| app::fetch(id)),
        ])
    }
}

/// The post page's rehydration state (`webapp.video-detail`).
fn from_page(client: &Client, id: &str) -> Result<Media> {
    let resp = client
        .get(format!("https://www.tiktok.com/@i/video/{id}"))
        .send_ok()
        .context("post page")?;
    let cookies = resp.cookies();
    let state = script_json(&resp.text(), "__UNIVERSAL_DATA_FOR_REHYDRATION__")
        .map_err(|_| Error::upstream("the post page has no state (a verification page?)"))?;
    let detail = &state["__DEFAULT_SCOPE__"]["webapp.video-detail"];
    let status = detail["statusCode"].as_i64().unwrap_or(0);
    let item = &detail["itemInfo"]["itemStruct"];
    if status != 0 || !item.is_object() {
        let msg = detail["statusMsg"].as_str().unwrap_or("").to_string();
        return Err(match status {
            10204 | 10216 => Error::not_found(format!("post {id} does not exist ({msg})")),
            10222 | 10217 => Error::private(format!("post {id} is private ({msg})")),
            10101 | 10119 => {
                Error::rate_limited(format!("TikTok refused the request ({status} {msg})"))
            }
            _ if msg.is_empty() => Error::parse("the page state has no itemStruct"),
            _ => Error::not_found(format!("post {id} is not available ({status} {msg})")),
        });
    }
    if item["isContentClassified"] == true {
        return Err(Error::login_required(
            "the post is age-restricted; a logged-in cookie is needed",
        ));
    }
    let mut media = media_of(item, id);
    if !cookies.is_empty() {
        // The CDN checks the cookies the page set.
        media.headers.push(("Cookie".into(), cookies.join("; ")));
    }
    Ok(media)
}

fn dim(v: &Value) -> Option<u32> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n > 0)
}

fn media_of(item: &Value, id: &str) -> Media {
    let mut media = Media::new(PLATFORM, item["id"].as_str().unwrap_or(id));
    media.title = item["desc"].as_str().unwrap_or_default().trim().to_string();
    media.author = item["author"]["nickname"]
        .as_str()
        .or(item["author"]["uniqueId"].as_str())
        .map(str::to_string);
    let video = &item["video"];
    media.thumbnail = video["originCover"]
        .as_str()
        .or(video["cover"].as_str())
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    if let Some(images) = item["imagePost"]["images"]
        .as_array()
        .filter(|a| !a.is_empty())
    {
        for img in images {
            if let Some(u) = img["imageURL"]["urlList"][0].as_str() {
                media
                    .images
                    .push(Image::new(u).size(dim(&img["imageWidth"]), dim(&img["imageHeight"])));
            }
        }
        media.thumbnail = media.thumbnail.take().or_else(|| {
            item["imagePost"]["cover"]["imageURL"]["urlList"][0]
                .as_str()
                .map(str::to_string)
        });
    } else {
        media.duration = video["duration"].as_f64().unwrap_or(0.0);
        let (w, h) = (dim(&video["width"]), dim(&video["height"]));
        let mut gears: Vec<&Value> = video["bitrateInfo"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        gears.sort_by_key(|g| {
            std::cmp::Reverse((
                g["PlayAddr"]["Height"].as_u64().unwrap_or(0),
                g["Bitrate"].as_u64().unwrap_or(0),
            ))
        });
        for g in gears {
            let Some(u) = g["PlayAddr"]["UrlList"][0].as_str() else {
                continue;
            };
            let codec = g["CodecType"].as_str().unwrap_or_default();
            let codec = if codec.contains("265") || codec.contains("bytevc1") {
                "hevc"
            } else {
                "avc"
            };
            let gh = dim(&g["PlayAddr"]["Height"]).or(h);
            let gw = dim(&g["PlayAddr"]["Width"]).or(w);
            let quality = match (gw, gh) {
                (Some(a), Some(b)) => format!("{}p", a.min(b)),
                _ => g["GearName"].as_str().unwrap_or_default().to_string(),
            };
            media.videos.push(
                Video::new(u)
                    .quality(quality)
                    .codec(codec)
                    .size(gw, gh)
                    .bitrate(g["Bitrate"].as_u64()),
            );
        }
        if let Some(u) = video["playAddr"]
            .as_str()
            .filter(|u| !u.is_empty() && !media.videos.iter().any(|v| v.url == *u))
        {
            media.videos.push(
                Video::new(u)
                    .size(w, h)
                    .quality(video["ratio"].as_str().unwrap_or_default()),
            );
        }
        if let Some(u) = video["downloadAddr"].as_str().filter(|u| !u.is_empty()) {
            media
                .videos
                .push(Video::new(u).size(w, h).quality("download"));
        }
    }
    if let Some(u) = item["music"]["playUrl"].as_str().filter(|u| !u.is_empty()) {
        media
            .audios
            .push(Audio::new(u).quality("music").mime("audio/mpeg"));
    }
    media
}

grabkit_sdk::export_plugin!(Tiktok);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_forms() {
        let k = |u: &str| kind_of(u, LINKS);
        assert_eq!(
            k("https://www.tiktok.com/@scout2015/video/6718335390845095173"),
            Some(Link::Post)
        );
        assert_eq!(
            k("https://www.tiktok.com/@user/photo/7300000000000000001"),
            Some(Link::Post)
        );
        assert_eq!(k("https://vm.tiktok.com/ZMabcdEF/"), Some(Link::Short));
        assert_eq!(k("https://vt.tiktok.com/ZSabcd/"), Some(Link::Short));
        assert_eq!(k("https://www.tiktok.com/t/ZTRabc/"), Some(Link::Short));
        assert_eq!(
            k("https://m.tiktok.com/v/6718335390845095173.html"),
            Some(Link::Post)
        );
        for u in [
            "https://www.tiktok.com/@scout2015",
            "https://www.tiktok.com/@scout2015/live",
            "https://www.tiktok.com/search?q=cats",
            "https://www.tiktok.com/tag/cats",
            "https://lite.tiktok.com/t/abc",
        ] {
            assert_eq!(k(u), None, "{u}");
        }
    }
}
