//! The mock Bilibili: answers the routes the plugin uses with fixtures
//! written from the documented shapes (tests/fixtures/bilibili), verifies
//! WBI signatures like the real API, and has one id per error class.

use crate::mock::{Reply, Responder, Seen, param};
use md5::{Digest, Md5};
use std::sync::Arc;

/// Hosts the Bilibili plugin talks to (all mapped to the mock).
pub const HOSTS: &[&str] = &[
    "api.bilibili.com",
    "b23.tv",
    "bili.im",
    "api.bilibili.tv",
    "www.bilibili.tv",
    "www.bilibili.com",
    "api.live.bilibili.com",
];

/// The mixin key the nav fixture's WBI images derive to.
const MIXIN_KEY: &str = "ea1db124af3c7062474693fa704f4ff8";

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/bilibili/",
            $name
        ))
    };
}

fn code(code: i64, message: &str) -> Reply {
    Reply::json(&serde_json::json!({"code": code, "message": message, "ttl": 1}).to_string())
}

pub fn upstream() -> Responder {
    Arc::new(|s: &Seen| match s.host.as_str() {
        "api.bilibili.com" => match data(s) {
            Some(reply) => reply,
            None => api(s),
        },
        "api.live.bilibili.com" => live(s),
        "b23.tv" => match s.path.as_str() {
            "/Xy12AbC" => Reply::redirect(
                "https://www.bilibili.com/video/BV117411r7R1?p=1&share_medium=android&share_source=COPY&bbid=XY1&ts=1700000000",
            ),
            "/ep702596" => Reply::redirect("https://www.bilibili.com/bangumi/play/ep702596"),
            "/toSpace" => Reply::redirect("https://space.bilibili.com/66606350"),
            _ => Reply::status(404),
        },
        // The video page embeds the playurl answer it was rendered with.
        "www.bilibili.com" if s.path == "/video/BV1riskctl/" => Reply::html(&format!(
            "<!DOCTYPE html><html><head><script>window.__playinfo__={}</script></head></html>",
            fixture!("playurl_dash.json").trim()
        )),
        "bili.im" if s.path == "/Ab3dE" => {
            Reply::redirect("https://www.bilibili.tv/en/video/2041863208?share_source=copy_link")
        }
        "api.bilibili.tv"
            if s.path == "/intl/gateway/web/playurl"
                && (param(&s.query, "aid").as_deref() == Some("2041863208")
                    || param(&s.query, "ep_id").as_deref() == Some("11246489")) =>
        {
            Reply::json(fixture!("intl_playurl.json"))
        }
        "www.bilibili.tv"
            if s.path == "/en/video/2041863208" || s.path == "/en/play/1048837/11246489" =>
        {
            Reply::html(fixture!("intl_page.html"))
        }
        _ => Reply::status(404),
    })
}

