//! The JSON of the data endpoints (`data` of their answers), built from a
//! plugin's answer after checking it: the platform is the plugin's, URLs are
//! absolute http(s) (others dropped), cursors short, times RFC 3339, and
//! unknown numbers `null` (never 0).

use super::media::{StatsJson, web_url};
use super::{ParseError, media::OutputError};
use crate::clock::rfc3339;
use crate::registry::RoutingTable;
use grabkit_runtime::LoadedPlugin;
use grabkit_runtime::bindings::{self as wit, Answer};
use serde::Serialize;

/// Longest cursor a plugin may hand out (the API's is a little longer).
pub const MAX_PLUGIN_CURSOR: usize = 512;

/// One data answer.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(untagged)]
pub enum DataJson {
    Comments(CommentsJson),
    Profile(ProfileJson),
    Posts(PostsJson),
    Search(SearchJson),
    Live(LiveJson),
    /// `parse` answers through its own path; never built here.
    #[serde(skip)]
    Media,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthorJson {
    pub id: String,
    pub name: Option<String>,
    pub avatar: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommentJson {
    pub id: String,
    pub text: String,
    pub author: AuthorJson,
    pub likes: Option<u64>,
    pub reply_count: Option<u64>,
    pub created_at: Option<String>,
    pub images: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommentsJson {
    pub platform: String,
    pub post_id: String,
    pub comments: Vec<CommentJson>,
    pub cursor: Option<String>,
    pub has_more: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileJson {
    pub platform: String,
    pub id: String,
    pub name: Option<String>,
    pub handle: Option<String>,
    pub avatar: Option<String>,
    pub bio: Option<String>,
    pub followers: Option<u64>,
    pub following: Option<u64>,
    pub posts: Option<u64>,
    pub likes: Option<u64>,
    pub verified: Option<bool>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostJson {
    pub id: String,
    pub url: String,
    pub title: String,
    pub kind: &'static str,
    pub cover: Option<String>,
    pub duration: Option<f64>,
    pub created_at: Option<String>,
    pub stats: StatsJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<AuthorJson>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostsJson {
    pub platform: String,
    pub user: Option<ProfileJson>,
    pub posts: Vec<PostJson>,
    pub cursor: Option<String>,
    pub has_more: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchJson {
    pub platform: String,
    pub posts: Vec<PostJson>,
    pub users: Vec<ProfileJson>,
    pub cursor: Option<String>,
    pub has_more: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreamJson {
    pub url: String,
    pub format: &'static str,
    pub quality: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveJson {
    pub platform: String,
    pub room_id: String,
    pub title: String,
    pub author: Option<AuthorJson>,
    pub status: &'static str,
    pub viewers: Option<u64>,
    pub cover: Option<String>,
    pub streams: Vec<StreamJson>,
}

fn link(u: Option<String>) -> Option<String> {
    u.filter(|u| web_url(u))
}

fn text(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn author(a: wit::Author) -> AuthorJson {
    AuthorJson {
        id: a.id,
        name: text(a.name),
        avatar: link(a.avatar),
    }
}

fn stats(s: Option<wit::Stats>) -> StatsJson {
    s.map(Into::into).unwrap_or(StatsJson {
        views: None,
        likes: None,
        comments: None,
        shares: None,
    })
}

fn profile(platform: &str, u: wit::User) -> ProfileJson {
    ProfileJson {
        platform: platform.to_string(),
        id: u.id,
        name: text(u.name),
        handle: text(u.handle),
        avatar: link(u.avatar),
        bio: text(u.bio),
        followers: u.followers,
        following: u.following,
        posts: u.posts,
        likes: u.likes,
        verified: u.verified,
        url: link(u.url),
    }
}

/// Posts whose link `parse` would not take are dropped (and logged): the
/// API promises every `url` is one `/api/v1/parse` takes.
fn posts(plugin: &LoadedPlugin, table: &RoutingTable, list: Vec<wit::Post>) -> Vec<PostJson> {
    let parseable = |u: &str| url::Url::parse(u).is_ok_and(|u| table.route(&u).is_some());
    list.into_iter()
        .filter(|p| {
            let ok = !p.id.trim().is_empty() && web_url(&p.url) && parseable(&p.url);
            if !ok {
                tracing::warn!(platform = %plugin.platform, url = %p.url, "post link dropped: parse does not take it");
            }
            ok
        })
        .map(|p| PostJson {
            id: p.id,
            url: p.url,
            title: p.title.trim().to_string(),
            kind: match p.kind {
                wit::PostKind::Video => "video",
                wit::PostKind::Images => "images",
                wit::PostKind::Audio => "audio",
                wit::PostKind::Live => "live",
                wit::PostKind::Text => "text",
            },
            cover: link(p.cover),
            duration: p.duration.filter(|d| d.is_finite() && *d > 0.0),
            created_at: p.created_at.and_then(rfc3339),
            stats: stats(p.stats),
            author: p.author.map(author),
        })
        .collect()
}

/// Check and shape a plugin's answer; `wrap` turns the plugin's cursor
/// into the API's.
pub fn shape(
    plugin: &LoadedPlugin,
    table: &RoutingTable,
    answer: Answer,
    wrap: &dyn Fn(&str) -> String,
) -> Result<DataJson, ParseError> {
    let platform = plugin.platform.clone();
    let cursor = |c: Option<String>, more: bool| -> Result<Option<String>, ParseError> {
        match c.filter(|c| !c.is_empty()) {
            Some(c) if c.len() > MAX_PLUGIN_CURSOR => Err(OutputError::Cursor.into()),
            Some(c) if more => Ok(Some(wrap(&c))),
            _ => Ok(None),
        }
    };
    Ok(match answer {
        Answer::Comments(p) => {
            let comments = p
                .comments
                .into_iter()
                .filter(|c| !c.id.is_empty())
                .map(|c| CommentJson {
                    id: c.id,
                    text: c.text,
                    author: author(c.author),
                    likes: c.likes,
                    reply_count: c.reply_count,
                    created_at: c.created_at.and_then(rfc3339),
                    images: c.images.into_iter().filter(|u| web_url(u)).collect(),
                });
            DataJson::Comments(CommentsJson {
                platform,
                post_id: p.post_id,
                comments: comments.collect(),
                has_more: p.has_more && p.cursor.is_some(),
                cursor: cursor(p.cursor, p.has_more)?,
            })
        }
        Answer::User(u) => {
            if u.id.trim().is_empty() {
                return Err(OutputError::NoId.into());
            }
            DataJson::Profile(profile(&platform, u))
        }
        Answer::Posts(p) => DataJson::Posts(PostsJson {
            user: p.user.map(|u| profile(&platform, u)),
            posts: posts(plugin, table, p.posts),
            has_more: p.has_more && p.cursor.is_some(),
            cursor: cursor(p.cursor, p.has_more)?,
            platform,
        }),
        Answer::Search(p) => DataJson::Search(SearchJson {
            posts: posts(plugin, table, p.posts),
            users: p.users.into_iter().map(|u| profile(&platform, u)).collect(),
            has_more: p.has_more && p.cursor.is_some(),
            cursor: cursor(p.cursor, p.has_more)?,
            platform,
        }),
        Answer::Live(r) => {
            let live = r.status == wit::LiveStatus::Live;
            let streams = r.streams.into_iter().filter(|s| live && web_url(&s.url));
            DataJson::Live(LiveJson {
                platform,
                room_id: r.room_id,
                title: r.title.trim().to_string(),
                author: r.author.map(author),
                status: if live { "live" } else { "offline" },
                viewers: r.viewers,
                cover: link(r.cover),
                streams: streams
                    .map(|s| StreamJson {
                        url: s.url,
                        format: match s.format {
                            wit::StreamFormat::Flv => "flv",
                            wit::StreamFormat::Hls => "hls",
                        },
                        quality: s.quality,
                    })
                    .collect(),
            })
        }
        Answer::Media(_) => DataJson::Media,
    })
}
