//! `streamingData` read into the unified media: progressive formats (video
//! with sound), adaptive video-only and audio-only formats, best first.
//! Protected URLs (`signatureCipher`) and throttled ones (`n`) pass through
//! the player's transforms when a solver is at hand.

use crate::engine::Solver;
use grabkit_sdk::prelude::*;
use grabkit_sdk::url::Url;

/// A format URL made usable: the signature deciphered into its parameter and
/// `n` transformed. Without a solver, only formats with a plain `url` remain.
pub fn stream_url(format: &Value, solver: Option<&mut Solver>) -> Result<Option<String>> {
    let (mut url, sig) = match (
        format["url"].as_str(),
        format["signatureCipher"]
            .as_str()
            .or(format["cipher"].as_str()),
    ) {
        (Some(u), _) => (u.to_string(), None),
        (None, Some(cipher)) => {
            let pairs: Vec<(String, String)> =
                grabkit_sdk::url::form_urlencoded::parse(cipher.as_bytes())
                    .into_owned()
                    .collect();
            let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            let Some(u) = get("url") else { return Ok(None) };
            (
                u,
                Some((
                    get("s").unwrap_or_default(),
                    get("sp").unwrap_or_else(|| "signature".into()),
                )),
            )
        }
        (None, None) => return Ok(None),
    };
    let Some(solver) = solver else {
        return Ok(if sig.is_some() { None } else { Some(url) });
    };
    let mut parsed = Url::parse(&url).map_err(|e| Error::parse(format!("format url: {e}")))?;
    let mut pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    if let Some((s, sp)) = sig {
        pairs.push((sp, solver.sig(&s)?));
    }
    if let Some(n) = pairs.iter_mut().find(|(k, _)| k == "n") {
        match solver.n(&n.1) {
            // The player reports its own failures in-band; keep the throttled URL then.
            Ok(fast) if !fast.starts_with("enhanced_except") && fast != n.1 => n.1 = fast,
            Ok(_) => log::warn("the player's n transform did not change n; downloads may be slow"),
            Err(e) => log::warn(&format!(
                "n transform failed ({}); downloads may be slow",
                e.message
            )),
        }
    }
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    url = parsed.into();
    Ok(Some(url))
}

/// `video/mp4; codecs="avc1.640028"` → (`video/mp4`, `avc1.640028`).
fn mime_and_codec(format: &Value) -> (String, Option<String>) {
    let raw = format["mimeType"].as_str().unwrap_or_default();
    let (mime, rest) = raw.split_once(';').unwrap_or((raw, ""));
    let codec = rest
        .split_once("codecs=")
        .map(|(_, c)| c.trim().trim_matches('"').to_string());
    (mime.trim().to_string(), codec)
}

fn dim(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|n| u32::try_from(n).ok())
}

