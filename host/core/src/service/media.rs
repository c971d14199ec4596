//! The unified media JSON (`data` of a parse answer), field names exactly as
//! the Easydown seed, built from a plugin's `media` after checking it.

use grabkit_runtime::LoadedPlugin;
use grabkit_runtime::bindings as wit;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MediaJson {
    pub platform: String,
    pub id: String,
    pub title: String,
    pub author: String,
    pub thumbnail: String,
    /// Seconds; whole numbers print without a fraction.
    #[serde(serialize_with = "seconds")]
    pub duration: f64,
    pub images: Vec<ImageJson>,
    pub videos: Vec<VideoJson>,
    pub audios: Vec<AudioJson>,
    /// Headers to send when downloading these URLs.
    pub headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub subtitles: Vec<SubtitleJson>,
    /// RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<StatsJson>,
    /// The section of the video the link names, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip: Option<ClipJson>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubtitleJson {
    pub url: String,
    pub language: String,
    pub label: String,
    pub format: String,
    pub auto_generated: bool,
}

/// A post's counts; `null` where the platform does not show one.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatsJson {
    pub views: Option<u64>,
    pub likes: Option<u64>,
    pub comments: Option<u64>,
    pub shares: Option<u64>,
}

impl From<wit::Stats> for StatsJson {
    fn from(s: wit::Stats) -> Self {
        StatsJson {
            views: s.views,
            likes: s.likes,
            comments: s.comments,
            shares: s.shares,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ClipJson {
    pub start: f64,
    pub end: f64,
}

/// Part `index` (from 1) of `count` files that together make one video.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, utoipa::ToSchema)]
pub struct PartJson {
    pub index: u32,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageJson {
    pub url: String,
    pub width: u32,
    pub height: u32,
    /// Our download proxy's link for `url` (with `?proxy=1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VideoJson {
    pub url: String,
    pub quality: String,
    pub mime_type: String,
    pub width: u32,
    pub height: u32,
    pub has_audio: bool,
    pub source: &'static str,
    #[serde(flatten)]
    pub extras: StreamExtras,
    /// Present when the file is encrypted (WeChat Channels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decode_key: Option<String>,
    /// Present when the video comes as several ordered files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<PartJson>,
    /// Our download proxy's link for `url` (with `?proxy=1`; decrypted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_url: Option<String>,
    /// A video-only stream merged with the best audio into one MP4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AudioJson {
    pub url: String,
    pub quality: String,
    pub mime_type: String,
    #[serde(flatten)]
    pub extras: StreamExtras,
    /// BCP 47, when the track says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The track players pick by default (printed only when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schema(required = false)]
    pub is_default: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_url: Option<String>,
}

/// Optional facts both stream kinds carry, printed only when known.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreamExtras {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codec: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bitrate: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub backup_urls: Vec<String>,
}

impl StreamExtras {
    fn new(codec: Option<String>, bitrate: Option<u64>, backups: Vec<String>) -> Self {
        StreamExtras {
            codec: codec.filter(|c| !c.is_empty()),
            bitrate: bitrate.filter(|&b| b > 0),
            backup_urls: backups.into_iter().filter(|u| web_url(u)).collect(),
        }
    }
}

fn seconds<S: serde::Serializer>(d: &f64, s: S) -> Result<S::Ok, S::Error> {
    if d.fract() == 0.0 && *d >= 0.0 && *d < 1e15 {
        s.serialize_u64(*d as u64)
    } else {
        s.serialize_f64((d * 1000.0).round() / 1000.0)
    }
}

/// Why a plugin's answer was refused.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OutputError {
    #[error("the plugin answered for platform `{got}` but serves `{want}`")]
    WrongPlatform { got: String, want: String },
    #[error("the plugin returned no content id")]
    NoId,
    #[error("the plugin returned a cursor longer than 512 characters")]
    Cursor,
}

impl MediaJson {
    pub fn is_empty(&self) -> bool {
        self.images.is_empty() && self.videos.is_empty() && self.audios.is_empty()
    }

    /// Check and normalise: platform must be the plugin's, URLs must be
    /// absolute http(s) (others are dropped), numbers sane, text trimmed.
    pub fn from_plugin(plugin: &LoadedPlugin, m: wit::Media) -> Result<Self, OutputError> {
        if m.platform != plugin.platform {
            return Err(OutputError::WrongPlatform {
                got: m.platform,
                want: plugin.platform.clone(),
            });
        }
        if m.id.trim().is_empty() {
            return Err(OutputError::NoId);
        }
        let mut headers: BTreeMap<String, String> =
            plugin.download_headers.iter().cloned().collect();
        for h in m.headers {
            headers.retain(|k, _| !k.eq_ignore_ascii_case(&h.name));
            headers.insert(h.name, h.value);
        }
        let duration = if m.duration.is_finite() && m.duration > 0.0 {
            m.duration
        } else {
            0.0
        };
        Ok(MediaJson {
            platform: m.platform,
            id: m.id.trim().to_string(),
            title: m.title.trim().to_string(),
            author: m.author.unwrap_or_default().trim().to_string(),
            thumbnail: m.thumbnail.filter(|u| web_url(u)).unwrap_or_default(),
            duration,
            images: m
                .images
                .into_iter()
                .filter(|i| web_url(&i.url))
                .map(|i| ImageJson {
                    url: i.url,
                    width: i.width.unwrap_or(0),
                    height: i.height.unwrap_or(0),
                    proxy_url: None,
                })
                .collect(),
            videos: m
                .videos
                .into_iter()
                .filter(|v| web_url(&v.url))
                .map(|v| VideoJson {
                    url: v.url,
                    quality: v.quality,
                    mime_type: non_empty(v.mime_type, "video/mp4"),
                    width: v.width.unwrap_or(0),
                    height: v.height.unwrap_or(0),
                    has_audio: v.has_audio,
                    source: match v.source {
                        wit::VideoSource::Direct => "direct",
                        wit::VideoSource::Dash => "dash",
                        wit::VideoSource::Hls => "hls",
                    },
                    extras: StreamExtras::new(v.codec, v.bitrate, v.backup_urls),
                    decode_key: v.decryption_key.filter(|k| !k.is_empty()),
                    part: v
                        .part
                        .filter(|p| p.index >= 1 && p.index <= p.count)
                        .map(|p| PartJson {
                            index: p.index,
                            count: p.count,
                        }),
                    proxy_url: None,
                    merged_url: None,
                })
                .collect(),
            audios: m
                .audios
                .into_iter()
                .filter(|a| web_url(&a.url))
                .map(|a| AudioJson {
                    url: a.url,
                    quality: a.quality,
                    mime_type: non_empty(a.mime_type, "audio/mp4"),
                    extras: StreamExtras::new(a.codec, a.bitrate, a.backup_urls),
                    language: a.language.filter(|l| !l.trim().is_empty()),
                    label: a.label.filter(|l| !l.trim().is_empty()),
                    is_default: a.is_default,
                    proxy_url: None,
                })
                .collect(),
            headers,
            subtitles: m
                .subtitles
                .into_iter()
                .filter(|s| web_url(&s.url))
                .map(|s| SubtitleJson {
                    url: s.url,
                    language: non_empty(s.language, "und"),
                    label: s.label,
                    format: s.format,
                    auto_generated: s.auto_generated,
                })
                .collect(),
            published_at: m.published_at.and_then(crate::clock::rfc3339),
            stats: m.stats.map(Into::into),
            clip: m
                .clip
                .filter(|c| c.start.is_finite() && c.end.is_finite() && c.start < c.end)
                .map(|c| ClipJson {
                    start: c.start,
                    end: c.end,
                }),
        })
    }
}

pub(crate) fn non_empty(s: String, default: &str) -> String {
    if s.trim().is_empty() {
        default.to_string()
    } else {
        s
    }
}

pub(crate) fn web_url(u: &str) -> bool {
    url::Url::parse(u)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}
