//! The mock Instagram: oEmbed and media info on `i.instagram.com`, the embed
//! and post pages, share redirects and web GraphQL on `www.instagram.com`.
//! Media info answers only with a session cookie (as it does for real);
//! GraphQL checks the CSRF and LSD tokens the post page handed out.

use crate::mock::{Reply, Responder, Seen, param};
use std::sync::Arc;

pub const HOSTS: &[&str] = &["i.instagram.com", "www.instagram.com"];
pub const SESSION: &str = "sessionid=4242%3AabcDEF%3A12; ds_user_id=4242";
const CSRF: &str = "csrfT0kenFromPage";
const LSD: &str = "AVqLsdTok3n";

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/instagram/",
            $name
        ))
    };
}

fn header<'a>(s: &'a Seen, name: &str) -> &'a str {
    s.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

pub fn upstream() -> Responder {
    Arc::new(|s: &Seen| {
        let session = header(s, "cookie").contains("sessionid=");
        let segs: Vec<&str> = s.path.trim_matches('/').split('/').collect();
        match (s.host.as_str(), segs.as_slice()) {
            ("i.instagram.com", ["api", "v1", "oembed"]) => {
                oembed(&param(&s.query, "url").unwrap_or_default())
            }
            ("i.instagram.com", ["api", "v1", "media", pk, "info"]) => media_info(pk, session),
            ("www.instagram.com", ["share", "reel", "BAMh1sCaXh"]) => Reply::redirect(
                "https://www.instagram.com/reel/CwqAgUZgCku/?igsh=MWQ1ZGUxMzBkMA%3D%3D",
            ),
            ("www.instagram.com", ["share", "BQshareAbc"]) => {
                Reply::redirect("/p/BQ0eAlwhDrw/?utm_source=ig_web_copy_link")
            }
            ("www.instagram.com", ["share", "ProfileShare"]) => {
                Reply::redirect("https://www.instagram.com/natgeo/")
            }
            ("www.instagram.com", ["share", _]) => Reply::status(404),
            ("www.instagram.com", ["r", code]) => {
                Reply::redirect(&format!("https://www.instagram.com/reel/{code}/"))
            }
            ("www.instagram.com", ["p", code, "embed", "captioned"]) => embed(code),
            ("www.instagram.com", ["p", code]) => post_page(code),
            ("www.instagram.com", ["graphql", "query"]) if s.method == "POST" => graphql(s),
            _ => Reply::status(404),
        }
    })
}

fn oembed(url: &str) -> Reply {
    let code = url
        .strip_prefix("https://www.instagram.com/p/")
        .map(|r| r.trim_end_matches('/'))
        .unwrap_or_default();
    match code {
        "CwqAgUZgCku" => Reply::json(fixture!("oembed_reel.json")),
        "BQ0eAlwhDrw" => Reply::json(fixture!("oembed_sidecar.json")),
        "CLoginWall1" => Reply::json(fixture!("oembed_wall.json")),
        "CThrottled1" => Reply::json(fixture!("fail_wait.json")).with_status(401),
        // The other posts: oEmbed does not know them (the plugin computes their ids).
        _ => Reply::json(r#"{"message":"No Media Match","status":"fail"}"#).with_status(404),
    }
}

fn media_info(pk: &str, session: bool) -> Reply {
    match pk {
        "2657597168987531125" => return Reply::json(fixture!("fail_wait.json")).with_status(401),
        "4009746109717973805" => {
            return Reply::json(fixture!("fail_not_found.json")).with_status(400);
        }
        _ if !session => return Reply::json(fixture!("fail_login.json")).with_status(403),
        _ => {}
    }
    match pk {
        "3271418759780009626" => Reply::json(fixture!("media_info_image.json")),
        "3394705567010384192" => Reply::json(fixture!("media_info_carousel.json")),
        "1810369531748018058" => Reply::json(fixture!("media_info_tv.json")),
        _ => Reply::json(fixture!("fail_not_found.json")).with_status(400),
    }
}

fn embed(code: &str) -> Reply {
    match code {
        "CwqAgUZgCku" => Reply::html(fixture!("embed_reel.html")),
        "BQ0eAlwhDrw" | "CLoginWall1" | "C1mageAPIaa" | "C8carouselA" | "BkfuX9UB-eK"
        | "CBadShape01" => Reply::html(fixture!("embed_simple.html")),
        _ => Reply::status(404),
    }
}

fn post_page(code: &str) -> Reply {
    match code {
        "CLoginWall1" => Reply::redirect(&format!(
            "https://www.instagram.com/accounts/login/?next=%2Fp%2F{code}%2F"
        )),
        "DeletedPost" => Reply::status(404),
        _ => {
            let mut r = Reply::html(fixture!("post_page.html"));
            r.headers.push(("set-cookie".into(), format!("csrftoken={CSRF}; Domain=.instagram.com; expires=Tue, 23-Nov-2027 00:00:00 GMT; Max-Age=31449600; Path=/; Secure")));
            r.headers.push((
                "set-cookie".into(),
                "mid=ZYxq; Domain=.instagram.com; Path=/; Secure; HttpOnly".into(),
            ));
            r
        }
    }
}

fn graphql(s: &Seen) -> Reply {
    let form = |k: &str| param(&s.body, k).unwrap_or_default();
    let tokens_ok = header(s, "x-csrftoken") == CSRF
        && header(s, "cookie").contains(&format!("csrftoken={CSRF}"))
        && header(s, "x-fb-lsd") == LSD
        && form("lsd") == LSD
        && header(s, "x-ig-app-id") == "936619743392459";
    if !tokens_ok {
        return Reply::json(r#"{"message":"CSRF token missing or incorrect","status":"fail"}"#)
            .with_status(403);
    }
    if form("doc_id") != "8845758582119845" {
        return Reply::json(
            r#"{"errors":[{"message":"PersistedQueryNotFound","severity":"CRITICAL"}],"data":null}"#,
        );
    }
    let vars: serde_json::Value = serde_json::from_str(&form("variables")).unwrap_or_default();
    match vars["shortcode"].as_str().unwrap_or_default() {
        "BQ0eAlwhDrw" => Reply::json(fixture!("graphql_sidecar.json")),
        "CBadShape01" => Reply::json(
            r#"{"data":{"xdt_shortcode_media":{"__typename":"XDTGraphImage","shortcode":"CBadShape01","is_video":false}},"status":"ok"}"#,
        ),
        _ => Reply::json(fixture!("graphql_null.json")),
    }
}
