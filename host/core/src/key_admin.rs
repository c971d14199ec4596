//! Key administration shared by the admin API and `grabkit keys`: create,
//! edit, rotate, delete, credits. Validates input once, for both.

use crate::clock::{format_time, now, parse_rfc3339};
use crate::code::Coded;
use grabkit_store::keys::{
    CreditOp, KEY_PREFIX, Key, KeyPatch, KeyStore, MAX_CREDITS, NewKey, StoreError, hash_token,
    new_token, token_prefix,
};

#[derive(Debug, thiserror::Error)]
pub enum KeyAdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("no key with id {0}")]
    NotFound(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Coded for KeyAdminError {
    fn code(&self) -> &'static str {
        match self {
            KeyAdminError::Invalid(_) => "invalid_request",
            KeyAdminError::NotFound(_) => "key_not_found",
            KeyAdminError::Store(e) => e.code(),
        }
    }
}

/// Parse an RFC 3339 time (`null`/empty = none).
pub fn parse_time(s: Option<&str>) -> Result<Option<i64>, KeyAdminError> {
    match s.map(str::trim).filter(|s| !s.is_empty() && *s != "null") {
        None => Ok(None),
        Some(s) => parse_rfc3339(s)
            .map(Some)
            .map_err(|e| KeyAdminError::Invalid(format!("`{s}` is not an RFC 3339 time: {e}"))),
    }
}

/// The platforms grabkit ships plugins for (a key may name them before
/// their plugin is loaded); other ids must belong to a loaded plugin.
pub const SHIPPED_PLATFORMS: &[&str] = &[
    "bilibili",
    "douyin",
    "instagram",
    "kuaishou",
    "tiktok",
    "twitter",
    "wechat_channels",
    "weibo",
    "xiaohongshu",
    "youtube",
];

/// A key's platform list: `None` (not given) or `["all"]` = every platform;
/// otherwise known platform ids (`is_known`, or one grabkit ships). An
/// empty list, an empty id or an unknown one is refused, never read as "all".
pub fn parse_platforms(
    list: Option<Vec<String>>,
    is_known: &dyn Fn(&str) -> bool,
) -> Result<Option<Vec<String>>, KeyAdminError> {
    let Some(list) = list else { return Ok(None) };
    let invalid = |m: String| Err(KeyAdminError::Invalid(m));
    let list: Vec<String> = list
        .into_iter()
        .map(|p| p.trim().to_ascii_lowercase())
        .collect();
    if list.is_empty() || list.iter().any(String::is_empty) {
        return invalid(
            "`platforms` must name platforms; send [\"all\"] for every platform".into(),
        );
    }
    if list.iter().any(|p| p == "all") {
        return if list.len() == 1 {
            Ok(None)
        } else {
            invalid("`platforms`: \"all\" cannot be combined with other platforms".into())
        };
    }
    if let Some(bad) = list
        .iter()
        .find(|p| !SHIPPED_PLATFORMS.contains(&p.as_str()) && !is_known(p))
    {
        return invalid(format!(
            "`{bad}` is not a platform (known: {})",
            SHIPPED_PLATFORMS.join(", ")
        ));
    }
    let mut list = list;
    list.dedup();
    Ok(Some(list))
}

/// A created key and its token (shown this once).
pub struct Created {
    pub key: Key,
    pub token: String,
}

pub async fn create(store: &dyn KeyStore, new: NewKey) -> Result<Created, KeyAdminError> {
    if new.name.trim().is_empty() {
        return Err(KeyAdminError::Invalid("`name` is required".into()));
    }
    if new.credits.is_some_and(|c| !(0..=MAX_CREDITS).contains(&c)) {
        return Err(KeyAdminError::Invalid(format!(
            "`credits` must be between 0 and {MAX_CREDITS}"
        )));
    }
    let token = new_token(KEY_PREFIX);
    let key = store
        .create(&new, &hash_token(&token), &token_prefix(&token), now())
        .await?;
    Ok(Created { key, token })
}

pub async fn edit(store: &dyn KeyStore, id: i64, patch: KeyPatch) -> Result<Key, KeyAdminError> {
    if patch.name.as_ref().is_some_and(|n| n.trim().is_empty()) {
        return Err(KeyAdminError::Invalid("`name` cannot be empty".into()));
    }
    store
        .update(id, &patch)
        .await?
        .ok_or(KeyAdminError::NotFound(id))
}

/// New token, same settings; the old token stops working at once.
pub async fn reset(store: &dyn KeyStore, id: i64) -> Result<Created, KeyAdminError> {
    let token = new_token(KEY_PREFIX);
    let key = store
        .rotate(id, &hash_token(&token), &token_prefix(&token))
        .await?
        .ok_or(KeyAdminError::NotFound(id))?;
    Ok(Created { key, token })
}

pub async fn delete(store: &dyn KeyStore, id: i64) -> Result<(), KeyAdminError> {
    if store.delete(id).await? {
        Ok(())
    } else {
        Err(KeyAdminError::NotFound(id))
    }
}

/// Change a balance; amounts and results beyond [`MAX_CREDITS`] are refused.
pub async fn credits(store: &dyn KeyStore, id: i64, op: CreditOp) -> Result<Key, KeyAdminError> {
    let amount = match op {
        CreditOp::Add(n) => Some(n),
        CreditOp::Set(v) => v,
    };
    if amount.is_some_and(|n| n.unsigned_abs() > MAX_CREDITS as u64) {
        return Err(KeyAdminError::Invalid(format!(
            "a credit amount must be between -{MAX_CREDITS} and {MAX_CREDITS}"
        )));
    }
    store
        .credits(id, op)
        .await?
        .ok_or(KeyAdminError::NotFound(id))
}

/// The JSON shape of a key in API answers and CLI output.
pub fn key_json(k: &Key) -> serde_json::Value {
    serde_json::json!({
        "id": k.id, "name": k.name, "tokenPrefix": k.token_prefix,
        "createdAt": format_time(k.created_at), "expiresAt": k.expires_at.map(format_time),
        "platforms": k.platforms.clone().unwrap_or_else(|| vec!["all".into()]),
        "credits": k.credits, "enabled": k.enabled, "lastUsedAt": k.last_used_at.map(format_time),
        "ratePerSec": k.rate_per_sec, "rateBurst": k.rate_burst,
    })
}
