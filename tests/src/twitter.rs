//! The mock syndication endpoint: tweets keyed by id.

use crate::mock::{Reply, Responder, Seen, param};
use std::sync::Arc;

pub const HOSTS: &[&str] = &["cdn.syndication.twimg.com"];

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/twitter/", $name))
    };
}

pub fn upstream() -> Responder {
    Arc::new(|s: &Seen| {
        if s.path != "/tweet-result" || param(&s.query, "token").is_none_or(|t| t.is_empty()) {
            return Reply::status(400);
        }
        match param(&s.query, "id").unwrap_or_default().as_str() {
            "1682484564325908480" => Reply::json(fixture!("video.json")),
            "1700000000000000001" => Reply::json(fixture!("photos.json")),
            "1700000000000000002" => Reply::json(fixture!("gif_quote.json")),
            "1700000000000000004" => Reply::json(fixture!("tombstone_age.json")),
            "1700000000000000005" => Reply::status(429),
            _ => Reply::status(404),
        }
    })
}
