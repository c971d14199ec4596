//! Instagram: posts, reels and IGTV (`instagram.com/p|reel|reels|tv/{code}`,
//! also under `/{username}/`, `/p/{code}/embed`), and share links
//! (`/share/…`, `/r/{code}`) resolved by their redirect.
//!
//! Routes, in order, each tried until one answers (the log says which):
//! 1. oEmbed (`i.instagram.com/api/v1/oembed`) for the media id; when it
//!    fails the id is computed from the shortcode;
//! 2. the mobile API `media/{id}/info` (mostly needs the operator's session
//!    `cookie`);
//! 3. the embed page's `contextJSON`;
//! 4. web GraphQL (`www.instagram.com/graphql/query`, `doc_id` settable
//!    through config as `graphql_doc_id`).
//!
//! When none answers, the most telling refusal is reported (throttled, gone,
//! or needs a session).

mod answer;
mod api;
mod embed;
mod graphql;
mod media;
mod shortcode;

use grabkit_sdk::prelude::*;
use media::PLATFORM;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Post,
    Share,
}

// Share forms first: `/share/reel/…` would otherwise read as `/{user}/reel/…`.
const LINKS: Links<Link> = &[
    (Link::Share, "*.instagram.com/r/{code}"),
    (Link::Share, "*.instagram.com/share/{code}"),
    (Link::Share, "*.instagram.com/share/p/{code}"),
    (Link::Share, "*.instagram.com/share/r/{code}"),
    (Link::Share, "*.instagram.com/share/reel/{code}"),
    (Link::Post, "*.instagram.com/p/{code}"),
    (Link::Post, "*.instagram.com/p/{code}/embed"),
    (Link::Post, "*.instagram.com/p/{code}/embed/captioned"),
    (Link::Post, "*.instagram.com/reel/{code}"),
    (Link::Post, "*.instagram.com/reel/{code}/embed"),
    (Link::Post, "*.instagram.com/reels/{code}"),
    (Link::Post, "*.instagram.com/tv/{code}"),
    (Link::Post, "*.instagram.com/{user}/p/{code}"),
    (Link::Post, "*.instagram.com/{user}/reel/{code}"),
    (Link::Post, "*.instagram.com/{user}/tv/{code}"),
    // The ddinstagram embed mirror: the same posts.
    (Link::Post, "*.ddinstagram.com/p/{code}"),
    (Link::Post, "*.ddinstagram.com/reel/{code}"),
    (Link::Post, "*.ddinstagram.com/reels/{code}"),
    (Link::Post, "*.ddinstagram.com/{user}/p/{code}"),
    (Link::Post, "*.ddinstagram.com/{user}/reel/{code}"),
];

struct Instagram;

impl Plugin for Instagram {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-instagram".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: PLATFORM.into(),
            url_patterns: patterns(LINKS),
            allowed_hosts: vec![api::HOST.into(), embed::HOST.into()],
            insecure_hosts: vec![],
            download_headers: vec![
                ("Referer".into(), "https://www.instagram.com/".into()),
                ("User-Agent".into(), ua::DESKTOP.into()),
            ],
            media_hosts: vec!["*.cdninstagram.com".into(), "*.fbcdn.net".into()],
            capabilities: Vec::new(),
        }
    }

    fn parse(input: &str) -> Result<Media> {
        let client = Client::new().user_agent(ua::DESKTOP);
        let link = route_following(input, LINKS, &client, |k| k == Link::Share)?;
        let code = link.cap("code");
        if link.kind != Link::Post
            || matches!(
                link.cap("user"),
                "stories" | "explore" | "direct" | "accounts"
            )
        {
            return Err(Error::unsupported(format!(
                "{} is not a single post",
                link.url
            )));
        }
        shortcode::to_pk(code)?;
        let mut failures = Vec::new();
        let pk = api::media_id_or_computed(code, &mut failures)?;
        let routes: [(&'static str, &dyn Fn() -> Result<Media>); 3] = [
            ("media info", &|| api::media_info(code, &pk)),
            ("embed page", &|| embed::fetch(code)),
            ("web GraphQL", &|| graphql::fetch(code)),
        ];
        for (name, route) in routes {
            match route() {
                Ok(media) => {
                    log::info(&format!("answered by the {name} route"));
                    return Ok(media);
                }
                Err(e) => {
                    log::debug(&format!("{name}: {}", e.message));
                    // Throttled: the next route would be too.
                    let stop = e.kind == ErrorKind::RateLimited;
                    failures.push((name, e));
                    if stop {
                        break;
                    }
                }
            }
        }
        Err(answer::verdict(failures, code))
    }
}

grabkit_sdk::export_plugin!(Instagram);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_forms() {
        let k = |u: &str| kind_of(u, LINKS);
        for u in [
            "https://www.instagram.com/p/CwqAgUZgCku/",
            "https://instagram.com/p/CwqAgUZgCku/?igsh=MTc4MmM1YmI2Ng==",
            "https://www.instagram.com/reel/CwqAgUZgCku/",
            "https://www.instagram.com/reels/CwqAgUZgCku/",
            "https://www.instagram.com/tv/CwqAgUZgCku",
            "https://www.instagram.com/marvelskies.fc/reel/CwqAgUZgCku/",
            "https://www.instagram.com/natgeo/p/CwqAgUZgCku/",
            "https://www.instagram.com/p/CwqAgUZgCku/embed/",
            "https://www.instagram.com/p/CwqAgUZgCku/embed/captioned/",
            "https://m.instagram.com/p/CwqAgUZgCku/",
            "https://ddinstagram.com/p/CwqAgUZgCku/",
            "https://www.ddinstagram.com/reel/CwqAgUZgCku/",
        ] {
            assert_eq!(k(u), Some(Link::Post), "{u}");
        }
        for u in [
            "https://www.instagram.com/share/BAMh1sCaXh",
            "https://www.instagram.com/share/reel/BAMh1sCaXh/",
            "https://www.instagram.com/share/p/BAMh1sCaXh/",
            "https://www.instagram.com/r/CwqAgUZgCku/",
        ] {
            assert_eq!(k(u), Some(Link::Share), "{u}");
        }
        for u in [
            "https://www.instagram.com/natgeo/",
            "https://www.instagram.com/stories/natgeo/3123456789/",
            "https://www.instagram.com/stories/highlights/17912345678901234/",
            "https://www.instagram.com/explore/tags/cats/",
            "https://www.instagram.com/direct/inbox/",
            "https://ddinstagram.com/natgeo/",
        ] {
            assert_eq!(k(u), None, "{u}");
        }
    }
}
