//! The mock Douyin: short-link redirects, iesdouyin share pages with
//! `_ROUTER_DATA` (video, note with a live photo, private, deleted, empty),
//! and the slidesinfo API.

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
        ("www.iesdouyin.com", "/share/video/7468908569061100857/") => {
            Reply::html(fixture!("video.html"))
        }
        ("www.iesdouyin.com", "/share/note/7469411074119322899/") => {
            Reply::html(fixture!("note.html"))
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
        ("www.iesdouyin.com", "/web/api/v2/aweme/slidesinfo/")
            if param(&s.query, "aweme_ids").as_deref() == Some("[7500000000000000003]") =>
        {
            Reply::json(fixture!("slides.json"))
        }
        _ => Reply::status(404),
    })
}
