//! # grabkit-sdk
//!
//! Everything a grabkit plugin author touches. A plugin is a recipe:
//! match the link → fetch through the host → pick fields → return [`Media`].
//!
//! ```ignore
//! use grabkit_sdk::prelude::*;
//!
//! #[derive(Clone, Copy)]
//! enum Link { Video }
//! const LINKS: Links<Link> = &[(Link::Video, "*.example.com/video/{id:num}")];
//!
//! struct Example;
//!
//! impl Plugin for Example {
//!     fn describe() -> Descriptor {
//!         Descriptor {
//!             name: "grabkit-example".into(),
//!             version: env!("CARGO_PKG_VERSION").into(),
//!             platform: "example".into(),
//!             url_patterns: patterns(LINKS),
//!             allowed_hosts: vec!["api.example.com".into()],
//!             ..Default::default()
//!         }
//!     }
//!
//!     fn parse(input: &str) -> Result<Media> {
//!         let link = route(input, LINKS)?;
//!         let info: serde_json::Value = Client::new()
//!             .get(format!("https://api.example.com/v1/video/{}", link.cap("id")))
//!             .json_response()?;
//!         let mut media = Media::new("example", link.cap("id"));
//!         media.videos.push(Video::new(info["play_url"].as_str().required("play_url")?));
//!         Ok(media)
//!     }
//! }
//!
//! grabkit_sdk::export_plugin!(Example);
//! ```
//!
//! Where things live:
//!
//! - [`links`]: the link table that is both the plugin's `url_patterns` and
//!   its router ([`links::route`], [`links::route_following`]).
//! - [`http`]: requests through the host ([`http::Client`]).
//! - [`embedded`]: JSON that pages embed in their HTML.
//! - [`kv`], [`config`], [`log`]: the host's small services.
//! - [`Media`], [`Video`], [`Audio`], [`Image`], [`Descriptor`]: what a
//!   plugin returns.
//! - [`Error`], [`ErrorKind`], [`Context`], [`Required`]: typed failures.
//!
//! Most plugins only need `use grabkit_sdk::prelude::*;`.

#![warn(missing_docs)]

#[doc(hidden)]
#[allow(missing_docs)]
pub mod bindings;
pub mod data;
pub mod embedded;
mod error;
pub mod host;
pub mod http;
pub mod links;
mod media;
pub mod routes;
pub mod typed;

pub use data::{
    Author, Capability, CapabilityKind, Comment, CommentPage, LiveRoom, LiveStream, Page, Post,
    PostKind, PostPage, SearchKind, SearchPage, Stats, StreamFormat, User,
};
pub use error::{Context, Error, ErrorKind, Required, Result};
pub use host::{account, config, kv, log};
pub use media::{Audio, Descriptor, Image, Media, Subtitle, Video, VideoSource};
/// Re-exported so plugins use the same `serde` as the SDK.
pub use serde;
/// Re-exported so plugins use the same `serde_json` as the SDK.
pub use serde_json;
/// Re-exported so plugins use the same `url` as the SDK.
pub use url;

