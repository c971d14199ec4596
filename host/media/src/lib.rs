//! The media download proxy: signed links to a parse result's media,
//! streamed through the sandbox's checks with the platform's headers,
//! Range passed through, refreshed once when the upstream URL has expired,
//! decrypted (WeChat Channels) and merged (video-only + audio) on the way.

pub mod body;
pub mod decrypt;
pub mod download;
pub mod filename;
pub mod links;
pub mod merge;
pub mod refresh;
pub mod token;

use grabkit_core::Coded;
use grabkit_core::auth::{Auth, AuthError};
use grabkit_core::service::{ParseError, ParseService};
use grabkit_egress::{HttpFailure, Outbound};
use refresh::{Fresh, Refreshes};
use std::sync::Arc;
use std::time::Duration;
pub use token::{Signer, Ticket, TokenError};

/// Operator settings (`[proxy]`).
#[derive(Debug, Clone)]
pub struct ProxySettings {
    /// Add proxy links to every parse result, not only with `?proxy=1`.
    pub default_on: bool,
    /// How long a proxy link stays valid.
    pub ttl: Duration,
    /// Base URL for the links; else taken from the request's `Host`.
    pub public_url: Option<String>,
    /// The ffmpeg binary for `/merged`.
    pub ffmpeg: String,
    /// Longest silence from the upstream mid-download.
    pub idle_timeout: Duration,
    /// A link's expired URLs are refreshed (its post re-parsed) at most
    /// once per this interval.
    pub refresh_interval: Duration,
}

impl Default for ProxySettings {
    fn default() -> Self {
        ProxySettings {
            default_on: false,
            ttl: Duration::from_secs(6 * 3600),
            public_url: None,
            ffmpeg: "ffmpeg".into(),
            idle_timeout: Duration::from_secs(30),
            refresh_interval: Duration::from_secs(60),
        }
    }
}

/// Every way a proxied download can fail.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the API key behind this media link is no longer valid")]
    KeyRevoked,
    #[error("no plugin serves `{0}` any more")]
    PlatformGone(String),
    #[error("refused: {0}")]
    Denied(String),
    #[error("the media host answered {status}{}", if *.refreshed { " even after the post was parsed again" } else { "" })]
    Upstream { status: u16, refreshed: bool },
    #[error("fetching the media failed: {0}")]
    Transport(HttpFailure),
    #[error("refreshing the expired media URL failed: {0}")]
    Refresh(ParseError),
    #[error("refreshing the expired media URL: {0}")]
    RefreshRefused(AuthError),
    #[error("the post no longer offers this {0}")]
    Gone(String),
    #[error("this media link has no separate audio to merge")]
    NothingToMerge,
    #[error("merging needs ffmpeg, which is not installed on this server (looked for `{0}`)")]
    NoFfmpeg(String),
    #[error("merging failed: {0}")]
    Merge(String),
    #[error("the download broke off (run again to resume): {0}")]
    Interrupted(String),
    #[error("saving the file failed: {0}")]
    Save(String),
}

impl Coded for ProxyError {
    fn code(&self) -> &'static str {
        match self {
            ProxyError::Token(TokenError::Expired) => "media_token_expired",
            ProxyError::Token(_) | ProxyError::KeyRevoked => "invalid_media_token",
            ProxyError::Denied(_) => "media_host_denied",
            ProxyError::PlatformGone(_) => "not_found",
            ProxyError::Upstream { .. } => "upstream_failed",
            ProxyError::Transport(HttpFailure::Timeout) => "upstream_timeout",
            ProxyError::Transport(_) => "upstream_failed",
            ProxyError::Refresh(p) => p.code(),
            ProxyError::RefreshRefused(a) => a.code(),
            ProxyError::Gone(_) => "media_gone",
            ProxyError::NothingToMerge => "nothing_to_merge",
            ProxyError::NoFfmpeg(_) => "merge_unavailable",
            ProxyError::Merge(_) => "merge_failed",
            ProxyError::Interrupted(_) => "upstream_failed",
            ProxyError::Save(_) => "save_failed",
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            ProxyError::Refresh(p) => p.retry_after(),
            ProxyError::RefreshRefused(a) => a.retry_after(),
            _ => None,
        }
    }
}

