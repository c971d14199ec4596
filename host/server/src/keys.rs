//! Admin key endpoints: `/api/v1/admin/keys…`. Bodies are strict: an
//! unknown field, a wrong type or a read-only field is a `400` naming it,
//! so an operator never believes a change was made that was not.

use super::body::RequestError;
use super::extract::{AdminToken, JsonObject, PathParam};
use super::{AppState, ok};
use crate::error::ApiError;
use crate::openapi::schemas::{Deleted, Envelope, KeyView};
use axum::extract::State;
use grabkit_core::auth::store_failed;
use grabkit_core::key_admin::{self, KeyAdminError, key_json, parse_platforms, parse_time};
use grabkit_store::keys::{CreditOp, KeyPatch, NewKey};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

type Answer = Result<axum::Json<Value>, ApiError>;

pub(crate) fn invalid(msg: impl Into<String>) -> ApiError {
    RequestError::Invalid(msg.into()).into()
}

/// Fields of a key that the API shows but an edit cannot change.
const READ_ONLY: &[(&str, &str)] = &[
    ("id", ""),
    (
        "token",
        "; POST /api/v1/admin/keys/{id}/reset makes a new one",
    ),
    ("tokenPrefix", ""),
    ("createdAt", ""),
    ("lastUsedAt", ""),
    ("credits", "; use POST /api/v1/admin/keys/{id}/credits"),
];

/// `v` as a `T`, or a `400` that names the field at fault.
pub(crate) fn strict<T: DeserializeOwned>(
    v: Value,
    read_only: &[(&str, &str)],
) -> Result<T, ApiError> {
    if let Some((field, hint)) = read_only.iter().find(|(f, _)| v.get(f).is_some()) {
        return Err(invalid(format!("`{field}` cannot be changed here{hint}")));
    }
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path == "." {
            invalid(inner)
        } else {
            invalid(format!("`{path}`: {inner}"))
        }
    })
}

/// `Some(None)` for an explicit `null`, `None` for an absent field.
pub(crate) fn nullable<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A new key; absent fields are never expiring, all platforms, unlimited.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateBody {
    name: String,
    expires_at: Option<String>,
    platforms: Option<Vec<String>>,
    credits: Option<i64>,
    rate_per_sec: Option<u32>,
    rate_burst: Option<u32>,
}

/// An edit: only the fields present change; `null` clears.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EditBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    expires_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    platforms: Option<Option<Vec<String>>>,
    enabled: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    rate_per_sec: Option<Option<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    rate_burst: Option<Option<u32>>,
}

/// `add` to the balance, or `set` it (`null` is unlimited).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreditsBody {
    add: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    set: Option<Option<i64>>,
}

/// Rates are at least 1 per second and a burst of 1.
fn positive(name: &str, v: Option<u32>) -> Result<Option<u32>, ApiError> {
    match v {
        Some(0) => Err(invalid(format!("`{name}` must be a positive integer"))),
        v => Ok(v),
    }
}

fn platforms(state: &AppState, list: Option<Vec<String>>) -> Result<Option<Vec<String>>, ApiError> {
    let table = state.service().registry.table();
    let loaded = |p: &str| table.get(p).is_some();
    Ok(parse_platforms(list, &loaded)?)
}

#[utoipa::path(post, path = "/api/v1/admin/keys", tag = "admin",
    security(("adminToken" = [])),
    request_body = CreateBody,
    responses(
        (status = 200, description = "The key, with its token shown this once", body = Envelope<KeyView>),
    ))]
pub async fn create(
    State(state): State<AppState>,
    _: AdminToken,
    JsonObject(v): JsonObject,
) -> Answer {
    let b: CreateBody = strict(v, &READ_ONLY[..5])?;
    if b.credits.is_some_and(|c| c < 0) {
        return Err(invalid("`credits` must be a non-negative integer or null"));
    }
    let new = NewKey {
        name: b.name,
        expires_at: parse_time(b.expires_at.as_deref())?,
        platforms: platforms(&state, b.platforms)?,
        credits: b.credits,
        rate_per_sec: positive("ratePerSec", b.rate_per_sec)?,
        rate_burst: positive("rateBurst", b.rate_burst)?,
    };
    let c = key_admin::create(state.auth().store.as_ref(), new).await?;
    let mut j = key_json(&c.key);
    j["token"] = c.token.into();
    Ok(ok(j))
}

#[utoipa::path(get, path = "/api/v1/admin/keys", tag = "admin",
    security(("adminToken" = [])),
    responses(
        (status = 200, description = "Every key (never a token)", body = Envelope<Vec<KeyView>>),
    ))]
