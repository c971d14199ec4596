//! Comments, replies, profiles, a user's posts (GraphQL, with the operator's
//! cookie) and live rooms (`live.kuaishou.com/live_api/liveroom/livedetail`,
//! no signature). A post's author comes from its share page, as a guest.

use crate::graphql::{self, COMMENTS, DETAIL, POSTS, PROFILE, REPLIES};
use grabkit_sdk::prelude::*;

/// Kuaishou's last-page cursor.
const NO_MORE: &str = "no_more";

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(|s| s.replace('\u{3164}', "").trim().to_string())
        .filter(|s| !s.is_empty())
}

fn id(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .or_else(|| v.as_u64().map(|n| n.to_string()))
        .unwrap_or_default()
}

fn next(pcursor: &Value) -> Option<String> {
    pcursor
        .as_str()
        .filter(|c| !c.is_empty() && *c != NO_MORE)
        .map(str::to_string)
}

fn comment(c: &Value) -> Comment {
    Comment {
        id: id(&c["commentId"]),
        text: c["content"].as_str().unwrap_or_default().to_string(),
        author: Author {
            id: id(&c["authorId"]),
            name: text(&c["authorName"]),
            avatar: c["headurl"].as_str().map(https),
        },
        likes: c["likedCount"]
            .as_u64()
            .or_else(|| c["likedCount"].as_str()?.parse().ok()),
        reply_count: c["subCommentCount"].as_u64(),
        // Milliseconds.
        created_at: c["timestamp"].as_i64().map(|ms| ms / 1000),
        images: Vec::new(),
    }
}

