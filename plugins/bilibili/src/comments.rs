//! A video's comments and the replies to one of them.
//!
//! Routes (bilibili-API-collect's comment docs, amagi):
//! - `x/v2/reply/wbi/main` (WBI-signed), `type=1` with the video's `aid` as
//!   `oid`, `mode=3` (hot first); paging by `pagination_str` whose offset is
//!   the previous page's `cursor.pagination_reply.next_offset`;
//! - `x/v2/reply/reply` for replies: `root` = the comment's `rpid`, plain
//!   page numbers.

use crate::api::{API, call};
use crate::wbi;
use grabkit_sdk::prelude::*;

/// Comment type of an ordinary video.
const VIDEO: u32 = 1;

/// One page of the comments of the video `aid`.
pub fn page(client: &Client, aid: u64, page: &Page) -> Result<CommentPage> {
    let offset = page.token()?.unwrap_or_default();
    let pagination = json!({ "offset": offset }).to_string();
    let params = [
        ("oid", aid.to_string()),
        ("type", VIDEO.to_string()),
        ("mode", "3".to_string()),
        ("plat", "1".to_string()),
        ("seek_rpid", String::new()),
        ("web_location", "1315875".to_string()),
        ("pagination_str", pagination),
    ];
    let key = wbi::mixin_key(client)?;
    let url = format!("{API}/x/v2/reply/wbi/main?{}", wbi::sign_now(&params, &key));
    let data = call(client, "comments API", &url).map_err(closed)?;
    let cursor = &data["cursor"];
    let next = cursor["pagination_reply"]["next_offset"]
        .as_str()
        .filter(|s| !s.is_empty());
    let is_end = cursor["is_end"].as_bool().unwrap_or(next.is_none());
    // Pinned comments come first on the first page only.
    let mut list: Vec<&Value> = Vec::new();
    if offset.is_empty() {
        list.extend(data["top_replies"].as_array().into_iter().flatten());
    }
    list.extend(data["replies"].as_array().into_iter().flatten());
    Ok(CommentPage {
        post_id: aid.to_string(),
        comments: list.into_iter().filter_map(comment).collect(),
        cursor: next.filter(|_| !is_end).map(str::to_string),
        has_more: !is_end && next.is_some(),
    })
}

/// One page of the replies to comment `root` of the video `aid`.
pub fn replies(client: &Client, aid: u64, root: &str, page: &Page) -> Result<CommentPage> {
    if root.is_empty() || !root.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::not_found(format!(
            "`{root}` is not a Bilibili comment id"
        )));
    }
    let pn = page.number(1)?.max(1);
    let ps = page.size(20);
    let url = format!("{API}/x/v2/reply/reply?oid={aid}&type={VIDEO}&root={root}&ps={ps}&pn={pn}");
    let data = call(client, "replies API", &url).map_err(closed)?;
    let total = data["page"]["count"].as_u64().unwrap_or(0);
    let shown = (pn - 1) * ps as u64 + data["replies"].as_array().map_or(0, |r| r.len() as u64);
    let more = shown < total && data["replies"].as_array().is_some_and(|r| !r.is_empty());
    Ok(CommentPage {
        post_id: aid.to_string(),
        comments: data["replies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(comment)
            .collect(),
        cursor: more.then(|| (pn + 1).to_string()),
        has_more: more,
    })
}

/// 12002: comments are closed on this post; 12009: no such comment list.
fn closed(e: Error) -> Error {
    if e.message.contains("code 12002") {
        Error::not_found(format!("comments are closed on this post ({})", e.message))
    } else {
        e
    }
}

fn comment(r: &Value) -> Option<Comment> {
    let id = r["rpid_str"]
        .as_str()
        .map(str::to_string)
        .or_else(|| r["rpid"].as_u64().map(|n| n.to_string()))?;
    let member = &r["member"];
    let pictures = r["content"]["pictures"].as_array().into_iter().flatten();
    Some(Comment {
        id,
        text: r["content"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        author: Author {
            id: member["mid"]
                .as_str()
                .map(str::to_string)
                .or_else(|| r["mid"].as_u64().map(|n| n.to_string()))
                .unwrap_or_default(),
            name: member["uname"].as_str().map(str::to_string),
            avatar: member["avatar"].as_str().map(https),
        },
        likes: r["like"].as_u64(),
        reply_count: r["rcount"].as_u64().or_else(|| r["count"].as_u64()),
        created_at: r["ctime"].as_i64(),
        images: pictures
            .filter_map(|p| p["img_src"].as_str().map(https))
            .collect(),
    })
}