fn api(s: &Seen) -> Reply {
    let p = |k: &str| param(&s.query, k).unwrap_or_default();
    match s.path.as_str() {
        "/x/web-interface/nav" => Reply::json(fixture!("nav.json")),
        "/x/web-interface/view" => match (p("bvid").as_str(), p("aid").as_str()) {
            ("BV117411r7R1", _) => Reply::json(fixture!("view_single.json")),
            ("BV1rp4y1e745", _) => Reply::json(fixture!("view_multi.json")),
            ("BV1xP411g74E", _) => Reply::json(fixture!("view_redirect.json")),
            (_, "170001") => Reply::json(fixture!("view_av.json")),
            ("BV1silent", _) => Reply::json(
                &fixture!("view_single.json")
                    .replace("BV117411r7R1", "BV1silent")
                    .replace("146044693", "1"),
            ),
            // Its signed playurl is refused by risk control (cid 2).
            ("BV1riskctl", _) => Reply::json(
                &fixture!("view_single.json")
                    .replace("BV117411r7R1", "BV1riskctl")
                    .replace("146044693", "2"),
            ),
            // An old upload: no DASH, its FLV in four parts (cid 3).
            ("BV1oldflv", _) => Reply::json(
                &fixture!("view_single.json")
                    .replace("BV117411r7R1", "BV1oldflv")
                    .replace("146044693", "3"),
            ),
            ("BV1gone", _) => code(-404, "啥都木有"),
            ("BV1hidden", _) => code(62012, "仅UP主自己可见"),
            ("BV1blocked", _) => Reply::status(412),
            ("BV1broken", _) => Reply::status(500),
            ("BV1garbled", _) => Reply::html("<html>maintenance</html>"),
            _ => code(-400, "请求错误"),
        },
        "/x/player/wbi/playurl" => {
            if !signature_ok(&s.query) {
                return code(-403, "访问权限不足");
            }
            match (p("cid").as_str(), p("fnval").as_str()) {
                ("2", _) => code(-352, "风控校验失败"),
                ("3", _) => Reply::json(fixture!("playurl_multi_flv.json")),
                ("1", _) => Reply::json(
                    r#"{"code":0,"message":"0","ttl":1,"data":{"quality":0,"timelength":0,"accept_quality":[],"support_formats":[]}}"#,
                ),
                (_, "4048") => Reply::json(fixture!("playurl_dash.json")),
                (_, "1") => Reply::json(fixture!("playurl_mp4.json")),
                _ => code(-400, "请求错误"),
            }
        }
        "/x/polymer/web-dynamic/v1/detail" => {
            if s.headers.contains_key("referer") {
                // The route is asked without a Referer, as peers do.
                return code(-352, "风控校验失败");
            }
            match p("id").as_str() {
                "915864237515112457" => Reply::json(fixture!("dynamic_opus.json")),
                "915864237515112458" => Reply::json(fixture!("dynamic_archive.json")),
                "915864237515112459" => Reply::json(fixture!("dynamic_forward.json")),
                "915864237515112460" => code(-352, "风控校验失败"),
                _ => code(500, "服务器错误"),
            }
        }
        "/pgc/view/web/season" => match (p("ep_id").as_str(), p("season_id").as_str()) {
            ("702596" | "702600", _) | (_, "43771") => Reply::json(fixture!("pgc_season.json")),
            (_, "43772") => Reply::json(&fixture!("pgc_season.json").replace("702596", "702597")),
            (_, "43773") => Reply::json(&fixture!("pgc_season.json").replace("702596", "702598")),
            _ => code(-404, "啥都木有"),
        },
        "/pgc/player/web/v2/playurl" => match p("ep_id").as_str() {
            "702596" | "702600" => Reply::json(fixture!("pgc_playurl.json")),
            "702597" => code(-10403, "抱歉您所在地区不可观看！"),
            "702598" => code(-10403, "大会员专享限制"),
            _ => code(-404, "啥都木有"),
        },
        "/pugv/view/web/season" => match (p("ep_id").as_str(), p("season_id").as_str()) {
            ("790" | "791", _) | (_, "61") => Reply::json(fixture!("pugv_season.json")),
            _ => code(-404, "啥都木有"),
        },
        "/pugv/player/web/playurl" => match p("ep_id").as_str() {
            "790" => Reply::json(fixture!("pugv_playurl.json")),
            _ => code(-403, "权限不足（未购买）"),
        },
        _ => Reply::status(404),
    }
}

