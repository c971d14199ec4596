//! What the data capabilities return (comments, profiles, a user's posts,
//! search, live rooms), as plain structs with defaults, and the paging
//! helpers. Times are Unix seconds; counts the platform does not show are
//! `None`, never a made-up 0.

use crate::bindings::grabkit::plugin::data as wit;
use crate::bindings::grabkit::plugin::types as wt;
use crate::{Error, Result};

/// Counts a platform shows; `None` where it does not (never a made-up 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Plays or views.
    pub views: Option<u64>,
    /// Likes.
    pub likes: Option<u64>,
    /// Comments.
    pub comments: Option<u64>,
    /// Shares or reposts.
    pub shares: Option<u64>,
}

impl Stats {
    /// True when no count is known.
    pub fn is_empty(&self) -> bool {
        *self == Stats::default()
    }
}

/// A capability a plugin offers beyond `parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapabilityKind {
    /// A post's comments and replies ([`Plugin::comments`](crate::Plugin::comments)).
    Comments,
    /// A user's profile ([`Plugin::profile`](crate::Plugin::profile)).
    Profile,
    /// A user's posts ([`Plugin::posts`](crate::Plugin::posts)).
    Posts,
    /// Keyword search ([`Plugin::search`](crate::Plugin::search)).
    Search,
    /// A live room ([`Plugin::live`](crate::Plugin::live)).
    Live,
}

/// One capability with the link forms it takes (see [`crate::links::patterns`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Capability {
    /// Which capability.
    pub kind: CapabilityKind,
    /// Link forms; empty for `Comments` means the post links of
    /// `url_patterns`, and `Search` takes none. `Profile` also gets post
    /// links (answer with the post's author).
    pub url_patterns: Vec<String>,
}

impl Capability {
    /// A capability taking `url_patterns`.
    pub fn new(kind: CapabilityKind, url_patterns: Vec<String>) -> Self {
        Capability { kind, url_patterns }
    }
}

/// Which page the host asks for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// `None` for the first page, else a cursor this plugin returned.
    pub cursor: Option<String>,
    /// How many items the caller would like (1 to 50); a wish, not a rule.
    pub count: u32,
}

impl Page {
    /// The wished page size, clamped to `1..=max`.
    pub fn size(&self, max: u32) -> u32 {
        self.count.clamp(1, max.max(1))
    }

    /// The cursor read as a number (an offset, a page number, a timestamp),
    /// `first` on the first page; a cursor that is not a number is refused.
    pub fn number(&self, first: u64) -> Result<u64> {
        match self.cursor.as_deref() {
            None => Ok(first),
            Some(c) => c
                .parse()
                .map_err(|_| Error::invalid_cursor(format!("`{c}` is not a page number"))),
        }
    }

    /// The cursor as a platform token (any non-empty text), `None` on the
    /// first page.
    pub fn token(&self) -> Result<Option<&str>> {
        match self.cursor.as_deref() {
            Some("") => Err(Error::invalid_cursor("empty cursor")),
            c => Ok(c),
        }
    }
}

/// Who wrote a comment or a post.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Author {
    /// The platform's user id (the one its profile links use).
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Avatar image URL.
    pub avatar: Option<String>,
}

/// One comment or reply.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comment {
    /// The platform's comment id (what replies are asked by).
    pub id: String,
    /// The text.
    pub text: String,
    /// Who wrote it.
    pub author: Author,
    /// Likes.
    pub likes: Option<u64>,
    /// Replies to it.
    pub reply_count: Option<u64>,
    /// When it was written (Unix seconds).
    pub created_at: Option<i64>,
    /// Image URLs attached to it.
    pub images: Vec<String>,
}

/// One page of comments.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommentPage {
    /// The platform's id of the post.
    pub post_id: String,
    /// The comments, in the platform's order.
    pub comments: Vec<Comment>,
    /// Where the next page starts; `None` when there is none.
    pub cursor: Option<String>,
    /// More pages follow.
    pub has_more: bool,
}

