//! The data capabilities (comments, profiles, a user's posts, search, live
//! rooms): which plugin takes a request, the cursor the API hands out, and
//! the call itself. Links route by each capability's own patterns; a link
//! of another kind gets a message naming the endpoint that takes it.

use super::data_json::{self, DataJson};
use super::{ParseError, ParseService, RouteInfo};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub use grabkit_runtime::bindings::SearchKind;
use grabkit_runtime::bindings::{Call, CapabilityKind, PageRequest};
use grabkit_runtime::{LoadedPlugin, capability_name};
use std::sync::Arc;
use std::time::Instant;
use url::Url;

pub use super::data_json::MAX_PLUGIN_CURSOR;
/// Largest page a caller may ask for.
pub const MAX_PAGE: u32 = 50;
/// Page size when the caller does not say.
pub const DEFAULT_PAGE: u32 = 20;

/// One data request, as the API takes it.
#[derive(Debug, Clone)]
pub enum DataRequest {
    Comments {
        input: String,
        page: ApiPage,
    },
    Replies {
        input: String,
        comment_id: String,
        page: ApiPage,
    },
    Profile {
        input: String,
    },
    Posts {
        input: String,
        page: ApiPage,
    },
    Search {
        platform: String,
        query: String,
        kind: SearchKind,
        page: ApiPage,
    },
    Live {
        input: String,
    },
}

/// Paging as the caller gives it: the API's cursor and a page size.
#[derive(Debug, Clone, Default)]
pub struct ApiPage {
    pub cursor: Option<String>,
    pub count: Option<u32>,
}

impl DataRequest {
    pub fn kind(&self) -> CapabilityKind {
        match self {
            DataRequest::Comments { .. } | DataRequest::Replies { .. } => CapabilityKind::Comments,
            DataRequest::Profile { .. } => CapabilityKind::Profile,
            DataRequest::Posts { .. } => CapabilityKind::Posts,
            DataRequest::Search { .. } => CapabilityKind::Search,
            DataRequest::Live { .. } => CapabilityKind::Live,
        }
    }

    /// The endpoint's name in cursors and messages.
    fn endpoint(&self) -> &'static str {
        match self {
            DataRequest::Replies { .. } => "replies",
            other => capability_name(other.kind()),
        }
    }

    fn page(&self) -> Option<&ApiPage> {
        match self {
            DataRequest::Comments { page, .. }
            | DataRequest::Replies { page, .. }
            | DataRequest::Posts { page, .. }
            | DataRequest::Search { page, .. } => Some(page),
            DataRequest::Profile { .. } | DataRequest::Live { .. } => None,
        }
    }
}

/// The endpoint(s) that take links of a kind, for messages.
fn endpoints_for(kind: Option<CapabilityKind>) -> &'static str {
    match kind {
        None => "POST /api/v1/parse (and /api/v1/comments)",
        Some(CapabilityKind::Comments) => "POST /api/v1/comments",
        Some(CapabilityKind::Profile) | Some(CapabilityKind::Posts) => {
            "POST /api/v1/profile and /api/v1/posts"
        }
        Some(CapabilityKind::Live) => "POST /api/v1/live",
        Some(CapabilityKind::Search) => "POST /api/v1/search",
    }
}

/// What a plugin offers, for messages and listings: `parse` first.
pub fn offers(plugin: &LoadedPlugin) -> Vec<&'static str> {
    let mut v = vec!["parse"];
    v.extend(plugin.capabilities.iter().map(|c| c.name()));
    v
}

fn not_supported(plugin: &LoadedPlugin, what: &str) -> ParseError {
    ParseError::NotSupported(format!(
        "{} does not offer {what}; it offers: {}",
        plugin.platform,
        offers(plugin).join(", ")
    ))
}

/// The API's cursor: the plugin's, bound to the platform and endpoint so it
/// cannot be replayed elsewhere, in URL-safe base64.
fn wrap_cursor(platform: &str, endpoint: &str, cursor: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{platform}\n{endpoint}\n{cursor}"))
}

