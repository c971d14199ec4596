//! X / Twitter: `x.com|twitter.com/{user}/status/{id}` (also `mobile.`,
//! `/photo/N`, `/video/N`). Routes, in order (the log says which answered):
//! 1. syndication (`cdn.syndication.twimg.com/tweet-result`): no login, no
//!    guest token;
//! 2. GraphQL `TweetResultByRestId` on `api.x.com` with a guest token kept in
//!    `kv`: for tweets (or media) syndication misses.
//!
//! Photos come at original size, videos and GIFs with every mp4 variant plus
//! HLS, and a quoted tweet's media when the tweet has none of its own.

mod graphql;
mod syndication;
mod token;
mod tweet;

use grabkit_sdk::prelude::*;
use tweet::Tweet;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Status,
}

/// Every form of a tweet's link, on X, Twitter and the embed mirrors
/// (`vxtwitter`, `fixvx`, `fxtwitter`, `fixupx`: the same tweet).
const LINKS: Links<Link> = &[
    (Link::Status, "*.x.com/{user}/status/{id:num}"),
    (Link::Status, "*.x.com/{user}/status/{id:num}/photo/{n:num}"),
    (Link::Status, "*.x.com/{user}/status/{id:num}/video/{n:num}"),
    (Link::Status, "*.x.com/{user}/status/{id:num}/mediaViewer"),
    (Link::Status, "*.x.com/{user}/statuses/{id:num}"),
    (Link::Status, "*.x.com/i/web/status/{id:num}"),
    (Link::Status, "*.x.com/i/bookmarks?post_id={id:num}"),
    (Link::Status, "*.twitter.com/{user}/status/{id:num}"),
    (
        Link::Status,
        "*.twitter.com/{user}/status/{id:num}/photo/{n:num}",
    ),
    (
        Link::Status,
        "*.twitter.com/{user}/status/{id:num}/video/{n:num}",
    ),
    (
        Link::Status,
        "*.twitter.com/{user}/status/{id:num}/mediaViewer",
    ),
    (Link::Status, "*.twitter.com/{user}/statuses/{id:num}"),
    (Link::Status, "*.twitter.com/i/web/status/{id:num}"),
    (Link::Status, "*.twitter.com/i/bookmarks?post_id={id:num}"),
    (Link::Status, "*.vxtwitter.com/{user}/status/{id:num}"),
    (
        Link::Status,
        "*.vxtwitter.com/{user}/status/{id:num}/photo/{n:num}",
    ),
    (
        Link::Status,
        "*.vxtwitter.com/{user}/status/{id:num}/video/{n:num}",
    ),
    (
        Link::Status,
        "*.vxtwitter.com/{user}/status/{id:num}/mediaViewer",
    ),
    (Link::Status, "*.vxtwitter.com/{user}/statuses/{id:num}"),
    (Link::Status, "*.vxtwitter.com/i/web/status/{id:num}"),
    (Link::Status, "*.fixvx.com/{user}/status/{id:num}"),
    (
        Link::Status,
        "*.fixvx.com/{user}/status/{id:num}/photo/{n:num}",
    ),
    (
        Link::Status,
        "*.fixvx.com/{user}/status/{id:num}/video/{n:num}",
    ),
    (
        Link::Status,
        "*.fixvx.com/{user}/status/{id:num}/mediaViewer",
    ),
    (Link::Status, "*.fixvx.com/{user}/statuses/{id:num}"),
    (Link::Status, "*.fixvx.com/i/web/status/{id:num}"),
    (Link::Status, "*.fxtwitter.com/{user}/status/{id:num}"),
    (
        Link::Status,
        "*.fxtwitter.com/{user}/status/{id:num}/photo/{n:num}",
    ),
    (
        Link::Status,
        "*.fxtwitter.com/{user}/status/{id:num}/video/{n:num}",
    ),
    (
        Link::Status,
        "*.fxtwitter.com/{user}/status/{id:num}/mediaViewer",
    ),
    (Link::Status, "*.fxtwitter.com/{user}/statuses/{id:num}"),
    (Link::Status, "*.fxtwitter.com/i/web/status/{id:num}"),
    (Link::Status, "*.fixupx.com/{user}/status/{id:num}"),
    (
        Link::Status,
        "*.fixupx.com/{user}/status/{id:num}/photo/{n:num}",
    ),
    (
        Link::Status,
        "*.fixupx.com/{user}/status/{id:num}/video/{n:num}",
    ),
    (
        Link::Status,
        "*.fixupx.com/{user}/status/{id:num}/mediaViewer",
    ),
    (Link::Status, "*.fixupx.com/{user}/statuses/{id:num}"),
    (Link::Status, "*.fixupx.com/i/web/status/{id:num}"),
];

