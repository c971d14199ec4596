//! The mock Douyin: short-link redirects; the slidesinfo API (a video; a
//! note with a live photo, answered only with `request_source=200`; slides;
//! an empty answer for anything else); iesdouyin share pages as they are
//! since 2026-08-08 (no item), plus old-style ones for the fallback route
//! (a video, private, deleted).

use crate::mock::{Reply, Responder, Seen, param};
use std::sync::Arc;

pub const HOSTS: &[&str] = &[
    "v.douyin.com",
    "jx.douyin.com",
    "www.iesdouyin.com",
    "www.douyin.com",
    "live.douyin.com",
];

/// A logged-in web cookie, as the operator would paste it.
pub const COOKIE: &str = "ttwid=1%7Cabc; sessionid=0123abcd; s_v_web_id=verify_x";

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
        ("www.douyin.com" | "live.douyin.com", p)
            if p.starts_with("/aweme/") || p.starts_with("/webcast/") =>
        {
            web(s)
        }
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

fn user(sec: &str) -> serde_json::Value {
    serde_json::json!({"uid": "1001", "sec_uid": sec, "nickname": "海边的人", "unique_id": "haibian",
        "signature": "看海", "avatar_thumb": {"url_list": ["http://p3.douyinpic.com/aweme/100x100/a.jpeg"]},
        "avatar_larger": {"url_list": ["http://p3.douyinpic.com/aweme/1080x1080/a.jpeg"]},
        "follower_count": 12345, "following_count": 67, "aweme_count": 89, "total_favorited": 456789,
        "custom_verify": ""})
}

fn aweme(id: &str, images: bool) -> serde_json::Value {
    let mut a = serde_json::json!({"aweme_id": id, "desc": "海边日落", "create_time": 1738800000,
        "author": user("MS4wLjABAAAAEKnfa654JAJ"),
        "video": {"duration": 15300, "cover": {"url_list": ["https://p3.douyinpic.com/cover.jpeg"]}},
        "statistics": {"play_count": 0, "digg_count": 321, "comment_count": 12, "share_count": 3}});
    if images {
        a["images"] = serde_json::json!([{"url_list": ["https://p3.douyinpic.com/i1.jpeg"]}]);
    }
    a
}

fn dy_comment(cid: &str, text: &str) -> serde_json::Value {
    serde_json::json!({"cid": cid, "text": text, "digg_count": 5, "reply_comment_total": 1,
        "create_time": 1738800100, "user": user("MS4wFAN"),
        "image_list": [{"origin_url": {"url_list": ["http://p3.douyinpic.com/c.jpeg"]}}]})
}

/// The web API: answers a logged-in cookie with the web client's common
/// query; an empty body for `MS4wEMPTY` (what an unsigned request often gets).
fn web(s: &Seen) -> Reply {
    let p = |k: &str| param(&s.query, k).unwrap_or_default();
    let cookie = s
        .headers
        .get("cookie")
        .and_then(|c| c.to_str().ok())
        .unwrap_or_default();
    if !cookie.contains("sessionid=") || p("aid") != "6383" || p("device_platform") != "webapp" {
        return Reply::json("");
    }
    let ok = |mut v: serde_json::Value| {
        v["status_code"] = 0.into();
        Reply::json(&v.to_string())
    };
    match s.path.as_str() {
        "/aweme/v1/web/comment/list/" => match (p("aweme_id").as_str(), p("cursor").as_str()) {
            ("7468908569061100857", "0") => ok(
                serde_json::json!({"comments": [dy_comment("7400000000000000001", "好看"), dy_comment("7400000000000000002", "在哪")], "cursor": 2, "has_more": 1, "total": 3}),
            ),
            ("7468908569061100857", "2") => ok(
                serde_json::json!({"comments": [dy_comment("7400000000000000003", "第二页")], "cursor": 3, "has_more": 0, "total": 3}),
            ),
            _ => ok(serde_json::json!({"comments": null, "cursor": 0, "has_more": 0})),
        },
        "/aweme/v1/web/comment/list/reply/" if p("comment_id") == "7400000000000000001" => ok(
            serde_json::json!({"comments": [dy_comment("7400000000000000009", "三亚")], "cursor": 1, "has_more": 0}),
        ),
        "/aweme/v1/web/user/profile/other/" => match p("sec_user_id").as_str() {
            sec @ ("MS4wLjABAAAAEKnfa654JAJ" | "MS4wLjABAAAA") => {
                ok(serde_json::json!({"user": user(sec)}))
            }
            "MS4wEMPTY" => Reply::json(""),
            _ => Reply::json(r#"{"status_code": 2, "status_msg": "user not found"}"#),
        },
        "/aweme/v1/web/aweme/post/" => match p("max_cursor").as_str() {
            "0" => ok(
                serde_json::json!({"aweme_list": [aweme("7468908569061100857", false)], "max_cursor": 1738800000000_u64, "has_more": 1}),
            ),
            "1738800000000" => ok(
                serde_json::json!({"aweme_list": [aweme("7469411074119322899", true)], "max_cursor": 1738700000000_u64, "has_more": 0}),
            ),
            _ => ok(serde_json::json!({"aweme_list": [], "has_more": 0})),
        },
        "/aweme/v1/web/search/item/" if p("keyword") == "海边" => ok(
            serde_json::json!({"data": [{"type": 1, "aweme_info": aweme("7468908569061100857", false)}], "has_more": 0}),
        ),
        "/aweme/v1/web/discover/search/" if p("keyword") == "海边" => ok(
            serde_json::json!({"user_list": [{"user_info": user("MS4wLjABAAAAEKnfa654JAJ")}], "has_more": 1}),
        ),
        "/webcast/room/web/enter/" => {
            let status = match p("web_rid").as_str() {
                "123456" => 2,
                "654321" => 4,
                _ => return ok(serde_json::json!({"data": {"data": [], "user": {}}})),
            };
            ok(
                serde_json::json!({"data": {"data": [{"id_str": "7450000000000000001", "status": status, "title": "海边直播",
                "cover": {"url_list": ["https://p3-webcast.douyinpic.com/cover.jpeg"]},
                "stats": {"user_count_str": "1024"},
                "stream_url": {"flv_pull_url": {"FULL_HD1": "http://pull-flv-l1.douyincdn.com/stage/stream-1_or4.flv?k=1", "SD1": "http://pull-flv-l1.douyincdn.com/stage/stream-1_ld.flv?k=1"},
                    "hls_pull_url_map": {"FULL_HD1": "http://pull-hls-l1.douyincdn.com/stage/stream-1_or4/index.m3u8?k=1"}}}],
                "user": user("MS4wLjABAAAAEKnfa654JAJ")}}),
            )
        }
        _ => ok(serde_json::json!({})),
    }
}
