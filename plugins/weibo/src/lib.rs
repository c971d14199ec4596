//! Weibo: status links (`weibo.com/{uid}/{bid|mid}`, `m.weibo.cn/status|detail/{id}`),
//! video pages (`weibo.com/tv/show/1034:{id}`, `video.weibo.com/show?fid=1034:{id}`),
//! and `t.cn` / `mapp.api.weibo.cn/fx/…` share links.
//!
//! Routes for statuses, in order: the mobile PWA JSON
//! `m.weibo.cn/statuses/show?id=` (with `statuses/extend` for long text);
//! then the desktop `weibo.com/ajax/statuses/show` with a visitor cookie
//! (see `desktop`). Video pages: the cookie-less
//! `h5.video.weibo.com/api/component` (`Component_Play_Playinfo`).
//! A retweet without media of its own gives the original's media.

mod desktop;
mod status;
mod video;

use grabkit_sdk::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Status,
    TvShow,
    VideoShow,
    Short,
}

const LINKS: Links<Link> = &[
    (Link::Status, "*.weibo.com/{uid:num}/{id}"),
    (Link::Status, "m.weibo.cn/status/{id}"),
    (Link::Status, "m.weibo.cn/detail/{id}"),
    (Link::Status, "m.weibo.cn/{uid:num}/{id}"),
    (Link::Status, "weibo.cn/detail/{id}"),
    // Video ids are decimal or hexadecimal.
    (Link::TvShow, "*.weibo.com/tv/show/1034:{fid}"),
    (Link::TvShow, "h5.video.weibo.com/show/1034:{fid}"),
    (Link::TvShow, "video.h5.weibo.cn/1034:{fid}/{mid}"),
    (Link::VideoShow, "video.weibo.com/show?fid=1034:{fid}"),
    (Link::Short, "t.cn/{code}"),
    (Link::Short, "mapp.api.weibo.cn/fx/{page}"),
];

pub(crate) const PLATFORM: &str = "weibo";

struct Weibo;

impl Plugin for Weibo {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-weibo".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: PLATFORM.into(),
            url_patterns: patterns(LINKS),
            allowed_hosts: vec![
                "m.weibo.cn".into(),
                "weibo.com".into(),
                "passport.weibo.com".into(),
                "h5.video.weibo.com".into(),
                "t.cn".into(),
                "mapp.api.weibo.cn".into(),
            ],
            insecure_hosts: vec!["t.cn".into()],
            download_headers: vec![
                ("Referer".into(), "https://weibo.com/".into()),
                ("User-Agent".into(), ua::DESKTOP.into()),
            ],
            media_hosts: vec![
                "*.sinaimg.cn".into(),
                "*.weibocdn.com".into(),
                "video.weibo.com".into(),
            ],
            capabilities: Vec::new(),
        }
    }

    fn parse(input: &str) -> Result<Media> {
        let link = route_following(input, LINKS, &Client::new().user_agent(ua::IOS), |k| {
            k == Link::Short
        })?;
        match link.kind {
            Link::Status => by_status(link.cap("id")),
            // A video page that names its status goes through the status (richer data).
            Link::TvShow | Link::VideoShow => match link
                .query("mid")
                .filter(|m| m.chars().all(|c| c.is_ascii_digit()) && !m.is_empty())
            {
                Some(mid) => by_status(&mid),
                None => video::parse(link.cap("fid")),
            },
            Link::Short => unreachable!("route_following resolves short links"),
        }
    }
}

/// A status through the mobile route, else the desktop one.
fn by_status(id: &str) -> Result<Media> {
    first_answer(&[
        ("m.weibo.cn", &|| status::parse(id)),
        ("weibo.com", &|| desktop::parse(id)),
    ])
}

/// Video quality from a Weibo CDN URL's `label=` (mp4_720p → 720p) or a UI label ("高清 1080P").
pub(crate) fn quality_of(url: &str, fallback: &str) -> String {
    let label = url
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("label="))
        .unwrap_or(fallback);
    // The number right before a `p`/`P` ("mp4_720p", "高清 1080P"; not the 4 of "mp4").
    let chars: Vec<char> = label.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if (*c == 'p' || *c == 'P') && i > 0 && chars[i - 1].is_ascii_digit() {
            let start = chars[..i]
                .iter()
                .rposition(|c| !c.is_ascii_digit())
                .map_or(0, |p| p + 1);
            return format!("{}p", chars[start..i].iter().collect::<String>());
        }
    }
    match label {
        "mp4_hd" | "mp4_hd_mp4" | "mp4_hd_url" | "stream_url_hd" => "480p".into(),
        "mp4_ld" | "mp4_ld_mp4" | "mp4_sd_url" | "stream_url" => "360p".into(),
        _ => String::new(),
    }
}

/// Width and height from a CDN URL's `template=WxH…`.
pub(crate) fn template_size(url: &str) -> (Option<u32>, Option<u32>) {
    let Some(t) = url
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("template="))
    else {
        return (None, None);
    };
    let dims = t.split('.').next().unwrap_or("");
    let mut it = dims.split('x').map(|n| n.parse::<u32>().ok());
    (it.next().flatten(), it.next().flatten())
}

grabkit_sdk::export_plugin!(Weibo);

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(u: &str) -> Option<Link> {
        kind_of(u, LINKS)
    }

    #[test]
    fn seed_forms_route_and_other_pages_do_not() {
        assert_eq!(
            kind("https://weibo.com/6152576398/H3fcUCMsV"),
            Some(Link::Status)
        );
        assert_eq!(
            kind("https://weibo.com/6152576398/4307734449242769"),
            Some(Link::Status)
        );
        assert_eq!(
            kind("https://m.weibo.cn/status/4307734449242769"),
            Some(Link::Status)
        );
        assert_eq!(
            kind("https://m.weibo.cn/detail/Q0KtXh6z2"),
            Some(Link::Status)
        );
        assert_eq!(
            kind("https://weibo.com/tv/show/1034:4307734431224746"),
            Some(Link::TvShow)
        );
        assert_eq!(
            kind("https://video.weibo.com/show?fid=1034:4307734431224746"),
            Some(Link::VideoShow)
        );
        assert_eq!(kind("http://t.cn/E2JUxBL"), Some(Link::Short));
        assert_eq!(
            kind("https://mapp.api.weibo.cn/fx/8102df2b26100b2e608e6498a0d3cfe2.html"),
            Some(Link::Short)
        );
        for u in [
            "https://weibo.com/u/6152576398",
            "https://weibo.com/n/name",
            "https://s.weibo.com/weibo?q=x",
            "https://weibo.com/ttarticle/p/show?id=1",
            "https://weibo.com/p/1008087a/super_index",
            "https://m.weibo.cn/p/index?containerid=1",
        ] {
            assert_eq!(kind(u), None, "{u}");
        }
    }

    #[test]
    fn qualities_and_sizes_from_urls() {
        assert_eq!(
            quality_of(
                "https://f.video.weibocdn.com/o0/x.mp4?label=mp4_720p&template=720x1280.24.0",
                ""
            ),
            "720p"
        );
        assert_eq!(
            quality_of("https://f/x.mp4?label=mp4_hd&template=480x852.24.0", ""),
            "480p"
        );
        assert_eq!(quality_of("https://f/x.mp4", "高清 1080P"), "1080p");
        assert_eq!(
            template_size("https://f/x.mp4?label=mp4_720p&template=720x1280.24.0&Expires=1"),
            (Some(720), Some(1280))
        );
        assert_eq!(
            https("//f.video.weibocdn.com/a"),
            "https://f.video.weibocdn.com/a"
        );
    }
}
