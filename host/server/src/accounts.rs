//! Admin account endpoints: `/api/v1/admin/accounts…`. An import takes
//! cookies in any of four forms; answers show cookie names and expiry,
//! never a value. Changes apply to the next parse, with no restart.

use super::extract::{AdminToken, JsonObject, PathParam};
use super::keys::{invalid, nullable, strict};
use super::{AppState, ok};
use crate::error::ApiError;
use crate::openapi::schemas::{AccountCheck, Deleted, Envelope};
use axum::extract::{Query, State};
use grabkit_core::Coded;
use grabkit_core::clock::now;
use grabkit_core::service::{ParseError, with_pinned_account};
use grabkit_core::sessions::view::AccountView;
use grabkit_core::sessions::{AccountError, Change, Import};
use serde::Deserialize;
use serde_json::Value;
use std::time::Instant;

type Answer = Result<axum::Json<Value>, ApiError>;

const READ_ONLY: &[(&str, &str)] = &[
    ("id", ""),
    (
        "platform",
        "; import the cookies again for another platform",
    ),
    ("cookies", "; import them again as a new account"),
    ("userAgent", "; import again with the new user agent"),
    ("state", ""),
    ("source", ""),
    ("health", ""),
];

/// An account to import.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ImportBody {
    platform: String,
    /// A `Cookie:` header value, a cookie-editor JSON export (as text or
    /// as JSON), a Netscape `cookies.txt`, or `name=value` lines.
    #[schema(value_type = String)]
    cookies: Value,
    label: Option<String>,
    user_agent: Option<String>,
    /// `http(s)://[user:password@]host:port`, used for this account's traffic.
    proxy: Option<String>,
}

/// A change: only the fields present change; `"proxy": null` removes it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ChangeBody {
    label: Option<String>,
    enabled: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    proxy: Option<Option<String>>,
}

/// A check: the link to parse, else the platform's first canary link.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CheckBody {
    url: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only this platform's accounts.
    pub platform: Option<String>,
}

fn account(v: AccountView) -> Value {
    serde_json::to_value(v).unwrap_or_default()
}

#[utoipa::path(post, path = "/api/v1/admin/accounts", tag = "accounts",
    security(("adminToken" = [])),
    request_body = ImportBody,
    responses(
        (status = 200, description = "The account (cookie values never shown)", body = Envelope<AccountView>),
    ))]
pub async fn import(
    State(state): State<AppState>,
    _: AdminToken,
    JsonObject(v): JsonObject,
) -> Answer {
    let b: ImportBody = strict(v, &READ_ONLY[..1])?;
    if state.service().registry.table().get(&b.platform).is_none() {
        return Err(ParseError::UnknownPlatform(format!(
            "no plugin serves the platform `{}`",
            b.platform
        ))
        .into());
    }
    let cookies = match b.cookies {
        Value::String(s) => s,
        v @ (Value::Array(_) | Value::Object(_)) => v.to_string(),
        _ => {
            return Err(invalid(
                "`cookies` must be text (or a cookie-editor JSON export)",
            ));
        }
    };
    let new = Import {
        platform: b.platform,
        cookies,
        label: b.label,
        user_agent: b.user_agent,
        proxy: b.proxy,
    };
    let a = state.service().accounts().import(new, now()).await?;
    tracing::info!(account = a.id, platform = %a.platform, "account imported");
    Ok(ok(account(a)))
}

#[utoipa::path(get, path = "/api/v1/admin/accounts", tag = "accounts",
    security(("adminToken" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "Every account with its state and health", body = Envelope<Vec<AccountView>>),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _: AdminToken,
    Query(q): Query<ListQuery>,
) -> Answer {
    let all = state
        .service()
        .accounts()
        .list(q.platform.as_deref(), now());
    Ok(ok(all))
}

#[utoipa::path(get, path = "/api/v1/admin/accounts/{id}", tag = "accounts",
    security(("adminToken" = [])),
    params(("id" = i64, Path, description = "The account id (negative: the config file's)")),
    responses(
        (status = 200, description = "The account", body = Envelope<AccountView>),
    ))]
pub async fn get(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
) -> Answer {
    let a = state.service().accounts().view(id, now());
    Ok(ok(account(a.ok_or(AccountError::NotFound(id))?)))
}

#[utoipa::path(patch, path = "/api/v1/admin/accounts/{id}", tag = "accounts",
    security(("adminToken" = [])),
    params(("id" = i64, Path, description = "The account id")),
    request_body = ChangeBody,
    responses(
        (status = 200, description = "The account as changed", body = Envelope<AccountView>),
    ))]
pub async fn change(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
    JsonObject(v): JsonObject,
) -> Answer {
    if v.as_object().is_some_and(|o| o.is_empty()) {
        return Err(invalid(
            "the body changes nothing; send any of label, enabled, proxy",
        ));
    }
    let b: ChangeBody = strict(v, READ_ONLY)?;
    let c = Change {
        label: b.label,
        enabled: b.enabled,
        proxy: b.proxy,
    };
    let a = state.service().accounts().change(id, c, now()).await?;
    Ok(ok(account(a)))
}

#[utoipa::path(delete, path = "/api/v1/admin/accounts/{id}", tag = "accounts",
    security(("adminToken" = [])),
    params(("id" = i64, Path, description = "The account id")),
    responses(
        (status = 200, description = "Deleted", body = Envelope<Deleted>),
    ))]
pub async fn remove(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
) -> Answer {
    state.service().accounts().remove(id).await?;
    Ok(ok(Deleted { id, deleted: true }))
}

/// One parse with this account pinned (no credits): the body's link, else
/// the platform's first canary link. The account's health counts it; the
/// media comes back too, so an admin can see what the session unlocks.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/check", tag = "accounts",
    security(("adminToken" = [])),
    params(("id" = i64, Path, description = "The account id")),
    request_body = CheckBody,
    responses(
        (status = 200, description = "Whether the parse passed, and the account after it", body = Envelope<AccountCheck>),
    ))]
pub async fn check(
    State(state): State<AppState>,
    _: AdminToken,
    PathParam(id): PathParam<i64>,
    JsonObject(v): JsonObject,
) -> Answer {
    let b: CheckBody = strict(v, &[])?;
    let pool = state.service().accounts();
    let platform = pool
        .view(id, now())
        .ok_or(AccountError::NotFound(id))?
        .platform;
    let canary = state.service().canaries.links(&platform).first().cloned();
    let Some(url) = b.url.or(canary) else {
        return Err(invalid(format!(
            "no canary link is configured for {platform}; send {{\"url\": \"…\"}}"
        )));
    };
    let started = Instant::now();
    let result = with_pinned_account(id, state.service().parse(&url)).await;
    let (passed, code, message) = match &result {
        Ok(_) => (true, None, None),
        Err(ParseError::Account(e)) => return Err(ApiError::of(e.as_ref())),
        Err(e) => (false, Some(e.code()), Some(e.to_string())),
    };
    let after = pool.view(id, now()).ok_or(AccountError::NotFound(id))?;
    Ok(ok(AccountCheck {
        url,
        passed,
        code,
        message,
        elapsed_ms: started.elapsed().as_millis() as u64,
        account: after,
        media: result.ok(),
    }))
}
