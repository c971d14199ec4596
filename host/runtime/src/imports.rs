//! The host side of the contract's imports: `http` (through the sandbox),
//! `log`, `kv`, `config` and `account`, each scoped to the calling plugin
//! (and `http`, `account` and the `cookie` setting to the account the host
//! leased for the call). Older contracts' imports forward here.

use super::bindings::latest::grabkit::plugin::types;
use super::bindings::since_v0_4_0::grabkit::plugin::{account, config, http, kv, log};
use super::state::RequestState;
use grabkit_egress::{HttpFailure, Outbound};
use std::time::Duration;

/// At most this many of one `send-all` are on the wire at once.
const SEND_ALL_AT_ONCE: usize = 8;

impl http::Host for RequestState {
    async fn send(&mut self, req: http::Request) -> Result<http::Response, http::HttpError> {
        self.door().send(req).await
    }

    async fn send_all(
        &mut self,
        reqs: Vec<http::Request>,
    ) -> Vec<Result<http::Response, http::HttpError>> {
        use futures::StreamExt;
        let door = self.door();
        let door = &door;
        futures::stream::iter(reqs.into_iter().map(|r| door.send(r)))
            .buffered(SEND_ALL_AT_ONCE)
            .collect()
            .await
    }
}

/// What a request needs from the call's state (the parts that may be
/// shared by requests in flight together).
struct Door<'a> {
    plugin: &'a super::state::PluginContext,
    sandbox: &'a grabkit_egress::Sandbox,
    budget: &'a grabkit_egress::Budget,
    session: Option<&'a dyn grabkit_egress::Session>,
    request_id: &'a str,
}

impl RequestState {
    fn door(&self) -> Door<'_> {
        Door {
            plugin: &self.plugin,
            sandbox: &self.sandbox,
            budget: &self.budget,
            session: self.session.as_deref(),
            request_id: &self.request_id,
        }
    }
}

impl Door<'_> {
    /// One request through the sandbox, as this plugin and its account.
    async fn send(&self, req: http::Request) -> Result<http::Response, http::HttpError> {
        let method = match req.method {
            http::Method::Get => reqwest::Method::GET,
            http::Method::Head => reqwest::Method::HEAD,
            http::Method::Post => reqwest::Method::POST,
            http::Method::Put => reqwest::Method::PUT,
            http::Method::Delete => reqwest::Method::DELETE,
            http::Method::Patch => reqwest::Method::PATCH,
            http::Method::Options => reqwest::Method::OPTIONS,
        };
        let url = req.url.clone();
        let out = Outbound {
            method,
            url: req.url,
            headers: req.headers.into_iter().map(|h| (h.name, h.value)).collect(),
            body: req.body,
            follow_redirects: req.follow_redirects,
            timeout: req.timeout_ms.map(|ms| Duration::from_millis(ms as u64)),
        };
        let result = self
            .sandbox
            .send_as(&self.plugin.policy, self.budget, out, self.session)
            .await;
        match &result {
            Ok(r) => {
                tracing::debug!(plugin = %self.plugin.platform, request = %self.request_id, %url, status = r.status, "plugin http")
            }
            Err(e) => {
                tracing::warn!(plugin = %self.plugin.platform, request = %self.request_id, %url, error = %e, "plugin http refused or failed")
            }
        }
        result
            .map(|r| http::Response {
                status: r.status,
                headers: r
                    .headers
                    .into_iter()
                    .map(|(name, value)| types::Header { name, value })
                    .collect(),
                final_url: r.final_url,
                body: r.body,
            })
            .map_err(|e| match e {
                HttpFailure::Denied(m) => http::HttpError::Denied(m),
                HttpFailure::PrivateAddress(m) => http::HttpError::PrivateAddress(m),
                HttpFailure::InvalidRequest(m) => http::HttpError::InvalidRequest(m),
                HttpFailure::Timeout => http::HttpError::Timeout,
                HttpFailure::TooLarge(n) => http::HttpError::TooLarge(n),
                HttpFailure::TooManyRequests(n) => http::HttpError::TooManyRequests(n),
                HttpFailure::TooManyRedirects => http::HttpError::TooManyRedirects,
                HttpFailure::Transport(m) => http::HttpError::Transport(m),
            })
    }
}

impl log::Host for RequestState {
    fn log(&mut self, level: log::Level, message: String) {
        let (p, r) = (&self.plugin.platform, &self.request_id);
        match level {
            log::Level::Trace => tracing::trace!(plugin = %p, request = %r, "{message}"),
            log::Level::Debug => tracing::debug!(plugin = %p, request = %r, "{message}"),
            log::Level::Info => tracing::info!(plugin = %p, request = %r, "{message}"),
            log::Level::Warn => tracing::warn!(plugin = %p, request = %r, "{message}"),
            log::Level::Error => tracing::error!(plugin = %p, request = %r, "{message}"),
        }
    }
}

impl kv::Host for RequestState {
    async fn get(&mut self, key: String) -> Option<Vec<u8>> {
        let platform = &self.plugin.platform;
        self.kv.get(platform, &key).await.unwrap_or_else(|e| {
            tracing::warn!(plugin = %platform, %key, error = %e, "kv read failed");
            None
        })
    }

    async fn set(&mut self, key: String, value: Vec<u8>, ttl_seconds: Option<u32>) {
        let platform = &self.plugin.platform;
        let ttl = ttl_seconds.map(|s| Duration::from_secs(s as u64));
        match self.kv.set(platform, &key, value, ttl).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(plugin = %platform, %key, "kv value refused (too large or too many keys)")
            }
            Err(e) => tracing::warn!(plugin = %platform, %key, error = %e, "kv write failed"),
        }
    }

    async fn delete(&mut self, key: String) {
        let platform = &self.plugin.platform;
        if let Err(e) = self.kv.delete(platform, &key).await {
            tracing::warn!(plugin = %platform, %key, error = %e, "kv delete failed");
        }
    }
}

impl config::Host for RequestState {
    /// `cookie` is the leased account's, never the file's: a plugin built
    /// before the `account` import sees the session the host chose (and
    /// none while every account cools down), so its own `Cookie` header and
    /// the one the egress adds are one identity.
    fn get(&mut self, key: String) -> Option<String> {
        if key == "cookie" {
            return self.session.as_ref().and_then(|s| s.cookie_pairs());
        }
        self.plugin.config.get(&key).cloned()
    }
}

impl account::Host for RequestState {
    fn present(&mut self) -> bool {
        self.session.is_some()
    }

    fn cookie(&mut self, name: String) -> Option<String> {
        self.session.as_ref()?.cookie_value(&name)
    }

    fn user_agent(&mut self) -> Option<String> {
        self.session.as_ref()?.user_agent()
    }
}
