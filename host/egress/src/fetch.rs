//! Sending one plugin request: checks before every hop, redirects followed
//! by hand, body read under a cap.

use super::address::permitted;
use super::cassette::{Cassette, Recorder, TapeMode};
use super::failure::HttpFailure;
use super::intercept::{Hop, Interceptor};
use super::policy::HostPolicy;
use super::resolver::{AddressDenied, GuardedResolver};
use super::session::{Session, merge_cookies};
use reqwest::redirect::Policy;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use url::{Host, Url};

/// Operator settings for outbound traffic.
#[derive(Debug, Clone)]
pub struct SandboxSettings {
    pub timeout: Duration,
    pub max_response_bytes: u64,
    pub max_requests_per_parse: u32,
    pub max_redirects: u32,
    pub allow_loopback: bool,
    pub proxy: Option<String>,
    pub ca_certs: Vec<PathBuf>,
    pub resolve: HashMap<String, Vec<SocketAddr>>,
    /// Record every hop into a cassette, or answer from one.
    pub tape: Option<TapeMode>,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        SandboxSettings {
            timeout: Duration::from_secs(15),
            max_response_bytes: 16 << 20,
            max_requests_per_parse: 32,
            max_redirects: 10,
            allow_loopback: false,
            proxy: None,
            ca_certs: Vec::new(),
            resolve: HashMap::new(),
            tape: None,
        }
    }
}

/// One request as the plugin asked for it.
#[derive(Debug, Clone)]
pub struct Outbound {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub follow_redirects: bool,
    pub timeout: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct OutboundResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub final_url: String,
    pub body: Vec<u8>,
}

/// Requests left for one parse (each redirect hop counts).
#[derive(Debug)]
pub struct Budget {
    left: AtomicU32,
    cap: u32,
}

impl Budget {
    pub fn new(cap: u32) -> Self {
        Budget {
            left: AtomicU32::new(cap),
            cap,
        }
    }

    fn take(&self) -> Result<(), HttpFailure> {
        self.left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .map(|_| ())
            .map_err(|_| HttpFailure::TooManyRequests(self.cap))
    }

    pub fn used(&self) -> u32 {
        self.cap - self.left.load(Ordering::SeqCst)
    }
}

/// The shared outbound client and its rules.
pub struct Sandbox {
    client: reqwest::Client,
    /// One client per account proxy, made on first use.
    proxied: std::sync::Mutex<HashMap<String, reqwest::Client>>,
    resolver: GuardedResolver,
    settings: SandboxSettings,
    /// Record or replay (`TapeMode`), behind the checks.
    interceptor: Option<Box<dyn Interceptor>>,
}

impl Sandbox {
    pub fn new(settings: SandboxSettings) -> anyhow::Result<Arc<Self>> {
        let resolver = GuardedResolver::new(settings.resolve.clone(), settings.allow_loopback);
        let client = build_client(&settings, &resolver, settings.proxy.as_deref())?;
        let interceptor: Option<Box<dyn Interceptor>> = match &settings.tape {
            Some(TapeMode::Record(dir)) => Some(Box::new(Recorder::new(dir)?)),
            Some(TapeMode::Replay(r)) => Some(Box::new(Cassette::load(r)?)),
            None => None,
        };
        Ok(Arc::new(Sandbox {
            client,
            proxied: Default::default(),
            resolver,
            settings,
            interceptor,
        }))
    }

    /// The client for a request: the shared one, or its account's proxy's.
    fn client_for(&self, proxy: Option<&str>) -> Result<reqwest::Client, HttpFailure> {
        let Some(proxy) = proxy.filter(|p| !p.is_empty()) else {
            return Ok(self.client.clone());
        };
        let mut all = self.proxied.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = all.get(proxy) {
            return Ok(c.clone());
        }
        let c = build_client(&self.settings, &self.resolver, Some(proxy))
            .map_err(|e| HttpFailure::InvalidRequest(format!("the account's proxy: {e}")))?;
        all.insert(proxy.to_string(), c.clone());
        Ok(c)
    }

    /// In replay mode, the requests the cassette could not answer.
    pub fn cassette_misses(&self) -> Vec<String> {
        self.interceptor
            .as_ref()
            .map(|i| i.misses())
            .unwrap_or_default()
    }

