//! `grabkit download`: parse a link and save its media, through the same
//! fetch, refresh, decrypt and merge code the download proxy serves.

use crate::links::{
    Origin, audio_stream, image_stream, later_parts, numbered, partner, stem_of, video_stream,
};
use crate::token::Stream;
use crate::{Part, Proxy, ProxyError, Ticket, Want, body, filename};
use futures::StreamExt;
use grabkit_core::service::MediaJson;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// One file to save.
pub struct Job {
    pub ticket: Ticket,
    /// Merge `ticket.main` with `ticket.audio`.
    pub merged: bool,
    pub name: String,
}

/// What to download from a parse result: `best` (the first video that
/// plays with sound, merging when ffmpeg is there), a quality label
/// (`720p`, `1080`, `h265`…), or `audio`. Image posts give every image.
pub fn plan(
    media: &MediaJson,
    post: &str,
    quality: &str,
    can_merge: bool,
) -> Result<Vec<Job>, String> {
    let stem = stem_of(media);
    // Local downloads are never signed: no key, no expiry.
    let origin = Origin {
        key: 0,
        post,
        expires: i64::MAX,
    };
    let ticket = |main: Stream, audio: Option<Stream>, name: &str| {
        origin.ticket(
            &media.platform,
            &media.headers,
            main,
            audio,
            name.to_string(),
        )
    };
    let q = quality.trim().to_ascii_lowercase();
    if q == "audio" {
        let a = media
            .audios
            .first()
            .ok_or("this post has no separate audio")?;
        let name = format!("{stem}.{}", filename::extension(&a.mime_type, &a.url));
        return Ok(vec![Job {
            ticket: ticket(audio_stream(0, a), None, &name),
            merged: false,
            name,
        }]);
    }
    if !media.videos.is_empty() {
        let playable = |v: &&grabkit_core::service::media::VideoJson| v.source != "hls";
        let candidates: Vec<(usize, &grabkit_core::service::media::VideoJson)> = media
            .videos
            .iter()
            .enumerate()
            .filter(|(_, v)| playable(v))
            .collect();
        let matches = |v: &grabkit_core::service::media::VideoJson| {
            q == "best"
                || v.quality.to_ascii_lowercase() == q
                || v.quality.to_ascii_lowercase() == format!("{q}p")
                || v.height.to_string() == q.trim_end_matches('p')
        };
        let mergeable = |v: &grabkit_core::service::media::VideoJson| {
            !v.has_audio && partner(v, &media.audios).is_some()
        };
        let choice = candidates
            .iter()
            .find(|(_, v)| matches(v) && (v.has_audio || (can_merge && mergeable(v))))
            .or_else(|| candidates.iter().find(|(_, v)| matches(v)))
            .ok_or_else(|| {
                format!(
                    "no video of quality `{quality}`; offered: {}",
                    media
                        .videos
                        .iter()
                        .map(|v| v.quality.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        let (i, v) = *choice;
        // A video in several ordered files: joined into one, or each saved.
        if let Some(rest) = later_parts(&media.videos, i) {
            if can_merge {
                let name = format!("{stem}.mp4");
                let mut t = ticket(video_stream(i, v), None, &name);
                t.parts = rest;
                return Ok(vec![Job {
                    ticket: t,
                    merged: true,
                    name,
                }]);
            }
            eprintln!(
                "note: ffmpeg is not installed; saving the {} parts as they are",
                rest.len() + 1
            );
            let ext = filename::extension(&v.mime_type, &v.url);
            let all = std::iter::once(video_stream(i, v)).chain(rest);
            return Ok(all
                .enumerate()
                .map(|(k, s)| {
                    let name = numbered(&stem, true, k, &ext);
                    Job {
                        ticket: ticket(s, None, &name),
                        merged: false,
                        name,
                    }
                })
                .collect());
        }
        if can_merge && mergeable(v) {
            let a = partner(v, &media.audios).expect("checked");
            let name = format!("{stem}.mp4");
            return Ok(vec![Job {
                ticket: ticket(
                    video_stream(i, v),
                    Some(audio_stream(a, &media.audios[a])),
                    &name,
                ),
                merged: true,
                name,
            }]);
        }
        if mergeable(v) {
            eprintln!(
                "note: {} has no sound and ffmpeg is not installed; saving the video stream alone",
                v.quality
            );
        }
        let name = format!("{stem}.{}", filename::extension(&v.mime_type, &v.url));
        return Ok(vec![Job {
            ticket: ticket(video_stream(i, v), None, &name),
            merged: false,
            name,
        }]);
    }
    if !media.images.is_empty() {
        let many = media.images.len() > 1;
        return Ok(media
            .images
            .iter()
            .enumerate()
            .map(|(i, img)| {
                let name = numbered(&stem, many, i, &filename::image_extension(&img.url));
                Job {
                    ticket: ticket(image_stream(i, img), None, &name),
                    merged: false,
                    name,
                }
            })
            .collect());
    }
    plan(media, post, "audio", can_merge)
}

/// Save one job into `dir`, resuming a `.part` file left by an earlier run
/// (merged files start over: a remux cannot resume).
pub async fn save(
    proxy: &Proxy,
    job: &mut Job,
    dir: &Path,
    progress: &indicatif::ProgressBar,
) -> Result<PathBuf, ProxyError> {
    let target = dir.join(&job.name);
    let part = dir.join(format!("{}.part", job.name));
    let io = |e: std::io::Error| ProxyError::Save(format!("{}: {e}", part.display()));
    progress.set_message(job.name.clone());
    let (mut file, mut chunks): (
        tokio::fs::File,
        std::pin::Pin<Box<dyn futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send>>,
    ) = if job.merged {
        let out = proxy.merged(&mut job.ticket).await?;
        (
            tokio::fs::File::create(&part).await.map_err(io)?,
            Box::pin(out),
        )
    } else {
        let have = tokio::fs::metadata(&part)
            .await
            .map(|m| m.len())
            .unwrap_or(0);
        let want = Want {
            range: (have > 0).then(|| format!("bytes={have}-")),
            ..Default::default()
        };
        let resp = proxy.fetch(&mut job.ticket, Part::Main, &want).await?;
        let status = resp.status().as_u16();
        if status == 416 && have > 0 {
            // The part file already holds everything.
            tokio::fs::rename(&part, &target).await.map_err(io)?;
            return Ok(target);
        }
        let resumed = status == 206 && body::offset(&resp) == have;
        let total = if resumed {
            resp.content_length().map(|n| n + have)
        } else {
            resp.content_length()
        };
        if let Some(t) = total {
            progress.set_length(t);
        }
        let file = if resumed {
            progress.set_position(have);
            tokio::fs::OpenOptions::new()
                .append(true)
                .open(&part)
                .await
                .map_err(io)?
        } else {
            tokio::fs::File::create(&part).await.map_err(io)?
        };
        (file, Box::pin(proxy.main_body(&job.ticket, resp)))
    };
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| ProxyError::Interrupted(e.to_string()))?;
        file.write_all(&chunk).await.map_err(io)?;
        progress.inc(chunk.len() as u64);
    }
    file.flush().await.map_err(io)?;
    drop(file);
    tokio::fs::rename(&part, &target).await.map_err(io)?;
    Ok(target)
}
