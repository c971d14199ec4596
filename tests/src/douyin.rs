//! The mock Douyin: short-link redirects; the slidesinfo API (a video; a
//! note with a live photo, answered only with `request_source=200`; slides;
//! an empty answer for anything else); iesdouyin share pages as they are
//! since 2026-08-08 (no item), plus old-style ones for the fallback route
//! (a video, private, deleted).

use crate::mock::{Reply, Responder, Seen, param};
use std::sync::Arc;

pub const HOSTS: &[&str] = &["v.douyin.com", "jx.douyin.com", "www.iesdouyin.com"];

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/douyin/",
            $name
        ))
    };
}

pub fn upstream() -> Responder {
    Arc::new(|s: &Seen| match (s.host.as_str(), s.path.as_str()) {
        ("v.douyin.com", "/iP6Uu1Kh/") => Reply::redirect(
            "https://www.iesdouyin.com/share/video/7468908569061100857/?region=CN&mid=0&u_code=48&titleType=title&utm_source=copy_link",
        ),
        ("v.douyin.com", "/NoteAb1/") => Reply::redirect(
            "https://www.iesdouyin.com/share/note/7469411074119322899/?region=&mid=1&u_code=0&schema_type=37",
        ),
        ("v.douyin.com", "/Slides9/") => Reply::redirect(
            "https://www.iesdouyin.com/share/slides/7500000000000000003/?region=CN&is_slides=1",
        ),
        ("v.douyin.com", "/UserPg/") => {
            Reply::redirect("https://www.iesdouyin.com/share/user/MS4wLjABAAAA?u_code=1")
        }
        ("www.iesdouyin.com", "/share/video/7468908569061100857/")
        | ("www.iesdouyin.com", "/share/note/7469411074119322899/") => {
            Reply::html(fixture!("stale.html"))
        }
        ("www.iesdouyin.com", "/share/video/7468908569061100999/") => {
            Reply::html(fixture!("video_share_page.html"))
        }
        ("www.iesdouyin.com", "/share/video/7000000000000000001/") => {
            Reply::html(fixture!("private.html"))
        }
        ("www.iesdouyin.com", "/share/video/7000000000000000002/") => {
            Reply::html(fixture!("deleted.html"))
        }
        ("www.iesdouyin.com", "/share/video/7000000000000000003/") => Reply::redirect(
            "https://www.douyin.com/video/7000000000000000003?previous_page=app_code_link",
        ),
        ("www.iesdouyin.com", "/web/api/v2/aweme/slidesinfo/") => slidesinfo(s),
        _ => Reply::status(404),
    })
}

fn slidesinfo(s: &Seen) -> Reply {
    let ids = param(&s.query, "aweme_ids").unwrap_or_default();
    let source_200 = param(&s.query, "request_source").as_deref() == Some("200");
    match (ids.as_str(), source_200) {
        ("[7468908569061100857]", _) => Reply::json(fixture!("slidesinfo_video.json")),
        ("[7469411074119322899]", true) => Reply::json(fixture!("slidesinfo_note.json")),
        ("[7500000000000000003]", _) => Reply::json(fixture!("slides.json")),
        _ => Reply::json(fixture!("slidesinfo_empty.json")),
    }
}
