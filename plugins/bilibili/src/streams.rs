//! Play-info JSON (`dash` and `durl`, shared by the UGC, bangumi and course
//! endpoints) → unified video and audio entries.

use grabkit_sdk::prelude::*;
use grabkit_sdk::typed::nullable;

/// Label for a video quality id (`qn`).
pub fn quality_label(qn: u64) -> &'static str {
    match qn {
        6 => "240p",
        16 | 15 => "360p",
        32 => "480p",
        64 | 48 => "720p",
        74 => "720p60",
        80 => "1080p",
        100 => "1080p (AI)",
        112 => "1080p+",
        116 => "1080p60",
        120 => "4K",
        125 => "HDR",
        126 => "Dolby Vision",
        127 => "8K",
        129 => "HDR Vivid",
        _ => "",
    }
}

fn audio_label(id: u64) -> &'static str {
    match id {
        30216 => "64k",
        30232 => "132k",
        30280 => "192k",
        30250 => "Dolby Atmos",
        30251 => "Hi-Res FLAC",
        _ => "",
    }
}

/// A play-info answer (`data` of playurl, `video_info` of pgc, `data` of
/// a page's `__playinfo__`): the fields read here, nothing else kept.
#[derive(Deserialize, Default)]
#[serde(crate = "grabkit_sdk::serde", default)]
pub struct PlayInfo {
    /// The `qn` of the `durl` segments.
    quality: Option<u64>,
    /// Milliseconds (pgc answers).
    pub timelength: Option<f64>,
    #[serde(deserialize_with = "nullable")]
    durl: Vec<Segment>,
    dash: Option<Dash>,
}

#[derive(Deserialize, Default)]
#[serde(crate = "grabkit_sdk::serde", default)]
struct Dash {
    #[serde(deserialize_with = "nullable")]
    video: Vec<Stream>,
    #[serde(deserialize_with = "nullable")]
    audio: Vec<Stream>,
    #[serde(deserialize_with = "nullable")]
    dolby: Dolby,
    #[serde(deserialize_with = "nullable")]
    flac: Flac,
}

/// Dolby Atmos streams (`audio` is often `null`).
#[derive(Deserialize, Default)]
#[serde(crate = "grabkit_sdk::serde", default)]
struct Dolby {
    #[serde(deserialize_with = "nullable")]
    audio: Vec<Stream>,
}

/// The Hi-Res FLAC stream, where there is one.
#[derive(Deserialize, Default)]
#[serde(crate = "grabkit_sdk::serde", default)]
struct Flac {
    audio: Option<Stream>,
}

/// One DASH stream. The API spells some fields in camelCase and in
/// snake_case, in one object or the other: both are read.
#[derive(Deserialize, Default)]
#[serde(crate = "grabkit_sdk::serde", default)]
struct Stream {
    id: Option<u64>,
    #[serde(rename = "baseUrl")]
    base_url_camel: Option<String>,
    base_url: Option<String>,
    url: Option<String>,
    #[serde(rename = "backupUrl", deserialize_with = "nullable")]
    backup_url_camel: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    backup_url: Vec<String>,
    #[serde(rename = "mimeType")]
    mime_type_camel: Option<String>,
    mime_type: Option<String>,
    codecs: Option<String>,
    width: Option<u64>,
    height: Option<u64>,
    bandwidth: Option<u64>,
}

impl Stream {
    fn url(&self) -> Option<&str> {
        let urls = [&self.base_url_camel, &self.base_url, &self.url];
        urls.into_iter().find_map(|u| u.as_deref())
    }

    fn backups(&self) -> Vec<String> {
        let list = match self.backup_url_camel.is_empty() {
            true => &self.backup_url,
            false => &self.backup_url_camel,
        };
        list.iter().map(|u| https(u)).collect()
    }

    fn mime(&self) -> Option<&str> {
        self.mime_type_camel
            .as_deref()
            .or(self.mime_type.as_deref())
    }

    fn rank(&self) -> (u64, u64) {
        (self.id.unwrap_or(0), self.bandwidth.unwrap_or(0))
    }
}

/// One `durl` segment (a progressive file, or a part of one).
#[derive(Deserialize, Default)]
#[serde(crate = "grabkit_sdk::serde", default)]
struct Segment {
    order: Option<u64>,
    url: Option<String>,
    size: Option<u64>,
    /// Milliseconds.
    length: Option<u64>,
    #[serde(deserialize_with = "nullable")]
    backup_url: Vec<String>,
}

impl PlayInfo {
    /// Read from an answer already held as JSON.
    pub fn from_value(what: &str, v: &Value) -> Result<Self> {
        Self::deserialize(v)
            .map_err(|e| Error::parse(format!("{what}: play info is not the expected JSON: {e}")))
    }

    /// Whether the answer lists DASH streams (else only `durl`).
    pub fn has_dash(&self) -> bool {
        self.dash.is_some()
    }
}

/// A width or height as the API sends it: `None` for 0 (unknown) or
/// anything that is not a pixel count.
pub fn pixels(n: Option<u64>) -> Option<u32> {
    n.filter(|&n| n > 0).and_then(|n| u32::try_from(n).ok())
}

/// DASH video-only streams, best first.
pub fn dash_videos(play: &PlayInfo) -> Vec<Video> {
    let Some(dash) = &play.dash else {
        return Vec::new();
    };
    let mut streams: Vec<&Stream> = dash.video.iter().collect();
    streams.sort_by_key(|s| std::cmp::Reverse(s.rank()));
    streams
        .into_iter()
        .filter_map(|s| {
            Some(
                Video::new(https(s.url()?))
                    .quality(quality_label(s.id.unwrap_or(0)))
                    .mime(s.mime().unwrap_or("video/mp4"))
                    .codec(s.codecs.as_deref().unwrap_or_default())
                    .size(pixels(s.width), pixels(s.height))
                    .video_only()
                    .source(VideoSource::Dash)
                    .bitrate(s.bandwidth)
                    .backups(s.backups()),
            )
        })
        .collect()
}

