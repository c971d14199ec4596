//! The mock TikTok: share-link redirects and post pages whose rehydration
//! state holds a video, a photo post, or an error; the page sets the CDN cookie.

use crate::mock::{Reply, Responder, Seen};
use std::sync::Arc;

pub const HOSTS: &[&str] = &[
    "www.tiktok.com",
    "vm.tiktok.com",
    "vt.tiktok.com",
    "t.tiktok.com",
    "api22-normal-c-useast2a.tiktokv.com",
];

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/tiktok/",
            $name
        ))
    };
}

pub fn upstream() -> Responder {
    Arc::new(|s: &Seen| match (s.host.as_str(), s.path.as_str()) {
        ("vm.tiktok.com", "/ZMabcdEF/") => Reply::redirect(
            "https://www.tiktok.com/@scout2015/video/6718335390845095173?_t=8abc&_r=1",
        ),
        ("t.tiktok.com", "/ZT2abc/") => {
            Reply::redirect("https://www.tiktok.com/@/video/6718335390845095173/?_r=1")
        }
        ("vt.tiktok.com", "/ZSphoto1/") => {
            Reply::redirect("https://www.tiktok.com/@chef/photo/7300000000000000001?_r=1")
        }
        ("www.tiktok.com", "/t/ZTRlive/") => {
            Reply::redirect("https://www.tiktok.com/@scout2015/live")
        }
        ("www.tiktok.com", p) if p.starts_with("/@i/video/") => {
            let mut reply = match p.trim_start_matches("/@i/video/") {
                "6718335390845095173" => Reply::html(fixture!("video.html")),
                "7300000000000000001" => Reply::html(fixture!("photo.html")),
                "7000000000000000002" => Reply::html(fixture!("private.html")),
                "7000000000000000003" | "7000000000000000004" => {
                    Reply::html("<html><title>Verify</title><div id=captcha></div></html>")
                }
                _ => Reply::html(fixture!("gone.html")),
            };
            reply.headers.push((
                "set-cookie".into(),
                "tt_chain_token=abc123==; Path=/; Domain=.tiktok.com; Secure; HttpOnly".into(),
            ));
            reply
                .headers
                .push(("set-cookie".into(), "ttwid=1%7Cxyz; Path=/".into()));
            reply
        }
        // The app's feed: post 7000…004 is in it, among others.
        ("api22-normal-c-useast2a.tiktokv.com", "/aweme/v1/feed/") => {
            let id = crate::mock::param(&s.query, "aweme_id").unwrap_or_default();
            let app = crate::mock::param(&s.query, "app_name").unwrap_or_default();
            match (id.as_str(), app.as_str()) {
                ("7000000000000000004", "trill") => Reply::json(fixture!("app_feed.json")),
                _ => Reply::json(fixture!("app_feed_other.json")),
            }
        }
        _ => Reply::status(404),
    })
}