impl From<HttpFailure> for ProxyError {
    fn from(e: HttpFailure) -> Self {
        match e {
            HttpFailure::Denied(m) => ProxyError::Denied(m),
            HttpFailure::PrivateAddress(m) => ProxyError::Denied(format!("private address: {m}")),
            other => ProxyError::Transport(other),
        }
    }
}

/// Which stream of a ticket to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Main,
    Audio,
    /// One of the ticket's `parts` (after `main`).
    Segment(usize),
}

/// A request for the upstream: method and the client's range headers.
#[derive(Debug, Clone, Default)]
pub struct Want {
    pub head: bool,
    pub range: Option<String>,
    pub if_range: Option<String>,
}

pub struct Proxy {
    pub signer: Signer,
    pub service: Arc<ParseService>,
    pub settings: ProxySettings,
    /// Keys, for the rate limit and usage of refreshes (none for local
    /// downloads, which have no key).
    auth: Option<Arc<Auth>>,
    refreshes: Refreshes,
}

impl Proxy {
    pub fn new(
        signer: Signer,
        service: Arc<ParseService>,
        auth: Option<Arc<Auth>>,
        settings: ProxySettings,
    ) -> Self {
        Proxy {
            signer,
            service,
            refreshes: Refreshes::new(settings.refresh_interval, 100_000),
            settings,
            auth,
        }
    }

    /// Give `media` its proxy links, signed for API key `key`, pointing at
    /// the configured public URL, else at `base` (none without either).
    pub fn attach(
        &self,
        media: &mut grabkit_core::service::MediaJson,
        key: i64,
        post: &str,
        base: Option<&str>,
    ) {
        let Some(plugin) = self.service.registry.table().get(&media.platform).cloned() else {
            return;
        };
        let Some(base) = self.settings.public_url.as_deref().or(base) else {
            tracing::warn!("no proxy links: the request names no usable host");
            return;
        };
        let expires = grabkit_core::clock::now() + self.settings.ttl.as_secs() as i64;
        links::attach(
            &self.signer,
            media,
            &plugin.media_policy(),
            base,
            &links::Origin { key, post, expires },
        );
    }

    /// Open one stream of `ticket` upstream. A 403/404/410 means the signed
    /// URL expired: parse the post again, take the same item, retry once
    /// (the ticket is updated in place). A link is refreshed at most once
    /// per interval; its next requests use what that refresh found.
    pub async fn fetch(
        &self,
        ticket: &mut Ticket,
        part: Part,
        want: &Want,
    ) -> Result<reqwest::Response, ProxyError> {
        let id = Refreshes::id(ticket);
        let earlier = self.refreshes.recent(&id);
        if let Some(Some(fresh)) = &earlier {
            fresh.apply(ticket);
        }
        let resp = self.request(ticket, part, want).await?;
        let status = resp.status().as_u16();
        if !matches!(status, 403 | 404 | 410) {
            return check(resp, earlier.is_some());
        }
        if earlier.is_some() {
            return Err(ProxyError::Upstream {
                status,
                refreshed: true,
            });
        }
        tracing::info!(platform = %ticket.platform, status, "media URL refused; parsing the post again");
        drop(resp);
        let refreshed = self.refresh(ticket).await;
        // A refusal before the parse (rate limit, revoked key) is no attempt.
        if !matches!(
            refreshed,
            Err(ProxyError::RefreshRefused(_) | ProxyError::KeyRevoked)
        ) {
            let fresh = refreshed.as_ref().ok().map(|_| Fresh::of(ticket));
            self.refreshes.remember(id, fresh);
        }
        refreshed?;
        let resp = self.request(ticket, part, want).await?;
        check(resp, true)
    }