fn unwrap_cursor(platform: &str, endpoint: &str, api: &str) -> Result<String, ParseError> {
    let bad = |why: &str| ParseError::InvalidCursor(why.to_string());
    if api.len() > 1024 {
        return Err(bad("longer than any cursor this server hands out"));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(api)
        .map_err(|_| bad("not a cursor this server handed out"))?;
    let text = String::from_utf8(bytes).map_err(|_| bad("not a cursor this server handed out"))?;
    let mut parts = text.splitn(3, '\n');
    let (p, e, c) = match (parts.next(), parts.next(), parts.next()) {
        (Some(p), Some(e), Some(c)) => (p, e, c),
        _ => return Err(bad("not a cursor this server handed out")),
    };
    if p != platform || e != endpoint {
        return Err(ParseError::InvalidCursor(format!(
            "this cursor belongs to {e} of {p}, not {endpoint} of {platform}"
        )));
    }
    Ok(c.to_string())
}

/// The plugin that takes a data request, and the link it was given.
pub type Routed = (Arc<LoadedPlugin>, Url);

impl ParseService {
    /// Which plugin takes a data request, without running it.
    pub fn route_data(&self, req: &DataRequest) -> Result<Routed, ParseError> {
        let kind = req.kind();
        let table = self.registry.table();
        let input = match req {
            DataRequest::Search { platform, .. } => {
                let plugin = table.get(platform).cloned().ok_or_else(|| {
                    ParseError::UnknownPlatform(format!("no plugin serves platform `{platform}`"))
                })?;
                if plugin.capability(kind).is_none() {
                    return Err(not_supported(&plugin, "search"));
                }
                let url = Url::parse("grabkit:search").expect("static URL");
                return Ok((plugin, url));
            }
            DataRequest::Comments { input, .. }
            | DataRequest::Replies { input, .. }
            | DataRequest::Profile { input }
            | DataRequest::Posts { input, .. }
            | DataRequest::Live { input } => input,
        };
        let url = grabkit_urlkit::find_url(input)?;
        if let Some(p) = table.plugins.iter().find(|p| {
            p.capability(kind)
                .is_some_and(|c| c.patterns.find(&url).is_some())
        }) {
            return Ok((p.clone(), url));
        }
        // A post link's author is a profile too.
        if kind == CapabilityKind::Profile
            && let Some(p) = table.route(&url)
            && p.capability(kind).is_some()
        {
            return Ok((p.clone(), url));
        }
        Err(self.unsupported(&url, Some(req.endpoint())))
    }

    /// Why no plugin takes `url` at `endpoint` (`None` = parse): the link
    /// is another endpoint's, or its platform lacks the capability, or it
    /// is nobody's.
    pub(crate) fn unsupported(&self, url: &Url, endpoint: Option<&str>) -> ParseError {
        let table = self.registry.table();
        let wanted = match endpoint {
            None => "parse",
            Some(e) => e,
        };
        // The kind of link it is: a post link, or one capability's.
        let post = table.route(url);
        let other = table.plugins.iter().find_map(|p| {
            let c = p
                .capabilities
                .iter()
                .find(|c| c.patterns.find(url).is_some())?;
            Some((p, c.kind))
        });
        let (plugin, is) = match (post, other) {
            (Some(p), _) => (p, None),
            (None, Some((p, k))) => (p, Some(k)),
            (None, None) => {
                return ParseError::Unsupported(format!(
                    "{url} is not a link of a supported platform"
                ));
            }
        };
        let has = |name: &str| offers(plugin).contains(&name);
        let wanted_cap = if wanted == "replies" {
            "comments"
        } else {
            wanted
        };
        if !has(wanted_cap) {
            return not_supported(plugin, wanted);
        }
        let what = match is {
            None => "a post link".to_string(),
            Some(k) => format!("a {} link", capability_name(k)),
        };
        ParseError::WrongEndpoint(format!(
            "{url} is {what} of {}: {} takes it",
            plugin.platform,
            endpoints_for(is)
        ))
    }

    /// Run a data request routed by [`ParseService::route_data`]: unwrap
    /// the cursor, call the plugin, check and shape its answer.
    pub async fn data(
        &self,
        (plugin, url): Routed,
        req: &DataRequest,
    ) -> Result<(RouteInfo, DataJson), ParseError> {
        let started = Instant::now();
        let endpoint = req.endpoint();
        // Profile and live take no page; the default is never sent then.
        let asked = req.page().cloned().unwrap_or_default();
        let cursor = asked
            .cursor
            .map(|c| unwrap_cursor(&plugin.platform, endpoint, &c));
        let page = PageRequest {
            cursor: cursor.transpose()?,
            count: asked.count.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE),
        };
        let link = url.to_string();
        let call = match req {
            DataRequest::Comments { .. } => Call::Comments(link, page),
            DataRequest::Replies { comment_id, .. } => {
                Call::Replies(link, comment_id.clone(), page)
            }
            DataRequest::Profile { .. } => Call::Profile(link),
            DataRequest::Posts { .. } => Call::Posts(link, page),
            DataRequest::Search { query, kind, .. } => Call::Search(query.clone(), *kind, page),
            DataRequest::Live { .. } => Call::Live(link),
        };
        let answer = self.execute(&plugin, &call, started).await?;
        let wrap = |c: &str| wrap_cursor(&plugin.platform, endpoint, c);
        let json = data_json::shape(&plugin, &self.registry.table(), answer, &wrap)?;
        let route = RouteInfo {
            url,
            platform: plugin.platform.clone(),
            plugin: plugin.name.clone(),
            version: plugin.version.clone(),
        };
        Ok((route, json))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_stay_bound() {
        let c = wrap_cursor("bilibili", "comments", "{\"offset\":\"x\"}");
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        let back = unwrap_cursor("bilibili", "comments", &c).unwrap();
        assert_eq!(back, "{\"offset\":\"x\"}");
        let code = |r: Result<String, ParseError>| matches!(r, Err(ParseError::InvalidCursor(_)));
        assert!(
            code(unwrap_cursor("youtube", "comments", &c)),
            "another platform"
        );
        assert!(
            code(unwrap_cursor("bilibili", "posts", &c)),
            "another endpoint"
        );
        assert!(code(unwrap_cursor("bilibili", "comments", "!!!")));
        assert!(code(unwrap_cursor("bilibili", "comments", "aGVsbG8")));
        assert!(code(unwrap_cursor(
            "bilibili",
            "comments",
            &"A".repeat(2000)
        )));
    }
}