/// What a plugin implements. [`export_plugin!`] turns it into the component's exports.
///
/// Both functions are associated functions (no `self`): the host may run
/// many instances of a plugin, so keep state in [`kv`], not in the type.
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// #[derive(Clone, Copy, PartialEq)]
/// enum Link { Video, Short }
/// const LINKS: Links<Link> = &[
///     (Link::Video, "*.example.com/video/{id:num}"),
///     (Link::Short, "ex.am/{code}"),
/// ];
///
/// struct Example;
///
/// impl Plugin for Example {
///     fn describe() -> Descriptor {
///         Descriptor {
///             name: "grabkit-example".into(),
///             version: "0.1.0".into(),
///             platform: "example".into(),
///             url_patterns: patterns(LINKS),
///             allowed_hosts: vec!["*.example.com".into(), "ex.am".into()],
///             ..Default::default()
///         }
///     }
///
///     fn parse(input: &str) -> Result<Media> {
///         let client = Client::new().user_agent(ua::DESKTOP);
///         let link = route_following(input, LINKS, &client, |k| k == Link::Short)?;
///         let id = link.cap("id");
///         let info: Value = client
///             .get(format!("https://api.example.com/v1/video/{id}"))
///             .json_response()
///             .context("video API")?;
///         let mut media = Media::new("example", id);
///         media.title = info["title"].as_str().unwrap_or_default().to_string();
///         media.videos.push(Video::new(info["play_url"].as_str().required("play_url")?));
///         Ok(media)
///     }
/// }
///
/// // In the plugin crate's root: grabkit_sdk::export_plugin!(Example);
/// ```
pub trait Plugin {
    /// The self-description the host reads once at load time.
    fn describe() -> Descriptor;
    /// Turn one link into media. The host passes the link it matched
    /// against [`Descriptor::url_patterns`]; return an [`Error`] whose
    /// [`ErrorKind`] says why when there is nothing to download.
    fn parse(url: &str) -> Result<Media>;

    // The capabilities below answer "not supported" unless implemented; a
    // plugin implements those it lists in `Descriptor::capabilities`.

    /// One page of a post's comments; `url` matched the comments patterns.
    fn comments(url: &str, page: Page) -> Result<CommentPage> {
        let _ = (url, page);
        Err(not_supported("comments"))
    }
    /// One page of the replies to comment `comment_id` of the post at `url`.
    fn replies(url: &str, comment_id: &str, page: Page) -> Result<CommentPage> {
        let _ = (url, comment_id, page);
        Err(not_supported("comment replies"))
    }
    /// The user behind a profile link, or a post link's author.
    fn profile(url: &str) -> Result<User> {
        let _ = url;
        Err(not_supported("profiles"))
    }
    /// One page of the posts of the user behind a profile link.
    fn posts(url: &str, page: Page) -> Result<PostPage> {
        let _ = (url, page);
        Err(not_supported("user posts"))
    }
    /// One page of search results for `query`.
    fn search(query: &str, kind: SearchKind, page: Page) -> Result<SearchPage> {
        let _ = (query, kind, page);
        Err(not_supported("search"))
    }
    /// A live room: whether it is live, and its streams.
    fn live(url: &str) -> Result<LiveRoom> {
        let _ = url;
        Err(not_supported("live rooms"))
    }
}

fn not_supported(what: &str) -> Error {
    Error::not_supported(format!("this plugin does not offer {what}"))
}

/// The usual imports of a plugin crate: `use grabkit_sdk::prelude::*;`.
///
/// Brings in the [`Plugin`] trait, the media types, errors and their
/// helper traits, [`http::Client`], the link helpers, the embedded-JSON
/// helpers, the host services, and `serde_json`/`url` essentials
/// (`Value`, `json!`, `Url`, `Deserialize`).
pub mod prelude {
    pub use crate::embedded::{json_after, script_json};
    pub use crate::http::{Client, Response, send_all, ua};
    pub use crate::links::{
        Links, Matched, find_url, https, kind_of, patterns, resolve_short_link, route,
        route_following, route_through_short, route_url,
    };
    pub use crate::routes::first_answer;
    pub use crate::{
        Audio, Author, Capability, CapabilityKind, Comment, CommentPage, Context, Descriptor,
        Error, ErrorKind, Image, LiveRoom, LiveStream, Media, Page, Plugin, Post, PostKind,
        PostPage, Required, Result, SearchKind, SearchPage, Stats, StreamFormat, Subtitle, User,
        Video, VideoSource,
    };
    pub use crate::{account, config, kv, log};
    pub use serde::Deserialize;
    pub use serde_json::{self, Value, json};
    pub use url::Url;
}