    pub fn settings(&self) -> &SandboxSettings {
        &self.settings
    }

    /// Send `req` for a plugin with `policy`, spending from `budget`.
    pub async fn send(
        &self,
        policy: &HostPolicy,
        budget: &Budget,
        req: Outbound,
    ) -> Result<OutboundResponse, HttpFailure> {
        self.send_as(policy, budget, req, None).await
    }

    /// [`send`](Self::send) as an account: its cookies on each hop that
    /// takes them, its `Set-Cookie` answers kept, its user agent and proxy.
    pub async fn send_as(
        &self,
        policy: &HostPolicy,
        budget: &Budget,
        req: Outbound,
        session: Option<&dyn Session>,
    ) -> Result<OutboundResponse, HttpFailure> {
        let timeout = req
            .timeout
            .map_or(self.settings.timeout, |t| t.min(self.settings.timeout));
        let (resp, url) = self
            .exchange(policy, budget, &req, Some(timeout), session)
            .await?;
        self.read(resp, url).await
    }

    /// Open `req` for streaming (the download proxy): the same checks on
    /// every hop, but no size cap and no deadline on the whole body; the
    /// wait for the response head is bounded by the per-call timeout, and
    /// the caller bounds each read.
    pub async fn open(
        &self,
        policy: &HostPolicy,
        req: Outbound,
    ) -> Result<(reqwest::Response, Url), HttpFailure> {
        let budget = Budget::new(self.settings.max_redirects + 1);
        tokio::time::timeout(
            self.settings.timeout,
            self.exchange(policy, &budget, &req, None, None),
        )
        .await
        .map_err(|_| HttpFailure::Timeout)?
    }

    /// Send and follow redirects by hand, each hop checked and counted.
    async fn exchange(
        &self,
        policy: &HostPolicy,
        budget: &Budget,
        req: &Outbound,
        timeout: Option<Duration>,
        session: Option<&dyn Session>,
    ) -> Result<(reqwest::Response, Url), HttpFailure> {
        let mut url = Url::parse(&req.url)
            .map_err(|e| HttpFailure::InvalidRequest(format!("`{}`: {e}", req.url)))?;
        let (mut method, mut body) = (req.method.clone(), req.body.clone());
        let headers = header_map(&req.headers)?;
        let proxy = session.and_then(|s| s.proxy());
        let client = self.client_for(proxy.as_deref())?;
        let mut hops = 0;
        loop {
            self.check(policy, &url, proxy.is_some()).await?;
            budget.take()?;
            let hop_headers = match session {
                Some(s) => as_account(&headers, s, &url),
                None => headers.clone(),
            };
            let mut rb = client
                .request(method.clone(), url.clone())
                .headers(hop_headers);
            if let Some(t) = timeout {
                rb = rb.timeout(t);
            }
            if let Some(b) = &body {
                rb = rb.body(b.clone());
            }
            let hop = Hop {
                method: method.as_str(),
                url: &url,
                headers: &req.headers,
                body: body.as_deref(),
            };
            let resp = match &self.interceptor {
                None => rb.send().await.map_err(transport)?,
                Some(i) => match i.answer(&hop)? {
                    Some((status, headers, bytes)) => rebuild(status, &headers, bytes)?,
                    None if i.observes() => {
                        let resp = rb.send().await.map_err(transport)?;
                        let status = resp.status().as_u16();
                        let headers = header_list(resp.headers());
                        let answer = (status, headers, self.read(resp, url.clone()).await?.body);
                        i.observe(&hop, &answer)?;
                        rebuild(answer.0, &answer.1, answer.2)?
                    }
                    None => rb.send().await.map_err(transport)?,
                },
            };
            if let Some(s) = session {
                let set: Vec<String> = resp
                    .headers()
                    .get_all(reqwest::header::SET_COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok().map(String::from))
                    .collect();
                if !set.is_empty() {
                    s.absorb(&url, &set);
                }
            }
            let status = resp.status();
            if req.follow_redirects
                && status.is_redirection()
                && let Some(loc) = resp.headers().get(reqwest::header::LOCATION)
            {
                hops += 1;
                if hops > self.settings.max_redirects {
                    return Err(HttpFailure::TooManyRedirects);
                }
                let loc = loc
                    .to_str()
                    .map_err(|_| HttpFailure::Transport("redirect Location is not text".into()))?;
                let (next, as_get) = next_hop(status.as_u16(), &method, loc, &url)?;
                url = next;
                if as_get {
                    method = reqwest::Method::GET;
                    body = None;
                }
                continue;
            }
            return Ok((resp, url));
        }
    }

