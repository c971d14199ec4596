//! The unified media shape a plugin returns, as plain Rust structs with
//! defaults and builders, converted to the contract's records at the edge.

use crate::bindings::grabkit::plugin::types as wit;
use crate::data::Stats;

/// How a video URL is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VideoSource {
    /// A complete file fetched with one GET (the default).
    #[default]
    Direct,
    /// One representation of a DASH presentation (often video-only).
    Dash,
    /// An HLS playlist (`.m3u8`).
    Hls,
}

/// A downloadable image.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Image {
    /// Where to download it.
    pub url: String,
    /// Width in pixels, when the platform says.
    pub width: Option<u32>,
    /// Height in pixels, when the platform says.
    pub height: Option<u32>,
}

impl Image {
    /// An image of unknown size.
    pub fn new(url: impl Into<String>) -> Self {
        Image {
            url: url.into(),
            ..Default::default()
        }
    }
    /// Set width and height in pixels; either may be `None` when unknown.
    pub fn size(mut self, width: Option<u32>, height: Option<u32>) -> Self {
        self.width = width;
        self.height = height;
        self
    }
}

/// Setters shared by the two stream types.
macro_rules! stream_setters {
    ($t:ty) => {
        impl $t {
            /// Human label such as "1080p" or "192k".
            pub fn quality(mut self, q: impl Into<String>) -> Self {
                self.quality = q.into();
                self
            }
            /// MIME type, e.g. "video/mp4" or "audio/mp4".
            pub fn mime(mut self, m: impl Into<String>) -> Self {
                self.mime_type = m.into();
                self
            }
            /// Codec string; an empty one means unknown.
            pub fn codec(mut self, c: impl Into<String>) -> Self {
                let c = c.into();
                self.codec = (!c.is_empty()).then_some(c);
                self
            }
            /// Bits per second, when known.
            pub fn bitrate(mut self, b: Option<u64>) -> Self {
                self.bitrate = b;
                self
            }
            /// Mirrors serving the same bytes (CDN backups), best first.
            pub fn backups(mut self, urls: Vec<String>) -> Self {
                self.backup_urls = urls;
                self
            }
        }
    };
}

stream_setters!(Video);
stream_setters!(Audio);

/// A downloadable video stream.
///
/// [`Video::new`] assumes the common case (a direct mp4 with sound); the
/// builder methods change what differs. A DASH video-only stream needs a
/// matching [`Audio`] in [`Media::audios`]. See the [`Media`] example.
#[derive(Debug, Clone, PartialEq)]
pub struct Video {
    /// Where to download it (or the playlist, for HLS).
    pub url: String,
    /// Human label such as "1080p" or "HD"; empty when unknown.
    pub quality: String,
    /// MIME type; "video/mp4" by default.
    pub mime_type: String,
    /// Codec string such as "avc1.640032", when known.
    pub codec: Option<String>,
    /// Width in pixels, when known.
    pub width: Option<u32>,
    /// Height in pixels, when known.
    pub height: Option<u32>,
    /// False for video-only streams that need a separate audio track.
    pub has_audio: bool,
    /// How the URL is delivered.
    pub source: VideoSource,
    /// Bits per second, when known.
    pub bitrate: Option<u64>,
    /// Other URLs serving the same bytes, best first.
    pub backup_urls: Vec<String>,
    /// Key to decrypt an encrypted file (WeChat Channels).
    pub decryption_key: Option<String>,
    /// `(index, count)` when the video is part `index` (from 1) of `count`
    /// ordered files that together make it (Bilibili's older uploads).
    pub part: Option<(u32, u32)>,
}

impl Default for Video {
    fn default() -> Self {
        Video {
            url: String::new(),
            quality: String::new(),
            mime_type: "video/mp4".into(),
            codec: None,
            width: None,
            height: None,
            has_audio: true,
            source: VideoSource::Direct,
            bitrate: None,
            backup_urls: Vec::new(),
            decryption_key: None,
            part: None,
        }
    }
}

impl Video {
    /// A complete mp4 file with sound ([`VideoSource::Direct`], "video/mp4").
    pub fn new(url: impl Into<String>) -> Self {
        Video {
            url: url.into(),
            ..Default::default()
        }
    }
    /// Set width and height in pixels (either may be unknown).
    pub fn size(mut self, width: Option<u32>, height: Option<u32>) -> Self {
        self.width = width;
        self.height = height;
        self
    }
    /// Mark the stream as having no sound (typical of DASH video).
    pub fn video_only(mut self) -> Self {
        self.has_audio = false;
        self
    }
    /// The file is encrypted; this key decrypts it.
    pub fn decryption_key(mut self, key: impl Into<String>) -> Self {
        self.decryption_key = Some(key.into());
        self
    }
    /// This file is part `index` (from 1) of `count` that make the video.
    pub fn part(mut self, index: u32, count: u32) -> Self {
        self.part = Some((index, count));
        self
    }
    /// Set how the URL is delivered; this does not change `has_audio`.
    pub fn source(mut self, s: VideoSource) -> Self {
        self.source = s;
        self
    }
}

