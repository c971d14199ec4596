//! Admin key endpoints: `/api/v1/admin/keys…`.

use super::auth::store_error;
use super::{AppState, ok};
use crate::accounts::{self, AccountError, key_json, parse_platforms, parse_time};
use crate::error::ApiError;
use crate::store::keys::{CreditOp, KeyPatch, NewKey};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

fn account_error(e: AccountError) -> ApiError {
    match e {
        AccountError::Invalid(m) => ApiError::bad_request("invalid_request", m),
        AccountError::NotFound(id) => ApiError::new(
            StatusCode::NOT_FOUND,
            "key_not_found",
            format!("no key with id {id}"),
        ),
        AccountError::Store(e) => store_error(e),
    }
}

async fn json_body(headers: &HeaderMap, body: Body) -> Result<Value, ApiError> {
    let bytes = super::body::read_json_object(headers, body).await?;
    Ok(bytes)
}

fn platforms_field(v: &Value) -> Result<Option<Vec<String>>, ApiError> {
    match v.get("platforms") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str().map(str::to_string).ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_request",
                        "`platforms` must be a list of strings",
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(ApiError::bad_request(
            "invalid_request",
            "`platforms` must be a list like [\"all\"] or [\"bilibili\"]",
        )),
    }
}

fn time_field(v: &Value, name: &str) -> Result<Option<i64>, ApiError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_time(Some(s)).map_err(account_error),
        Some(_) => Err(ApiError::bad_request(
            "invalid_request",
            format!("`{name}` must be an RFC 3339 string or null"),
        )),
    }
}

fn opt_u32(v: &Value, name: &str) -> Result<Option<u32>, ApiError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => x
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|&n| n > 0)
            .map(Some)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_request",
                    format!("`{name}` must be a positive integer"),
                )
            }),
    }
}

pub async fn create(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let run = async {
        state.auth.admin(&headers)?;
        let v = json_body(&headers, body).await?;
        let credits = match v.get("credits") {
            None | Some(Value::Null) => None,
            Some(c) => Some(c.as_i64().filter(|&n| n >= 0).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_request",
                    "`credits` must be a non-negative integer or null",
                )
            })?),
        };
        let new = NewKey {
            name: v
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            expires_at: time_field(&v, "expiresAt")?,
            platforms: parse_platforms(platforms_field(&v)?).map_err(account_error)?,
            credits,
            rate_per_sec: opt_u32(&v, "ratePerSec")?,
            rate_burst: opt_u32(&v, "rateBurst")?,
        };
        let c = accounts::create(state.auth.store.as_ref(), new).map_err(account_error)?;
        let mut j = key_json(&c.key);
        j["token"] = c.token.into();
        Ok::<_, ApiError>(ok(j))
    };
    run.await.into_response()
}

pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let run = async {
        state.auth.admin(&headers)?;
        let keys = state.auth.store.list().map_err(store_error)?;
        Ok::<_, ApiError>(ok(keys.iter().map(key_json).collect::<Vec<_>>()))
    };
    run.await.into_response()
}

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        state.auth.admin(&headers)?;
        let k = state
            .auth
            .store
            .get(id)
            .map_err(store_error)?
            .ok_or(AccountError::NotFound(id))
            .map_err(account_error)?;
        Ok::<_, ApiError>(ok(key_json(&k)))
    };
    run.await.into_response()
}

pub async fn edit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Body,
) -> Response {
    let run = async {
        state.auth.admin(&headers)?;
        let v = json_body(&headers, body).await?;
        let patch = KeyPatch {
            name: v.get("name").and_then(Value::as_str).map(str::to_string),
            expires_at: v
                .get("expiresAt")
                .map(|_| time_field(&v, "expiresAt"))
                .transpose()?,
            platforms: v
                .get("platforms")
                .map(|_| {
                    platforms_field(&v).and_then(|p| parse_platforms(p).map_err(account_error))
                })
                .transpose()?,
            enabled: v.get("enabled").and_then(Value::as_bool),
            rate_per_sec: v
                .get("ratePerSec")
                .map(|_| opt_u32(&v, "ratePerSec"))
                .transpose()?,
            rate_burst: v
                .get("rateBurst")
                .map(|_| opt_u32(&v, "rateBurst"))
                .transpose()?,
        };
        let k = accounts::edit(state.auth.store.as_ref(), id, patch).map_err(account_error)?;
        Ok::<_, ApiError>(ok(key_json(&k)))
    };
    run.await.into_response()
}

pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        state.auth.admin(&headers)?;
        accounts::delete(state.auth.store.as_ref(), id).map_err(account_error)?;
        Ok::<_, ApiError>(ok(serde_json::json!({"id": id, "deleted": true})))
    };
    run.await.into_response()
}

pub async fn reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        state.auth.admin(&headers)?;
        let c = accounts::reset(state.auth.store.as_ref(), id).map_err(account_error)?;
        let mut j = key_json(&c.key);
        j["token"] = c.token.into();
        Ok::<_, ApiError>(ok(j))
    };
    run.await.into_response()
}

/// `{"add": n}` or `{"set": n | null}` (null = unlimited).
pub async fn credits(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Body,
) -> Response {
    let run = async {
        state.auth.admin(&headers)?;
        let v = json_body(&headers, body).await?;
        let op = match (v.get("add"), v.get("set")) {
            (Some(a), None) => CreditOp::Add(a.as_i64().ok_or_else(|| {
                ApiError::bad_request("invalid_request", "`add` must be an integer")
            })?),
            (None, Some(Value::Null)) => CreditOp::Set(None),
            (None, Some(s)) => {
                CreditOp::Set(Some(s.as_i64().filter(|&n| n >= 0).ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_request",
                        "`set` must be a non-negative integer or null",
                    )
                })?))
            }
            _ => {
                return Err(ApiError::bad_request(
                    "invalid_request",
                    "send {\"add\": n} or {\"set\": n | null}",
                ));
            }
        };
        let k = accounts::credits(state.auth.store.as_ref(), id, op).map_err(account_error)?;
        Ok::<_, ApiError>(ok(key_json(&k)))
    };
    run.await.into_response()
}
