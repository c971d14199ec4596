//! Kuaishou: share links (`v.kuaishou.com/{code}`, `kuaishou.com/f/{token}`),
//! share pages (`chenzhongtech.com` / `gifshow.com` / `c.kuaishou.com` `/fw/photo/{id}`)
//! and desktop links (`kuaishou.com/short-video/{id}`).
//!
//! Routes: the mobile share page's `window.INIT_STATE` (no login), whose
//! `…/photo/simple/info` entry holds the post: `manifest` representations
//! for videos, `ext_params.atlas` for image sets, the cover for single pictures;
//! with a leased account, GraphQL `visionVideoDetail` second.
//!
//! Beyond parse (see `data`): comments, replies, profiles and a user's posts
//! through the web GraphQL API with a leased account; a post's author
//! and live rooms as a guest.

mod data;
mod graphql;

use grabkit_sdk::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    SharePage,
    LongVideo,
    Desktop,
    Short,
}

const LINKS: Links<Link> = &[
    (Link::SharePage, "*.chenzhongtech.com/fw/photo/{id}"),
    (Link::SharePage, "*.gifshow.com/fw/photo/{id}"),
    (Link::SharePage, "c.kuaishou.com/fw/photo/{id}"),
    (Link::LongVideo, "*.chenzhongtech.com/fw/long-video/{id}"),
    (Link::LongVideo, "*.chenzhongtech.com/fw/next-photo/{id}"),
    (Link::Desktop, "*.kuaishou.com/short-video/{id}"),
    (Link::Desktop, "*.kuaishou.cn/short-video/{id}"),
    (Link::Short, "v.kuaishou.com/{code}"),
    (Link::Short, "v.kuaishou.com/s/{code}"),
    (Link::Short, "*.kuaishou.com/f/{token}"),
];

/// A user's profile.
const USER_LINKS: Links<()> = &[
    ((), "*.kuaishou.com/profile/{uid}"),
    ((), "live.kuaishou.com/profile/{uid}"),
];

/// A user's live room.
const LIVE_LINKS: Links<()> = &[((), "live.kuaishou.com/u/{uid}")];

pub(crate) const PLATFORM: &str = "kuaishou";

fn client() -> Client {
    Client::new()
        .user_agent(ua::IOS)
        .header("Referer", "https://v.kuaishou.com/")
        .header("Accept-Language", "zh-CN,zh;q=0.9")
}

struct Kuaishou;

impl Plugin for Kuaishou {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-kuaishou".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: PLATFORM.into(),
            url_patterns: patterns(LINKS),
            allowed_hosts: vec![
                "v.kuaishou.com".into(),
                "www.kuaishou.com".into(),
                "c.kuaishou.com".into(),
                "*.chenzhongtech.com".into(),
                "*.gifshow.com".into(),
                "live.kuaishou.com".into(),
            ],
            insecure_hosts: vec![],
            download_headers: vec![
                ("Referer".into(), "https://www.kuaishou.com/".into()),
                ("User-Agent".into(), ua::IOS.into()),
            ],
            media_hosts: vec![
                "*.kwaicdn.com".into(),
                "*.kwimgs.com".into(),
                "*.yximgs.com".into(),
                "*.oskwai.com".into(),
                "*.kuaishou.com".into(),
                "*.gifshow.com".into(),
            ],
            capabilities: vec![
                Capability::new(CapabilityKind::Comments, Vec::new()),
                Capability::new(CapabilityKind::Profile, patterns(USER_LINKS)),
                Capability::new(CapabilityKind::Posts, patterns(USER_LINKS)),
                Capability::new(CapabilityKind::Live, patterns(LIVE_LINKS)),
            ],
        }
    }

    fn parse(input: &str) -> Result<Media> {
        let client = client();
        let page = share_page(&client, input)?;
        let shared = || fetch_photo(&client, &page).map(|photo| media_of(&photo));
        // With the operator's session, GraphQL is the second route.
        if !graphql::has_session() {
            return shared();
        }
        let id = photo_in(&page)?;
        first_answer(&[
            ("share page", &shared),
            ("GraphQL detail", &|| data::detail(&id)),
        ])
    }

    fn comments(url: &str, page: Page) -> Result<CommentPage> {
        data::comments(&photo_id(url)?, &page)
    }

    fn replies(url: &str, comment_id: &str, page: Page) -> Result<CommentPage> {
        data::replies(&photo_id(url)?, comment_id, &page)
    }

    fn profile(url: &str) -> Result<User> {
        if let Some(uid) = user_of(url)? {
            return data::profile(&uid);
        }
        let client = client();
        let photo = fetch_photo(&client, &share_page(&client, url)?)?;
        data::author(&photo)
    }

    fn posts(url: &str, page: Page) -> Result<PostPage> {
        let uid = user_of(url)?
            .ok_or_else(|| Error::unsupported(format!("{url} is not a Kuaishou profile link")))?;
        data::posts(&uid, &page)
    }

    fn live(url: &str) -> Result<LiveRoom> {
        let link = route(url, LIVE_LINKS)?;
        data::live(link.cap("uid"))
    }
}