    async fn request(
        &self,
        ticket: &Ticket,
        part: Part,
        want: &Want,
    ) -> Result<reqwest::Response, ProxyError> {
        let plugin = self
            .service
            .registry
            .table()
            .get(&ticket.platform)
            .cloned()
            .ok_or_else(|| ProxyError::PlatformGone(ticket.platform.clone()))?;
        let stream = match part {
            Part::Main => &ticket.main,
            Part::Audio => ticket.audio.as_ref().ok_or(ProxyError::NothingToMerge)?,
            Part::Segment(i) => ticket.parts.get(i).ok_or(ProxyError::NothingToMerge)?,
        };
        media_port(&stream.url)?;
        let mut headers: Vec<(String, String)> = ticket
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        headers.extend(want.range.iter().map(|r| ("Range".to_string(), r.clone())));
        headers.extend(
            want.if_range
                .iter()
                .map(|r| ("If-Range".to_string(), r.clone())),
        );
        let req = Outbound {
            method: if want.head {
                reqwest::Method::HEAD
            } else {
                reqwest::Method::GET
            },
            url: upgrade(&stream.url),
            headers,
            body: None,
            follow_redirects: true,
            timeout: None,
        };
        let (resp, _) = self
            .service
            .sandbox
            .open(&plugin.media_policy(), req)
            .await?;
        Ok(resp)
    }

    /// The body of `ticket`'s main stream as fetched into `resp`, decrypted
    /// when the ticket carries a key.
    pub fn main_body(
        &self,
        ticket: &Ticket,
        resp: reqwest::Response,
    ) -> impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static {
        let keystream = ticket
            .main
            .decode_key
            .as_deref()
            .and_then(decrypt::Keystream::new);
        body::chunks(resp, self.settings.idle_timeout, keystream)
    }

    /// Can `ticket` be merged here: it has an audio (or parts to join), and
    /// ffmpeg runs.
    pub async fn can_merge(&self, ticket: &Ticket) -> Result<(), ProxyError> {
        if ticket.audio.is_none() && ticket.parts.is_empty() {
            return Err(ProxyError::NothingToMerge);
        }
        merge::available(&self.settings.ffmpeg).await
    }

    /// `ticket`'s video and audio remuxed into one MP4 by ffmpeg, checked
    /// with [`Proxy::can_merge`] before anything is fetched.
    pub async fn merged(
        &self,
        ticket: &mut Ticket,
    ) -> Result<
        impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static,
        ProxyError,
    > {
        self.can_merge(ticket).await?;
        let ffmpeg = &self.settings.ffmpeg;
        let idle = self.settings.idle_timeout;
        if !ticket.parts.is_empty() {
            return Ok(futures::future::Either::Left(self.joined(ticket).await?));
        }
        let video = self.fetch(ticket, Part::Main, &Want::default()).await?;
        let audio = self.fetch(ticket, Part::Audio, &Want::default()).await?;
        let merged = merge::merge(
            ffmpeg,
            Box::pin(body::chunks(video, idle, None)),
            Box::pin(body::chunks(audio, idle, None)),
            Duration::from_secs(60),
        )
        .await?;
        Ok(futures::future::Either::Right(merged))
    }

