//! Giving a parse result its proxy links: one signed token per media URL
//! (and a merge token for video-only streams that have a separate audio).

use super::filename;
use super::token::{Pick, Signer, Stream, Ticket};
use grabkit_core::service::MediaJson;
use grabkit_core::service::media::{AudioJson, ImageJson, VideoJson};
use grabkit_egress::HostPolicy;
use std::collections::BTreeMap;

/// Where a parse result came from: what every ticket of it carries.
pub struct Origin<'a> {
    /// The API key that parsed.
    pub key: i64,
    /// The post (re-parsed to refresh expired URLs).
    pub post: &'a str,
    pub expires: i64,
}

impl Origin<'_> {
    /// A ticket for one stream of a `platform` result whose download
    /// headers are `headers` (with `audio` to merge it with).
    pub fn ticket(
        &self,
        platform: &str,
        headers: &BTreeMap<String, String>,
        main: Stream,
        audio: Option<Stream>,
        name: String,
    ) -> Ticket {
        Ticket {
            kid: String::new(),
            key: self.key,
            platform: platform.to_string(),
            exp: self.expires,
            post: self.post.to_string(),
            headers: headers.clone(),
            name,
            main,
            audio,
            parts: Vec::new(),
        }
    }
}

/// The file name stem for `media`'s files: its title, else `platform-id`.
pub fn stem_of(media: &MediaJson) -> String {
    filename::stem(&media.title, &format!("{}-{}", media.platform, media.id))
}

/// Add `proxyUrl` (and `mergedUrl`) to every item whose host the plugin's
/// media policy allows; links point at `base`, our API's absolute address.
pub fn attach(
    signer: &Signer,
    media: &mut MediaJson,
    policy: &HostPolicy,
    base: &str,
    origin: &Origin,
) {
    let stem = stem_of(media);
    let ticket = |main: Stream, audio: Option<Stream>, name: String| {
        origin.ticket(&media.platform, &media.headers, main, audio, name)
    };
    let link = |t: &Ticket, suffix: &str| {
        format!(
            "{}/api/v1/media/{}{suffix}",
            base.trim_end_matches('/'),
            signer.seal(t)
        )
    };
    let allowed = |u: &str| {
        url::Url::parse(u)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| policy.allows(h.trim_start_matches('[').trim_end_matches(']')))
            })
            .unwrap_or(false)
    };

    let audio_streams: Vec<Stream> = media
        .audios
        .iter()
        .enumerate()
        .map(|(i, a)| audio_stream(i, a))
        .collect();
    let many = media.images.len() + media.videos.len() > 1;
    let snapshot = media.videos.clone();
    for (i, v) in media.videos.iter_mut().enumerate() {
        if !allowed(&v.url) {
            continue;
        }
        let main = video_stream(i, v);
        let name = numbered(&stem, many, i, &filename::extension(&v.mime_type, &v.url));
        v.proxy_url = Some(link(&ticket(main.clone(), None, name), ""));
        // The first of several ordered parts joins them all.
        if let Some(rest) = later_parts(&snapshot, i).filter(|r| r.iter().all(|s| allowed(&s.url)))
        {
            let mut t = ticket(main.clone(), None, format!("{stem}.mp4"));
            t.parts = rest;
            v.merged_url = Some(link(&t, "/merged"));
            continue;
        }
        if !v.has_audio
            && v.source != "hls"
            && let Some(audio) = partner(v, &media.audios)
                .and_then(|j| audio_streams.get(j))
                .filter(|a| allowed(&a.url))
        {
            let name = numbered(&stem, many, i, "mp4");
            v.merged_url = Some(link(&ticket(main, Some(audio.clone()), name), "/merged"));
        }
    }
    for (i, a) in media.audios.iter_mut().enumerate() {
        if allowed(&a.url) {
            let name = format!("{stem}.{}", filename::extension(&a.mime_type, &a.url));
            a.proxy_url = Some(link(&ticket(audio_streams[i].clone(), None, name), ""));
        }
    }
    let many_images = media.images.len() > 1;
    for (i, img) in media.images.iter_mut().enumerate() {
        if allowed(&img.url) {
            let name = numbered(&stem, many_images, i, &filename::image_extension(&img.url));
            img.proxy_url = Some(link(&ticket(image_stream(i, img), None, name), ""));
        }
    }
}