/// A downloadable audio-only stream (separate DASH audio, background music).
/// Built like [`Video`]; see the [`Media`] example.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// Where to download it.
    pub url: String,
    /// Human label such as "192k" or "FLAC"; empty when unknown.
    pub quality: String,
    /// MIME type; "audio/mp4" by default.
    pub mime_type: String,
    /// Codec string such as "mp4a.40.2", when known.
    pub codec: Option<String>,
    /// Bits per second, when known.
    pub bitrate: Option<u64>,
    /// Other URLs serving the same bytes, best first.
    pub backup_urls: Vec<String>,
    /// BCP 47 language of the track, when known.
    pub language: Option<String>,
    /// The track's name as the platform shows it.
    pub label: Option<String>,
    /// The track a player picks by default.
    pub is_default: bool,
}

impl Default for Audio {
    fn default() -> Self {
        Audio {
            url: String::new(),
            quality: String::new(),
            mime_type: "audio/mp4".into(),
            codec: None,
            bitrate: None,
            backup_urls: Vec::new(),
            language: None,
            label: None,
            is_default: false,
        }
    }
}

impl Audio {
    /// An "audio/mp4" stream with nothing else known.
    pub fn new(url: impl Into<String>) -> Self {
        Audio {
            url: url.into(),
            ..Default::default()
        }
    }
    /// The track's language and its name as the platform shows it.
    pub fn track(mut self, language: Option<String>, label: Option<String>) -> Self {
        self.language = language.filter(|l| !l.is_empty());
        self.label = label.filter(|l| !l.is_empty());
        self
    }
    /// Mark this as the track a player picks by default.
    pub fn default_track(mut self, yes: bool) -> Self {
        self.is_default = yes;
        self
    }
}

/// A caption or subtitle track.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Subtitle {
    /// Where to download it.
    pub url: String,
    /// BCP 47 language; "und" when unknown.
    pub language: String,
    /// The track's name as the platform shows it.
    pub label: String,
    /// "vtt", "srt", "json3", "bcc" (Bilibili JSON), "xml" (danmaku)...
    pub format: String,
    /// Made by speech recognition.
    pub auto_generated: bool,
}

/// Everything one post offers for download.
///
/// Start with [`Media::new`] and fill in the public fields.
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// // A photo post.
/// let mut gallery = Media::new("example", "n1");
/// gallery.title = "Sunset".into();
/// gallery.author = Some("alice".into());
/// gallery.images = vec![
///     Image::new("https://img.example.com/n1/1.jpg").size(Some(1080), Some(1440)),
///     Image::new("https://img.example.com/n1/2.jpg"),
/// ];
///
/// // A video post: DASH video-only + audio, and a progressive fallback.
/// let mut media = Media::new("example", "42");
/// media.duration = 61.5;
/// media.thumbnail = Some("https://img.example.com/42/cover.jpg".into());
/// media.videos.push(
///     Video::new("https://cdn.example.com/v/42-1080.m4s")
///         .source(VideoSource::Dash)
///         .video_only()
///         .quality("1080p")
///         .size(Some(1920), Some(1080))
///         .codec("avc1.640032")
///         .bitrate(Some(2_500_000))
///         .backups(vec!["https://cdn2.example.com/v/42-1080.m4s".into()]),
/// );
/// media.videos.push(Video::new("https://cdn.example.com/v/42.mp4").quality("720p"));
/// media.audios.push(
///     Audio::new("https://cdn.example.com/v/42-audio.m4s").quality("192k").codec("mp4a.40.2"),
/// );
/// media.headers.push(("Referer".into(), "https://www.example.com/".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Media {
    /// Platform id; must equal the plugin's [`Descriptor::platform`].
    pub platform: String,
    /// The platform's own id for the post (also the host's cache key).
    pub id: String,
    /// Title or caption; empty when the post has none.
    pub title: String,
    /// Author's display name, when known.
    pub author: Option<String>,
    /// Preview image URL.
    pub thumbnail: Option<String>,
    /// Seconds; 0 for images.
    pub duration: f64,
    /// Pictures of the post (galleries, covers).
    pub images: Vec<Image>,
    /// Video streams, best first.
    pub videos: Vec<Video>,
    /// Audio-only streams (for video-only videos, or music).
    pub audios: Vec<Audio>,
    /// Extra download headers for this result (e.g. cookies the CDN checks).
    /// They add to the descriptor's `download_headers`, overriding same-named ones.
    pub headers: Vec<(String, String)>,
    /// Caption and subtitle tracks.
    pub subtitles: Vec<Subtitle>,
    /// When the post was published, in Unix seconds.
    pub published_at: Option<i64>,
    /// The post's counts, where the platform shows them.
    pub stats: Stats,
    /// `(start, end)` seconds when the link names a section of the video.
    pub clip: Option<(f64, f64)>,
}

impl Media {
    /// Empty media for post `id` on `platform`; everything else is default.
    pub fn new(platform: impl Into<String>, id: impl Into<String>) -> Self {
        Media {
            platform: platform.into(),
            id: id.into(),
            ..Default::default()
        }
    }
}

