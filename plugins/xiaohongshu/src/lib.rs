//! Xiaohongshu (RedNote): `xhslink.com` share links and note pages
//! (`/explore/{id}`, `/discovery/item/{id}`, `/user/profile/{uid}/{id}`),
//! keeping the note's `xsec_token`.
//!
//! Route: the note page's `window.__INITIAL_STATE__` →
//! `note.noteDetailMap[id].note`. Video notes give the original upload
//! (`originVideoKey`) and every stream (h264/h265/av1), image notes every
//! picture at its original size plus live-photo clips. The site increasingly
//! wants a session: a leased account's cookies (the host sends them), and
//! a page without the note answers `login-required` without one.

use grabkit_sdk::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Note,
    Short,
}

const LINKS: Links<Link> = &[
    (Link::Note, "*.xiaohongshu.com/explore/{id}"),
    (Link::Note, "*.xiaohongshu.com/discovery/item/{id}"),
    (Link::Note, "*.xiaohongshu.com/user/profile/{uid}/{id}"),
    // rednote.com: the same notes under the international name.
    (Link::Note, "*.rednote.com/explore/{id}"),
    (Link::Note, "*.rednote.com/discovery/item/{id}"),
    (Link::Short, "xhslink.com/{code}"),
    (Link::Short, "xhslink.com/{kind}/{code}"),
    (Link::Short, "xhslink.cn/{kind}/{code}"),
];

const PLATFORM: &str = "xiaohongshu";

struct Xiaohongshu;

impl Plugin for Xiaohongshu {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-xiaohongshu".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: PLATFORM.into(),
            url_patterns: patterns(LINKS),
            allowed_hosts: vec![
                "www.xiaohongshu.com".into(),
                "xhslink.com".into(),
                "xhslink.cn".into(),
            ],
            insecure_hosts: vec![],
            download_headers: vec![
                ("Referer".into(), "https://www.xiaohongshu.com/".into()),
                ("User-Agent".into(), ua::DESKTOP.into()),
            ],
            media_hosts: vec![
                "*.xhscdn.com".into(),
                "*.xhscdn.net".into(),
                "ci.xiaohongshu.com".into(),
            ],
            capabilities: Vec::new(),
        }
    }

    fn parse(input: &str) -> Result<Media> {
        let client = Client::new()
            .user_agent(ua::DESKTOP)
            .header("Referer", "https://www.xiaohongshu.com/")
            .header("Accept", "text/html,application/xhtml+xml");
        // Share texts carry `http://xhslink.com/…`; the service answers https too.
        let input = input
            .replace("http://xhslink.com", "https://xhslink.com")
            .replace("http://xhslink.cn", "https://xhslink.cn");
        let link = route_following(&input, LINKS, &client, |k| k == Link::Short)?;
        let id = link.cap("id").to_string();
        if id.len() != 24 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Error::unsupported(format!("`{id}` is not a note id")));
        }
        let mut page = format!("https://www.xiaohongshu.com/explore/{id}");
        if let Some(token) = link.query("xsec_token") {
            let source = link
                .query("xsec_source")
                .unwrap_or_else(|| "pc_share".into());
            let enc = |s: &str| {
                grabkit_sdk::url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
            };
            page = format!(
                "{page}?xsec_token={}&xsec_source={}",
                enc(&token),
                enc(&source)
            );
        }
        let note = fetch_note(&client, &page, &id)?;
        media_of(&note, &id)
    }
}

fn has_cookie() -> bool {
    account::present()
}

/// What to say when the site withholds the note.
fn session_wall(what: &str) -> Error {
    if has_cookie() {
        Error::rate_limited(format!(
            "{what} (the configured cookie was not enough: refresh it, or the host is being challenged)"
        ))
    } else {
        Error::login_required(format!(
            "{what}: Xiaohongshu wants a session; set `[plugins.xiaohongshu] config = {{ cookie = \"web_session=…; webId=…\" }}`"
        ))
    }
}

fn fetch_note(client: &Client, page: &str, id: &str) -> Result<Value> {
    let resp = client
        .get(page)
        .no_redirects()
        .send()
        .context("note page")?;
    if (300..400).contains(&resp.status) {
        let to = resp.header("location").unwrap_or_default().to_string();
        return Err(if to.contains("/404") {
            Error::not_found(format!("the note is deleted or not viewable ({to})"))
        } else if to.contains("captcha") || to.contains("login") || to.contains("error_code=3000") {
            session_wall(&format!("the note page redirected to {to}"))
        } else {
            session_wall(
                "the note page redirected to the home page (missing or foreign xsec_token?)",
            )
        });
    }
    let html = resp.error_for_status().context("note page")?.text();
    let state = json_after(&html, "window.__INITIAL_STATE__=")
        .map_err(|_| session_wall("the note page has no state"))?;
    let note = &state["note"]["noteDetailMap"][id]["note"];
    if note.as_object().is_none_or(|o| o.is_empty()) {
        return Err(session_wall("the note page came back without the note"));
    }
    Ok(note.clone())
}

fn dim(v: &Value) -> Option<u32> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n > 0)
}

/// `http://sns-webpic-qc.xhscdn.com/{time}/{hash}/{token…}!{style}` → the
/// original file `https://ci.xiaohongshu.com/{token…}` (no style, no query).
pub fn original_image(url_default: &str) -> Option<String> {
    let parts: Vec<&str> = url_default.split('/').collect();
    if parts.len() < 6 || !parts[2].ends_with("xhscdn.com") {
        return None;
    }
    let token = parts[5..].join("/");
    let token = token.split('!').next()?.split('?').next()?;
    (!token.is_empty()).then(|| format!("https://ci.xiaohongshu.com/{token}"))
}

