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

#[doc(hidden)]
pub mod bindings;
pub mod embedded;
mod error;
pub mod host;
pub mod http;
pub mod links;
mod media;

pub use error::{Context, Error, ErrorKind, Required, Result};
pub use host::{config, kv, log};
pub use media::{Audio, Descriptor, Image, Media, Video, VideoSource};
pub use serde;
pub use serde_json;
pub use url;

/// What a plugin implements. [`export_plugin!`] turns it into the component's exports.
pub trait Plugin {
    /// The self-description the host reads once at load time.
    fn describe() -> Descriptor;
    /// Turn one link into media. The host passes the link it matched.
    fn parse(url: &str) -> Result<Media>;
}

/// The usual imports of a plugin crate.
pub mod prelude {
    pub use crate::embedded::{json_after, script_json};
    pub use crate::http::{Client, Response, ua};
    pub use crate::links::{Links, Matched, find_url, kind_of, patterns, resolve_short_link, route, route_following, route_url};
    pub use crate::{Audio, Context, Descriptor, Error, ErrorKind, Image, Media, Plugin, Required, Result, Video, VideoSource};
    pub use crate::{config, kv, log};
    pub use serde::Deserialize;
    pub use serde_json::{self, Value, json};
    pub use url::Url;
}

#[doc(hidden)]
pub mod __private {
    use crate::bindings::exports::grabkit::plugin::extractor as wit;
    pub use crate::bindings::__export_plugin_world as export_world;

    pub fn describe<P: crate::Plugin>() -> wit::Descriptor {
        P::describe().into()
    }

    pub fn parse<P: crate::Plugin>(url: String) -> Result<wit::Media, wit::ExtractError> {
        P::parse(&url).map(Into::into).map_err(Into::into)
    }

    pub use wit::{Descriptor, ExtractError, Guest, Media};
}

/// Export a [`Plugin`] implementation as the component's `extractor`.
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
