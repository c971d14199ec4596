//! Feeds: a user's latest posts as Atom or RSS, for feed readers. Readers
//! cannot send headers, so a key hands out feed tokens for the URL
//! (`?token=gk_feed_…`), never the API key itself. A rendered feed is
//! cached for `ttl`, so a reader polling every minute costs the platform
//! one fetch per ttl and the key one credit per miss.

mod render;

use crate::auth::{AuthError, store_failed};
use crate::clock::now;
use crate::code::Coded;
use crate::gateway::{Gateway, GatewayError};
use crate::service::DataJson;
use crate::service::data::{ApiPage, DataRequest};
use crate::service::data_json::PostsJson;
use grabkit_store::feeds::{FEED_PREFIX, FeedToken, FeedTokenStore};
use grabkit_store::keys::{Key, StoreError, hash_token, new_token};
use moka::future::Cache;
pub use render::{FeedLinks, Format};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct FeedSettings {
    /// How long a rendered feed is served before the platform is asked again.
    pub ttl: Duration,
    /// Feeds kept at once.
    pub capacity: u64,
    /// Posts per feed.
    pub entries: u32,
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings {
            ttl: Duration::from_secs(900),
            capacity: 10_000,
            entries: 20,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("the feed token is not valid (revoked, or its key is gone)")]
    InvalidToken,
    #[error("send the feed token as `?token=gk_feed_…`")]
    MissingToken,
    #[error("no feed token with id {0} on this key")]
    NotFound(i64),
    #[error("{0}")]
    Invalid(String),
    #[error("the key store failed; try again")]
    Store(StoreError),
}

impl Coded for FeedError {
    fn code(&self) -> &'static str {
        match self {
            FeedError::Auth(e) => e.code(),
            FeedError::Gateway(e) => e.code(),
            FeedError::InvalidToken => "invalid_token",
            FeedError::MissingToken => "missing_token",
            FeedError::NotFound(_) => "feed_token_not_found",
            FeedError::Invalid(_) => "invalid_request",
            FeedError::Store(_) => "store_failed",
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            FeedError::Auth(e) => e.retry_after(),
            FeedError::Gateway(e) => e.retry_after(),
            _ => None,
        }
    }
}

/// A rendered feed document.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub body: Arc<String>,
    pub content_type: &'static str,
    /// Served from the feed cache (nothing charged).
    pub cached: bool,
    pub credits_left: Option<i64>,
}

pub struct Feeds {
    store: Arc<dyn FeedTokenStore>,
    gateway: Gateway,
    /// The posts behind a feed, by platform and link (shared by every key:
    /// the posts are public; the rendering carries each reader's token).
    cache: Cache<String, Arc<PostsJson>>,
    settings: FeedSettings,
}

impl Feeds {
    pub fn new(store: Arc<dyn FeedTokenStore>, gateway: Gateway, settings: FeedSettings) -> Self {
        let cache = Cache::builder()
            .max_capacity(settings.capacity.max(1))
            .time_to_live(settings.ttl.max(Duration::from_secs(1)))
            .build();
        Feeds {
            store,
            gateway,
            cache,
            settings,
        }
    }

    /// A new feed token for `key`: the stored record and the token (shown once).
    pub async fn create_token(
        &self,
        key: &Key,
        label: &str,
    ) -> Result<(FeedToken, String), FeedError> {
        if label.chars().count() > 100 {
            return Err(FeedError::Invalid(
                "`label` is longer than 100 characters".into(),
            ));
        }
        let token = new_token(FEED_PREFIX);
        let prefix: String = token.chars().take(FEED_PREFIX.len() + 6).collect();
        let stored = self
            .store
            .create_feed_token(key.id, label, &hash_token(&token), &prefix, now())
            .await
            .map_err(|e| FeedError::Store(store_failed(e)))?;
        Ok((stored, token))
    }

    pub async fn tokens(&self, key: &Key) -> Result<Vec<FeedToken>, FeedError> {
        let list = self.store.feed_tokens(key.id).await;
        list.map_err(|e| FeedError::Store(store_failed(e)))
    }

    pub async fn revoke(&self, key: &Key, id: i64) -> Result<(), FeedError> {
        match self.store.revoke_feed_token(key.id, id).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(FeedError::NotFound(id)),
            Err(e) => Err(FeedError::Store(store_failed(e))),
        }
    }

    /// The key behind a feed token, with the key's own checks and rate limit.
    pub async fn key_of(&self, token: Option<&str>) -> Result<Key, FeedError> {
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or(FeedError::MissingToken)?;
        if !token.starts_with(FEED_PREFIX) {
            return Err(FeedError::InvalidToken);
        }
        let t = now();
        let found = self.store.use_feed_token(&hash_token(token), t).await;
        let found = found.map_err(|e| FeedError::Store(store_failed(e)))?;
        let ft = found.ok_or(FeedError::InvalidToken)?;
        let key = self.gateway.auth.key_by_id(ft.key_id, t).await?;
        self.gateway.auth.rate_limit(&key)?;
        Ok(key)
    }

    /// The feed of the user behind `url` on `platform`, for `key`.
    pub async fn feed(
        &self,
        key: &Key,
        platform: &str,
        url: &str,
        format: Format,
        links: &FeedLinks,
    ) -> Result<Rendered, FeedError> {
        let started = Instant::now();
        let req = DataRequest::Posts {
            input: url.to_string(),
            page: ApiPage {
                cursor: None,
                count: Some(self.settings.entries),
            },
        };
        let service = &self.gateway.service;
        let routed = service.route_data(&req).map_err(GatewayError::Parse)?;
        let (plugin, link) = routed.clone();
        if plugin.platform != platform {
            return Err(FeedError::Invalid(format!(
                "{url} is a {} link, not {platform}",
                plugin.platform
            )));
        }
        if !key.allows(platform) {
            return Err(GatewayError::PlatformNotAllowed(platform.to_string()).into());
        }
        let cache_key = format!("{platform}\n{link}");
        let render =
            |posts: &PostsJson| Arc::new(render::render(format, posts, link.as_str(), links));
        if let Some(posts) = self.cache.get(&cache_key).await {
            return Ok(Rendered {
                body: render(&posts),
                content_type: format.content_type(),
                cached: true,
                credits_left: None,
            });
        }
        let billed = self
            .gateway
            .data_routed(key, Ok(routed), &req, started)
            .await;
        let (_, json) = billed.result?;
        let DataJson::Posts(posts) = json else {
            return Err(FeedError::Invalid(
                "the posts endpoint answered no posts".into(),
            ));
        };
        let posts = Arc::new(posts);
        self.cache.insert(cache_key, posts.clone()).await;
        Ok(Rendered {
            body: render(&posts),
            content_type: format.content_type(),
            cached: false,
            credits_left: billed.credits_left,
        })
    }
}
