//! The mock Weibo: the PWA status JSON, long text, the H5 video component,
//! share-link redirects, and one id per error class.

use crate::mock::{Reply, Responder, Seen, param};
use std::sync::Arc;

/// Hosts the Weibo plugin talks to over TLS (t.cn is plain http, mapped separately).
pub const HOSTS: &[&str] = &["m.weibo.cn", "h5.video.weibo.com", "mapp.api.weibo.cn"];

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/weibo/",
            $name
        ))
    };
}

pub fn upstream() -> Responder {
    Arc::new(|s: &Seen| match (s.host.as_str(), s.path.as_str()) {
        ("m.weibo.cn", "/statuses/show") => {
            match param(&s.query, "id").unwrap_or_default().as_str() {
                "4307734449242769" | "H3fcUCMsV" => Reply::json(fixture!("show_video.json")),
                "5201786814076812" | "Q0KtXh6z2" => Reply::json(fixture!("show_pics.json")),
                "N4xlMvjhI" => Reply::json(fixture!("show_retweet.json")),
                "5093426468489917" => Reply::json(fixture!("show_long.json")),
                "OkKFUkErt" => Reply::json(fixture!("show_mixed.json")),
                "wall" => Reply::redirect(
                    "https://passport.weibo.com/visitor/visitor?entry=miniblog&a=enter",
                ),
                "login" => Reply::json(
                    r#"{"ok":-100,"url":"https://passport.weibo.com/sso/signin?entry=wapsso"}"#,
                ),
                "bot" => Reply::status(432),
                _ => Reply::json(r#"{"ok":0,"msg":"这条微博不存在或暂无查看权限"}"#),
            }
        }
        ("m.weibo.cn", "/statuses/extend")
            if param(&s.query, "id").as_deref() == Some("5093426468489917") =>
        {
            Reply::json(fixture!("extend_long.json"))
        }
        ("h5.video.weibo.com", "/api/component") => {
            if s.method != "POST" || !s.body.starts_with("data=") {
                return Reply::status(400);
            }
            // Video ids come decimal or hexadecimal.
            if s.body.contains("4307734431224746") || s.body.contains("4b7f1e0c9a2d") {
                Reply::json(fixture!("component.json"))
            } else {
                Reply::json(
                    r#"{"code":"100000","msg":"succ","data":{"Component_Play_Playinfo":{}}}"#,
                )
            }
        }
        ("t.cn", "/E2JUxBL") => {
            Reply::redirect("http://video.weibo.com/show?fid=1034:4307734431224746")
        }
        ("t.cn", "/Away") => {
            Reply::redirect("https://weibo.cn/sinaurl?u=https%3A%2F%2Fexample.com%2F")
        }
        ("mapp.api.weibo.cn", p) if p.starts_with("/fx/77eaa5c2") => {
            Reply::redirect("https://m.weibo.cn/status/Q0KtXh6z2?wm=3333_2001")
        }
        _ => Reply::status(404),
    })
}
