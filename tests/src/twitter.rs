//! The mock X endpoints: syndication (tweets keyed by id), guest-token
//! activation, and GraphQL `TweetResultByRestId` that accepts only guest
//! tokens it issued and has not revoked.

use crate::mock::{Reply, Responder, Seen, param};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const HOSTS: &[&str] = &["cdn.syndication.twimg.com", "api.x.com"];

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/twitter/",
            $name
        ))
    };
}

/// The guest tokens the mock has issued; tokens below `valid_from` are refused.
#[derive(Default)]
pub struct GuestTokens {
    issued: AtomicUsize,
    valid_from: AtomicUsize,
}

impl GuestTokens {
    pub fn issued(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }
    /// Expire every token issued so far.
    pub fn revoke_all(&self) {
        self.valid_from.store(self.issued() + 1, Ordering::SeqCst);
    }
    fn issue(&self) -> String {
        format!("gt-{}", self.issued.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn accepts(&self, token: &str) -> bool {
        token
            .strip_prefix("gt-")
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n >= self.valid_from.load(Ordering::SeqCst) && n <= self.issued())
    }
}

pub fn upstream() -> Responder {
    upstream_with(Arc::default())
}

pub fn upstream_with(tokens: Arc<GuestTokens>) -> Responder {
    Arc::new(move |s: &Seen| {
        let bearer = s
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer AAAA"));
        match (s.host.as_str(), s.path.as_str()) {
            ("cdn.syndication.twimg.com", "/tweet-result") => syndication(s),
            ("api.x.com", "/1.1/guest/activate.json") if s.method == "POST" && bearer => {
                Reply::json(&format!(r#"{{"guest_token":"{}"}}"#, tokens.issue()))
            }
            ("api.x.com", "/graphql/2ICDjqPd81tulZcYrtpTuQ/TweetResultByRestId") if bearer => {
                let token = s
                    .headers
                    .get("x-guest-token")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if !tokens.accepts(token) {
                    return Reply::json(fixture!("graphql_bad_token.json")).with_status(403);
                }
                let vars: serde_json::Value = param(&s.query, "variables")
                    .and_then(|v| serde_json::from_str(&v).ok())
                    .unwrap_or_default();
                if param(&s.query, "features").is_none() {
                    return Reply::status(400);
                }
                match vars["tweetId"].as_str().unwrap_or_default() {
                    "1700000000000000010" => Reply::json(fixture!("graphql_mixed.json")),
                    "1700000000000000011" => Reply::json(fixture!("graphql_photo.json")),
                    "1700000000000000012" => Reply::json(fixture!("graphql_nsfw.json")),
                    "1700000000000000013" => Reply::json(fixture!("graphql_protected.json")),
                    "1700000000000000005" => Reply::status(429),
                    "1700000000000000014" => Reply::status(503),
                    _ => Reply::json(fixture!("graphql_missing.json")),
                }
            }
            _ => Reply::status(400),
        }
    })
}

fn syndication(s: &Seen) -> Reply {
    if param(&s.query, "token").is_none_or(|t| t.is_empty()) {
        return Reply::status(400);
    }
    match param(&s.query, "id").unwrap_or_default().as_str() {
        "1682484564325908480" => Reply::json(fixture!("video.json")),
        "1700000000000000001" => Reply::json(fixture!("photos.json")),
        "1700000000000000002" => Reply::json(fixture!("gif_quote.json")),
        "1700000000000000004" => Reply::json(fixture!("tombstone_age.json")),
        "1700000000000000005" => Reply::status(429),
        "1700000000000000011" => Reply::json(fixture!("text_only.json")),
        _ => Reply::status(404),
    }
}
