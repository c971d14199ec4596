//! Who is calling: API keys for the parse endpoints (the seed's checks in
//! its order), the admin token for the admin endpoints, and per-key rate
//! limits. The two kinds of token never stand in for each other.

use crate::error::ApiError;
use crate::store::KeyStore;
use crate::store::keys::{Key, hash_token};
use axum::http::{HeaderMap, StatusCode};
use governor::{Quota, RateLimiter, clock::DefaultClock, state::InMemoryState, state::NotKeyed};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;

type Limiter = RateLimiter<NotKeyed, InMemoryState, DefaultClock>;

pub struct Auth {
    pub store: Arc<dyn KeyStore>,
    /// sha256 of the admin token.
    admin_hash: String,
    default_rate: (u32, u32),
    limiters: Mutex<HashMap<i64, ((u32, u32), Arc<Limiter>)>>,
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
    pub fn api_key(&self, headers: &HeaderMap, now: i64) -> Result<Key, ApiError> {
        let token = bearer(headers)?;
        let hash = hash_token(token);
        let found = self.store.by_token_hash(&hash).map_err(store_error)?;
        // The lookup is by hash; comparing the stored hash again in constant time
        // keeps the decision itself free of timing differences.
        let Some((key, _)) =
            found.filter(|(_, stored)| bool::from(stored.as_bytes().ct_eq(hash.as_bytes())))
        else {
            return Err(ApiError::invalid_token());
        };
        if !key.enabled {
            return Err(ApiError::invalid_token());
        }
        if key.expires_at.is_some_and(|t| now >= t) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "token_expired",
                "Unauthorized: the API token has expired; edit the key or create a new one",
            ));
        }
        Ok(key)
    }

    /// The admin token check.
    pub fn admin(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let token = bearer(headers)?;
        if bool::from(
            hash_token(token)
                .as_bytes()
                .ct_eq(self.admin_hash.as_bytes()),
        ) {
            Ok(())
        } else {
            Err(ApiError::invalid_token())
        }
    }

    /// Take one request from the key's bucket, or say when to come back.
    pub fn rate_limit(&self, key: &Key) -> Result<(), ApiError> {
        let rate = (
            key.rate_per_sec.unwrap_or(self.default_rate.0).max(1),
            key.rate_burst.unwrap_or(self.default_rate.1).max(1),
        );
        let limiter = {
            let mut map = self.limiters.lock().unwrap();
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
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "rate limit of {} requests per second (burst {}) reached",
                    rate.0, rate.1
                ),
            );
            e.retry_after = Some(wait.as_secs_f64().ceil().max(1.0) as u64);
            e
        })
    }
}

fn limiter((per_sec, burst): (u32, u32)) -> Limiter {
    let q = Quota::per_second(NonZeroU32::new(per_sec).unwrap())
        .allow_burst(NonZeroU32::new(burst).unwrap());
    RateLimiter::direct(q)
}

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(ApiError::missing_token)?;
    let value = value.to_str().map_err(|_| ApiError::invalid_token())?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(ApiError::missing_token)
}

pub fn store_error(e: crate::store::keys::StoreError) -> ApiError {
    tracing::error!(error = %e, "key store failed");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "store_failed",
        "the key store failed; try again",
    )
}
