//! Comments and replies, profiles, a user's posts, search and live rooms
//! (routes from amagi and Douyin_TikTok_Download_API, asked through `web`).
//! A post's author needs none of that: the `slidesinfo` item carries it.

use crate::item::{self, picture};
use crate::web;
use grabkit_sdk::prelude::*;

const WWW: &str = "www.douyin.com";

fn more(v: &Value) -> bool {
    v["has_more"].as_i64() == Some(1) || v["has_more"] == true
}

fn cursor_of(v: &Value) -> Option<String> {
    v.as_i64()
        .map(|n| n.to_string())
        .or_else(|| v.as_str().map(str::to_string))
}

fn author(u: &Value) -> Author {
    Author {
        id: u["sec_uid"].as_str().unwrap_or_default().to_string(),
        name: u["nickname"].as_str().map(str::to_string),
        avatar: picture(&u["avatar_thumb"]),
    }
}

fn comment(c: &Value) -> Comment {
    let images = c["image_list"].as_array().into_iter().flatten();
    Comment {
        id: c["cid"].as_str().unwrap_or_default().to_string(),
        text: c["text"].as_str().unwrap_or_default().to_string(),
        author: author(&c["user"]),
        likes: c["digg_count"].as_u64(),
        reply_count: c["reply_comment_total"].as_u64(),
        created_at: c["create_time"].as_i64(),
        images: images.filter_map(|i| picture(&i["origin_url"])).collect(),
    }
}

