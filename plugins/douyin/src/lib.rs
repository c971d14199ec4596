//! Douyin: `v.douyin.com` share links, `douyin.com/video|note|slides|share/…`,
//! `modal_id=` pages, and media CDN links (returned as the media itself).
//!
//! Routes, in order (no cookie, no signature, an iPhone's user agent):
//! 1. the `slidesinfo` API (`iesdouyin.com/web/api/v2/aweme/slidesinfo/`)
//!    for videos, notes and slides alike, asked again with
//!    `request_source=200` when it answers empty (notes need it);
//! 2. the iesdouyin share page, whose `window._ROUTER_DATA` held
//!    `videoInfoRes.item_list[0]` until 2026-08-08 and still tells why a
//!    post is filtered (private, deleted, region): a fallback only.
//!
//! Beyond parse (see `data` and `web`): a post's author from `slidesinfo`
//! as a guest; comments, profiles, a user's posts, search and live rooms
//! through the web API with a leased account (no `a_bogus` signer).

mod data;
mod item;
mod web;

use grabkit_sdk::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Video,
    Note,
    Slides,
    Modal,
    Cdn,
    Short,
}

const LINKS: Links<Link> = &[
    (Link::Video, "*.douyin.com/video/{id:num}"),
    (Link::Video, "*.douyin.com/share/video/{id:num}"),
    (Link::Video, "*.douyin.com/shipin/{id:num}"),
    (Link::Video, "*.douyin.com/vsdetail/{id:num}"),
    (Link::Video, "*.iesdouyin.com/share/video/{id:num}"),
    (Link::Video, "jingxuan.douyin.com/m/video/{id:num}"),
    // A video opened on its author's profile.
    (Link::Video, "*.douyin.com/user/*?vid={id:num}"),
    (Link::Note, "*.douyin.com/note/{id:num}"),
    (Link::Note, "*.douyin.com/share/note/{id:num}"),
    (Link::Note, "*.iesdouyin.com/share/note/{id:num}"),
    (Link::Slides, "*.douyin.com/slides/{id:num}"),
    (Link::Slides, "*.douyin.com/share/slides/{id:num}"),
    (Link::Slides, "*.iesdouyin.com/share/slides/{id:num}"),
    (Link::Modal, "*.douyin.com/**?modal_id={id:num}"),
    (Link::Cdn, "*.douyinvod.com/**"),
    (Link::Cdn, "*.douyinpic.com/**"),
    (Link::Cdn, "*.douyinstatic.com/**"),
    (Link::Short, "v.douyin.com/{code}"),
    (Link::Short, "jx.douyin.com/{code}"),
];

/// A user's profile (a video opened on it, `?vid=`, is a post link).
const USER_LINKS: Links<()> = &[
    ((), "*.douyin.com/user/{sec_uid}"),
    ((), "*.iesdouyin.com/share/user/{sec_uid}"),
];

/// A live room by its web id.
const LIVE_LINKS: Links<()> = &[((), "live.douyin.com/{web_rid:num}")];

pub(crate) const PLATFORM: &str = "douyin";

struct Douyin;

impl Plugin for Douyin {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-douyin".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: PLATFORM.into(),
            url_patterns: patterns(LINKS),
            allowed_hosts: vec![
                "v.douyin.com".into(),
                "jx.douyin.com".into(),
                "www.iesdouyin.com".into(),
                "www.douyin.com".into(),
                "live.douyin.com".into(),
            ],
            insecure_hosts: vec![],
            download_headers: vec![
                ("Referer".into(), "https://www.douyin.com/".into()),
                ("User-Agent".into(), ua::DESKTOP.into()),
            ],
            media_hosts: vec![
                "*.douyinvod.com".into(),
                "*.douyinpic.com".into(),
                "*.douyinstatic.com".into(),
                "*.douyincdn.com".into(),
                "*.zjcdn.com".into(),
                "*.amemv.com".into(),
                "*.snssdk.com".into(),
                "*.iesdouyin.com".into(),
            ],
            capabilities: vec![
                Capability::new(CapabilityKind::Comments, Vec::new()),
                Capability::new(CapabilityKind::Profile, patterns(USER_LINKS)),
                Capability::new(CapabilityKind::Posts, patterns(USER_LINKS)),
                Capability::new(CapabilityKind::Search, Vec::new()),
                Capability::new(CapabilityKind::Live, patterns(LIVE_LINKS)),
            ],
        }
    }

    fn comments(url: &str, page: Page) -> Result<CommentPage> {
        data::comments(&post_id(url)?, &page)
    }

    fn replies(url: &str, comment_id: &str, page: Page) -> Result<CommentPage> {
        data::replies(&post_id(url)?, comment_id, &page)
    }

    fn profile(url: &str) -> Result<User> {
        match user_of(url)? {
            Some(sec_uid) => data::profile(&sec_uid),
            None => data::author_of(&Client::new().user_agent(ua::IOS), &post_id(url)?),
        }
    }

    fn posts(url: &str, page: Page) -> Result<PostPage> {
        let sec_uid = user_of(url)?
            .ok_or_else(|| Error::unsupported(format!("{url} is not a Douyin profile link")))?;
        data::posts(&sec_uid, &page)
    }

    fn search(query: &str, kind: SearchKind, page: Page) -> Result<SearchPage> {
        data::search(query, kind, &page)
    }

    fn live(url: &str) -> Result<LiveRoom> {
        data::live(route(url, LIVE_LINKS)?.cap("web_rid"))
    }

    fn parse(input: &str) -> Result<Media> {
        let client = Client::new().user_agent(ua::IOS);
        let link = route_following(input, LINKS, &client, |k| k == Link::Short)?;
        let id = link.cap("id").to_string();
        let page = match link.kind {
            Link::Video | Link::Modal => "video",
            Link::Note => "note",
            // Slides' share pages never carried the item.
            Link::Slides => return item::from_slidesinfo(&client, &id),
            Link::Cdn => return Ok(cdn_media(&link.url)),
            Link::Short => unreachable!("route_following resolves short links"),
        };
        first_answer(&[
            ("slidesinfo", &|| item::from_slidesinfo(&client, &id)),
            ("share page", &|| item::from_share_page(&client, page, &id)),
        ])
    }
}