    /// A video that comes as several ordered files, joined into one MP4:
    /// every part is fetched (each refreshed as needed) into a scratch
    /// folder, then ffmpeg's concat demuxer copies them into one file,
    /// which is streamed and removed. The first byte waits for every part.
    async fn joined(
        &self,
        ticket: &mut Ticket,
    ) -> Result<
        impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static,
        ProxyError,
    > {
        use futures::StreamExt;
        use tokio::io::AsyncWriteExt;
        let dir = tempfile::Builder::new()
            .prefix("grabkit-join-")
            .tempdir()
            .map_err(|e| ProxyError::Merge(format!("creating a scratch folder: {e}")))?;
        let mut files = Vec::new();
        for i in 0..=ticket.parts.len() {
            let part = if i == 0 {
                Part::Main
            } else {
                Part::Segment(i - 1)
            };
            let resp = self.fetch(ticket, part, &Want::default()).await?;
            let path = dir.path().join(format!("part{i:03}"));
            let io = |e: std::io::Error| ProxyError::Merge(format!("saving part {}: {e}", i + 1));
            let mut file = tokio::fs::File::create(&path).await.map_err(io)?;
            let mut chunks = Box::pin(body::chunks(resp, self.settings.idle_timeout, None));
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk.map_err(|e| ProxyError::Interrupted(e.to_string()))?;
                file.write_all(&chunk).await.map_err(io)?;
            }
            file.flush().await.map_err(io)?;
            files.push(path);
        }
        let out = dir.path().join("joined.mp4");
        merge::concat(&self.settings.ffmpeg, &files, &out).await?;
        for f in &files {
            let _ = tokio::fs::remove_file(f).await;
        }
        let file = tokio::fs::File::open(&out)
            .await
            .map_err(|e| ProxyError::Merge(format!("reading the joined file: {e}")))?;
        // The scratch folder lives as long as the stream reads from it.
        Ok(futures::stream::unfold(
            Some((file, dir)),
            |state| async move {
                use tokio::io::AsyncReadExt;
                let (mut file, dir) = state?;
                let mut buf = vec![0u8; 64 << 10];
                match file.read(&mut buf).await {
                    Ok(0) => None,
                    Ok(n) => {
                        buf.truncate(n);
                        Some((Ok(bytes::Bytes::from(buf)), Some((file, dir))))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            },
        ))
    }

    /// Re-parse the ticket's post and point the ticket at the fresh URLs.
    /// With keys, the parse takes the key's rate limit and is counted in
    /// its usage (uncharged: the client already paid for the link).
    async fn refresh(&self, ticket: &mut Ticket) -> Result<(), ProxyError> {
        let started = std::time::Instant::now();
        if let Some(auth) = &self.auth {
            let key = auth.store.get(ticket.key).await.ok().flatten();
            let key = key.ok_or(ProxyError::KeyRevoked)?;
            auth.rate_limit(&key).map_err(ProxyError::RefreshRefused)?;
        }
        let parsed = self.service.parse(&ticket.post).await;
        if let Some(auth) = &self.auth {
            let outcome = match &parsed {
                Ok(_) => "media_refresh",
                Err(_) => "media_refresh_failed",
            };
            let ms = started.elapsed().as_millis() as u64;
            let now = grabkit_core::clock::now();
            let recorded = auth
                .store
                .record(ticket.key, &ticket.platform, outcome, ms, now)
                .await;
            if let Err(e) = recorded {
                grabkit_core::auth::store_failed(e);
            }
        }
        let media = parsed.map_err(ProxyError::Refresh)?;
        ticket.main = links::choose(&media, &ticket.main.pick)
            .ok_or_else(|| ProxyError::Gone(ticket.main.pick.kind.clone()))?;
        if let Some(a) = &ticket.audio {
            ticket.audio = Some(
                links::choose(&media, &a.pick).ok_or_else(|| ProxyError::Gone("audio".into()))?,
            );
        }
        for p in &mut ticket.parts {
            *p = links::choose(&media, &p.pick).ok_or_else(|| ProxyError::Gone("part".into()))?;
        }
        ticket.headers = media.headers;
        Ok(())
    }
}

/// Media hosts serve on the web's ports; a link naming any other port
/// (an internal service on a media host's address) is refused.
fn media_port(u: &str) -> Result<(), ProxyError> {
    let port = url::Url::parse(u).ok().and_then(|u| u.port());
    match port {
        None | Some(80 | 443) => Ok(()),
        Some(p) => Err(ProxyError::Denied(format!(
            "port {p} is not a media port (only 80 and 443 are)"
        ))),
    }
}

/// Media is fetched over https; an http URL is upgraded (CDNs serve both).
fn upgrade(url: &str) -> String {
    match url.strip_prefix("http://") {
        Some(rest) => format!("https://{rest}"),
        None => url.to_string(),
    }
}

/// Success, a partial answer, "range not satisfiable" and "not modified"
/// go to the client; anything else is an upstream failure.
fn check(resp: reqwest::Response, refreshed: bool) -> Result<reqwest::Response, ProxyError> {
    let status = resp.status().as_u16();
    if (200..300).contains(&status) || status == 304 || status == 416 {
        Ok(resp)
    } else {
        Err(ProxyError::Upstream { status, refreshed })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_web_ports_are_fetched() {
        for ok in [
            "https://cdn.example/v.mp4",
            "https://cdn.example:443/v",
            "http://c.example:80/v",
        ] {
            assert!(super::media_port(ok).is_ok(), "{ok}");
        }
        for bad in ["https://cdn.example:22/v", "https://cdn.example:6379/v"] {
            assert!(super::media_port(bad).is_err(), "{bad}");
        }
    }
}