#[doc(hidden)]
pub mod __private {
    pub use crate::bindings::__export_plugin_world as export_world;
    use crate::bindings::exports::grabkit::plugin as x;
    use crate::bindings::grabkit::plugin::data as d;
    pub use d::{CommentPage, LiveRoom, PageRequest, PostPage, SearchKind, SearchPage, User};
    pub use x::extractor::{Descriptor, ExtractError, Media};
    pub use x::{comments, extractor, live, posts, profile, search};

    type Answer<T> = Result<T, ExtractError>;

    fn answer<A, B: From<A>>(r: crate::Result<A>) -> Answer<B> {
        r.map(Into::into).map_err(Into::into)
    }

    pub fn describe<P: crate::Plugin>() -> Descriptor {
        P::describe().into()
    }
    pub fn parse<P: crate::Plugin>(url: String) -> Answer<Media> {
        answer(P::parse(&url))
    }
    pub fn comments<P: crate::Plugin>(url: String, page: PageRequest) -> Answer<CommentPage> {
        answer(P::comments(&url, page.into()))
    }
    pub fn replies<P: crate::Plugin>(
        url: String,
        id: String,
        page: PageRequest,
    ) -> Answer<CommentPage> {
        answer(P::replies(&url, &id, page.into()))
    }
    pub fn profile<P: crate::Plugin>(url: String) -> Answer<User> {
        answer(P::profile(&url))
    }
    pub fn posts<P: crate::Plugin>(url: String, page: PageRequest) -> Answer<PostPage> {
        answer(P::posts(&url, page.into()))
    }
    pub fn search<P: crate::Plugin>(
        query: String,
        kind: SearchKind,
        page: PageRequest,
    ) -> Answer<SearchPage> {
        answer(P::search(&query, kind.into(), page.into()))
    }
    pub fn live<P: crate::Plugin>(url: String) -> Answer<LiveRoom> {
        answer(P::live(&url))
    }
}

/// Export a [`Plugin`] implementation as the component's `extractor`.
///
/// Invoke it exactly once, at the root of the plugin crate, with the type
/// that implements [`Plugin`]. The crate must be built as a `cdylib` for
/// `wasm32-wasip2`.
///
/// ```rust,ignore
/// struct Example;
/// impl grabkit_sdk::Plugin for Example { /* describe, parse */ }
///
/// grabkit_sdk::export_plugin!(Example);
/// ```
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        const _: () = {
            use ::std::string::String as S;
            use $crate::__private as gk;
            type R<T> = ::std::result::Result<T, gk::ExtractError>;
            struct GrabkitExport;
            impl gk::extractor::Guest for GrabkitExport {
                fn describe() -> gk::Descriptor {
                    gk::describe::<$plugin>()
                }
                fn parse(url: S) -> R<gk::Media> {
                    gk::parse::<$plugin>(url)
                }
            }
            impl gk::comments::Guest for GrabkitExport {
                fn comments(url: S, page: gk::PageRequest) -> R<gk::CommentPage> {
                    gk::comments::<$plugin>(url, page)
                }
                fn replies(url: S, id: S, page: gk::PageRequest) -> R<gk::CommentPage> {
                    gk::replies::<$plugin>(url, id, page)
                }
            }
            impl gk::profile::Guest for GrabkitExport {
                fn profile(url: S) -> R<gk::User> {
                    gk::profile::<$plugin>(url)
                }
            }
            impl gk::posts::Guest for GrabkitExport {
                fn posts(url: S, page: gk::PageRequest) -> R<gk::PostPage> {
                    gk::posts::<$plugin>(url, page)
                }
            }
            impl gk::search::Guest for GrabkitExport {
                fn search(q: S, kind: gk::SearchKind, page: gk::PageRequest) -> R<gk::SearchPage> {
                    gk::search::<$plugin>(q, kind, page)
                }
            }
            impl gk::live::Guest for GrabkitExport {
                fn live(url: S) -> R<gk::LiveRoom> {
                    gk::live::<$plugin>(url)
                }
            }
    gk::export_world!(GrabkitExport with_types_in $crate::bindings);
        };
    };
}