/// The user a profile link names (a short link to one followed); `None`
/// for a post link, including a video opened on a profile (`?vid=`).
fn user_of(input: &str) -> Result<Option<String>> {
    let client = Client::new().user_agent(ua::IOS);
    let user = route_through_short(input, USER_LINKS, LINKS, &client, |k| k == Link::Short)?;
    Ok(user
        .filter(|u| u.query("vid").is_none())
        .map(|u| u.cap("sec_uid").to_string()))
}

/// The aweme id a post link names (short links followed).
fn post_id(input: &str) -> Result<String> {
    let client = Client::new().user_agent(ua::IOS);
    let link = route_following(input, LINKS, &client, |k| k == Link::Short)?;
    match link.kind {
        Link::Cdn => Err(Error::not_supported("a media file link names no post")),
        _ => Ok(link.cap("id").to_string()),
    }
}

/// A CDN link is already the media: describe it without fetching.
fn cdn_media(url: &Url) -> Media {
    let host = url.host_str().unwrap_or_default();
    let s = url.as_str();
    let id = url
        .path_segments()
        .and_then(|mut p| p.rfind(|x| !x.is_empty()).map(str::to_string))
        .unwrap_or_else(|| "media".into());
    let mut media = Media::new(PLATFORM, id);
    if host.ends_with("douyinpic.com") {
        media.images.push(Image::new(s));
    } else if host.ends_with("douyinstatic.com") && (s.contains(".mp3") || s.contains("ies-music"))
    {
        media.audios.push(Audio::new(s).mime("audio/mpeg"));
    } else if host.ends_with("douyinstatic.com")
        && [".jpeg", ".jpg", ".png", ".webp"]
            .iter()
            .any(|e| s.contains(e))
    {
        media.images.push(Image::new(s));
    } else {
        media.videos.push(Video::new(s));
    }
    media
}

grabkit_sdk::export_plugin!(Douyin);

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(u: &str) -> Option<Link> {
        kind_of(u, LINKS)
    }

    #[test]
    fn seed_forms_route_and_other_pages_do_not() {
        assert_eq!(kind("https://v.douyin.com/iP6Uu1Kh/"), Some(Link::Short));
        assert_eq!(
            kind("https://www.douyin.com/video/7468908569061100857"),
            Some(Link::Video)
        );
        assert_eq!(
            kind("https://www.douyin.com/share/video/7468908569061100857"),
            Some(Link::Video)
        );
        assert_eq!(
            kind("https://www.douyin.com/note/7469411074119322899"),
            Some(Link::Note)
        );
        assert_eq!(
            kind("https://www.douyin.com/share/note/7469411074119322899"),
            Some(Link::Note)
        );
        assert_eq!(
            kind("https://www.douyin.com/shipin/7468908569061100857"),
            Some(Link::Video)
        );
        assert_eq!(
            kind("https://www.douyin.com/vsdetail/7468908569061100857"),
            Some(Link::Video)
        );
        assert_eq!(
            kind("https://www.douyin.com/jingxuan?modal_id=7468908569061100857"),
            Some(Link::Modal)
        );
        assert_eq!(
            kind(
                "https://www.douyin.com/user/MS4wLjABAAAA?from_tab_name=main&vid=7468908569061100857"
            ),
            Some(Link::Video)
        );
        assert_eq!(
            kind("https://v26-web.douyinvod.com/abc/video/tos/cn/x/?mime_type=video_mp4"),
            Some(Link::Cdn)
        );
        for u in [
            "https://www.douyin.com/user/MS4wLjABAAAA",
            "https://www.douyin.com/search/猫",
            "https://live.douyin.com/123",
            "https://www.douyin.com/follow",
            "https://www.douyin.com/collection/7123",
        ] {
            assert_eq!(kind(u), None, "{u}");
        }
    }

    #[test]
    fn cdn_links_are_the_media() {
        let m = cdn_media(
            &Url::parse("https://p3-sign.douyinpic.com/tos-cn-i-0813/abc~tplv.jpeg?x=1").unwrap(),
        );
        assert_eq!(m.images.len(), 1);
        let m = cdn_media(
            &Url::parse("https://sf6-cdn-tos.douyinstatic.com/obj/ies-music/6963.mp3").unwrap(),
        );
        assert_eq!((m.audios.len(), m.id.as_str()), (1, "6963.mp3"));
        let m = cdn_media(
            &Url::parse("https://v26-web.douyinvod.com/abc/video/tos/cn/x/?mime_type=video_mp4")
                .unwrap(),
        );
        assert_eq!(m.videos.len(), 1);
    }
}
