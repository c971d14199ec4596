//! One tweet as both routes describe it, and its media in the unified shape.
//! Syndication's `mediaDetails[]` and GraphQL's `extended_entities.media[]`
//! hold items of the same form, so one reader serves both.

use grabkit_sdk::prelude::*;

/// What a route found: the tweet's text, author and raw media items.
#[derive(Debug, Default)]
pub struct Tweet {
    pub id: String,
    pub text: String,
    pub author: Option<String>,
    pub media: Vec<Value>,
    pub quoted: Option<Box<Tweet>>,
}

impl Tweet {
    pub fn has_media(&self) -> bool {
        !self.media.is_empty() || self.quoted.as_ref().is_some_and(|q| !q.media.is_empty())
    }

    /// The unified media: the tweet's own, else its quoted tweet's.
    pub fn into_media(self, platform: &str) -> Media {
        let mut media = Media::new(platform, &self.id);
        media.title = self.text;
        media.author = self.author;
        collect(&self.media, &mut media);
        if media.images.is_empty()
            && media.videos.is_empty()
            && let Some(q) = self.quoted
        {
            collect(&q.media, &mut media);
        }
        media
    }
}

/// Width × height from a video variant URL (`…/vid/avc1/1280x720/…`).
pub fn size_in_url(url: &str) -> (Option<u32>, Option<u32>) {
    url.split('/')
        .find_map(|seg| {
            let (w, h) = seg.split_once('x')?;
            Some((w.parse().ok()?, h.parse().ok()?))
        })
        .map_or((None, None), |(w, h)| (Some(w), Some(h)))
}

fn collect(items: &[Value], media: &mut Media) {
    for m in items {
        let Some(picture) = m["media_url_https"].as_str() else {
            continue;
        };
        let dim = |v: &Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
        match m["type"].as_str() {
            Some("photo") => {
                let orig = if picture.contains('?') {
                    format!("{picture}&name=orig")
                } else {
                    format!("{picture}?name=orig")
                };
                media.images.push(Image::new(orig).size(
                    dim(&m["original_info"]["width"]),
                    dim(&m["original_info"]["height"]),
                ));
            }
            Some(kind @ ("video" | "animated_gif")) => {
                media.thumbnail.get_or_insert_with(|| picture.to_string());
                media.duration = media
                    .duration
                    .max(m["video_info"]["duration_millis"].as_f64().unwrap_or(0.0) / 1000.0);
                let mut variants: Vec<&Value> = m["video_info"]["variants"]
                    .as_array()
                    .map(|a| a.iter().collect())
                    .unwrap_or_default();
                variants.sort_by_key(|v| std::cmp::Reverse(v["bitrate"].as_u64().unwrap_or(0)));
                for v in variants {
                    let Some(url) = v["url"].as_str() else {
                        continue;
                    };
                    let (w, h) = size_in_url(url);
                    let quality = if kind == "animated_gif" {
                        "gif".to_string()
                    } else {
                        h.map(|h| format!("{}p", w.unwrap_or(h).min(h)))
                            .unwrap_or_default()
                    };
                    let video = Video::new(url)
                        .size(
                            w.or(dim(&m["original_info"]["width"])),
                            h.or(dim(&m["original_info"]["height"])),
                        )
                        .bitrate(v["bitrate"].as_u64())
                        .quality(quality);
                    media.videos.push(match v["content_type"].as_str() {
                        Some("application/x-mpegURL") => video
                            .source(VideoSource::Hls)
                            .mime("application/x-mpegURL")
                            .quality("adaptive"),
                        Some(mime) => video.mime(mime),
                        None => video,
                    });
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_from_variant_urls() {
        assert_eq!(
            size_in_url("https://video.twimg.com/ext_tw_video/1/pu/vid/avc1/1280x720/a.mp4?tag=12"),
            (Some(1280), Some(720))
        );
        assert_eq!(
            size_in_url("https://video.twimg.com/tweet_video/a.mp4"),
            (None, None)
        );
    }
}