pub async fn list(State(state): State<AppState>, _: AdminToken) -> Answer {
    let keys = state.auth().store.list().await.map_err(store_failed)?;
    Ok(ok(keys.iter().map(key_json).collect::<Vec<_>>()))
}

#[utoipa::path(get, path = "/api/v1/admin/keys/{id}", tag = "admin",
    security(("adminToken" = [])),
    params(("id" = i64, Path, description = "The key id")),
    responses(
        (status = 200, description = "The key, with its usage", body = Envelope<KeyView>),
    ))]
pub async fn get(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
) -> Answer {
    let k = state
        .auth()
        .store
        .get(id)
        .await
        .map_err(store_failed)?
        .ok_or(KeyAdminError::NotFound(id))?;
    let t = grabkit_core::clock::now();
    let store = &state.auth().store;
    let usage = store.usage(id, t - t.rem_euclid(86_400)).await;
    let mut v = key_json(&k);
    v["usage"] = serde_json::json!(usage.map_err(store_failed)?);
    Ok(ok(v))
}

#[utoipa::path(patch, path = "/api/v1/admin/keys/{id}", tag = "admin",
    security(("adminToken" = [])),
    params(("id" = i64, Path, description = "The key id")),
    request_body = EditBody,
    responses(
        (status = 200, description = "The key as changed", body = Envelope<KeyView>),
    ))]
pub async fn edit(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
    JsonObject(v): JsonObject,
) -> Answer {
    if v.as_object().is_some_and(|o| o.is_empty()) {
        return Err(invalid(
            "the body changes nothing; send any of name, expiresAt, platforms, enabled, \
             ratePerSec, rateBurst",
        ));
    }
    let b: EditBody = strict(v, READ_ONLY)?;
    let patch = KeyPatch {
        name: b.name,
        expires_at: b.expires_at.map(|t| parse_time(t.as_deref())).transpose()?,
        platforms: match b.platforms {
            None => None,
            Some(None) => Some(None),
            Some(list) => Some(platforms(&state, list)?),
        },
        enabled: b.enabled,
        rate_per_sec: b
            .rate_per_sec
            .map(|r| positive("ratePerSec", r))
            .transpose()?,
        rate_burst: b.rate_burst.map(|r| positive("rateBurst", r)).transpose()?,
    };
    let k = key_admin::edit(state.auth().store.as_ref(), id, patch).await?;
    Ok(ok(key_json(&k)))
}

#[utoipa::path(delete, path = "/api/v1/admin/keys/{id}", tag = "admin",
    security(("adminToken" = [])),
    params(("id" = i64, Path, description = "The key id")),
    responses(
        (status = 200, description = "Deleted", body = Envelope<Deleted>),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
) -> Answer {
    key_admin::delete(state.auth().store.as_ref(), id).await?;
    Ok(ok(Deleted { id, deleted: true }))
}

/// A new token, same settings. Proxy links signed for the key keep working
/// (they name the key, not its token); disable the key to revoke them.
#[utoipa::path(post, path = "/api/v1/admin/keys/{id}/reset", tag = "admin",
    security(("adminToken" = [])),
    params(("id" = i64, Path, description = "The key id")),
    responses(
        (status = 200, description = "A new token, shown this once; settings kept", body = Envelope<KeyView>),
    ))]
pub async fn reset(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
) -> Answer {
    let c = key_admin::reset(state.auth().store.as_ref(), id).await?;
    let mut j = key_json(&c.key);
    j["token"] = c.token.into();
    Ok(ok(j))
}

/// `{"add": n}` or `{"set": n | null}` (null = unlimited).
#[utoipa::path(post, path = "/api/v1/admin/keys/{id}/credits", tag = "admin",
    security(("adminToken" = [])),
    params(("id" = i64, Path, description = "The key id")),
    request_body = CreditsBody,
    responses(
        (status = 200, description = "The new balance", body = Envelope<KeyView>),
    ))]
pub async fn credits(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
    JsonObject(v): JsonObject,
) -> Answer {
    let b: CreditsBody = strict(v, &[])?;
    let op = match (b.add, b.set) {
        (Some(n), None) => CreditOp::Add(n),
        (None, Some(None)) => CreditOp::Set(None),
        (None, Some(Some(n))) if n >= 0 => CreditOp::Set(Some(n)),
        (None, Some(Some(_))) => {
            return Err(invalid("`set` must be a non-negative integer or null"));
        }
        _ => return Err(invalid("send {\"add\": n} or {\"set\": n | null}")),
    };
    let k = key_admin::credits(state.auth().store.as_ref(), id, op).await?;
    Ok(ok(key_json(&k)))
}