const PLATFORM: &str = "twitter";

struct Twitter;

impl Plugin for Twitter {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-twitter".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: PLATFORM.into(),
            url_patterns: patterns(LINKS),
            allowed_hosts: vec![syndication::HOST.into(), graphql::HOST.into()],
            insecure_hosts: vec![],
            download_headers: vec![
                ("Referer".into(), "https://x.com/".into()),
                ("User-Agent".into(), ua::DESKTOP.into()),
            ],
            media_hosts: vec!["video.twimg.com".into(), "pbs.twimg.com".into()],
            capabilities: Vec::new(),
        }
    }

    fn parse(input: &str) -> Result<Media> {
        let id = route(input, LINKS)?.cap("id").to_string();
        Ok(fetch(&id)?.into_media(PLATFORM))
    }
}

/// Syndication first; GraphQL when syndication has nothing (or no media).
/// A definite answer (private, age-gated) from syndication stands.
fn fetch(id: &str) -> Result<Tweet> {
    let first = match syndication::fetch(id) {
        Ok(t) if t.has_media() => {
            log::info("answered by the syndication route");
            return Ok(t);
        }
        Ok(t) => Ok(t),
        Err(e) if matches!(e.kind, ErrorKind::Private | ErrorKind::LoginRequired) => {
            return Err(e.context("syndication"));
        }
        Err(e) => Err(e.context("syndication")),
    };
    log::info(&format!(
        "syndication had no media ({}); trying guest-token GraphQL",
        first
            .as_ref()
            .err()
            .map_or("tweet without media".to_string(), |e| e.message.clone())
    ));
    match (graphql::fetch(id).map_err(|e| e.context("GraphQL")), first) {
        (Ok(t), _) => {
            log::info("answered by the guest-token GraphQL route");
            Ok(t)
        }
        // The tweet exists but has no media: say so plainly.
        (Err(_), Ok(t)) => Ok(t),
        // GraphQL's answer unless it merely failed.
        (Err(g), Err(s)) => Err(
            if matches!(g.kind, ErrorKind::UpstreamFailed | ErrorKind::ParseFailed) {
                s
            } else {
                g
            },
        ),
    }
}

grabkit_sdk::export_plugin!(Twitter);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_forms() {
        let k = |u: &str| route(u, LINKS).is_ok();
        for u in [
            "https://x.com/jack/status/20",
            "https://twitter.com/jack/status/20?s=20",
            "https://mobile.twitter.com/jack/status/20",
            "https://x.com/jack/status/20/photo/1",
            "https://x.com/i/status/20",
            "https://www.x.com/a/status/20/video/1",
            "https://twitter.com/i/web/status/20",
            "https://twitter.com/jack/statuses/20",
            "https://x.com/jack/status/20/mediaViewer?currentTweet=20",
            "https://x.com/i/bookmarks?post_id=20",
            "https://vxtwitter.com/jack/status/20",
            "https://fixvx.com/jack/status/20/photo/2",
            "https://fxtwitter.com/jack/status/20",
        ] {
            assert_eq!(
                route(u, LINKS)
                    .map(|l| l.cap("id").to_string())
                    .ok()
                    .as_deref(),
                Some("20"),
                "{u}"
            );
        }
        for u in [
            "https://x.com/jack",
            "https://x.com/i/bookmarks",
            "https://vxtwitter.com/jack",
            "https://x.com/search?q=a",
            "https://x.com/i/spaces/1OdKrBnaEPXKX",
            "https://pbs.twimg.com/media/abc.jpg",
        ] {
            assert!(!k(u), "{u}");
        }
    }
}