    /// Allowlist, scheme and (for IP literals or proxied requests) address checks.
    async fn check(
        &self,
        policy: &HostPolicy,
        url: &Url,
        proxied: bool,
    ) -> Result<(), HttpFailure> {
        let host = url
            .host_str()
            .ok_or_else(|| HttpFailure::InvalidRequest(format!("`{url}` has no host")))?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if !policy.allows(bare) {
            return Err(HttpFailure::Denied(format!(
                "{bare} is not in the plugin's allowed hosts"
            )));
        }
        match url.scheme() {
            "https" => {}
            "http" if policy.allows_http(bare) => {}
            "http" => {
                return Err(HttpFailure::Denied(format!(
                    "plain http to {bare} is not allowed (https only)"
                )));
            }
            s => {
                return Err(HttpFailure::InvalidRequest(format!(
                    "scheme `{s}` is not allowed"
                )));
            }
        }
        match url.host() {
            // IP literals never reach the resolver, so check them here.
            Some(Host::Ipv4(ip)) => deny_ip(bare, IpAddr::V4(ip), self.settings.allow_loopback),
            Some(Host::Ipv6(ip)) => deny_ip(bare, IpAddr::V6(ip), self.settings.allow_loopback),
            // Replaying nothing is resolved; the operator's overrides still are checked.
            _ if self
                .interceptor
                .as_ref()
                .is_some_and(|i| !i.reaches_network()) =>
            {
                match self.settings.resolve.get(bare) {
                    Some(addrs) => addrs
                        .iter()
                        .try_for_each(|a| deny_ip(bare, a.ip(), self.settings.allow_loopback)),
                    None => Ok(()),
                }
            }
            // Behind a proxy the proxy resolves the name: check it ourselves first.
            _ if proxied || self.settings.proxy.is_some() => {
                self.resolver.lookup(bare).await.map(|_| ()).map_err(|e| {
                    match e.downcast::<AddressDenied>() {
                        Ok(d) => HttpFailure::PrivateAddress(d.to_string()),
                        Err(e) => HttpFailure::Transport(format!("resolving {bare}: {e}")),
                    }
                })
            }
            _ => Ok(()),
        }
    }

