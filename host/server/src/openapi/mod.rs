//! The OpenAPI 3.1 document: paths from the handlers' `#[utoipa::path]`
//! (registered with their routes in one call, see `router`), schemas from
//! the answer types, and the one error table filled in from [`CODES`].
//! Served at `/openapi.json`, rendered at `/docs`.

pub mod docs;
pub mod schemas;

use crate::error::CODES;
use axum::Extension;
use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

const DESCRIPTION: &str = "\
grabkit turns a public media link into one JSON description of its media, \
and answers a post's comments, a creator's profile and posts, search and live \
rooms, through sandboxed WebAssembly plugins.\n\n\
Every answer is the Easydown envelope `{status, data, msg}`; a failure adds \
`code`, one of the stable codes in `x-error-codes` (code → HTTP status). \
Fields are camelCase (batch jobs keep the batch seed's snake_case), times \
RFC 3339, cursors opaque.\n\n\
Credentials: an API key (`Authorization: Bearer gk_…`) for the API, the \
admin token for `/api/v1/admin/…` and `/api/v1/plugins…`, a feed token \
(`?token=gk_feed_…`) for feed readers, and media links, whose signed \
`{token}` path segment is the credential itself (no header needed).";

#[derive(OpenApi)]
#[openapi(
    info(title = "grabkit", description = DESCRIPTION),
    paths(mcp),
    components(schemas(schemas::ErrorAnswer, schemas::ErrorCode)),
    modifiers(&Credentials),
    tags(
        (name = "parse", description = "A link's media"),
        (name = "data", description = "Comments, profiles, posts, search, live rooms"),
        (name = "feeds", description = "Atom/RSS feeds of a creator's posts"),
        (name = "jobs", description = "Batch jobs with streamed results"),
        (name = "media", description = "The download proxy"),
        (name = "admin", description = "Keys and plugins (admin token)"),
        (name = "accounts", description = "Platform accounts: sessions the host attaches (admin token)"),
        (name = "ops", description = "Health, metrics, platforms, this document"),
    )
)]
pub struct ApiDoc;

struct Credentials;

impl Modify for Credentials {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        let bearer = |what: &str| {
            let b = HttpBuilder::new().scheme(HttpAuthScheme::Bearer);
            SecurityScheme::Http(b.description(Some(what)).build())
        };
        c.add_security_scheme("apiKey", bearer("An API key, `gk_…`"));
        c.add_security_scheme(
            "adminToken",
            bearer("The admin token (`GRABKIT_ADMIN_TOKEN`, or printed at first start)"),
        );
        c.add_security_scheme(
            "feedToken",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "A feed token, `gk_feed_…`, made with POST /api/v1/feed-tokens",
            ))),
        );
    }
}

/// The finished document: the derived paths plus the error table.
pub fn document(derived: utoipa::openapi::OpenApi) -> Value {
    let mut v = serde_json::to_value(derived).unwrap_or_default();
    v["info"]["version"] = json!(env!("CARGO_PKG_VERSION"));
    let codes: Vec<_> = CODES.iter().map(|(c, _)| *c).collect();
    v["components"]["schemas"]["ErrorCode"] = json!({
        "type": "string",
        "enum": codes,
        "description": "A stable error code; x-error-codes gives its HTTP status",
    });
    let answer = &mut v["components"]["schemas"]["ErrorAnswer"]["properties"];
    answer["data"] = json!({"type": "null"});
    // The seed numbers its two link errors (302, 304); the rest are names.
    answer["code"] = json!({"oneOf": [
        {"$ref": "#/components/schemas/ErrorCode"},
        {"type": "integer", "enum": [302, 304],
         "description": "302 is unsupported_link, 304 is no_media (the seed's numbers)"},
    ]});
    add_failures(&mut v["paths"]);
    let table: serde_json::Map<_, _> = CODES
        .iter()
        .map(|(c, s)| (c.to_string(), json!(s)))
        .collect();
    v["x-error-codes"] = Value::Object(table);
    v
}

/// Every operation can fail in the envelope (a bad credential, a bad
/// request, a method the path does not take, …): each gets `4XX` and `5XX`
/// answers with the error schema, unless it documents its own.
fn add_failures(paths: &mut Value) {
    let failure = |what: &str| {
        json!({
            "description": what,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorAnswer"}}},
        })
    };
    let operations = paths
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut());
    for op in operations {
        let Some(responses) = op["responses"].as_object_mut() else {
            continue;
        };
        for (range, what) in [
            ("4XX", "Refused; `code` says why"),
            ("5XX", "Failed; `code` says why"),
        ] {
            responses.entry(range).or_insert_with(|| failure(what));
        }
    }
}

/// The finished document as served, made once when the router is built.
#[derive(Clone)]
pub struct Served(pub Arc<Bytes>);

/// `GET /openapi.json`: this document.
#[utoipa::path(get, path = "/openapi.json", tag = "ops",
    responses((status = 200, description = "This OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi_json(Extension(Served(doc)): Extension<Served>) -> Response {
    let json = [(header::CONTENT_TYPE, "application/json")];
    (json, Bytes::clone(&doc)).into_response()
}

// The MCP endpoint is a nested service, not a handler: this only documents it.
/// Model Context Protocol (streamable HTTP) for agents: `tools/list`,
/// `tools/call` with the same key, permissions and credits as the API.
#[utoipa::path(post, path = "/mcp", tag = "ops", security(("apiKey" = [])),
    request_body(content = Object, description = "A JSON-RPC message", content_type = "application/json"),
    responses(
        (status = 200, description = "A JSON-RPC answer (JSON or an event stream)"),
        (status = 401, description = "No or a wrong key", body = schemas::ErrorAnswer),
    ))]
pub async fn mcp() {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Routes added beside `routes!` (nested services and the like) must be
    /// documented too: every path literal in the router's source is in the
    /// document.
    #[test]
    fn every_path_the_router_names_is_documented() {
        let doc = crate::openapi_document();
        let paths = doc["paths"].as_object().unwrap();
        let source = include_str!("../lib.rs");
        let mut named = 0;
        for call in [
            ".route(\"",
            ".nest_service(\"",
            ".route_service(\"",
            ".nest(\"",
        ] {
            for (i, _) in source.match_indices(call) {
                let rest = &source[i + call.len()..];
                let path = &rest[..rest.find('"').unwrap()];
                assert!(
                    paths.contains_key(path),
                    "{path} is routed but not documented"
                );
                named += 1;
            }
        }
        assert!(named >= 1, "the /mcp mount is found");
    }

    #[test]
    fn the_error_table_is_complete() {
        let doc = crate::openapi_document();
        for (code, status) in CODES {
            assert_eq!(doc["x-error-codes"][code], json!(status));
        }
        let listed = doc["components"]["schemas"]["ErrorCode"]["enum"].as_array();
        assert_eq!(listed.map(Vec::len), Some(CODES.len()));
    }
}
