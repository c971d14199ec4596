//! Keyword search: videos or users.
//!
//! Route: `x/web-interface/wbi/search/type` (WBI-signed) with
//! `search_type=video|bili_user`; it wants a `buvid3` cookie, which guests
//! get from `x/frontend/finger/spi` (kept in kv for a day). Titles come with
//! `<em class="keyword">` highlights, removed here.

use crate::api::{API, call};
use crate::wbi;
use grabkit_sdk::prelude::*;
use std::time::Duration;

const BUVID_KEY: &str = "buvid3";

pub fn search(client: &Client, query: &str, kind: SearchKind, page: &Page) -> Result<SearchPage> {
    let pn = page.number(1)?.max(1);
    let search_type = match kind {
        SearchKind::Posts => "video",
        SearchKind::Users => "bili_user",
    };
    let params = [
        ("search_type", search_type.to_string()),
        ("keyword", query.to_string()),
        ("page", pn.to_string()),
        ("page_size", page.size(42).to_string()),
    ];
    let key = wbi::mixin_key(client)?;
    let url = format!(
        "{API}/x/web-interface/wbi/search/type?{}",
        wbi::sign_now(&params, &key)
    );
    let client = with_buvid(client)?;
    let data = call(&client, "search API", &url)?;
    let pages = data["numPages"].as_u64().unwrap_or(0);
    let results = data["result"].as_array().cloned().unwrap_or_default();
    let more = !results.is_empty() && pn < pages;
    let mut out = SearchPage {
        cursor: more.then(|| (pn + 1).to_string()),
        has_more: more,
        ..Default::default()
    };
    match kind {
        SearchKind::Posts => out.posts = results.iter().filter_map(video).collect(),
        SearchKind::Users => out.users = results.iter().filter_map(user).collect(),
    }
    Ok(out)
}

/// The client with a `buvid3` cookie: the account's (the host sends it),
/// else a guest one from `finger/spi`.
fn with_buvid(client: &Client) -> Result<Client> {
    if account::cookie("buvid3").is_some() {
        return Ok(client.clone());
    }
    let buvid = match kv::get_string(BUVID_KEY) {
        Some(b) => b,
        None => {
            let spi = call(
                client,
                "finger/spi (guest cookie)",
                &format!("{API}/x/frontend/finger/spi"),
            )?;
            let b = spi["b_3"].as_str().required("data.b_3")?.to_string();
            kv::set(BUVID_KEY, &b, Some(Duration::from_secs(86_400)));
            b
        }
    };
    Ok(client.clone().header("Cookie", format!("buvid3={buvid}")))
}

/// Text without the `<em class="keyword">…</em>` highlight tags.
fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn video(v: &Value) -> Option<Post> {
    let bvid = v["bvid"].as_str()?;
    Some(Post {
        id: bvid.to_string(),
        url: format!("https://www.bilibili.com/video/{bvid}"),
        title: plain(v["title"].as_str().unwrap_or_default()),
        kind: PostKind::Video,
        cover: v["pic"].as_str().map(https),
        duration: v["duration"].as_str().and_then(crate::space::clock_seconds),
        created_at: v["pubdate"].as_i64(),
        stats: Stats {
            views: v["play"].as_u64(),
            likes: v["like"].as_u64(),
            comments: v["review"].as_u64(),
            ..Default::default()
        },
        author: Some(Author {
            id: v["mid"].as_u64()?.to_string(),
            name: v["author"].as_str().map(str::to_string),
            avatar: v["upic"].as_str().map(https),
        }),
    })
}

fn user(u: &Value) -> Option<User> {
    let mid = u["mid"].as_u64()?;
    Some(User {
        id: mid.to_string(),
        name: u["uname"].as_str().map(plain),
        avatar: u["upic"].as_str().map(https),
        bio: u["usign"].as_str().map(str::to_string),
        followers: u["fans"].as_u64(),
        posts: u["videos"].as_u64(),
        verified: u["official_verify"]["type"].as_i64().map(|t| t >= 0),
        url: Some(format!("https://space.bilibili.com/{mid}")),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn highlights_are_removed() {
        let t = "<em class=\"keyword\">猫</em>和老鼠 &amp; 狗";
        assert_eq!(super::plain(t), "猫和老鼠 & 狗");
    }
}
