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
pub mod embedded;
mod error;
pub mod host;
pub mod http;
pub mod links;
mod media;
pub mod routes;

pub use error::{Context, Error, ErrorKind, Required, Result};
pub use host::{config, kv, log};
pub use media::{Audio, Descriptor, Image, Media, Video, VideoSource};
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
}

/// The usual imports of a plugin crate: `use grabkit_sdk::prelude::*;`.
///
/// Brings in the [`Plugin`] trait, the media types, errors and their
/// helper traits, [`http::Client`], the link helpers, the embedded-JSON
/// helpers, the host services, and `serde_json`/`url` essentials
/// (`Value`, `json!`, `Url`, `Deserialize`).
pub mod prelude {
    pub use crate::embedded::{json_after, script_json};
    pub use crate::http::{Client, Response, ua};
    pub use crate::links::{
        Links, Matched, find_url, https, kind_of, patterns, resolve_short_link, route,
        route_following, route_url,
    };
    pub use crate::routes::first_answer;
    pub use crate::{
        Audio, Context, Descriptor, Error, ErrorKind, Image, Media, Plugin, Required, Result,
        Video, VideoSource,
    };
    pub use crate::{config, kv, log};
    pub use serde::Deserialize;
    pub use serde_json::{self, Value, json};
    pub use url::Url;
}

#[doc(hidden)]
pub mod __private {
    pub use crate::bindings::__export_plugin_world as export_world;
    use crate::bindings::exports::grabkit::plugin::extractor as wit;

    pub fn describe<P: crate::Plugin>() -> wit::Descriptor {
        P::describe().into()
    }

    pub fn parse<P: crate::Plugin>(url: String) -> Result<wit::Media, wit::ExtractError> {
        P::parse(&url).map(Into::into).map_err(Into::into)
    }

    pub use wit::{Descriptor, ExtractError, Guest, Media};
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
            struct GrabkitExport;
            impl $crate::__private::Guest for GrabkitExport {
                fn describe() -> $crate::__private::Descriptor {
                    $crate::__private::describe::<$plugin>()
                }
                fn parse(url: ::std::string::String) -> ::std::result::Result<$crate::__private::Media, $crate::__private::ExtractError> {
                    $crate::__private::parse::<$plugin>(url)
                }
            }
            $crate::__private::export_world!(GrabkitExport with_types_in $crate::bindings);
        };
    };
}