/// A plugin's self-description, returned by [`Plugin::describe`](crate::Plugin::describe)
/// and read once by the host at load time.
///
/// Host lists take exact names or `*.suffix` (the domain and its
/// subdomains). The host enforces them: a request or download outside them
/// is refused, and operators may narrow them but never widen them.
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// #[derive(Clone, Copy)]
/// enum Link { Video, Short }
/// const LINKS: Links<Link> = &[
///     (Link::Video, "*.example.com/video/{id:num}"),
///     (Link::Short, "ex.am/{code}"),
/// ];
///
/// fn describe() -> Descriptor {
///     Descriptor {
///         name: "grabkit-example".into(),
///         version: env!("CARGO_PKG_VERSION").into(),
///         platform: "example".into(),
///         url_patterns: patterns(LINKS),
///         allowed_hosts: vec!["*.example.com".into(), "ex.am".into()],
///         media_hosts: vec!["*.examplecdn.net".into()],
///         download_headers: vec![("Referer".into(), "https://www.example.com/".into())],
///         ..Default::default()
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Descriptor {
    /// Plugin name, e.g. "grabkit-example".
    pub name: String,
    /// Plugin version (semver); `env!("CARGO_PKG_VERSION")` is usual.
    pub version: String,
    /// Platform id this plugin serves, lowercase; [`Media::platform`] must match.
    pub platform: String,
    /// Link forms the host routes to this plugin; usually
    /// [`patterns`](crate::links::patterns) of the plugin's link table.
    pub url_patterns: Vec<String>,
    /// Hosts the plugin may contact (API, pages, short-link services).
    pub allowed_hosts: Vec<String>,
    /// Hosts (a subset of `allowed_hosts`) the plugin may reach over plain
    /// http; everything else is https only.
    pub insecure_hosts: Vec<String>,
    /// Headers clients should send when downloading this platform's media
    /// (Referer, User-Agent...).
    pub download_headers: Vec<(String, String)>,
    /// Hosts the returned media lives on (CDNs); the download proxy fetches
    /// only from these and `allowed_hosts`.
    pub media_hosts: Vec<String>,
    /// What the plugin offers beyond `parse`, each with the links it takes;
    /// every one listed needs its [`Plugin`](crate::Plugin) method implemented.
    pub capabilities: Vec<crate::data::Capability>,
}

fn headers(h: Vec<(String, String)>) -> Vec<wit::Header> {
    h.into_iter()
        .map(|(name, value)| wit::Header { name, value })
        .collect()
}

impl From<VideoSource> for wit::VideoSource {
    fn from(s: VideoSource) -> Self {
        match s {
            VideoSource::Direct => wit::VideoSource::Direct,
            VideoSource::Dash => wit::VideoSource::Dash,
            VideoSource::Hls => wit::VideoSource::Hls,
        }
    }
}

impl From<Media> for wit::Media {
    fn from(m: Media) -> Self {
        wit::Media {
            platform: m.platform,
            id: m.id,
            title: m.title,
            author: m.author,
            thumbnail: m.thumbnail,
            duration: m.duration,
            images: m
                .images
                .into_iter()
                .map(|i| wit::Image {
                    url: i.url,
                    width: i.width,
                    height: i.height,
                })
                .collect(),
            videos: m
                .videos
                .into_iter()
                .map(|v| wit::Video {
                    url: v.url,
                    quality: v.quality,
                    mime_type: v.mime_type,
                    codec: v.codec,
                    width: v.width,
                    height: v.height,
                    has_audio: v.has_audio,
                    source: v.source.into(),
                    bitrate: v.bitrate,
                    backup_urls: v.backup_urls,
                    decryption_key: v.decryption_key,
                    part: v.part.map(|(index, count)| wit::Part { index, count }),
                })
                .collect(),
            audios: m
                .audios
                .into_iter()
                .map(|a| wit::Audio {
                    url: a.url,
                    quality: a.quality,
                    mime_type: a.mime_type,
                    codec: a.codec,
                    bitrate: a.bitrate,
                    backup_urls: a.backup_urls,
                    language: a.language,
                    label: a.label,
                    is_default: a.is_default,
                })
                .collect(),
            headers: headers(m.headers),
            subtitles: m
                .subtitles
                .into_iter()
                .map(|s| wit::Subtitle {
                    url: s.url,
                    language: s.language,
                    label: s.label,
                    format: s.format,
                    auto_generated: s.auto_generated,
                })
                .collect(),
            published_at: m.published_at,
            stats: m.stats.into(),
            clip: m.clip.map(|(start, end)| wit::Clip { start, end }),
        }
    }
}

impl From<Descriptor> for wit::Descriptor {
    fn from(d: Descriptor) -> Self {
        wit::Descriptor {
            name: d.name,
            version: d.version,
            platform: d.platform,
            url_patterns: d.url_patterns,
            allowed_hosts: d.allowed_hosts,
            insecure_hosts: d.insecure_hosts,
            download_headers: headers(d.download_headers),
            media_hosts: d.media_hosts,
            capabilities: d.capabilities.into_iter().map(Into::into).collect(),
        }
    }
}