/// The user a profile link names, a short link to one followed; `None`
/// for a post link.
fn user_of(input: &str) -> Result<Option<String>> {
    let short = |k| k == Link::Short;
    let user = route_through_short(input, USER_LINKS, LINKS, &client(), short)?;
    Ok(user.map(|m| m.cap("uid").to_string()))
}

/// The photo id a post link names (short links followed).
fn photo_id(input: &str) -> Result<String> {
    photo_in(&share_page(&client(), input)?)
}

/// The photo id in a share page's URL.
fn photo_in(page: &str) -> Result<String> {
    let path = page.split('?').next().unwrap_or_default();
    let id = path.rsplit('/').next().unwrap_or_default();
    Some(id.to_string())
        .filter(|i| !i.is_empty())
        .ok_or_else(|| Error::unsupported(format!("{page} names no Kuaishou post")))
}

/// The mobile share page of the post `input` names.
fn share_page(client: &Client, input: &str) -> Result<String> {
    let link = route_following(input, LINKS, client, |k| k == Link::Short)?;
    Ok(match link.kind {
        Link::SharePage => link.url.to_string(),
        // Long-video pages render differently; the photo page has the state.
        Link::LongVideo => link
            .url
            .to_string()
            .replacen("/fw/long-video/", "/fw/photo/", 1)
            .replacen("/fw/next-photo/", "/fw/photo/", 1),
        Link::Desktop => format!("https://v.m.chenzhongtech.com/fw/photo/{}", link.cap("id")),
        Link::Short => unreachable!("route_following resolves short links"),
    })
}

/// The share page's `photo` object, or the error its state reports.
fn fetch_photo(client: &Client, page: &str) -> Result<Value> {
    let resp = client
        .get(page)
        .no_redirects()
        .send()
        .context("share page")?;
    if (300..400).contains(&resp.status) {
        let to = resp.header("location").unwrap_or_default();
        return Err(if to.contains("captcha") {
            Error::rate_limited(format!("Kuaishou asks for a captcha ({to})"))
        } else {
            Error::upstream(format!("share page redirected to {to}"))
        });
    }
    let html = resp.error_for_status().context("share page")?.text();
    if !html.contains("INIT_STATE") {
        // A desktop-looking client gets `{"result":2}` instead of the page.
        let v: Value = serde_json::from_str(html.trim()).unwrap_or(Value::Null);
        return Err(result_error(v["result"].as_i64().unwrap_or(0)));
    }
    let state = json_after(&html, "window.INIT_STATE = ")
        .or_else(|_| json_after(&html, "window.INIT_STATE="))?;
    let entries = state
        .as_object()
        .ok_or_else(|| Error::parse("INIT_STATE is not an object"))?;
    if let Some(photo) = entries.values().find_map(|v| v["photo"].as_object()) {
        return Ok(Value::Object(photo.clone()));
    }
    // No post in the state: report the first failing request's code.
    let code = entries
        .values()
        .filter_map(|v| v["result"].as_i64())
        .find(|&r| r != 1)
        .unwrap_or(0);
    Err(result_error(code))
}

/// Kuaishou's `result` codes, in our terms.
fn result_error(code: i64) -> Error {
    match code {
        2 | 2001 | 50 | 400002 => Error::rate_limited(format!(
            "Kuaishou refused the request (result {code}: anti-bot or IP cooldown)"
        )),
        _ => Error::not_found(format!(
            "the post is not available (result {code}); it may be deleted or private"
        )),
    }
}

fn media_of(photo: &Value) -> Media {
    let id = photo["photoId"]
        .as_str()
        .map(str::to_string)
        .or_else(|| photo["photoId"].as_u64().map(|n| n.to_string()))
        .unwrap_or_default();
    let mut media = Media::new(PLATFORM, id);
    media.title = photo["caption"].as_str().unwrap_or_default().to_string();
    media.author = photo["userName"]
        .as_str()
        .map(|n| n.replace('\u{3164}', "").trim().to_string());
    media.thumbnail = photo["coverUrls"][0]["url"].as_str().map(str::to_string);
    // Milliseconds.
    media.published_at = photo["timestamp"].as_i64().map(|ms| ms / 1000);
    media.stats = Stats {
        views: photo["viewCount"].as_u64(),
        likes: photo["likeCount"].as_u64(),
        comments: photo["commentCount"].as_u64(),
        shares: None,
    };
    match photo["photoType"].as_str().unwrap_or("VIDEO") {
        "VERTICAL_ATLAS" | "HORIZONTAL_ATLAS" => atlas(&photo["ext_params"]["atlas"], &mut media),
        "SINGLE_PICTURE" => {
            media.images.extend(media.thumbnail.clone().map(Image::new));
            atlas(&photo["ext_params"]["single"], &mut media);
        }
        _ => {
            media.duration = photo["duration"]
                .as_f64()
                .map(|ms| ms / 1000.0)
                .unwrap_or(0.0);
            media.videos = videos(photo);
        }
    }
    media
}

