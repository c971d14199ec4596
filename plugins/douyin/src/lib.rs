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

mod item;

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
            capabilities: Vec::new(),
        }
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
