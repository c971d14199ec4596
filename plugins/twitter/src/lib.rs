//! X / Twitter: `x.com|twitter.com/{user}/status/{id}` (also `mobile.`,
//! `/photo/N`, `/video/N`). Route: the syndication endpoint
//! `cdn.syndication.twimg.com/tweet-result` (no login, no guest token): photos
//! at original size, every mp4 variant of videos and GIFs, and a quoted
//! tweet's media when the tweet has none of its own.
//! Not yet: the guest-token GraphQL fallback (for tweets syndication misses).

mod token;

use grabkit_sdk::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Status,
}

const LINKS: Links<Link> = &[
    (Link::Status, "*.x.com/{user}/status/{id:num}"),
    (Link::Status, "*.x.com/{user}/status/{id:num}/photo/{n:num}"),
    (Link::Status, "*.x.com/{user}/status/{id:num}/video/{n:num}"),
    (Link::Status, "*.twitter.com/{user}/status/{id:num}"),
    (Link::Status, "*.twitter.com/{user}/status/{id:num}/photo/{n:num}"),
    (Link::Status, "*.twitter.com/{user}/status/{id:num}/video/{n:num}"),
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
            allowed_hosts: vec!["cdn.syndication.twimg.com".into()],
            insecure_hosts: vec![],
            download_headers: vec![("Referer".into(), "https://x.com/".into()), ("User-Agent".into(), ua::DESKTOP.into())],
        }
    }

    fn parse(input: &str) -> Result<Media> {
        let link = route(input, LINKS)?;
        let id = link.cap("id");
        let resp = Client::new()
            .user_agent("Googlebot")
            .get("https://cdn.syndication.twimg.com/tweet-result")
            .query(&[("id", id), ("lang", "en"), ("token", &token::for_id(id))])
            .send()
            .context("syndication")?;
        let empty = resp.body.iter().all(u8::is_ascii_whitespace) || resp.body == b"{}";
        if resp.status == 404 || (resp.status == 200 && empty) {
            return Err(Error::not_found(format!("tweet {id} does not exist or is not public")));
        }
        let tweet: Value = resp.error_for_status().context("syndication")?.json().context("syndication")?;
        if tweet["__typename"] == "TweetTombstone" {
            let why = tweet["tombstone"]["text"]["text"].as_str().unwrap_or("the tweet is unavailable");
            return Err(if why.contains("Age-restricted") || why.contains("log in") { Error::login_required(why.to_string()) } else { Error::private(why.to_string()) });
        }
        log::debug("answered by the syndication route");
        let mut media = Media::new(PLATFORM, tweet["id_str"].as_str().unwrap_or(id));
        media.title = tweet["text"].as_str().unwrap_or_default().to_string();
        media.author = tweet["user"]["name"].as_str().map(str::to_string);
        collect(&tweet, &mut media);
        if media.images.is_empty() && media.videos.is_empty() && tweet["quoted_tweet"].is_object() {
            collect(&tweet["quoted_tweet"], &mut media);
        }
        Ok(media)
    }
}

/// Width × height from a video variant URL (`…/vid/avc1/1280x720/…`).
fn size_in_url(url: &str) -> (Option<u32>, Option<u32>) {
    url.split('/').find_map(|seg| {
        let (w, h) = seg.split_once('x')?;
        Some((w.parse().ok()?, h.parse().ok()?))
    }).map_or((None, None), |(w, h)| (Some(w), Some(h)))
}

fn collect(tweet: &Value, media: &mut Media) {
    for m in tweet["mediaDetails"].as_array().into_iter().flatten() {
        let Some(picture) = m["media_url_https"].as_str() else { continue };
        let dim = |v: &Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
        match m["type"].as_str() {
            Some("photo") => {
                let orig = if picture.contains('?') { format!("{picture}&name=orig") } else { format!("{picture}?name=orig") };
                media.images.push(Image::new(orig).size(dim(&m["original_info"]["width"]), dim(&m["original_info"]["height"])));
            }
            Some(kind @ ("video" | "animated_gif")) => {
                media.thumbnail.get_or_insert_with(|| picture.to_string());
                media.duration = media.duration.max(m["video_info"]["duration_millis"].as_f64().unwrap_or(0.0) / 1000.0);
                let mut variants: Vec<&Value> = m["video_info"]["variants"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
                variants.sort_by_key(|v| std::cmp::Reverse(v["bitrate"].as_u64().unwrap_or(0)));
                for v in variants {
                    let Some(url) = v["url"].as_str() else { continue };
                    let (w, h) = size_in_url(url);
                    let quality = if kind == "animated_gif" { "gif".to_string() } else { h.map(|h| format!("{}p", w.unwrap_or(h).min(h))).unwrap_or_default() };
                    let video = Video::new(url).size(w.or(dim(&m["original_info"]["width"])), h.or(dim(&m["original_info"]["height"]))).bitrate(v["bitrate"].as_u64()).quality(quality);
                    media.videos.push(match v["content_type"].as_str() {
                        Some("application/x-mpegURL") => video.source(VideoSource::Hls).mime("application/x-mpegURL").quality("adaptive"),
                        Some(mime) => video.mime(mime),
                        None => video,
                    });
                }
            }
            _ => {}
        }
    }
}

grabkit_sdk::export_plugin!(Twitter);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_forms() {
        let k = |u: &str| route(u, LINKS).is_ok();
        for u in ["https://x.com/jack/status/20", "https://twitter.com/jack/status/20?s=20", "https://mobile.twitter.com/jack/status/20", "https://x.com/jack/status/20/photo/1", "https://x.com/i/status/20", "https://www.x.com/a/status/20/video/1"] {
            assert!(k(u), "{u}");
        }
        for u in ["https://x.com/jack", "https://fxtwitter.com/jack/status/20", "https://vxtwitter.com/jack/status/20", "https://x.com/search?q=a", "https://x.com/i/spaces/1OdKrBnaEPXKX", "https://pbs.twimg.com/media/abc.jpg"] {
            assert!(!k(u), "{u}");
        }
    }

    #[test]
    fn sizes_from_variant_urls() {
        assert_eq!(size_in_url("https://video.twimg.com/ext_tw_video/1/pu/vid/avc1/1280x720/a.mp4?tag=12"), (Some(1280), Some(720)));
        assert_eq!(size_in_url("https://video.twimg.com/tweet_video/a.mp4"), (None, None));
    }
}
