//! Requests through the host's `http` capability, with platform default
//! headers, status checks that map to typed errors, and JSON decoding.

use crate::bindings::grabkit::plugin::http as wit;
use crate::bindings::grabkit::plugin::types::Header;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;

pub use wit::Method;

/// User-Agent strings platforms expect from a browser or an app.
pub mod ua {
    pub const DESKTOP: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    pub const IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    pub const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
}

/// Default headers for every request a plugin makes to its platform.
#[derive(Debug, Clone, Default)]
pub struct Client {
    headers: Vec<(String, String)>,
}

impl Client {
    pub fn new() -> Self {
        Client::default()
    }

    /// Add a default header sent with every request of this client.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn user_agent(self, ua: &str) -> Self {
        self.header("User-Agent", ua)
    }

    /// Send the operator's `cookie` setting (plugin config), when there is one.
    pub fn cookie_from_config(self) -> Self {
        match crate::config::get("cookie") {
            Some(cookie) => self.header("Cookie", cookie),
            None => self,
        }
    }

    pub fn get(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::Get, url)
    }

    pub fn post(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::Post, url)
    }

    pub fn request(&self, method: Method, url: impl Into<String>) -> RequestBuilder {
        RequestBuilder {
            req: wit::Request {
                method,
                url: url.into(),
                headers: self.headers.iter().map(|(n, v)| Header { name: n.clone(), value: v.clone() }).collect(),
                body: None,
                follow_redirects: true,
                timeout_ms: None,
            },
        }
    }
}

/// One request being put together.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    req: wit::Request,
}

impl RequestBuilder {
    /// Set a header, replacing a default of the same name.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.req.headers.retain(|h| !h.name.eq_ignore_ascii_case(name));
        self.req.headers.push(Header { name: name.to_string(), value: value.into() });
        self
    }

    /// Append query parameters (URL-encoded).
    pub fn query<K: AsRef<str>, V: AsRef<str>>(mut self, params: &[(K, V)]) -> Self {
        if let Ok(mut u) = url::Url::parse(&self.req.url) {
            u.query_pairs_mut().extend_pairs(params.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
            self.req.url = u.into();
        }
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.req.body = Some(body.into());
        self
    }

    /// A URL-encoded form body with its content type.
    pub fn form<K: AsRef<str>, V: AsRef<str>>(self, fields: &[(K, V)]) -> Self {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))).finish();
        self.header("Content-Type", "application/x-www-form-urlencoded").body(body)
    }

    /// A JSON body with its content type.
    pub fn json(self, value: &serde_json::Value) -> Self {
        self.header("Content-Type", "application/json").body(value.to_string())
    }

    /// Return 3xx responses instead of following them.
    pub fn no_redirects(mut self) -> Self {
        self.req.follow_redirects = false;
        self
    }

    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.req.timeout_ms = Some(ms);
        self
    }

    /// Send and return the response whatever its status.
    pub fn send(self) -> Result<Response> {
        let url = self.req.url.clone();
        let r = wit::send(&self.req).map_err(|e| http_error(&url, e))?;
        Ok(Response { status: r.status, headers: r.headers.into_iter().map(|h| (h.name, h.value)).collect(), final_url: r.final_url, body: r.body })
    }

    /// Send, then fail with a typed error unless the status is 2xx.
    pub fn send_ok(self) -> Result<Response> {
        self.send()?.error_for_status()
    }

    /// Send, require 2xx, decode the JSON body.
    pub fn json_response<T: DeserializeOwned>(self) -> Result<T> {
        self.send_ok()?.json()
    }
}

/// A whole response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub final_url: String,
    pub body: Vec<u8>,
}

impl Response {
    /// First header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The cookies this response sets, as `name=value` pairs (attributes dropped).
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next().map(str::trim))
            .filter(|c| c.contains('=') && !c.starts_with('='))
            .map(str::to_string)
            .collect()
    }

    /// The value of one cookie this response sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies().into_iter().find_map(|c| c.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')).map(str::to_string))
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::parse(format!("{}: response is not the expected JSON: {e}", self.final_url)))
    }

    /// Map non-2xx statuses to the error a user should see.
    pub fn error_for_status(self) -> Result<Self> {
        let what = format!("{} answered HTTP {}", self.final_url, self.status);
        match self.status {
            200..=299 => Ok(self),
            404 | 410 => Err(Error::not_found(what)),
            401 => Err(Error::login_required(what)),
            403 => Err(Error::upstream(what)),
            412 | 429 => Err(Error::rate_limited(what)),
            451 => Err(Error::geo_blocked(what)),
            _ => Err(Error::upstream(what)),
        }
    }
}

fn http_error(url: &str, e: wit::HttpError) -> Error {
    use wit::HttpError as H;
    let why = match e {
        H::Denied(m) => format!("host refused the request: {m}"),
        H::PrivateAddress(m) => format!("host refused a private address: {m}"),
        H::InvalidRequest(m) => format!("invalid request: {m}"),
        H::Timeout => "timed out".to_string(),
        H::TooLarge(n) => format!("response larger than {n} bytes"),
        H::TooManyRequests(n) => format!("request budget of {n} per parse spent"),
        H::TooManyRedirects => "too many redirects".to_string(),
        H::Transport(m) => format!("transport error: {m}"),
    };
    Error::upstream(format!("{url}: {why}"))
}