/// DASH audio streams (normal, Dolby, FLAC), best first.
pub fn dash_audios(play: &PlayInfo) -> Vec<Audio> {
    let Some(dash) = &play.dash else {
        return Vec::new();
    };
    let mut streams: Vec<&Stream> = dash.audio.iter().collect();
    streams.extend(&dash.dolby.audio);
    streams.extend(&dash.flac.audio);
    streams.sort_by_key(|s| std::cmp::Reverse(s.bandwidth.unwrap_or(0)));
    streams
        .into_iter()
        .filter_map(|s| {
            Some(
                Audio::new(https(s.url()?))
                    .quality(audio_label(s.id.unwrap_or(0)))
                    .mime(s.mime().unwrap_or("audio/mp4"))
                    .codec(s.codecs.as_deref().unwrap_or_default())
                    .bitrate(s.bandwidth)
                    .backups(s.backups()),
            )
        })
        .collect()
}

/// The progressive (video + audio in one file) streams of `durl`: one, or
/// for older and long videos several ordered parts, each labelled
/// "part i of n" in its quality and in its `part` so a client plays or
/// joins them in order.
pub fn progressive(play: &PlayInfo, width: Option<u32>, height: Option<u32>) -> Vec<Video> {
    let mut segs: Vec<&Segment> = play.durl.iter().collect();
    segs.sort_by_key(|s| s.order.unwrap_or(0));
    let label = quality_label(play.quality.unwrap_or(0));
    let n = segs.len();
    segs.iter()
        .enumerate()
        .filter_map(|(i, seg)| {
            let url = seg.url.as_deref()?;
            let mime = if url.contains(".flv") {
                "video/x-flv"
            } else {
                "video/mp4"
            };
            let bitrate = match (seg.size, seg.length) {
                (Some(size), Some(ms)) if ms > 0 => Some(size * 8 * 1000 / ms),
                _ => None,
            };
            let quality = match n {
                1 => label.to_string(),
                _ => format!("{label} part {} of {n}", i + 1).trim().to_string(),
            };
            let backups = seg.backup_url.iter().map(|u| https(u)).collect();
            let video = Video::new(https(url))
                .quality(quality)
                .mime(mime)
                .size(width, height)
                .bitrate(bitrate)
                .backups(backups);
            Some(match n {
                1 => video,
                _ => video.part(i as u32 + 1, n as u32),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_sorted_best_first_with_both_spellings() {
        let play = json!({"dash": {
            "video": [
                {"id": 32, "base_url": "http://a/32.m4s", "bandwidth": 500, "mime_type": "video/mp4", "codecs": "avc1", "width": 852, "height": 480},
                {"id": 80, "baseUrl": "https://a/80.m4s", "backupUrl": ["http://b/80.m4s"], "bandwidth": 2000, "mimeType": "video/mp4", "codecs": "avc1.640032", "width": 1920, "height": 1080}
            ],
            "audio": [{"id": 30216, "baseUrl": "https://a/a1.m4s", "bandwidth": 60000}, {"id": 30280, "baseUrl": "https://a/a3.m4s", "bandwidth": 190000}],
            "dolby": {"type": 0, "audio": null},
            "flac": {"display": true, "audio": {"id": 30251, "baseUrl": "https://a/flac.m4s", "bandwidth": 900000, "codecs": "fLaC"}}
        }});
        let play = PlayInfo::from_value("t", &play).unwrap();
        let v = dash_videos(&play);
        assert_eq!(
            (v[0].quality.as_str(), v[0].height, v[0].has_audio),
            ("1080p", Some(1080), false)
        );
        assert_eq!(v[0].backup_urls, vec!["https://b/80.m4s"]);
        assert_eq!(v[1].url, "https://a/32.m4s");
        let a = dash_audios(&play);
        assert_eq!(
            a.iter().map(|a| a.quality.as_str()).collect::<Vec<_>>(),
            ["Hi-Res FLAC", "192k", "64k"]
        );
    }

    #[test]
    fn a_single_segment_is_one_file() {
        let one = json!({"quality": 64, "durl": [{"url": "https://c/x.mp4", "size": 1000, "length": 8000}]});
        let one = PlayInfo::from_value("t", &one).unwrap();
        let v = progressive(&one, Some(1280), Some(720));
        assert_eq!(
            (v.len(), v[0].quality.as_str(), v[0].has_audio, v[0].bitrate),
            (1, "720p", true, Some(1000))
        );
    }

    #[test]
    fn every_durl_segment_in_order() {
        let play = json!({"quality": 32, "durl": [
            {"order": 2, "length": 360000, "size": 21600000, "url": "http://upos.bilivideo.com/2.flv"},
            {"order": 1, "length": 360000, "size": 21600000, "url": "http://upos.bilivideo.com/1.flv"},
        ]});
        let play = PlayInfo::from_value("t", &play).unwrap();
        let v = progressive(&play, None, None);
        let got: Vec<(&str, &str)> = v
            .iter()
            .map(|v| (v.quality.as_str(), v.url.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("480p part 1 of 2", "https://upos.bilivideo.com/1.flv"),
                ("480p part 2 of 2", "https://upos.bilivideo.com/2.flv")
            ]
        );
        assert_eq!(v[0].mime_type, "video/x-flv");
        assert_eq!(v[0].bitrate, Some(480_000));
        let none = PlayInfo::from_value("t", &json!({"durl": null})).unwrap();
        assert!(progressive(&none, None, None).is_empty());
    }
}
