//! The mock WeChat Channels: Yuanbao's parser (checks the cookie) and
//! `finder-preview/api/feed/get_feed_info` (checks Origin/Referer like the
//! real one), with posts and errors keyed by token.

use crate::mock::{Reply, Responder, Seen};
use std::sync::Arc;

pub const HOSTS: &[&str] = &["yuanbao.tencent.com", "channels.weixin.qq.com"];
/// The Yuanbao cookie the mock accepts.
pub const COOKIE: &str = "hy_user=test; hy_token=abc";

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/wechat_channels/",
            $name
        ))
    };
}

pub fn upstream() -> Responder {
    Arc::new(|s: &Seen| match (s.host.as_str(), s.path.as_str()) {
        ("yuanbao.tencent.com", "/api/weixin/get_parse_result") => {
            if s.headers.get("cookie").and_then(|c| c.to_str().ok()) != Some(COOKIE) {
                return Reply::status(401);
            }
            let body: serde_json::Value = serde_json::from_str(&s.body).unwrap_or_default();
            if body["type"] != "video_channel_url" {
                return Reply::status(400);
            }
            if body["url"].as_str().unwrap_or_default().contains("Gone") {
                Reply::json(r#"{"code":1001,"msg":"视频不存在"}"#)
            } else {
                Reply::json(fixture!("yuanbao.json"))
            }
        }
        ("channels.weixin.qq.com", "/finder-preview/api/feed/get_feed_info") => {
            let referer_ok = s
                .headers
                .get("referer")
                .and_then(|r| r.to_str().ok())
                .is_some_and(|r| {
                    r.starts_with("https://channels.weixin.qq.com/finder-preview/pages/feed?")
                });
            if s.headers.get("origin").and_then(|o| o.to_str().ok())
                != Some("https://channels.weixin.qq.com")
                || !referer_ok
            {
                return Reply::status(401);
            }
            let body: serde_json::Value = serde_json::from_str(&s.body).unwrap_or_default();
            let mut reply = match body["baseReq"]["generalToken"].as_str().unwrap_or_default() {
                "cVZMDwgBGENTOKEN=" => Reply::json(fixture!("feed_video.json")),
                "PICS" => Reply::json(fixture!("feed_pics.json")),
                "BLOCKED" => Reply::json(fixture!("feed_blocked.json")),
                _ => Reply::json(r#"{"errCode":-1,"errMsg":"<p>token 已过期</p>"}"#),
            };
            reply.status = 201; // the real endpoint answers 201 Created
            reply
        }
        _ => Reply::status(404),
    })
}
