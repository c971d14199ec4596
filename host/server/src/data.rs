//! The data endpoints: `POST /api/v1/comments`, `/comments/replies`,
//! `/profile`, `/posts`, `/search`, `/live`. Same keys, permissions and
//! credits as parse (one credit per successful page); each takes share text
//! where it takes a link.

use super::extract::ApiKey;
use super::{AppState, body, ok};
use crate::body::RequestError;
use crate::error::ApiError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use grabkit_core::Coded;
use grabkit_core::service::data::{ApiPage, DataRequest, MAX_PAGE, SearchKind};
use serde_json::{Map, Value};
use std::time::Instant;

/// Which endpoint a body is for (decides the fields it may hold).
#[derive(Clone, Copy)]
enum Endpoint {
    Comments,
    Replies,
    Profile,
    Posts,
    Search,
    Live,
}

impl Endpoint {
    fn fields(self) -> &'static [&'static str] {
        match self {
            Endpoint::Comments | Endpoint::Posts => &["url", "cursor", "count"],
            Endpoint::Replies => &["url", "commentId", "cursor", "count"],
            Endpoint::Profile | Endpoint::Live => &["url"],
            Endpoint::Search => &["platform", "query", "kind", "cursor", "count"],
        }
    }
}

fn invalid(m: impl Into<String>) -> RequestError {
    RequestError::Invalid(m.into())
}

fn text_field(o: &Map<String, Value>, name: &str) -> Result<Option<String>, RequestError> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Err(invalid(format!("`{name}` is empty"))),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(invalid(format!("`{name}` must be a string"))),
    }
}

fn page(o: &Map<String, Value>) -> Result<ApiPage, RequestError> {
    let count = match o.get("count") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n @ 1..) if n <= MAX_PAGE as u64 => Some(n as u32),
            _ => {
                return Err(invalid(format!(
                    "`count` must be a whole number from 1 to {MAX_PAGE}"
                )));
            }
        },
    };
    Ok(ApiPage {
        cursor: text_field(o, "cursor")?,
        count,
    })
}

/// The request a body asks for, every field checked.
fn request(endpoint: Endpoint, v: &Value) -> Result<DataRequest, RequestError> {
    let o = v
        .as_object()
        .ok_or_else(|| RequestError::InvalidJson("the body must be a JSON object".into()))?;
    if let Some(k) = o.keys().find(|k| !endpoint.fields().contains(&k.as_str())) {
        let known = endpoint.fields().join("`, `");
        return Err(invalid(format!(
            "unknown field `{k}` (this endpoint takes `{known}`)"
        )));
    }
    let need = |name: &str| -> Result<String, RequestError> {
        text_field(o, name)?.ok_or_else(|| invalid(format!("the body has no `{name}` field")))
    };
    let url = || -> Result<String, RequestError> {
        text_field(o, "url")?.ok_or(RequestError::MissingUrl("the body has no `url` field"))
    };
    Ok(match endpoint {
        Endpoint::Comments => DataRequest::Comments {
            input: url()?,
            page: page(o)?,
        },
        Endpoint::Replies => DataRequest::Replies {
            input: url()?,
            comment_id: need("commentId")?,
            page: page(o)?,
        },
        Endpoint::Profile => DataRequest::Profile { input: url()? },
        Endpoint::Posts => DataRequest::Posts {
            input: url()?,
            page: page(o)?,
        },
        Endpoint::Live => DataRequest::Live { input: url()? },
        Endpoint::Search => {
            let query = need("query")?;
            if query.chars().count() > 200 {
                return Err(invalid("`query` is longer than 200 characters"));
            }
            let kind = match text_field(o, "kind")?.as_deref() {
                None | Some("posts") => SearchKind::Posts,
                Some("users") => SearchKind::Users,
                Some(_) => return Err(invalid("`kind` must be \"posts\" or \"users\"")),
            };
            DataRequest::Search {
                platform: need("platform")?.to_ascii_lowercase(),
                query,
                kind,
                page: page(o)?,
            }
        }
    })
}

async fn serve(
    state: AppState,
    key: ApiKey,
    headers: HeaderMap,
    body: Body,
    e: Endpoint,
) -> Response {
    let ApiKey(key) = key;
    let started = Instant::now();
    let gateway = &state.gateway;
    let read = body::read_json_object(&headers, body, state.http.body_timeout).await;
    let req = match read.and_then(|v| request(e, &v)) {
        Ok(r) => r,
        Err(err) => {
            gateway.refuse(&key, "none", err.code(), started).await;
            return ApiError::from(err).into_response();
        }
    };
    let billed = gateway.data(&key, &req, started).await;
    let mut resp = match billed.result {
        Ok((_, json)) => ok(json).into_response(),
        Err(err) => ApiError::from(err).into_response(),
    };
    if let Some(n) = billed.credits_left {
        resp.headers_mut()
            .insert("x-credits-remaining", HeaderValue::from(n));
    }
    resp
}

macro_rules! endpoint {
    ($name:ident, $e:expr, $doc:literal) => {
        #[doc = $doc]
        pub async fn $name(
            State(state): State<AppState>,
            key: ApiKey,
            headers: HeaderMap,
            body: Body,
        ) -> Response {
            serve(state, key, headers, body, $e).await
        }
    };
}

endpoint!(
    comments,
    Endpoint::Comments,
    "`POST /api/v1/comments`: a post's comments."
);
endpoint!(
    replies,
    Endpoint::Replies,
    "`POST /api/v1/comments/replies`: one comment's replies."
);
endpoint!(
    profile,
    Endpoint::Profile,
    "`POST /api/v1/profile`: a user (or a post's author)."
);
endpoint!(
    posts,
    Endpoint::Posts,
    "`POST /api/v1/posts`: a user's posts."
);
endpoint!(
    search,
    Endpoint::Search,
    "`POST /api/v1/search`: keyword search on a platform."
);
endpoint!(live, Endpoint::Live, "`POST /api/v1/live`: a live room.");

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_are_checked_field_by_field() {
        let bad = |e, v: Value| request(e, &v).unwrap_err().to_string();
        assert!(
            bad(Endpoint::Comments, json!({"url": "x", "page": 2}))
                .contains("unknown field `page`")
        );
        assert!(bad(Endpoint::Comments, json!({"url": "x", "count": 0})).contains("1 to 50"));
        assert!(bad(Endpoint::Comments, json!({"url": "x", "count": 51})).contains("1 to 50"));
        assert!(bad(Endpoint::Comments, json!({"url": "x", "cursor": 5})).contains("string"));
        assert!(bad(Endpoint::Replies, json!({"url": "x"})).contains("commentId"));
        assert!(bad(Endpoint::Search, json!({"platform": "bilibili"})).contains("query"));
        assert!(
            bad(
                Endpoint::Search,
                json!({"platform": "b", "query": "q", "kind": "x"})
            )
            .contains("kind")
        );
        assert!(bad(Endpoint::Profile, json!({})).contains("url"));
        assert!(matches!(
            request(Endpoint::Search, &json!({"platform": "BiliBili", "query": " cats ", "count": 5})),
            Ok(DataRequest::Search { ref platform, ref query, kind: SearchKind::Posts, .. })
                if platform == "bilibili" && query == "cats"
        ));
    }
}
