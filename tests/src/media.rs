//! The mock upstream for download-proxy tests: the probe plugin's post
//! descriptions (`up.probe.test/media/{name}`) and the media files on
//! `cdn.probecdn.test`.

use crate::mock::{Generated, Reply, Responder, Seen};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

pub const HOSTS: &[&str] = &["up.probe.test", "cdn.probecdn.test", "other.probecdn.test"];

/// The known plaintext of the WeChat fixture (see `fixtures/media/wechat_encrypt.py`).
pub fn wechat_plain() -> Vec<u8> {
    (0..200_000usize)
        .map(|i| ((i * 31 + i / 7) % 251) as u8)
        .collect()
}

/// A 300 KB "video" whose bytes are easy to check.
pub fn clip() -> Vec<u8> {
    (0..300_000u64).map(crate::mock::pattern_byte).collect()
}

macro_rules! media_fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/media/",
            $name
        ))
        .as_slice()
    };
}

/// What the tests can watch: parses of the refresh post, and the slow file.
#[derive(Default)]
pub struct Watch {
    pub refresh_parses: AtomicUsize,
    pub slow: std::sync::OnceLock<Generated>,
}

pub fn upstream(watch: Arc<Watch>) -> Responder {
    let slow = Generated {
        len: 64 << 20,
        chunk: 64 << 10,
        pause: std::time::Duration::from_millis(5),
        sent: Arc::new(AtomicU64::new(0)),
        hung_up: Default::default(),
    };
    let _ = watch.slow.set(slow.clone());
    Arc::new(move |s: &Seen| match (s.host.as_str(), s.path.as_str()) {
        ("up.probe.test", p) if p.starts_with("/media/") => post(&p["/media/".len()..], &watch),
        ("cdn.probecdn.test", "/v/clip.mp4") => Reply::ranged(&clip(), "video/mp4", s),
        ("cdn.probecdn.test", "/v/expiring.mp4") => {
            match crate::mock::param(&s.query, "sig").as_deref() {
                Some("2") => Reply::ranged(&clip(), "video/mp4", s),
                _ => Reply::status(403),
            }
        }
        ("cdn.probecdn.test", "/v/gone.mp4") => Reply::status(410),
        ("cdn.probecdn.test", "/v/enc.mp4") => {
            Reply::ranged(media_fixture!("wechat_encrypted.bin"), "video/mp4", s)
        }
        ("cdn.probecdn.test", "/v/video_only.mp4") => {
            Reply::ranged(media_fixture!("video_only.mp4"), "video/mp4", s)
        }
        ("cdn.probecdn.test", "/a/audio_only.m4a") => {
            Reply::ranged(media_fixture!("audio_only.m4a"), "audio/mp4", s)
        }
        ("cdn.probecdn.test", "/v/slow.mp4") => Reply::generated(slow.clone()),
        // A large file made on the fly: `?mb=N` MiB, sent as fast as it is read.
        ("cdn.probecdn.test", "/v/big.mp4") => {
            let mb: u64 = crate::mock::param(&s.query, "mb")
                .and_then(|n| n.parse().ok())
                .unwrap_or(200);
            Reply::generated(Generated {
                len: mb << 20,
                chunk: 256 << 10,
                pause: std::time::Duration::ZERO,
                sent: Default::default(),
                hung_up: Default::default(),
            })
        }
        ("cdn.probecdn.test", "/i/1.jpg") => Reply::ranged(b"\xff\xd8jpeg one", "image/jpeg", s),
        ("cdn.probecdn.test", "/i/2.webp") => Reply::ranged(b"RIFFwebp two", "image/webp", s),
        _ => Reply::status(404),
    })
}

/// A post description the probe plugin turns into media.
fn post(name: &str, watch: &Watch) -> Reply {
    let cdn = "https://cdn.probecdn.test";
    let body = match name {
        "clip" => serde_json::json!({
            "id": "clip", "title": "猫 cat / \"clip\"",
            "videos": [{"url": format!("{cdn}/v/clip.mp4?sig=abc"), "quality": "720p", "width": 1280, "height": 720}],
            "images": [{"url": format!("{cdn}/i/1.jpg")}],
            "headers": {"Cookie": "tt_chain_token=abc123", "User-Agent": "grabkit-test-agent"},
        }),
        "refresh" => {
            // Each parse signs the URL anew; only the second signature works.
            let n = watch.refresh_parses.fetch_add(1, Ordering::SeqCst) + 1;
            serde_json::json!({"id": "refresh", "title": "fresh", "videos": [
                {"url": format!("{cdn}/v/other.mp4?sig={n}"), "quality": "480p", "width": 854, "height": 480},
                {"url": format!("{cdn}/v/expiring.mp4?sig={n}"), "quality": "720p", "width": 1280, "height": 720},
            ]})
        }
        "gone" => {
            serde_json::json!({"id": "gone", "videos": [{"url": format!("{cdn}/v/gone.mp4"), "quality": "720p"}]})
        }
        "wechat" => {
            serde_json::json!({"id": "wx", "title": "wx", "videos": [{"url": format!("{cdn}/v/enc.mp4?encfilekey=k"), "quality": "h264", "decodeKey": "2366281446"}]})
        }
        // An old upload in two ordered parts (the same file twice here).
        "parts" => serde_json::json!({"id": "parts", "title": "two parts", "videos": [
            {"url": format!("{cdn}/v/video_only.mp4?part=1"), "quality": "240p part 1 of 2", "part": [1, 2]},
            {"url": format!("{cdn}/v/video_only.mp4?part=2"), "quality": "240p part 2 of 2", "part": [2, 2]}]}),
        "dash" => {
            serde_json::json!({"id": "dash", "title": "split", "videos": [{"url": format!("{cdn}/v/video_only.mp4"), "quality": "240p", "hasAudio": false, "source": "dash"}], "audios": [{"url": format!("{cdn}/a/audio_only.m4a"), "quality": "32kbps"}]})
        }
        n if n.starts_with("big-") => {
            serde_json::json!({"id": "big", "videos": [{"url": format!("{cdn}/v/big.mp4?mb={}", &n[4..]), "quality": "1080p"}]})
        }
        "photos" => {
            serde_json::json!({"id": "photos", "title": "two photos", "images": [{"url": format!("{cdn}/i/1.jpg")}, {"url": format!("{cdn}/i/2.webp?x=1")}]})
        }
        "slow" => {
            serde_json::json!({"id": "slow", "videos": [{"url": format!("{cdn}/v/slow.mp4"), "quality": "1080p"}]})
        }
        "elsewhere" => {
            serde_json::json!({"id": "elsewhere", "videos": [{"url": "https://evil.example.org/v.mp4", "quality": "720p"}, {"url": format!("{cdn}/v/clip.mp4"), "quality": "480p"}]})
        }
        _ => return Reply::status(404),
    };
    Reply::json(&body.to_string())
}
