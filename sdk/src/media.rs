//! The unified media shape a plugin returns, as plain Rust structs with
//! defaults and builders, converted to the contract's records at the edge.

use crate::bindings::grabkit::plugin::types as wit;

/// How a video URL is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VideoSource {
    /// A complete file fetched with one GET.
    #[default]
    Direct,
    /// One representation of a DASH presentation (often video-only).
    Dash,
    /// An HLS playlist.
    Hls,
}

/// A downloadable image.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Image {
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl Image {
    pub fn new(url: impl Into<String>) -> Self {
        Image { url: url.into(), ..Default::default() }
    }
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
            /// Bits per second.
            pub fn bitrate(mut self, b: Option<u64>) -> Self {
                self.bitrate = b;
                self
            }
            /// Mirrors serving the same bytes.
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
#[derive(Debug, Clone, PartialEq)]
pub struct Video {
    pub url: String,
    pub quality: String,
    pub mime_type: String,
    pub codec: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub has_audio: bool,
    pub source: VideoSource,
    pub bitrate: Option<u64>,
    pub backup_urls: Vec<String>,
    /// Key to decrypt an encrypted file (WeChat Channels).
    pub decryption_key: Option<String>,
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
        }
    }
}

impl Video {
    /// A complete mp4 file with sound.
    pub fn new(url: impl Into<String>) -> Self {
        Video { url: url.into(), ..Default::default() }
    }
    pub fn size(mut self, width: Option<u32>, height: Option<u32>) -> Self {
        self.width = width;
        self.height = height;
        self
    }
    pub fn video_only(mut self) -> Self {
        self.has_audio = false;
        self
    }
    /// The file is encrypted; this key decrypts it.
    pub fn decryption_key(mut self, key: impl Into<String>) -> Self {
        self.decryption_key = Some(key.into());
        self
    }
    pub fn source(mut self, s: VideoSource) -> Self {
        self.source = s;
        self
    }
}

/// A downloadable audio-only stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub url: String,
    pub quality: String,
    pub mime_type: String,
    pub codec: Option<String>,
    pub bitrate: Option<u64>,
    pub backup_urls: Vec<String>,
}

impl Default for Audio {
    fn default() -> Self {
        Audio { url: String::new(), quality: String::new(), mime_type: "audio/mp4".into(), codec: None, bitrate: None, backup_urls: Vec::new() }
    }
}

impl Audio {
    pub fn new(url: impl Into<String>) -> Self {
        Audio { url: url.into(), ..Default::default() }
    }
}

/// Everything one post offers for download.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Media {
    pub platform: String,
    pub id: String,
    pub title: String,
    pub author: Option<String>,
    pub thumbnail: Option<String>,
    /// Seconds; 0 for images.
    pub duration: f64,
    pub images: Vec<Image>,
    pub videos: Vec<Video>,
    pub audios: Vec<Audio>,
    /// Extra download headers for this result (e.g. cookies the CDN checks).
    pub headers: Vec<(String, String)>,
}

impl Media {
    pub fn new(platform: impl Into<String>, id: impl Into<String>) -> Self {
        Media { platform: platform.into(), id: id.into(), ..Default::default() }
    }
}

/// A plugin's self-description.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Descriptor {
    pub name: String,
    pub version: String,
    pub platform: String,
    pub url_patterns: Vec<String>,
    pub allowed_hosts: Vec<String>,
    pub insecure_hosts: Vec<String>,
    pub download_headers: Vec<(String, String)>,
    /// Hosts the returned media lives on (CDNs); the download proxy fetches
    /// only from these and `allowed_hosts`.
    pub media_hosts: Vec<String>,
}

fn headers(h: Vec<(String, String)>) -> Vec<wit::Header> {
    h.into_iter().map(|(name, value)| wit::Header { name, value }).collect()
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
            images: m.images.into_iter().map(|i| wit::Image { url: i.url, width: i.width, height: i.height }).collect(),
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
                })
                .collect(),
            audios: m
                .audios
                .into_iter()
                .map(|a| wit::Audio { url: a.url, quality: a.quality, mime_type: a.mime_type, codec: a.codec, bitrate: a.bitrate, backup_urls: a.backup_urls })
                .collect(),
            headers: headers(m.headers),
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
        }
    }
}