pub fn comments(photo: &str, page: &Page) -> Result<CommentPage> {
    let vars = json!({ "photoId": photo, "pcursor": page.token()?.unwrap_or("") });
    let list = graphql::call(
        "comments",
        "commentListQuery",
        COMMENTS,
        vars,
        "visionCommentList",
    )?;
    let cursor = next(&list["pcursor"]);
    Ok(CommentPage {
        post_id: photo.to_string(),
        comments: list["rootComments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(comment)
            .collect(),
        has_more: cursor.is_some(),
        cursor,
    })
}

pub fn replies(photo: &str, root: &str, page: &Page) -> Result<CommentPage> {
    let vars =
        json!({ "photoId": photo, "rootCommentId": root, "pcursor": page.token()?.unwrap_or("") });
    let list = graphql::call(
        "replies",
        "visionSubCommentList",
        REPLIES,
        vars,
        "visionSubCommentList",
    )?;
    let cursor = next(&list["pcursor"]);
    Ok(CommentPage {
        post_id: photo.to_string(),
        comments: list["subComments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(comment)
            .collect(),
        has_more: cursor.is_some(),
        cursor,
    })
}

pub fn profile(user: &str) -> Result<User> {
    let vars = json!({ "userId": user });
    let p = graphql::call("profiles", "visionProfile", PROFILE, vars, "visionProfile")?;
    let profile = &p["userProfile"]["profile"];
    let counts = &p["userProfile"]["ownerCount"];
    if !profile.is_object() {
        return Err(Error::not_found(format!("no Kuaishou user {user}")));
    }
    Ok(User {
        id: user.to_string(),
        name: text(&profile["user_name"]),
        handle: None,
        avatar: profile["headurl"].as_str().map(https),
        bio: text(&profile["user_text"]),
        followers: counts["fan"].as_u64(),
        following: counts["follow"].as_u64(),
        posts: counts["photo_public"].as_u64().or(counts["photo"].as_u64()),
        likes: None,
        verified: None,
        url: Some(format!("https://www.kuaishou.com/profile/{user}")),
    })
}

pub fn posts(user: &str, page: &Page) -> Result<PostPage> {
    let vars = json!({ "userId": user, "pcursor": page.token()?.unwrap_or(""), "page": "profile" });
    let list = graphql::call(
        "user posts",
        "visionProfilePhotoList",
        POSTS,
        vars,
        "visionProfilePhotoList",
    )?;
    let cursor = next(&list["pcursor"]);
    let posts = list["feeds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let p = &f["photo"];
            let pid = id(&p["id"]);
            (!pid.is_empty()).then(|| Post {
                url: format!("https://www.kuaishou.com/short-video/{pid}"),
                id: pid,
                title: p["caption"].as_str().unwrap_or_default().to_string(),
                kind: PostKind::Video,
                cover: p["coverUrl"].as_str().map(https),
                duration: p["duration"].as_f64().map(|ms| ms / 1000.0),
                created_at: p["timestamp"].as_i64().map(|ms| ms / 1000),
                stats: Stats {
                    views: p["viewCount"].as_u64(),
                    likes: p["realLikeCount"].as_u64().or(p["likeCount"].as_u64()),
                    ..Default::default()
                },
                author: None,
            })
        });
    Ok(PostPage {
        user: None,
        posts: posts.collect(),
        has_more: cursor.is_some(),
        cursor,
    })
}

/// The second route to a post (with a session): GraphQL `visionVideoDetail`,
/// whose `photoUrl` (h264) and `photoH265Url` are complete files.
pub fn detail(photo: &str) -> Result<Media> {
    let vars = json!({ "photoId": photo, "page": "detail" });
    let d = graphql::call(
        "the post",
        "visionVideoDetail",
        DETAIL,
        vars,
        "visionVideoDetail",
    )?;
    let p = &d["photo"];
    if !p.is_object() {
        return Err(Error::not_found(format!(
            "no Kuaishou post {photo} (status {})",
            d["status"]
        )));
    }
    let mut media = Media::new(crate::PLATFORM, id(&p["id"]));
    media.title = p["caption"].as_str().unwrap_or_default().to_string();
    media.author = text(&d["author"]["name"]);
    media.thumbnail = p["coverUrl"].as_str().map(https);
    media.duration = p["duration"].as_f64().map(|ms| ms / 1000.0).unwrap_or(0.0);
    media.published_at = p["timestamp"].as_i64().map(|ms| ms / 1000);
    media.stats = Stats {
        views: p["viewCount"].as_u64(),
        likes: p["realLikeCount"].as_u64(),
        ..Default::default()
    };
    if let Some(u) = p["photoUrl"].as_str() {
        media
            .videos
            .push(Video::new(https(u)).quality("h264").codec("avc1"));
    }
    if let Some(u) = p["photoH265Url"].as_str().filter(|u| !u.is_empty()) {
        media
            .videos
            .push(Video::new(https(u)).quality("h265").codec("hev1"));
    }
    Ok(media)
}

/// A post's author, from its share page's `photo` (guest).
pub fn author(photo: &Value) -> Result<User> {
    let eid = photo["userEid"].as_str().required("photo.userEid")?;
    Ok(User {
        id: eid.to_string(),
        name: text(&photo["userName"]),
        avatar: photo["headUrl"].as_str().map(https),
        url: Some(format!("https://www.kuaishou.com/profile/{eid}")),
        ..Default::default()
    })
}

pub fn live(principal: &str) -> Result<LiveRoom> {
    let url =
        format!("https://live.kuaishou.com/live_api/liveroom/livedetail?principalId={principal}");
    let resp: Value = Client::new()
        .user_agent(ua::DESKTOP)
        .get(url)
        .header(
            "Referer",
            format!("https://live.kuaishou.com/u/{principal}"),
        )
        .json_response()
        .context("live detail API")?;
    let data = &resp["data"];
    match data["result"].as_i64() {
        Some(1) => {}
        Some(2) => return Err(Error::rate_limited("live detail API: result 2 (anti-bot)")),
        Some(r) => return Err(Error::not_found(format!("live detail API: result {r}"))),
        None => return Err(Error::parse("live detail API: no `data.result`")),
    }
    let stream = &data["liveStream"];
    let live = data["isLiving"] == true;
    let author = &data["author"];
    let mut streams = Vec::new();
    if live {
        let sets = stream["playUrls"].as_array().into_iter().flatten();
        for rep in sets.flat_map(|s| {
            s["adaptationSet"]["representation"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        }) {
            if let Some(u) = rep["url"].as_str() {
                let quality = rep["name"].as_str().unwrap_or_default().to_string();
                let format = if u.contains(".m3u8") {
                    StreamFormat::Hls
                } else {
                    StreamFormat::Flv
                };
                streams.push(LiveStream {
                    url: https(u),
                    format,
                    quality,
                });
            }
        }
        if let Some(u) = stream["hlsPlayUrl"].as_str().filter(|u| !u.is_empty()) {
            streams.push(LiveStream {
                url: https(u),
                format: StreamFormat::Hls,
                quality: String::new(),
            });
        }
    }
    Ok(LiveRoom {
        room_id: stream["id"].as_str().unwrap_or(principal).to_string(),
        title: stream["caption"].as_str().unwrap_or_default().to_string(),
        author: Some(Author {
            id: author["id"].as_str().unwrap_or(principal).to_string(),
            name: text(&author["name"]),
            avatar: author["avatar"].as_str().map(https),
        }),
        live,
        // The detail answer does not count viewers.
        viewers: None,
        cover: stream["poster"].as_str().map(https),
        streams,
    })
}