/// The data routes (comments, space, search); `None` for the others.
fn data(s: &Seen) -> Option<Reply> {
    let p = |k: &str| param(&s.query, k).unwrap_or_default();
    let signed = |r: Reply| {
        if signature_ok(&s.query) {
            r
        } else {
            code(-403, "访问权限不足")
        }
    };
    Some(match s.path.as_str() {
        "/x/v2/reply/wbi/main" => match (p("oid").as_str(), p("type").as_str()) {
            // The first page has an empty offset; the second the fixture's.
            ("85440373", "1") if p("pagination_str").contains(r#""offset":"""#) => {
                signed(Reply::json(fixture!("reply_main_1.json")))
            }
            ("85440373", "1") if p("pagination_str").contains("session_id") => {
                signed(Reply::json(fixture!("reply_main_2.json")))
            }
            ("85440373", _) => code(-400, "请求错误"),
            ("170001", _) => code(12002, "评论区已关闭"),
            _ => code(-404, "啥都木有"),
        },
        "/x/v2/reply/reply" => match (p("oid").as_str(), p("root").as_str(), p("pn").as_str()) {
            ("85440373", "237300001", "1") => {
                let page: serde_json::Value =
                    serde_json::from_str(fixture!("reply_reply.json")).unwrap();
                let mut page = page;
                let ps: usize = p("ps").parse().unwrap_or(20);
                let all = page["data"]["replies"].as_array().unwrap().clone();
                page["data"]["replies"] = all.into_iter().take(ps).collect();
                Reply::json(&page.to_string())
            }
            ("85440373", "237300001", "2") => {
                let mut page: serde_json::Value =
                    serde_json::from_str(fixture!("reply_reply.json")).unwrap();
                let all = page["data"]["replies"].as_array().unwrap().clone();
                page["data"]["replies"] = all.into_iter().skip(2).collect();
                page["data"]["page"]["num"] = 2.into();
                Reply::json(&page.to_string())
            }
            _ => code(-404, "啥都木有"),
        },
        "/x/web-interface/card" => match p("mid").as_str() {
            "66606350" => Reply::json(fixture!("card.json")),
            _ => code(-404, "啥都木有"),
        },
        "/x/space/wbi/arc/search" => {
            let referer = s.headers.get("referer").and_then(|r| r.to_str().ok());
            if !referer.is_some_and(|r| r.starts_with("https://space.bilibili.com/")) {
                return Some(code(-352, "风控校验失败"));
            }
            match (p("mid").as_str(), p("pn").as_str()) {
                ("66606350", "1") => signed(Reply::json(fixture!("arc_search_1.json"))),
                ("66606350", "2") => signed(Reply::json(fixture!("arc_search_2.json"))),
                ("2", _) => code(-352, "风控校验失败"),
                _ => code(-404, "啥都木有"),
            }
        }
        "/x/frontend/finger/spi" => Reply::json(fixture!("finger_spi.json")),
        "/x/player/wbi/v2" => {
            let cookie = s.headers.get("cookie").and_then(|c| c.to_str().ok());
            let subtitles = if cookie.unwrap_or_default().contains("SESSDATA=") {
                serde_json::json!([
                    {"id": 1, "lan": "zh-CN", "lan_doc": "中文（中国）", "ai_type": 0, "ai_status": 0,
                     "subtitle_url": "//aisubtitle.hdslb.com/bfs/subtitle/zh.json?auth_key=1"},
                    {"id": 2, "lan": "ai-en", "lan_doc": "English (AI)", "ai_type": 1, "ai_status": 2,
                     "subtitle_url": "//aisubtitle.hdslb.com/bfs/ai_subtitle/en.json?auth_key=2"}])
            } else {
                serde_json::json!([])
            };
            let body = serde_json::json!({"code": 0, "message": "0", "ttl": 1, "data": {
                "aid": 85440373, "bvid": p("bvid"), "cid": p("cid"), "need_login_subtitle": subtitles.as_array().unwrap().is_empty(),
                "subtitle": {"allow_submit": false, "lan": "", "lan_doc": "", "subtitles": subtitles}}});
            signed(Reply::json(&body.to_string()))
        }
        "/x/web-interface/wbi/search/type" => {
            let cookie = s.headers.get("cookie").and_then(|c| c.to_str().ok());
            let cookie = cookie.unwrap_or_default();
            if !cookie.contains("buvid3=") {
                return Some(code(-412, "请求被拦截"));
            }
            match (p("search_type").as_str(), p("keyword").as_str()) {
                ("video", "快板") => signed(Reply::json(fixture!("search_video.json"))),
                ("bili_user", "桶桶") => signed(Reply::json(fixture!("search_user.json"))),
                _ => signed(Reply::json(
                    r#"{"code":0,"message":"0","ttl":1,"data":{"page":1,"numResults":0,"numPages":0,"result":[]}}"#,
                )),
            }
        }
        _ => return None,
    })
}

/// The live API: room 6 (short id of 21452505) is live, 7 is offline.
fn live(s: &Seen) -> Reply {
    let p = |k: &str| param(&s.query, k).unwrap_or_default();
    match s.path.as_str() {
        "/room/v1/Room/get_info" => match p("room_id").as_str() {
            "6" | "21452505" => Reply::json(fixture!("room_info.json")),
            "7" => Reply::json(
                &fixture!("room_info.json")
                    .replace("21452505", "7000007")
                    .replace("\"live_status\": 1", "\"live_status\": 0"),
            ),
            _ => {
                Reply::json(r#"{"code":1,"msg":"未找到该房间","message":"未找到该房间","data":[]}"#)
            }
        },
        "/xlive/web-room/v2/index/getRoomPlayInfo" if p("room_id") == "21452505" => {
            Reply::json(fixture!("room_play.json"))
        }
        _ => Reply::status(404),
    }
}

/// Recompute `w_rid` over the other parameters, sorted, with the mixin key.
fn signature_ok(query: &str) -> bool {
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.starts_with("w_rid="))
        .collect();
    let Some(w_rid) = query.split('&').find_map(|kv| kv.strip_prefix("w_rid=")) else {
        return false;
    };
    if !pairs.iter().any(|kv| kv.starts_with("wts=")) {
        return false;
    }
    pairs.sort_by_key(|kv| kv.split('=').next().unwrap_or_default().to_string());
    let expected = format!(
        "{:x}",
        Md5::digest(format!("{}{MIXIN_KEY}", pairs.join("&")).as_bytes())
    );
    expected == w_rid
}
