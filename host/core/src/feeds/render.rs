//! Atom 1.0 and RSS 2.0 documents of a page of posts, built with the
//! `atom_syndication` and `rss` crates (their writers escape and order the
//! XML). Each entry links the post, carries its cover, and encloses a
//! download link that parses the post when a reader fetches it.

use crate::service::data_json::{PostJson, PostsJson};
use atom_syndication as atom;

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Atom,
    Rss,
}

impl Format {
    pub fn parse(s: Option<&str>) -> Option<Format> {
        match s {
            None | Some("atom") => Some(Format::Atom),
            Some("rss") => Some(Format::Rss),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Atom => "atom",
            Format::Rss => "rss",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
        }
    }
}

/// Where the feed itself and its enclosures are served.
pub struct FeedLinks {
    /// This feed's own URL (`rel=self`).
    pub feed_url: String,
    /// The enclosure link of a post (the server's download route).
    pub enclosure: Box<dyn Fn(&str) -> String + Send + Sync>,
}

fn time(p: &PostJson) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(p.created_at.as_deref()?).ok()
}

fn who(posts: &PostsJson) -> String {
    let user = posts.user.as_ref();
    let name = user.and_then(|u| u.name.clone().or(u.handle.clone()));
    name.unwrap_or_else(|| format!("{} user", posts.platform))
}

fn summary(p: &PostJson) -> String {
    let mut parts = Vec::new();
    if let Some(d) = p.duration {
        parts.push(format!("{}:{:02}", d as u64 / 60, d as u64 % 60));
    }
    if let Some(v) = p.stats.views {
        parts.push(format!("{v} views"));
    }
    if let Some(c) = &p.cover {
        // Readers show the cover from the summary's HTML.
        return format!(
            "<p><img src=\"{}\"/></p><p>{}</p>",
            escape(c),
            parts.join(" · ")
        );
    }
    parts.join(" · ")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn mime(p: &PostJson) -> &'static str {
    match p.kind {
        "images" => "image/jpeg",
        "audio" => "audio/mp4",
        _ => "video/mp4",
    }
}

pub fn render(format: Format, posts: &PostsJson, source: &str, links: &FeedLinks) -> String {
    match format {
        Format::Atom => atom_feed(posts, source, links),
        Format::Rss => rss_feed(posts, source, links),
    }
}

fn atom_feed(posts: &PostsJson, source: &str, links: &FeedLinks) -> String {
    let author = atom::Person {
        name: who(posts),
        uri: posts
            .user
            .as_ref()
            .and_then(|u| u.url.clone())
            .or(Some(source.to_string())),
        ..Default::default()
    };
    let link = |href: &str, rel: &str, mime: Option<&str>| atom::Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: mime.map(str::to_string),
        ..Default::default()
    };
    let entries: Vec<atom::Entry> = posts
        .posts
        .iter()
        .map(|p| {
            let when = time(p).unwrap_or_default();
            atom::Entry {
                title: atom::Text::plain(if p.title.is_empty() { &p.id } else { &p.title }),
                id: p.url.clone(),
                updated: when,
                published: time(p),
                authors: vec![author.clone()],
                links: vec![
                    link(&p.url, "alternate", Some("text/html")),
                    link(&(links.enclosure)(&p.url), "enclosure", Some(mime(p))),
                ],
                summary: Some(atom::Text::html(summary(p))),
                ..Default::default()
            }
        })
        .collect();
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or_default();
    let feed = atom::Feed {
        title: atom::Text::plain(format!("{} on {}", who(posts), posts.platform)),
        id: source.to_string(),
        updated,
        authors: vec![author.clone()],
        links: vec![
            link(&links.feed_url, "self", Some("application/atom+xml")),
            link(source, "alternate", Some("text/html")),
        ],
        generator: Some(atom::Generator {
            value: "grabkit".into(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        icon: posts.user.as_ref().and_then(|u| u.avatar.clone()),
        entries,
        ..Default::default()
    };
    feed.to_string()
}

fn rss_feed(posts: &PostsJson, source: &str, links: &FeedLinks) -> String {
    let items: Vec<rss::Item> = posts
        .posts
        .iter()
        .map(|p| rss::Item {
            title: Some(if p.title.is_empty() {
                p.id.clone()
            } else {
                p.title.clone()
            }),
            link: Some(p.url.clone()),
            description: Some(summary(p)),
            author: Some(who(posts)),
            guid: Some(rss::Guid {
                value: p.url.clone(),
                permalink: true,
            }),
            pub_date: time(p).map(|t| t.to_rfc2822()),
            enclosure: Some(rss::Enclosure {
                url: (links.enclosure)(&p.url),
                // Unknown before the post is parsed; RSS readers accept 0.
                length: "0".into(),
                mime_type: mime(p).into(),
            }),
            ..Default::default()
        })
        .collect();
    let channel = rss::Channel {
        title: format!("{} on {}", who(posts), posts.platform),
        link: source.to_string(),
        description: posts
            .user
            .as_ref()
            .and_then(|u| u.bio.clone())
            .unwrap_or_else(|| format!("Latest posts of {} on {}", who(posts), posts.platform)),
        generator: Some(format!("grabkit {}", env!("CARGO_PKG_VERSION"))),
        image: posts
            .user
            .as_ref()
            .and_then(|u| u.avatar.clone())
            .map(|url| rss::Image {
                url,
                title: who(posts),
                link: source.to_string(),
                ..Default::default()
            }),
        items,
        ..Default::default()
    };
    channel.to_string()
}