/// A user's public profile.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct User {
    /// The platform's user id.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// The @-name or unique handle.
    pub handle: Option<String>,
    /// Avatar image URL.
    pub avatar: Option<String>,
    /// Profile text.
    pub bio: Option<String>,
    /// Followers.
    pub followers: Option<u64>,
    /// Accounts followed.
    pub following: Option<u64>,
    /// Posts published.
    pub posts: Option<u64>,
    /// Likes received in all.
    pub likes: Option<u64>,
    /// A verified account.
    pub verified: Option<bool>,
    /// The profile's canonical link.
    pub url: Option<String>,
}

/// What a post in a list mainly is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PostKind {
    /// A video (the default).
    #[default]
    Video,
    /// One or more pictures.
    Images,
    /// Audio only.
    Audio,
    /// A live broadcast or its replay.
    Live,
    /// Text only.
    Text,
}

/// One post in a list (a user's posts, search results).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Post {
    /// The platform's post id.
    pub id: String,
    /// A link this plugin's `parse` takes.
    pub url: String,
    /// Title or caption.
    pub title: String,
    /// What the post is.
    pub kind: PostKind,
    /// Cover image URL.
    pub cover: Option<String>,
    /// Seconds, for videos.
    pub duration: Option<f64>,
    /// When it was published (Unix seconds).
    pub created_at: Option<i64>,
    /// Its counts.
    pub stats: Stats,
    /// Who posted it, when the list mixes users (search).
    pub author: Option<Author>,
}

/// One page of a user's posts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PostPage {
    /// The user, when the route says.
    pub user: Option<User>,
    /// The posts, newest first.
    pub posts: Vec<Post>,
    /// Where the next page starts; `None` when there is none.
    pub cursor: Option<String>,
    /// More pages follow.
    pub has_more: bool,
}

/// What to search for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchKind {
    /// Posts (the default).
    #[default]
    Posts,
    /// Users.
    Users,
}

/// One page of search results: posts or users, as asked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchPage {
    /// Matching posts.
    pub posts: Vec<Post>,
    /// Matching users.
    pub users: Vec<User>,
    /// Where the next page starts; `None` when there is none.
    pub cursor: Option<String>,
    /// More pages follow.
    pub has_more: bool,
}

/// How a live stream is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFormat {
    /// HTTP-FLV.
    Flv,
    /// An HLS playlist.
    Hls,
}

/// One stream of a live room.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveStream {
    /// Where to play it.
    pub url: String,
    /// How it is delivered.
    pub format: StreamFormat,
    /// Human label such as "1080p" or "原画"; empty when unknown.
    pub quality: String,
}

/// A live room.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveRoom {
    /// The platform's room id.
    pub room_id: String,
    /// The room's title.
    pub title: String,
    /// Whose room it is.
    pub author: Option<Author>,
    /// Broadcasting now.
    pub live: bool,
    /// Viewers now.
    pub viewers: Option<u64>,
    /// Cover image URL.
    pub cover: Option<String>,
    /// Stream URLs, best first; empty when offline.
    pub streams: Vec<LiveStream>,
}

impl From<Stats> for Option<wt::Stats> {
    fn from(s: Stats) -> Self {
        (!s.is_empty()).then_some(wt::Stats {
            views: s.views,
            likes: s.likes,
            comments: s.comments,
            shares: s.shares,
        })
    }
}

impl From<Capability> for wt::Capability {
    fn from(c: Capability) -> Self {
        use wt::CapabilityKind as K;
        wt::Capability {
            kind: match c.kind {
                CapabilityKind::Comments => K::Comments,
                CapabilityKind::Profile => K::Profile,
                CapabilityKind::Posts => K::Posts,
                CapabilityKind::Search => K::Search,
                CapabilityKind::Live => K::Live,
            },
            url_patterns: c.url_patterns,
        }
    }
}

impl From<wit::PageRequest> for Page {
    fn from(p: wit::PageRequest) -> Self {
        Page {
            cursor: p.cursor,
            count: p.count,
        }
    }
}

