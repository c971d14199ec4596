//! The parse gateway every surface shares (HTTP today; batch jobs, MCP and
//! canaries next): authorize → route → platform permission → hold a credit
//! → run the plugin → settle. One credit per success, nothing otherwise; a
//! refusal before a credit is held is recorded, uncharged.

use crate::auth::{Auth, AuthError, store_failed};
use crate::clock::now;
use crate::code::Coded;
use crate::service::cache::CacheUse;
use crate::service::data::{DataRequest, Routed};
use crate::service::{MediaJson, ParseError, ParseService, RouteInfo};
use grabkit_store::keys::{Key, Reservation, StoreError};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

/// Why a gateway call ended without media.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("this API key may not parse `{0}` links")]
    PlatformNotAllowed(String),
    #[error("no credits left on this API key")]
    InsufficientCredits,
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("the key store failed; try again")]
    Store(StoreError),
}

impl Coded for GatewayError {
    fn code(&self) -> &'static str {
        match self {
            GatewayError::Auth(e) => e.code(),
            GatewayError::PlatformNotAllowed(_) => "platform_not_allowed",
            GatewayError::InsufficientCredits => "insufficient_credits",
            GatewayError::Parse(e) => e.code(),
            GatewayError::Store(_) => "store_failed",
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            GatewayError::Auth(e) => e.retry_after(),
            GatewayError::Parse(e) => e.retry_after(),
            _ => None,
        }
    }
}

/// The work a call is billed for: the media (or data page) and whether it
/// came from the cache. Boxed: its future is the large part of a call
/// (the plugin run inside), and the surfaces keep every call's future
/// while it waits for a slot; boxed once here, it is not copied into each
/// future around it.
type Run<'a, T> = Pin<Box<dyn Future<Output = Result<(T, bool), ParseError>> + Send + 'a>>;

/// A finished call: its result and, for limited keys, the credits left.
pub struct Billed<T = Parsed> {
    pub result: Result<T, GatewayError>,
    pub credits_left: Option<i64>,
    /// Answered from the result cache.
    pub cached: bool,
}

impl<T> Billed<T> {
    /// A call that ended without media and without a charge.
    fn unbilled(e: GatewayError) -> Self {
        Billed {
            result: Err(e),
            credits_left: None,
            cached: false,
        }
    }
}

/// What a successful parse returns.
pub struct Parsed {
    pub route: RouteInfo,
    pub media: MediaJson,
}

/// The parse service behind the key checks and the credit ledger.
#[derive(Clone)]
pub struct Gateway {
    pub service: Arc<ParseService>,
    pub auth: Arc<Auth>,
}

impl Gateway {
    pub fn new(service: Arc<ParseService>, auth: Arc<Auth>) -> Self {
        Gateway { service, auth }
    }

    /// The key behind an `Authorization` value, within its rate limit.
    pub async fn authorize(&self, authorization: Option<&[u8]>) -> Result<Key, AuthError> {
        let key = self.auth.api_key(authorization, now()).await?;
        self.auth.rate_limit(&key)?;
        Ok(key)
    }

    /// Record a refusal that happened before a credit was held (bad input).
    pub async fn refuse(&self, key: &Key, platform: &str, code: &str, started: Instant) {
        let ms = started.elapsed().as_millis() as u64;
        if let Err(e) = self
            .auth
            .store
            .record(key.id, platform, code, ms, now())
            .await
        {
            store_failed(e);
        }
    }

    /// Parse `input` (a link or share text) for `key`, charging one credit
    /// on success (a cached answer too, unless the operator turned that off).
    pub async fn parse(&self, key: &Key, input: &str, how: CacheUse, started: Instant) -> Billed {
        let route = self.service.route(input);
        let platform = route
            .as_ref()
            .map(|r| r.platform.clone())
            .map_err(Clone::clone);
        let charge_hits = self.service.cache.settings.charge_hits;
        let run = Box::pin(async {
            let (media, cached) = self.service.parse_cached(input, how).await?;
            Ok((media, cached))
        });
        let billed = self.bill(key, platform, run, charge_hits, started).await;
        let route = route.ok();
        Billed {
            result: billed.result.map(|media| Parsed {
                route: route.expect("routed before billing"),
                media,
            }),
            credits_left: billed.credits_left,
            cached: billed.cached,
        }
    }

