//! The data endpoints' bodies, checked field by field into a
//! [`DataRequest`]. One set of rules for every surface that takes them
//! (`POST /api/v1/comments`… and the MCP tools of the same names).

use super::data::{ApiPage, DataRequest, MAX_PAGE, SearchKind};
use crate::code::Coded;
use serde_json::{Map, Value};

/// Which endpoint a body is for (decides the fields it may hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataEndpoint {
    Comments,
    Replies,
    Profile,
    Posts,
    Search,
    Live,
}

impl DataEndpoint {
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            DataEndpoint::Comments | DataEndpoint::Posts => &["url", "cursor", "count"],
            DataEndpoint::Replies => &["url", "commentId", "cursor", "count"],
            DataEndpoint::Profile | DataEndpoint::Live => &["url"],
            DataEndpoint::Search => &["platform", "query", "kind", "cursor", "count"],
        }
    }
}

/// What is wrong with a data body.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BodyError {
    #[error("{0}")]
    NotObject(String),
    #[error("{0}")]
    MissingUrl(&'static str),
    #[error("{0}")]
    Invalid(String),
}

impl Coded for BodyError {
    fn code(&self) -> &'static str {
        match self {
            BodyError::NotObject(_) => "invalid_json",
            BodyError::MissingUrl(_) => "missing_url",
            BodyError::Invalid(_) => "invalid_request",
        }
    }
}

fn invalid(m: impl Into<String>) -> BodyError {
    BodyError::Invalid(m.into())
}

fn text_field(o: &Map<String, Value>, name: &str) -> Result<Option<String>, BodyError> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Err(invalid(format!("`{name}` is empty"))),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(invalid(format!("`{name}` must be a string"))),
    }
}

fn page(o: &Map<String, Value>) -> Result<ApiPage, BodyError> {
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
pub fn data_request(endpoint: DataEndpoint, v: &Value) -> Result<DataRequest, BodyError> {
    let o = v
        .as_object()
        .ok_or_else(|| BodyError::NotObject("the body must be a JSON object".into()))?;
    if let Some(k) = o.keys().find(|k| !endpoint.fields().contains(&k.as_str())) {
        let known = endpoint.fields().join("`, `");
        return Err(invalid(format!(
            "unknown field `{k}` (this endpoint takes `{known}`)"
        )));
    }
    let need = |name: &str| -> Result<String, BodyError> {
        text_field(o, name)?.ok_or_else(|| invalid(format!("the body has no `{name}` field")))
    };
    let url = || -> Result<String, BodyError> {
        text_field(o, "url")?.ok_or(BodyError::MissingUrl("the body has no `url` field"))
    };
    Ok(match endpoint {
        DataEndpoint::Comments => DataRequest::Comments {
            input: url()?,
            page: page(o)?,
        },
        DataEndpoint::Replies => DataRequest::Replies {
            input: url()?,
            comment_id: need("commentId")?,
            page: page(o)?,
        },
        DataEndpoint::Profile => DataRequest::Profile { input: url()? },
        DataEndpoint::Posts => DataRequest::Posts {
            input: url()?,
            page: page(o)?,
        },
        DataEndpoint::Live => DataRequest::Live { input: url()? },
        DataEndpoint::Search => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_are_checked_field_by_field() {
        let bad = |e, v: Value| data_request(e, &v).unwrap_err().to_string();
        assert!(
            bad(DataEndpoint::Comments, json!({"url": "x", "page": 2}))
                .contains("unknown field `page`")
        );
        assert!(bad(DataEndpoint::Comments, json!({"url": "x", "count": 0})).contains("1 to 50"));
        assert!(bad(DataEndpoint::Comments, json!({"url": "x", "count": 51})).contains("1 to 50"));
        assert!(bad(DataEndpoint::Comments, json!({"url": "x", "cursor": 5})).contains("string"));
        assert!(bad(DataEndpoint::Replies, json!({"url": "x"})).contains("commentId"));
        assert!(bad(DataEndpoint::Search, json!({"platform": "bilibili"})).contains("query"));
        assert!(
            bad(
                DataEndpoint::Search,
                json!({"platform": "b", "query": "q", "kind": "x"})
            )
            .contains("kind")
        );
        assert!(bad(DataEndpoint::Profile, json!({})).contains("url"));
        assert_eq!(
            data_request(DataEndpoint::Live, &json!([]))
                .unwrap_err()
                .code(),
            "invalid_json"
        );
        assert!(matches!(
            data_request(DataEndpoint::Search, &json!({"platform": "BiliBili", "query": " cats ", "count": 5})),
            Ok(DataRequest::Search { ref platform, ref query, kind: SearchKind::Posts, .. })
                if platform == "bilibili" && query == "cats"
        ));
    }
}