impl From<wit::SearchKind> for SearchKind {
    fn from(k: wit::SearchKind) -> Self {
        match k {
            wit::SearchKind::Posts => SearchKind::Posts,
            wit::SearchKind::Users => SearchKind::Users,
        }
    }
}

impl From<Author> for wit::Author {
    fn from(a: Author) -> Self {
        wit::Author {
            id: a.id,
            name: a.name,
            avatar: a.avatar,
        }
    }
}

impl From<Comment> for wit::Comment {
    fn from(c: Comment) -> Self {
        wit::Comment {
            id: c.id,
            text: c.text,
            author: c.author.into(),
            likes: c.likes,
            reply_count: c.reply_count,
            created_at: c.created_at,
            images: c.images,
        }
    }
}

impl From<CommentPage> for wit::CommentPage {
    fn from(p: CommentPage) -> Self {
        wit::CommentPage {
            post_id: p.post_id,
            comments: p.comments.into_iter().map(Into::into).collect(),
            cursor: p.cursor,
            has_more: p.has_more,
        }
    }
}

impl From<User> for wit::User {
    fn from(u: User) -> Self {
        wit::User {
            id: u.id,
            name: u.name,
            handle: u.handle,
            avatar: u.avatar,
            bio: u.bio,
            followers: u.followers,
            following: u.following,
            posts: u.posts,
            likes: u.likes,
            verified: u.verified,
            url: u.url,
        }
    }
}

impl From<Post> for wit::Post {
    fn from(p: Post) -> Self {
        use wit::PostKind as K;
        wit::Post {
            id: p.id,
            url: p.url,
            title: p.title,
            kind: match p.kind {
                PostKind::Video => K::Video,
                PostKind::Images => K::Images,
                PostKind::Audio => K::Audio,
                PostKind::Live => K::Live,
                PostKind::Text => K::Text,
            },
            cover: p.cover,
            duration: p.duration,
            created_at: p.created_at,
            stats: p.stats.into(),
            author: p.author.map(Into::into),
        }
    }
}

impl From<PostPage> for wit::PostPage {
    fn from(p: PostPage) -> Self {
        wit::PostPage {
            user: p.user.map(Into::into),
            posts: p.posts.into_iter().map(Into::into).collect(),
            cursor: p.cursor,
            has_more: p.has_more,
        }
    }
}

impl From<SearchPage> for wit::SearchPage {
    fn from(p: SearchPage) -> Self {
        wit::SearchPage {
            posts: p.posts.into_iter().map(Into::into).collect(),
            users: p.users.into_iter().map(Into::into).collect(),
            cursor: p.cursor,
            has_more: p.has_more,
        }
    }
}

impl From<LiveRoom> for wit::LiveRoom {
    fn from(r: LiveRoom) -> Self {
        let streams = r.streams.into_iter().map(|s| wit::LiveStream {
            url: s.url,
            format: match s.format {
                StreamFormat::Flv => wit::StreamFormat::Flv,
                StreamFormat::Hls => wit::StreamFormat::Hls,
            },
            quality: s.quality,
        });
        wit::LiveRoom {
            room_id: r.room_id,
            title: r.title,
            author: r.author.map(Into::into),
            status: if r.live {
                wit::LiveStatus::Live
            } else {
                wit::LiveStatus::Offline
            },
            viewers: r.viewers,
            cover: r.cover,
            streams: streams.collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn page_numbers_and_tokens() {
        let first = Page::default();
        assert_eq!(first.number(1).unwrap(), 1);
        assert_eq!(first.token().unwrap(), None);
        let next = Page {
            cursor: Some("40".into()),
            count: 99,
        };
        assert_eq!(next.number(0).unwrap(), 40);
        assert_eq!(next.size(20), 20);
        let bad = Page {
            cursor: Some("x".into()),
            count: 0,
        };
        assert_eq!(bad.number(0).unwrap_err().kind, ErrorKind::InvalidCursor);
        assert_eq!(bad.size(20), 1);
    }
}
