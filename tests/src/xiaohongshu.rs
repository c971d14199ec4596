//! The mock Xiaohongshu: share-link redirects and note pages (video, images
//! with a live photo, the empty shell a blocked page gets, redirects to
//! 404 and captcha). A note page wants the note's own `xsec_token`.

use crate::mock::{Reply, Responder, Seen, param};
use std::sync::Arc;

pub const HOSTS: &[&str] = &["www.xiaohongshu.com", "xhslink.com", "xhslink.cn"];

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/xiaohongshu/",
            $name
        ))
    };
}

pub fn upstream() -> Responder {
    Arc::new(|s: &Seen| match (s.host.as_str(), s.path.as_str()) {
        ("xhslink.com", "/a/jqL6B32eU0F7") => Reply::redirect(
            "https://www.xiaohongshu.com/discovery/item/6a0000000000000000000001?app_platform=ios&xsec_source=app_share&type=video&xsec_token=CBvideo%3D&author_share=1",
        ),
        ("xhslink.cn", "/o/7Vd2kQ") => Reply::redirect(
            "https://www.xiaohongshu.com/discovery/item/6a0000000000000000000001?xsec_source=app_share&xsec_token=CBvideo%3D",
        ),
        ("xhslink.com", "/m/Img2") => Reply::redirect(
            "https://www.xiaohongshu.com/discovery/item/6a0000000000000000000002?xsec_source=app_share&xsec_token=CBimages%3D",
        ),
        ("www.xiaohongshu.com", p) if p.starts_with("/explore/") => {
            let id = p.trim_start_matches("/explore/");
            let token = param(&s.query, "xsec_token").unwrap_or_default();
            match (id, token.as_str()) {
                ("6a0000000000000000000001", "CBvideo=") => Reply::html(fixture!("video.html")),
                ("6a0000000000000000000002", "CBimages=") => Reply::html(fixture!("images.html")),
                ("6a0000000000000000000003", _) => Reply::redirect(
                    "https://www.xiaohongshu.com/404/sec_abc?redirectPath=x&error_code=300031",
                ),
                ("6a0000000000000000000004", _) => Reply::redirect(
                    "https://www.xiaohongshu.com/website-login/captcha?redirectPath=x&verifyType=102&verifyBiz=461",
                ),
                (_, "") => Reply::redirect("https://www.xiaohongshu.com/explore"),
                _ => Reply::html(fixture!("shell.html")),
            }
        }
        _ => Reply::status(404),
    })
}
