//! A video's comments through innertube `next` (NewPipe's and yt-dlp's
//! route): the watch page's `comments-section` item holds the first
//! continuation; each page's last item holds the next. Comments come as
//! view models whose fields live in `frameworkUpdates` entity mutations;
//! the older `commentRenderer` layout is read too. A thread's replies
//! token is kept in kv, so replies are asked by the comment's id.

use crate::web::{self, text};
use grabkit_sdk::prelude::*;
use std::time::Duration;

const REPLIES_TTL: Duration = Duration::from_secs(86_400);

pub fn page(video: &str, page: &Page) -> Result<CommentPage> {
    let token = match page.token()? {
        Some(t) => t.to_string(),
        None => first_token(video)?,
    };
    fetch(video, &token)
}

pub fn replies(video: &str, comment_id: &str, page: &Page) -> Result<CommentPage> {
    let token = match page.token()? {
        Some(t) => t.to_string(),
        None => kv::get_string(&replies_key(comment_id)).ok_or_else(|| {
            Error::not_found(format!(
                "no replies known for comment {comment_id}: ask for the comments page that lists it first"
            ))
        })?,
    };
    fetch(video, &token)
}

fn replies_key(comment_id: &str) -> String {
    format!("replies:{comment_id}")
}

/// The comments section's first continuation from the watch `next` answer.
fn first_token(video: &str) -> Result<String> {
    let next = web::call("next", json!({ "videoId": video }))?;
    let contents = &next["contents"]["twoColumnWatchNextResults"]["results"]["results"]["contents"];
    let section = contents
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["itemSectionRenderer"]["targetId"] == "comments-section");
    let Some(section) = section else {
        if contents.is_array() {
            return Err(Error::not_found("comments are turned off for this video"));
        }
        return Err(Error::parse("next: no watch results"));
    };
    let items = section["itemSectionRenderer"]["contents"].as_array();
    items
        .into_iter()
        .flatten()
        .find_map(web::continuation)
        .ok_or_else(|| Error::not_found("comments are turned off for this video"))
}

fn fetch(video: &str, token: &str) -> Result<CommentPage> {
    let resp = web::call("next", json!({ "continuation": token }))?;
    let actions = resp["onResponseReceivedEndpoints"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let items: Vec<Value> = actions
        .iter()
        .rev()
        .find_map(|a| {
            a["reloadContinuationItemsCommand"]["continuationItems"]
                .as_array()
                .or_else(|| a["appendContinuationItemsAction"]["continuationItems"].as_array())
                .cloned()
        })
        .unwrap_or_default();
    let entities = entities(&resp);
    let mut out = CommentPage {
        post_id: video.to_string(),
        ..Default::default()
    };
    for item in &items {
        if let Some(t) = web::continuation(item) {
            out.cursor = Some(t);
            continue;
        }
        let thread = &item["commentThreadRenderer"];
        let (view, old) = if thread.is_object() {
            (
                &thread["commentViewModel"]["commentViewModel"],
                &thread["comment"]["commentRenderer"],
            )
        } else {
            (&item["commentViewModel"], &item["commentRenderer"])
        };
        let Some(comment) = from_view(view, &entities).or_else(|| from_renderer(old)) else {
            continue;
        };
        let replies = thread["replies"]["commentRepliesRenderer"]["contents"].as_array();
        if let Some(t) = replies.into_iter().flatten().find_map(web::continuation) {
            kv::set(&replies_key(&comment.id), &t, Some(REPLIES_TTL));
        }
        out.comments.push(comment);
    }
    out.has_more = out.cursor.is_some();
    Ok(out)
}

/// `entityKey` → payload, from `frameworkUpdates.entityBatchUpdate.mutations`.
fn entities(resp: &Value) -> Vec<(String, Value)> {
    let m = resp["frameworkUpdates"]["entityBatchUpdate"]["mutations"].as_array();
    m.into_iter()
        .flatten()
        .filter_map(|m| Some((m["entityKey"].as_str()?.to_string(), m["payload"].clone())))
        .collect()
}

fn from_view(view: &Value, entities: &[(String, Value)]) -> Option<Comment> {
    let key = view["commentKey"].as_str()?;
    let payload = entities.iter().find(|(k, _)| k == key)?;
    let p = &payload.1["commentEntityPayload"];
    let props = &p["properties"];
    let author = &p["author"];
    let toolbar = &p["toolbar"];
    Some(Comment {
        id: props["commentId"]
            .as_str()
            .or(view["commentId"].as_str())?
            .to_string(),
        text: props["content"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        author: Author {
            id: author["channelId"].as_str().unwrap_or_default().to_string(),
            name: author["displayName"].as_str().map(str::to_string),
            avatar: author["avatarThumbnailUrl"].as_str().map(https),
        },
        likes: toolbar["likeCountNotliked"].as_str().and_then(web::count),
        reply_count: toolbar["replyCount"].as_str().and_then(web::count),
        // Shown as "3 days ago" only.
        created_at: None,
        images: Vec::new(),
    })
}

fn from_renderer(r: &Value) -> Option<Comment> {
    let id = r["commentId"].as_str()?;
    Some(Comment {
        id: id.to_string(),
        text: text(&r["contentText"]).unwrap_or_default(),
        author: Author {
            id: r["authorEndpoint"]["browseEndpoint"]["browseId"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            name: text(&r["authorText"]),
            avatar: web::best_thumbnail(&r["authorThumbnail"]),
        },
        likes: text(&r["voteCount"]).and_then(|t| web::count(&t)),
        reply_count: r["replyCount"].as_u64(),
        created_at: None,
        images: Vec::new(),
    })
}
