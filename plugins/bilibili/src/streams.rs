//! Play-info JSON (`dash` and `durl`, shared by the UGC, bangumi and course
//! endpoints) → unified video and audio entries.

use grabkit_sdk::prelude::*;

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

/// First of several field spellings (the API sends both camelCase and snake_case).
fn field<'a>(v: &'a Value, names: &[&str]) -> &'a Value {
    names
        .iter()
        .map(|n| &v[*n])
        .find(|x| !x.is_null())
        .unwrap_or(&Value::Null)
}

fn urls(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|u| u.as_str()).map(https).collect())
        .unwrap_or_default()
}

fn dim(v: &Value) -> Option<u32> {
    v.as_u64()
        .filter(|&n| n > 0)
        .and_then(|n| u32::try_from(n).ok())
}

/// DASH video-only streams, best first.
pub fn dash_videos(play: &Value) -> Vec<Video> {
    let mut streams: Vec<&Value> = play["dash"]["video"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    streams.sort_by_key(|s| {
        std::cmp::Reverse((
            s["id"].as_u64().unwrap_or(0),
            s["bandwidth"].as_u64().unwrap_or(0),
        ))
    });
    streams
        .into_iter()
        .filter_map(|s| {
            let url = field(s, &["baseUrl", "base_url", "url"]).as_str()?;
            Some(
                Video::new(https(url))
                    .quality(quality_label(s["id"].as_u64().unwrap_or(0)))
                    .mime(
                        field(s, &["mimeType", "mime_type"])
                            .as_str()
                            .unwrap_or("video/mp4"),
                    )
                    .codec(s["codecs"].as_str().unwrap_or_default())
                    .size(dim(&s["width"]), dim(&s["height"]))
                    .video_only()
                    .source(VideoSource::Dash)
                    .bitrate(s["bandwidth"].as_u64())
                    .backups(urls(field(s, &["backupUrl", "backup_url"]))),
            )
        })
        .collect()
}

/// DASH audio streams (normal, Dolby, FLAC), best first.
pub fn dash_audios(play: &Value) -> Vec<Audio> {
    let dash = &play["dash"];
    let mut streams: Vec<&Value> = dash["audio"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if let Some(dolby) = dash["dolby"]["audio"].as_array() {
        streams.extend(dolby.iter());
    }
    if dash["flac"]["audio"].is_object() {
        streams.push(&dash["flac"]["audio"]);
    }
    streams.sort_by_key(|s| std::cmp::Reverse(s["bandwidth"].as_u64().unwrap_or(0)));
    streams
        .into_iter()
        .filter_map(|s| {
            let url = field(s, &["baseUrl", "base_url", "url"]).as_str()?;
            Some(
                Audio::new(https(url))
                    .quality(audio_label(s["id"].as_u64().unwrap_or(0)))
                    .mime(
                        field(s, &["mimeType", "mime_type"])
                            .as_str()
                            .unwrap_or("audio/mp4"),
                    )
                    .codec(s["codecs"].as_str().unwrap_or_default())
                    .bitrate(s["bandwidth"].as_u64())
                    .backups(urls(field(s, &["backupUrl", "backup_url"]))),
            )
        })
        .collect()
}

/// The progressive (video + audio in one file) streams of `durl`: one, or
/// for older and long videos several ordered parts, each labelled
/// "part i of n" in its quality and in its `part` so a client plays or
/// joins them in order.
pub fn progressive(play: &Value, width: Option<u32>, height: Option<u32>) -> Vec<Video> {
    let Some(segs) = play["durl"].as_array().filter(|s| !s.is_empty()) else {
        return Vec::new();
    };
    let mut segs: Vec<&Value> = segs.iter().collect();
    segs.sort_by_key(|s| s["order"].as_u64().unwrap_or(0));
    let label = quality_label(play["quality"].as_u64().unwrap_or(0));
    let n = segs.len();
    segs.iter()
        .enumerate()
        .filter_map(|(i, seg)| {
            let url = seg["url"].as_str()?;
            let mime = if url.contains(".flv") {
                "video/x-flv"
            } else {
                "video/mp4"
            };
            let bitrate = match (seg["size"].as_u64(), seg["length"].as_u64()) {
                (Some(size), Some(ms)) if ms > 0 => Some(size * 8 * 1000 / ms),
                _ => None,
            };
            let quality = match n {
                1 => label.to_string(),
                _ => format!("{label} part {} of {n}", i + 1).trim().to_string(),
            };
            let video = Video::new(https(url))
                .quality(quality)
                .mime(mime)
                .size(width, height)
                .bitrate(bitrate)
                .backups(urls(&seg["backup_url"]));
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
        assert!(progressive(&json!({"durl": []}), None, None).is_empty());
    }
}
