//! Admin key endpoints: `/api/v1/admin/keys…`.

use super::body::RequestError;
use super::extract::{AdminToken, JsonObject, PathParam};
use super::{AppState, ok};
use crate::error::ApiError;
use axum::extract::State;
use grabkit_core::accounts::{self, AccountError, key_json, parse_platforms, parse_time};
use grabkit_core::auth::store_failed;
use grabkit_store::keys::{CreditOp, KeyPatch, NewKey};
use serde_json::Value;

type Answer = Result<axum::Json<Value>, ApiError>;

fn invalid(msg: impl Into<String>) -> ApiError {
    RequestError::Invalid(msg.into()).into()
}

fn platforms_field(v: &Value) -> Result<Option<Vec<String>>, ApiError> {
    match v.get("platforms") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid("`platforms` must be a list of strings"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid(
            "`platforms` must be a list like [\"all\"] or [\"bilibili\"]",
        )),
    }
}

fn time_field(v: &Value, name: &str) -> Result<Option<i64>, ApiError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(parse_time(Some(s))?),
        Some(_) => Err(invalid(format!(
            "`{name}` must be an RFC 3339 string or null"
        ))),
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
            .ok_or_else(|| invalid(format!("`{name}` must be a positive integer"))),
    }
}

pub async fn create(
    State(state): State<AppState>,
    _: AdminToken,
    JsonObject(v): JsonObject,
) -> Answer {
    {
        let credits = match v.get("credits") {
            None | Some(Value::Null) => None,
            Some(c) => Some(
                c.as_i64()
                    .filter(|&n| n >= 0)
                    .ok_or_else(|| invalid("`credits` must be a non-negative integer or null"))?,
            ),
        };
        let new = NewKey {
            name: v
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            expires_at: time_field(&v, "expiresAt")?,
            platforms: parse_platforms(platforms_field(&v)?)?,
            credits,
            rate_per_sec: opt_u32(&v, "ratePerSec")?,
            rate_burst: opt_u32(&v, "rateBurst")?,
        };
        let c = accounts::create(state.auth().store.as_ref(), new).await?;
        let mut j = key_json(&c.key);
        j["token"] = c.token.into();
        Ok(ok(j))
    }
}

pub async fn list(State(state): State<AppState>, _: AdminToken) -> Answer {
    {
        let keys = state.auth().store.list().await.map_err(store_failed)?;
        Ok(ok(keys.iter().map(key_json).collect::<Vec<_>>()))
    }
}

pub async fn get(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
) -> Answer {
    {
        let k = state
            .auth()
            .store
            .get(id)
            .await
            .map_err(store_failed)?
            .ok_or(AccountError::NotFound(id))?;
        Ok(ok(key_json(&k)))
    }
}

pub async fn edit(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
    JsonObject(v): JsonObject,
) -> Answer {
    {
        let patch = KeyPatch {
            name: v.get("name").and_then(Value::as_str).map(str::to_string),
            expires_at: v
                .get("expiresAt")
                .map(|_| time_field(&v, "expiresAt"))
                .transpose()?,
            platforms: v
                .get("platforms")
                .map(|_| platforms_field(&v).and_then(|p| Ok(parse_platforms(p)?)))
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
        let k = accounts::edit(state.auth().store.as_ref(), id, patch).await?;
        Ok(ok(key_json(&k)))
    }
}

pub async fn delete(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
) -> Answer {
    {
        accounts::delete(state.auth().store.as_ref(), id).await?;
        Ok(ok(serde_json::json!({"id": id, "deleted": true})))
    }
}

pub async fn reset(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
) -> Answer {
    {
        let c = accounts::reset(state.auth().store.as_ref(), id).await?;
        let mut j = key_json(&c.key);
        j["token"] = c.token.into();
        Ok(ok(j))
    }
}

/// `{"add": n}` or `{"set": n | null}` (null = unlimited).
pub async fn credits(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
    JsonObject(v): JsonObject,
) -> Answer {
    {
        let op = match (v.get("add"), v.get("set")) {
            (Some(a), None) => CreditOp::Add(
                a.as_i64()
                    .ok_or_else(|| invalid("`add` must be an integer"))?,
            ),
            (None, Some(Value::Null)) => CreditOp::Set(None),
            (None, Some(s)) => {
                CreditOp::Set(Some(s.as_i64().filter(|&n| n >= 0).ok_or_else(|| {
                    invalid("`set` must be a non-negative integer or null")
                })?))
            }
            _ => {
                return Err(invalid("send {\"add\": n} or {\"set\": n | null}"));
            }
        };
        let k = accounts::credits(state.auth().store.as_ref(), id, op).await?;
        Ok(ok(key_json(&k)))
    }
}