/// Every manifest representation, best first (height, then bitrate; avc
/// before hevc at equal size for players that lack HEVC); `mainMvUrls` when there is no manifest.
fn videos(photo: &Value) -> Vec<Video> {
    let mut reps: Vec<&Value> = photo["manifest"]["adaptationSet"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|a| a["representation"].as_array().into_iter().flatten())
        .filter(|r| r["hidden"] != true)
        .collect();
    reps.sort_by_key(|r| {
        std::cmp::Reverse((
            r["height"].as_u64().unwrap_or(0),
            r["videoCodec"] != "hevc",
            r["avgBitrate"].as_u64().unwrap_or(0),
        ))
    });
    let dim = |v: &Value| {
        v.as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|&n| n > 0)
    };
    let mut out: Vec<Video> = reps
        .into_iter()
        .filter_map(|r| {
            let url = r["url"].as_str()?;
            let backups = r["backupUrl"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|u| u.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let v = Video::new(url)
                .quality(r["qualityType"].as_str().unwrap_or_default())
                .codec(r["videoCodec"].as_str().unwrap_or_default())
                .size(dim(&r["width"]), dim(&r["height"]))
                .bitrate(r["avgBitrate"].as_u64().map(|kbps| kbps * 1000))
                .backups(backups);
            Some(if url.contains(".m3u8") {
                v.source(VideoSource::Hls)
                    .mime("application/vnd.apple.mpegurl")
            } else {
                v
            })
        })
        .collect();
    if out.is_empty() {
        out = photo["mainMvUrls"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["url"].as_str())
            .take(1)
            .map(|u| Video::new(u).size(dim(&photo["width"]), dim(&photo["height"])))
            .collect();
    }
    out
}

/// Image-set pictures (`https://{cdn}{path}`) and the set's music.
fn atlas(node: &Value, media: &mut Media) {
    let cdn = node["cdn"][0]
        .as_str()
        .or(node["cdnList"][0]["cdn"].as_str());
    if let Some(cdn) = cdn {
        for (i, path) in node["list"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str())
            .enumerate()
        {
            let size = &node["size"][i];
            let dim = |v: &Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
            media.images.push(
                Image::new(format!("https://{cdn}{path}")).size(dim(&size["w"]), dim(&size["h"])),
            );
        }
    }
    if let (Some(music), Some(mcdn)) = (
        node["music"].as_str(),
        node["musicCdnList"][0]["cdn"].as_str(),
    ) {
        media
            .audios
            .push(Audio::new(format!("https://{mcdn}{music}")).quality("music"));
    }
}

grabkit_sdk::export_plugin!(Kuaishou);

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(u: &str) -> Option<Link> {
        kind_of(u, LINKS)
    }

    #[test]
    fn seed_forms_route_and_other_pages_do_not() {
        assert_eq!(
            kind("https://www.kuaishou.com/short-video/3xhjgcmir24m4nm"),
            Some(Link::Desktop)
        );
        assert_eq!(
            kind("https://www.kuaishou.com/f/X3t3Ee6o1L7gqHe"),
            Some(Link::Short)
        );
        assert_eq!(kind("https://v.kuaishou.com/2yQz3k"), Some(Link::Short));
        assert_eq!(
            kind("https://m.gifshow.com/fw/photo/3xhjgcmir24m4nm"),
            Some(Link::SharePage)
        );
        assert_eq!(
            kind("https://v.m.chenzhongtech.com/fw/photo/3xhjgcmir24m4nm?fid=1&cc=share_copylink"),
            Some(Link::SharePage)
        );
        assert_eq!(
            kind("https://v.m.chenzhongtech.com/fw/long-video/3xhjgcmir24m4nm"),
            Some(Link::LongVideo)
        );
        for u in [
            "https://www.kuaishou.com/profile/3xabc",
            "https://www.kuaishou.com/search/video?searchKey=x",
            "https://live.kuaishou.com/u/3xabc",
            "https://www.kuaishou.com/brilliant",
        ] {
            assert_eq!(kind(u), None, "{u}");
        }
    }
}