    /// Run a data request for `key`: one credit per successful page.
    pub async fn data(
        &self,
        key: &Key,
        req: &DataRequest,
        started: Instant,
    ) -> Billed<(RouteInfo, crate::service::DataJson)> {
        let routed = self.service.route_data(req);
        self.data_routed(key, routed, req, started).await
    }

    /// [`Gateway::data`] for a request already routed (once).
    pub async fn data_routed(
        &self,
        key: &Key,
        routed: Result<Routed, ParseError>,
        req: &DataRequest,
        started: Instant,
    ) -> Billed<(RouteInfo, crate::service::DataJson)> {
        let platform = routed.as_ref().map(|(p, _)| p.platform.clone());
        let platform = platform.map_err(Clone::clone);
        let run = Box::pin(async { Ok((self.service.data(routed?, req).await?, false)) });
        self.bill(key, platform, run, true, started).await
    }

    /// The ledger around one call: platform permission → hold a credit →
    /// run → settle (charged on success; a cache hit per `charge_hits`).
    async fn bill<T>(
        &self,
        key: &Key,
        platform: Result<String, ParseError>,
        run: Run<'_, T>,
        charge_hits: bool,
        started: Instant,
    ) -> Billed<T> {
        let platform = match platform {
            Ok(p) => p,
            Err(e) => {
                self.refuse(key, "none", e.code(), started).await;
                return Billed::unbilled(e.into());
            }
        };
        if !key.allows(&platform) {
            let e = GatewayError::PlatformNotAllowed(platform.clone());
            self.refuse(key, &platform, e.code(), started).await;
            return Billed::unbilled(e);
        }
        let held = match self.hold(key, &platform, started).await {
            Ok(held) => held,
            Err(e) => return Billed::unbilled(e),
        };
        let result = run.await;
        let (outcome, charged, cached) = settled(&result, charge_hits);
        let store = &self.auth.store;
        let credits_left = match held {
            // An unlimited key's outcome is counted after the run, a
            // write the store may batch: no commit of its own per parse.
            None => store
                .tally(key.id, &platform, outcome, charged, now())
                .await
                .map(|()| None),
            Some(reservation) => {
                let ms = started.elapsed().as_millis() as u64;
                store.settle(reservation, outcome, ms, charged).await
            }
        };
        match credits_left {
            Ok(credits_left) => Billed {
                result: result.map(|(t, _)| t).map_err(GatewayError::Parse),
                credits_left,
                cached,
            },
            Err(e) => Billed::unbilled(GatewayError::Store(store_failed(e))),
        }
    }

    /// What the call holds while it runs: nothing for an unlimited key,
    /// a reserved credit for a limited one. The key is checked again here:
    /// it may have been disabled, rotated or deleted while the body
    /// arrived. For an unlimited key a read is the whole check; a limited
    /// one is checked atomically with its credit.
    async fn hold(
        &self,
        key: &Key,
        platform: &str,
        started: Instant,
    ) -> Result<Option<Reservation>, GatewayError> {
        if key.credits.is_none() {
            match self.auth.still_stands(key, now()).await {
                Ok(k) if k.credits.is_none() => return Ok(None),
                Ok(_) => {} // limited since the door: reserved below
                Err(e) => return Err(e.into()),
            }
        }
        match self.auth.store.reserve(key, platform, now()).await {
            Ok(r) => Ok(Some(r)),
            Err(StoreError::NoCredits) => {
                let e = GatewayError::InsufficientCredits;
                self.refuse(key, platform, e.code(), started).await;
                Err(e)
            }
            Err(StoreError::KeyInvalid) => Err(AuthError::InvalidToken.into()),
            Err(StoreError::KeyExpired) => Err(AuthError::TokenExpired.into()),
            Err(e) => Err(GatewayError::Store(store_failed(e))),
        }
    }
}

/// How a call ended, for the ledger: (outcome, charged, from the cache).
fn settled<T>(result: &Result<(T, bool), ParseError>, charge_hits: bool) -> (&str, bool, bool) {
    let cached = matches!(result, Ok((_, true)));
    let charged = result.is_ok() && (!cached || charge_hits);
    let outcome = match result {
        Ok(_) if cached => "cache_hit",
        Ok(_) => "success",
        Err(e) => e.code(),
    };
    (outcome, charged, cached)
}