pub fn numbered(stem: &str, many: bool, i: usize, ext: &str) -> String {
    if many {
        format!("{stem}-{}.{ext}", i + 1)
    } else {
        format!("{stem}.{ext}")
    }
}

/// YouTube names its formats by `itag` in the URL; a refresh matches on it.
fn itag(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == "itag")
        .map(|(_, v)| v.into_owned())
}

pub fn video_stream(i: usize, v: &VideoJson) -> Stream {
    Stream {
        url: v.url.clone(),
        pick: Pick {
            kind: "video".into(),
            index: i,
            quality: v.quality.clone(),
            width: v.width,
            height: v.height,
            codec: v.extras.codec.clone(),
            itag: itag(&v.url),
        },
        mime: v.mime_type.clone(),
        decode_key: v.decode_key.clone(),
    }
}

pub fn image_stream(i: usize, img: &ImageJson) -> Stream {
    Stream {
        url: img.url.clone(),
        pick: Pick {
            kind: "image".into(),
            index: i,
            quality: String::new(),
            width: img.width,
            height: img.height,
            codec: None,
            itag: None,
        },
        mime: String::new(),
        decode_key: None,
    }
}

pub fn audio_stream(i: usize, a: &AudioJson) -> Stream {
    Stream {
        url: a.url.clone(),
        pick: Pick {
            kind: "audio".into(),
            index: i,
            quality: a.quality.clone(),
            width: 0,
            height: 0,
            codec: a.extras.codec.clone(),
            itag: itag(&a.url),
        },
        mime: a.mime_type.clone(),
        decode_key: None,
    }
}

/// When `videos[i]` is part 1 of n, the streams of parts 2..=n in order
/// (the ones that follow it with the same count); `None` otherwise or when
/// a part is missing.
pub fn later_parts(videos: &[VideoJson], i: usize) -> Option<Vec<Stream>> {
    let first = videos
        .get(i)?
        .part
        .filter(|p| p.index == 1 && p.count > 1)?;
    let mut rest = Vec::new();
    for want in 2..=first.count {
        let (j, v) = videos.iter().enumerate().skip(i + 1).find(|(_, v)| {
            v.part
                .is_some_and(|p| p.index == want && p.count == first.count)
        })?;
        rest.push(video_stream(j, v));
    }
    Some(rest)
}

/// The audio to merge a video-only stream with: the first (best) audio in
/// the same container family, else the first audio.
pub fn partner(v: &VideoJson, audios: &[AudioJson]) -> Option<usize> {
    let family = |mime: &str| {
        mime.split(';')
            .next()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let want = family(&v.mime_type);
    audios
        .iter()
        .position(|a| {
            family(&a.mime_type) == want || (want == "mp4" && family(&a.mime_type) == "m4a")
        })
        .or(if audios.is_empty() { None } else { Some(0) })
}

/// Find "the same item" in a fresh parse result: by itag, else by quality,
/// size and codec, else by quality and size; an image by position.
pub fn choose(media: &MediaJson, pick: &Pick) -> Option<Stream> {
    let streams: Vec<Stream> = match pick.kind.as_str() {
        "video" => media
            .videos
            .iter()
            .enumerate()
            .map(|(i, v)| video_stream(i, v))
            .collect(),
        "audio" => media
            .audios
            .iter()
            .enumerate()
            .map(|(i, a)| audio_stream(i, a))
            .collect(),
        _ => media
            .images
            .iter()
            .enumerate()
            .map(|(i, img)| image_stream(i, img))
            .collect(),
    };
    let same_size =
        |p: &Pick| p.quality == pick.quality && p.width == pick.width && p.height == pick.height;
    let found = if pick.itag.is_some() {
        streams.iter().find(|s| s.pick.itag == pick.itag)
    } else {
        None
    }
    .or_else(|| {
        streams
            .iter()
            .find(|s| same_size(&s.pick) && s.pick.codec == pick.codec)
    })
    .or_else(|| streams.iter().find(|s| same_size(&s.pick)))
    .or_else(|| {
        if pick.kind == "image" {
            streams.get(pick.index)
        } else {
            None
        }
    });
    found.cloned()
}