fn media_of(note: &Value, id: &str) -> Result<Media> {
    let mut media = Media::new(PLATFORM, id);
    let title = note["title"]
        .as_str()
        .filter(|t| !t.trim().is_empty())
        .or(note["desc"].as_str())
        .unwrap_or_default();
    media.title = title.trim().to_string();
    media.author = note["user"]["nickname"].as_str().map(str::to_string);
    let images = note["imageList"].as_array().cloned().unwrap_or_default();
    media.thumbnail = images
        .first()
        .and_then(|i| i["urlDefault"].as_str())
        .map(https);
    if note["type"] == "video" {
        let video = &note["video"];
        media.duration = video["capa"]["duration"]
            .as_f64()
            .or(video["media"]["video"]["duration"].as_f64())
            .unwrap_or(0.0);
        if let Some(key) = video["consumer"]["originVideoKey"]
            .as_str()
            .filter(|k| !k.is_empty())
        {
            media.videos.push(
                Video::new(format!("https://sns-video-bd.xhscdn.com/{key}")).quality("original"),
            );
        }
        let mut streams: Vec<&Value> = ["h264", "h265", "av1", "h266"]
            .iter()
            .flat_map(|c| {
                video["media"]["stream"][*c]
                    .as_array()
                    .into_iter()
                    .flatten()
            })
            .collect();
        // Highest first; at equal height the unwatermarked stream (not 259) and the higher bitrate.
        streams.sort_by_key(|s| {
            std::cmp::Reverse((
                s["height"].as_u64().unwrap_or(0),
                s["streamType"] != 259,
                s["avgBitrate"].as_u64().unwrap_or(0),
            ))
        });
        for s in streams {
            let Some(url) = s["masterUrl"].as_str() else {
                continue;
            };
            let backups = s["backupUrls"]
                .as_array()
                .map(|a| a.iter().filter_map(|u| u.as_str().map(https)).collect())
                .unwrap_or_default();
            let quality = dim(&s["height"])
                .map(|h| format!("{h}p"))
                .unwrap_or_default();
            media.videos.push(
                Video::new(https(url))
                    .quality(quality)
                    .codec(s["videoCodec"].as_str().unwrap_or_default())
                    .size(dim(&s["width"]), dim(&s["height"]))
                    .bitrate(s["avgBitrate"].as_u64())
                    .backups(backups),
            );
        }
        if media.videos.is_empty() {
            return Err(session_wall("the video note came back without streams"));
        }
    } else {
        for img in &images {
            let Some(default) = img["urlDefault"]
                .as_str()
                .or(img["url"].as_str())
                .filter(|u| !u.is_empty())
            else {
                continue;
            };
            let url = original_image(default).unwrap_or_else(|| https(default));
            media
                .images
                .push(Image::new(url).size(dim(&img["width"]), dim(&img["height"])));
            if img["livePhoto"] == true {
                let clip = ["h264", "h265", "h266", "av1"]
                    .iter()
                    .find_map(|c| img["stream"][*c][0]["masterUrl"].as_str());
                if let Some(clip) = clip {
                    media.videos.push(
                        Video::new(https(clip))
                            .quality("live photo")
                            .size(dim(&img["width"]), dim(&img["height"])),
                    );
                }
            }
        }
    }
    Ok(media)
}

grabkit_sdk::export_plugin!(Xiaohongshu);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_forms() {
        let k = |u: &str| kind_of(u, LINKS);
        assert_eq!(
            k(
                "https://www.xiaohongshu.com/explore/6411cf99000000001300b6d9?xsec_token=AB1=&xsec_source=pc_feed"
            ),
            Some(Link::Note)
        );
        assert_eq!(
            k("https://www.xiaohongshu.com/discovery/item/6411cf99000000001300b6d9"),
            Some(Link::Note)
        );
        assert_eq!(
            k("http://xhslink.com/a/jqL6B32eU0F7，复制本条信息，打开【小红书】App"),
            Some(Link::Short)
        );
        assert_eq!(k("https://xhslink.com/WNd9gI"), Some(Link::Short));
        assert_eq!(
            k("https://www.xiaohongshu.com/user/profile/5b24961811be105dfe1079d4"),
            None
        );
        assert_eq!(
            k("https://www.xiaohongshu.com/search_result?keyword=cat"),
            None
        );
        assert_eq!(k("https://www.xiaohongshu.com/board/5b2"), None);
    }

    #[test]
    fn original_image_urls() {
        assert_eq!(original_image("http://sns-webpic-qc.xhscdn.com/202510201140/82a3dc76/110/0/01e8f4e9_0.jpg!nd_dft_wgth_webp_3").as_deref(), Some("https://ci.xiaohongshu.com/110/0/01e8f4e9_0.jpg"));
        assert_eq!(original_image("http://sns-webpic-qc.xhscdn.com/202510201140/82a3/notes_pre_post/1040g2sg31!nd_dft_wlteh_jpg_3").as_deref(), Some("https://ci.xiaohongshu.com/notes_pre_post/1040g2sg31"));
        assert_eq!(original_image("https://example.com/a/b/c/d/e"), None);
    }
}