    async fn read(
        &self,
        mut resp: reqwest::Response,
        url: Url,
    ) -> Result<OutboundResponse, HttpFailure> {
        let cap = self.settings.max_response_bytes;
        if resp.content_length().is_some_and(|n| n > cap) {
            return Err(HttpFailure::TooLarge(cap));
        }
        let status = resp.status().as_u16();
        let headers = header_list(resp.headers());
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(HttpFailure::TooLarge(cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(OutboundResponse {
            status,
            headers,
            final_url: url.to_string(),
            body,
        })
    }
}

/// The client with the operator's settings, through `proxy` when given.
fn build_client(
    settings: &SandboxSettings,
    resolver: &GuardedResolver,
    proxy: Option<&str>,
) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .redirect(Policy::none())
        .dns_resolver(Arc::new(resolver.clone()))
        .connect_timeout(settings.timeout)
        .pool_max_idle_per_host(32)
        .no_proxy();
    if let Some(p) = proxy.filter(|p| !p.is_empty()) {
        builder = builder.proxy(reqwest::Proxy::all(p)?);
    }
    for path in &settings.ca_certs {
        let pem = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("reading CA certificate {}: {e}", path.display()))?;
        for cert in reqwest::Certificate::from_pem_bundle(&pem)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    Ok(builder.build()?)
}

/// One hop's headers as the account sends them: its cookies for this URL
/// added to the plugin's, its user agent instead of the plugin's.
fn as_account(
    headers: &reqwest::header::HeaderMap,
    session: &dyn Session,
    url: &Url,
) -> reqwest::header::HeaderMap {
    use reqwest::header::{COOKIE, HeaderValue, USER_AGENT};
    let mut h = headers.clone();
    if let Some(pairs) = session.cookie_header(url) {
        let own = headers.get(COOKIE).and_then(|v| v.to_str().ok());
        if let Ok(v) = HeaderValue::from_str(&merge_cookies(own, &pairs)) {
            h.insert(COOKIE, v);
        }
    }
    if let Some(ua) = session.user_agent()
        && let Ok(v) = HeaderValue::from_str(&ua)
    {
        h.insert(USER_AGENT, v);
    }
    h
}

fn header_list(h: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// A response made from recorded parts (replay, or after recording).
fn rebuild(
    status: u16,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Result<reqwest::Response, HttpFailure> {
    let mut b = http::Response::builder().status(status);
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::from_bytes(k.as_bytes()),
            http::HeaderValue::from_str(v),
        ) {
            b = b.header(k, v);
        }
    }
    Ok(reqwest::Response::from(b.body(body).map_err(|e| {
        HttpFailure::Transport(format!("a recorded answer is malformed: {e}"))
    })?))
}

fn deny_ip(host: &str, ip: IpAddr, allow_loopback: bool) -> Result<(), HttpFailure> {
    permitted(ip, allow_loopback)
        .map_err(|b| HttpFailure::PrivateAddress(format!("{host} is a {} address", b.as_str())))
}

fn header_map(headers: &[(String, String)]) -> Result<reqwest::header::HeaderMap, HttpFailure> {
    let mut map = reqwest::header::HeaderMap::new();
    for (k, v) in headers {
        let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| HttpFailure::InvalidRequest(format!("bad header name `{k}`")))?;
        // Hop-by-hop and routing headers are the host's business.
        if matches!(
            name.as_str(),
            "host"
                | "connection"
                | "content-length"
                | "transfer-encoding"
                | "proxy-authorization"
                | "upgrade"
        ) {
            continue;
        }
        let value = reqwest::header::HeaderValue::from_str(v)
            .map_err(|_| HttpFailure::InvalidRequest(format!("bad value for header `{k}`")))?;
        map.append(name, value);
    }
    Ok(map)
}

/// Where a redirect leads, and whether the request goes on as a GET
/// without its body: after a 303, and after a 301 or 302 answering a POST
/// (what browsers do); 307 and 308 keep the method and body.
fn next_hop(
    status: u16,
    method: &reqwest::Method,
    location: &str,
    from: &Url,
) -> Result<(Url, bool), HttpFailure> {
    let next = from
        .join(location)
        .map_err(|e| HttpFailure::Transport(format!("bad redirect target `{location}`: {e}")))?;
    let as_get = status == 303 || (*method == reqwest::Method::POST && status <= 302);
    Ok((next, as_get))
}

/// Map a client error, finding our resolver's refusal in its cause chain.
pub fn transport(e: reqwest::Error) -> HttpFailure {
    if e.is_timeout() {
        return HttpFailure::Timeout;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if let Some(d) = s.downcast_ref::<AddressDenied>() {
            return HttpFailure::PrivateAddress(d.to_string());
        }
        source = s.source();
    }
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    HttpFailure::Transport(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Method;

    #[test]
    fn redirects_keep_or_drop_the_method_as_browsers_do() {
        let from = Url::parse("https://a.example/x/y?q=1").unwrap();
        let cases = [
            (301, Method::GET, "/z", "https://a.example/z", false),
            (302, Method::GET, "z", "https://a.example/x/z", false),
            (301, Method::POST, "/z", "https://a.example/z", true),
            (302, Method::POST, "/z", "https://a.example/z", true),
            (
                303,
                Method::PUT,
                "https://b.example/",
                "https://b.example/",
                true,
            ),
            (307, Method::POST, "/z", "https://a.example/z", false),
            (
                308,
                Method::POST,
                "//c.example/p",
                "https://c.example/p",
                false,
            ),
        ];
        for (status, method, loc, want, as_get) in cases {
            let (url, get) = next_hop(status, &method, loc, &from).unwrap();
            assert_eq!(
                (url.as_str(), get),
                (want, as_get),
                "{status} {method} {loc}"
            );
        }
        assert!(next_hop(302, &Method::GET, "http://[bad", &from).is_err());
    }
}