/// Every usable format of `streaming` into `media`.
pub fn collect(
    streaming: &Value,
    mut solver: Option<&mut Solver>,
    media: &mut Media,
) -> Result<()> {
    let mut videos: Vec<(u64, Video)> = Vec::new();
    let mut audios: Vec<(u64, Audio)> = Vec::new();
    let progressive = streaming["formats"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| (f, true));
    let adaptive = streaming["adaptiveFormats"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| (f, false));
    for (f, muxed) in progressive.chain(adaptive) {
        // DRM-protected formats cannot be fetched at all, OTF ones only in
        // pieces; a live stream's formats (`targetDurationSec`) are
        // segment streams, fetched with `&sq=N`, so they are marked DASH.
        if f["drmFamilies"].is_array() || f["type"] == "FORMAT_STREAM_TYPE_OTF" {
            continue;
        }
        let live = f["targetDurationSec"].is_number();
        let Some(url) = stream_url(f, solver.as_deref_mut())? else {
            continue;
        };
        let (mime, codec) = mime_and_codec(f);
        let bitrate = f["bitrate"].as_u64().or(f["averageBitrate"].as_u64());
        if mime.starts_with("audio/") {
            let kbps = f["averageBitrate"].as_u64().or(bitrate).unwrap_or(0) / 1000;
            let mut audio = Audio::new(url)
                .mime(mime)
                .bitrate(bitrate)
                .quality(format!("{kbps}kbps"));
            if let Some(c) = codec {
                audio = audio.codec(c);
            }
            // Videos dubbed in several languages have one track each:
            // `audioTrack.id` is "{language}.{n}", the default marked.
            let track = &f["audioTrack"];
            if track.is_object() {
                let lang = track["id"].as_str().and_then(|id| id.split('.').next());
                let name = track["displayName"].as_str();
                audio = audio
                    .track(lang.map(str::to_string), name.map(str::to_string))
                    .default_track(track["audioIsDefault"] == true);
            }
            // The default track first, then by bitrate.
            let rank = (audio.is_default as u64) << 40 | bitrate.unwrap_or(0).min((1 << 40) - 1);
            audios.push((rank, audio));
            continue;
        }
        let (w, h) = (dim(&f["width"]), dim(&f["height"]));
        let label = f["qualityLabel"]
            .as_str()
            .map(str::to_string)
            .or_else(|| h.map(|h| format!("{h}p")))
            .unwrap_or_default();
        let mut video = Video::new(url)
            .size(w, h)
            .mime(mime)
            .bitrate(bitrate)
            .quality(label);
        if let Some(c) = codec {
            video = video.codec(c);
        }
        if !muxed {
            video = video.video_only();
        }
        if live {
            video = video.source(VideoSource::Dash);
        }
        // Rank: bigger first, then sound, then bitrate.
        let rank = (w.unwrap_or(0) as u64 * h.unwrap_or(0) as u64) << 24
            | (muxed as u64) << 23
            | bitrate.unwrap_or(0).min((1 << 23) - 1);
        videos.push((rank, video));
    }
    videos.sort_by_key(|(r, _)| std::cmp::Reverse(*r));
    audios.sort_by_key(|(r, _)| std::cmp::Reverse(*r));
    media.videos.extend(videos.into_iter().map(|(_, v)| v));
    media.audios.extend(audios.into_iter().map(|(_, a)| a));
    manifests(streaming, media);
    Ok(())
}

/// The HLS and DASH manifests, after the files: every video that has them
/// (live streams, premieres, many ordinary videos) gets them.
pub fn manifests(streaming: &Value, media: &mut Media) {
    if let Some(u) = streaming["hlsManifestUrl"].as_str() {
        media.videos.push(
            Video::new(u)
                .source(VideoSource::Hls)
                .mime("application/x-mpegURL")
                .quality("adaptive"),
        );
    }
    if let Some(u) = streaming["dashManifestUrl"].as_str() {
        media.videos.push(
            Video::new(u)
                .source(VideoSource::Dash)
                .mime("application/dash+xml")
                .quality("adaptive"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_types_and_codecs() {
        let f = json!({"mimeType": "video/webm; codecs=\"vp9\""});
        assert_eq!(
            mime_and_codec(&f),
            ("video/webm".to_string(), Some("vp9".to_string()))
        );
        assert_eq!(
            mime_and_codec(&json!({"mimeType": "audio/mp4"})),
            ("audio/mp4".to_string(), None)
        );
    }

    #[test]
    fn without_a_solver_only_plain_urls() {
        assert_eq!(
            stream_url(
                &json!({"url": "https://r1.googlevideo.com/videoplayback?itag=18"}),
                None
            )
            .unwrap()
            .as_deref(),
            Some("https://r1.googlevideo.com/videoplayback?itag=18")
        );
        assert_eq!(stream_url(&json!({"signatureCipher": "s=abc&sp=sig&url=https%3A%2F%2Fr1.googlevideo.com%2Fvideoplayback"}), None).unwrap(), None);
    }
}
