//! Who is calling: API keys (the seed's checks, in its order), the admin
//! token, and per-key rate limits. The two kinds of token never stand in for
//! each other. Surfaces hand over the raw `Authorization` value.

use crate::code::Coded;
use governor::{Quota, RateLimiter, clock::DefaultClock, state::InMemoryState, state::NotKeyed};
use grabkit_store::keys::{Key, KeyStore, StoreError, hash_token};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;

type Limiter = RateLimiter<NotKeyed, InMemoryState, DefaultClock>;
/// Each key's bucket, with the (rate, burst) it was made for.
type Limiters = HashMap<i64, ((u32, u32), Arc<Limiter>)>;

/// Why a caller was turned away.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("Unauthorized: send `Authorization: Bearer <token>`")]
    MissingToken,
    #[error("Unauthorized: the token is not valid")]
    InvalidToken,
    #[error("Unauthorized: the API token has expired; edit the key or create a new one")]
    TokenExpired,
    #[error("rate limit of {per_sec} requests per second (burst {burst}) reached")]
    RateLimited {
        per_sec: u32,
        burst: u32,
        retry_after: u64,
    },
    #[error("the key store failed; try again")]
    Store(#[from] StoreError),
}

impl Coded for AuthError {
    fn code(&self) -> &'static str {
        match self {
            AuthError::MissingToken => "missing_token",
            AuthError::InvalidToken => "invalid_token",
            AuthError::TokenExpired => "token_expired",
            AuthError::RateLimited { .. } => "rate_limited",
            AuthError::Store(_) => "store_failed",
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            AuthError::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

/// API keys, the admin token, rate limits.
pub struct Auth {
    pub store: Arc<dyn KeyStore>,
    /// sha256 of the admin token.
    admin_hash: String,
    default_rate: (u32, u32),
    limiters: Mutex<Limiters>,
}

impl Auth {
    pub fn new(store: Arc<dyn KeyStore>, admin_hash: String, default_rate: (u32, u32)) -> Self {
        Auth {
            store,
            admin_hash,
            default_rate,
            limiters: Mutex::new(HashMap::new()),
        }
    }

    /// The key behind `Authorization: Bearer …`: missing → invalid/disabled → expired.
    pub async fn api_key(&self, authorization: Option<&[u8]>, now: i64) -> Result<Key, AuthError> {
        let token = bearer(authorization)?;
        let hash = hash_token(token);
        let found = self
            .store
            .by_token_hash(&hash)
            .await
            .map_err(store_failed)?;
        // The lookup is by hash; comparing the stored hash again in constant time
        // keeps the decision itself free of timing differences.
        let Some((key, _)) =
            found.filter(|(_, stored)| bool::from(stored.as_bytes().ct_eq(hash.as_bytes())))
        else {
            return Err(AuthError::InvalidToken);
        };
        usable(key, now)
    }

    /// `key` as it stands now: deleted, disabled or re-tokened since it was
    /// read is `InvalidToken`, expired `TokenExpired`. One read, no write.
    pub async fn still_stands(&self, key: &Key, now: i64) -> Result<Key, AuthError> {
        let found = self
            .store
            .by_token_hash(&key.token_hash)
            .await
            .map_err(store_failed)?;
        match found {
            Some((k, _)) if k.id == key.id => usable(k, now),
            _ => Err(AuthError::InvalidToken),
        }
    }

    /// The key with `id`, for a credential that stands for it (a feed
    /// token), with the same checks as [`Auth::api_key`].
    pub async fn key_by_id(&self, id: i64, now: i64) -> Result<Key, AuthError> {
        let key = self.store.get(id).await.map_err(store_failed)?;
        usable(key.ok_or(AuthError::InvalidToken)?, now)
    }

    /// The admin token check.
    pub fn admin(&self, authorization: Option<&[u8]>) -> Result<(), AuthError> {
        let token = bearer(authorization)?;
        let hash = hash_token(token);
        if bool::from(hash.as_bytes().ct_eq(self.admin_hash.as_bytes())) {
            Ok(())
        } else {
            Err(AuthError::InvalidToken)
        }
    }

    /// Take one request from the key's bucket, or say when to come back.
    pub fn rate_limit(&self, key: &Key) -> Result<(), AuthError> {
        let rate = (
            key.rate_per_sec.unwrap_or(self.default_rate.0).max(1),
            key.rate_burst.unwrap_or(self.default_rate.1).max(1),
        );
        let limiter = {
            let mut map = self.limiters.lock().unwrap_or_else(|p| p.into_inner());
            let entry = map
                .entry(key.id)
                .or_insert_with(|| (rate, Arc::new(limiter(rate))));
            if entry.0 != rate {
                *entry = (rate, Arc::new(limiter(rate)));
            }
            entry.1.clone()
        };
        limiter.check().map_err(|not_until| {
            let wait =
                not_until.wait_time_from(governor::clock::Clock::now(&DefaultClock::default()));
            AuthError::RateLimited {
                per_sec: rate.0,
                burst: rate.1,
                retry_after: wait.as_secs_f64().ceil().max(1.0) as u64,
            }
        })
    }
}

/// A disabled key is not valid; an expired one says so.
fn usable(key: Key, now: i64) -> Result<Key, AuthError> {
    if !key.enabled {
        return Err(AuthError::InvalidToken);
    }
    if key.expires_at.is_some_and(|t| now >= t) {
        return Err(AuthError::TokenExpired);
    }
    Ok(key)
}

fn limiter((per_sec, burst): (u32, u32)) -> Limiter {
    let q = Quota::per_second(NonZeroU32::new(per_sec).expect("at least 1"))
        .allow_burst(NonZeroU32::new(burst).expect("at least 1"));
    RateLimiter::direct(q)
}

/// The token of a `Bearer` authorization value.
fn bearer(value: Option<&[u8]>) -> Result<&str, AuthError> {
    let value = value.ok_or(AuthError::MissingToken)?;
    let value = std::str::from_utf8(value).map_err(|_| AuthError::InvalidToken)?;
    // The scheme is case-insensitive (RFC 7235).
    let (scheme, token) = value.trim_start().split_once(' ').unwrap_or((value, ""));
    Some(token.trim())
        .filter(|t| scheme.eq_ignore_ascii_case("bearer") && !t.is_empty())
        .ok_or(AuthError::MissingToken)
}

/// Logged once where it happens; the caller sees only `store_failed`.
pub fn store_failed(e: StoreError) -> StoreError {
    tracing::error!(error = %e, "key store failed");
    e
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for v in ["Bearer t1", "bearer t1", "BEARER t1", "bEaReR   t1 "] {
            assert_eq!(bearer(Some(v.as_bytes())).unwrap(), "t1", "{v}");
        }
        for v in ["Basic t1", "Bearer", "Bearer  ", "t1", "Bearert1"] {
            assert!(bearer(Some(v.as_bytes())).is_err(), "{v}");
        }
    }
}
