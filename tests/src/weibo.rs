//! The mock Weibo: the PWA status JSON, long text, the H5 video component,
//! share-link redirects, one id per error class; and the desktop route:
//! passport's visitor flow (genvisitor → incarnate, setting `SUB`/`SUBP`)
//! and `weibo.com/ajax/statuses/show`, which wants that cookie and the
//! Referer. Ids 51000…01 (pictures) and 51000…02 (video) exist only there:
//! the mobile route answers them 432.

use crate::mock::{Reply, Responder, Seen, param};
use std::sync::Arc;

/// Hosts the Weibo plugin talks to over TLS (t.cn is plain http, mapped separately).
pub const HOSTS: &[&str] = &[
    "m.weibo.cn",
    "h5.video.weibo.com",
    "mapp.api.weibo.cn",
    "weibo.com",
    "passport.weibo.com",
];

const VISITOR_SUB: &str = "_2AkMvisitorSUB";

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
                "bot" | "5100000000000000001" | "5100000000000000002" => Reply::status(432),
                _ => Reply::json(r#"{"ok":0,"msg":"这条微博不存在或暂无查看权限"}"#),
            }
        }
        ("passport.weibo.com", "/visitor/genvisitor") if s.method == "POST" => Reply::html(
            r#"window.gen_callback && gen_callback({"retcode":20000000,"msg":"succ","data":{"tid":"Ab1+Cd/2","new_tid":true,"confidence":95}});"#,
        ),
        ("passport.weibo.com", "/visitor/visitor")
            if param(&s.query, "a").as_deref() == Some("incarnate")
                && param(&s.query, "t").as_deref() == Some("Ab1+Cd/2")
                && param(&s.query, "c").as_deref() == Some("095") =>
        {
            let mut r = Reply::html(&format!(
                r#"window.cross_domain && cross_domain({{"retcode":20000000,"msg":"succ","data":{{"sub":"{VISITOR_SUB}","subp":"0033WrSXqPxfM72"}}}});"#
            ));
            r.headers.push((
                "Set-Cookie".into(),
                format!("SUB={VISITOR_SUB}; expires=Thu, 01-Dec-2027 00:00:00 GMT; path=/; domain=.weibo.com"),
            ));
            r.headers.push((
                "Set-Cookie".into(),
                "SUBP=0033WrSXqPxfM72; path=/; domain=.weibo.com".into(),
            ));
            r
        }
        ("weibo.com", "/ajax/statuses/show") => desktop(s),
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

/// `weibo.com/ajax/statuses/show`: the visitor cookie and the Referer, or
/// off to passport.
fn desktop(s: &Seen) -> Reply {
    let header = |n: &str| {
        s.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    if !header("cookie").contains(&format!("SUB={VISITOR_SUB}"))
        || header("referer") != "https://weibo.com/"
    {
        return Reply::redirect(
            "https://passport.weibo.com/visitor/visitor?entry=miniblog&a=enter",
        );
    }
    match param(&s.query, "id").unwrap_or_default().as_str() {
        "5100000000000000001" => Reply::json(fixture!("desktop_pics.json")),
        "5100000000000000002" => Reply::json(fixture!("desktop_video.json")),
        "bot" => Reply::status(432),
        _ => Reply::json(r#"{"ok":0,"message":"暂无查看权限"}"#),
    }
}