fn comment_page(post: &str, v: &Value) -> CommentPage {
    let has_more = more(v);
    CommentPage {
        post_id: post.to_string(),
        comments: v["comments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(comment)
            .collect(),
        cursor: cursor_of(&v["cursor"]).filter(|_| has_more),
        has_more,
    }
}

pub fn comments(post: &str, page: &Page) -> Result<CommentPage> {
    let params = [
        ("aweme_id", post.to_string()),
        ("cursor", page.number(0)?.to_string()),
        ("count", page.size(50).to_string()),
        ("item_type", "0".to_string()),
    ];
    let referer = format!("https://www.douyin.com/video/{post}");
    let v = web::call(
        "comments",
        WWW,
        "/aweme/v1/web/comment/list/",
        &params,
        &referer,
    )?;
    Ok(comment_page(post, &v))
}

pub fn replies(post: &str, comment_id: &str, page: &Page) -> Result<CommentPage> {
    let params = [
        ("item_id", post.to_string()),
        ("comment_id", comment_id.to_string()),
        ("cursor", page.number(0)?.to_string()),
        ("count", page.size(20).to_string()),
        ("item_type", "0".to_string()),
    ];
    let referer = format!("https://www.douyin.com/video/{post}");
    let v = web::call(
        "replies",
        WWW,
        "/aweme/v1/web/comment/list/reply/",
        &params,
        &referer,
    )?;
    Ok(comment_page(post, &v))
}

fn user(u: &Value) -> User {
    let sec = u["sec_uid"].as_str().unwrap_or_default().to_string();
    User {
        name: u["nickname"].as_str().map(str::to_string),
        handle: u["unique_id"]
            .as_str()
            .filter(|h| !h.is_empty())
            .or(u["short_id"].as_str())
            .map(str::to_string),
        avatar: picture(&u["avatar_larger"]).or_else(|| picture(&u["avatar_thumb"])),
        bio: u["signature"]
            .as_str()
            .map(str::to_string)
            .filter(|s| !s.is_empty()),
        followers: u["follower_count"].as_u64(),
        following: u["following_count"].as_u64(),
        posts: u["aweme_count"].as_u64(),
        likes: u["total_favorited"].as_u64(),
        verified: u["custom_verify"].as_str().map(|v| !v.is_empty()),
        url: Some(format!("https://www.douyin.com/user/{sec}")),
        id: sec,
    }
}

pub fn profile(sec_uid: &str) -> Result<User> {
    let params = [
        ("sec_user_id", sec_uid.to_string()),
        ("publish_video_strategy_type", "2".to_string()),
        ("personal_center_strategy", "1".to_string()),
    ];
    let referer = format!("https://www.douyin.com/user/{sec_uid}");
    let v = web::call(
        "profile",
        WWW,
        "/aweme/v1/web/user/profile/other/",
        &params,
        &referer,
    )?;
    if !v["user"].is_object() {
        return Err(Error::not_found(format!("no Douyin user {sec_uid}")));
    }
    Ok(user(&v["user"]))
}

/// A post's author, from the post's `slidesinfo` item (no cookie needed).
pub fn author_of(client: &Client, post: &str) -> Result<User> {
    let item = item::slidesinfo_item(client, post)?;
    let a = &item["author"];
    if a["sec_uid"].as_str().is_none() {
        return Err(Error::parse("slidesinfo: the item has no author.sec_uid"));
    }
    Ok(user(a))
}

fn post(aweme: &Value) -> Option<Post> {
    let id = aweme["aweme_id"].as_str()?;
    let images = aweme["images"].as_array().is_some_and(|i| !i.is_empty());
    let counts = &aweme["statistics"];
    let ms = aweme["video"]["duration"].as_f64().filter(|d| *d > 0.0);
    Some(Post {
        id: id.to_string(),
        url: format!(
            "https://www.douyin.com/{}/{id}",
            if images { "note" } else { "video" }
        ),
        title: aweme["desc"].as_str().unwrap_or_default().to_string(),
        kind: if images {
            PostKind::Images
        } else {
            PostKind::Video
        },
        cover: picture(&aweme["video"]["cover"]),
        duration: ms.map(|ms| ms / 1000.0),
        created_at: aweme["create_time"].as_i64(),
        stats: Stats {
            views: counts["play_count"].as_u64().filter(|&n| n > 0),
            likes: counts["digg_count"].as_u64(),
            comments: counts["comment_count"].as_u64(),
            shares: counts["share_count"].as_u64(),
        },
        author: aweme["author"]
            .is_object()
            .then(|| author(&aweme["author"])),
    })
}

pub fn posts(sec_uid: &str, page: &Page) -> Result<PostPage> {
    let params = [
        ("sec_user_id", sec_uid.to_string()),
        ("max_cursor", page.number(0)?.to_string()),
        ("count", page.size(20).to_string()),
        ("locate_query", "false".to_string()),
        ("show_live_replay_strategy", "1".to_string()),
        ("need_time_list", "1".to_string()),
        ("time_list_query", "0".to_string()),
        ("publish_video_strategy_type", "2".to_string()),
    ];
    let referer = format!("https://www.douyin.com/user/{sec_uid}");
    let v = web::call(
        "user posts",
        WWW,
        "/aweme/v1/web/aweme/post/",
        &params,
        &referer,
    )?;
    let has_more = more(&v);
    Ok(PostPage {
        user: None,
        posts: v["aweme_list"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(post)
            .collect(),
        cursor: cursor_of(&v["max_cursor"]).filter(|_| has_more),
        has_more,
    })
}

pub fn search(query: &str, kind: SearchKind, page: &Page) -> Result<SearchPage> {
    let offset = page.number(0)?;
    let count = page.size(20);
    let (path, channel, tab) = match kind {
        SearchKind::Posts => ("/aweme/v1/web/search/item/", "aweme_video_web", "video"),
        SearchKind::Users => ("/aweme/v1/web/discover/search/", "aweme_user_web", "user"),
    };
    let params = [
        ("keyword", query.to_string()),
        ("search_channel", channel.to_string()),
        ("offset", offset.to_string()),
        ("count", count.to_string()),
        ("search_source", "normal_search".to_string()),
    ];
    let q: String = grabkit_sdk::url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let referer = format!("https://www.douyin.com/search/{q}?type={tab}");
    let v = web::call("search", WWW, path, &params, &referer)?;
    let has_more = more(&v);
    let mut out = SearchPage {
        cursor: has_more.then(|| (offset + count as u64).to_string()),
        has_more,
        ..Default::default()
    };
    match kind {
        SearchKind::Posts => {
            let items = v["data"].as_array().into_iter().flatten();
            out.posts = items.filter_map(|d| post(&d["aweme_info"])).collect();
        }
        SearchKind::Users => {
            let items = v["user_list"].as_array().into_iter().flatten();
            out.users = items.map(|u| user(&u["user_info"])).collect();
        }
    }
    Ok(out)
}

pub fn live(web_rid: &str) -> Result<LiveRoom> {
    let params = [
        ("app_name", "douyin_web".to_string()),
        ("live_id", "1".to_string()),
        ("language", "zh-CN".to_string()),
        ("enter_from", "web_share_link".to_string()),
        ("web_rid", web_rid.to_string()),
    ];
    let path = "/webcast/room/web/enter/";
    let v = web::call(
        "live room",
        "live.douyin.com",
        path,
        &params,
        "https://live.douyin.com/",
    )?;
    let room = &v["data"]["data"][0];
    if !room.is_object() {
        return Err(Error::not_found(format!("no Douyin live room {web_rid}")));
    }
    let live = room["status"].as_i64() == Some(2);
    let mut streams = Vec::new();
    if live {
        let s = &room["stream_url"];
        // FLV first, each best first, as the web player orders them.
        let maps = [
            ("flv_pull_url", StreamFormat::Flv),
            ("hls_pull_url_map", StreamFormat::Hls),
        ];
        for (map, format) in maps {
            for q in ["FULL_HD1", "HD1", "SD1", "SD2"] {
                if let Some(u) = s[map][q].as_str() {
                    streams.push(LiveStream {
                        url: https(u),
                        format,
                        quality: q.into(),
                    });
                }
            }
        }
    }
    let owner = &v["data"]["user"];
    Ok(LiveRoom {
        room_id: room["id_str"].as_str().unwrap_or(web_rid).to_string(),
        title: room["title"].as_str().unwrap_or_default().to_string(),
        author: owner.is_object().then(|| author(owner)),
        live,
        viewers: room["stats"]["user_count_str"]
            .as_str()
            .and_then(|s| s.parse().ok()),
        cover: picture(&room["cover"]),
        streams,
    })
}
