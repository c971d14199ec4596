//! Requests through the host's `http` capability, with platform default
//! headers, status checks that map to typed errors, and JSON decoding.
//!
//! The host checks every request and redirect hop against the descriptor's
//! `allowed_hosts` and refuses private addresses; such refusals, timeouts
//! and transport failures come back as [`ErrorKind::UpstreamFailed`](crate::ErrorKind::UpstreamFailed).
//! Calls block until the whole response is in.

use crate::bindings::grabkit::plugin::http as wit;
use crate::bindings::grabkit::plugin::types::Header;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;

/// The HTTP method of a request (see [`Client::request`]).
pub use wit::Method;

/// User-Agent strings platforms expect from a browser or an app, for
/// [`Client::user_agent`].
pub mod ua {
    /// Chrome on Windows: for desktop web pages and APIs.
    pub const DESKTOP: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    /// Safari on iPhone: for mobile web pages (often lighter, or with the
    /// state embedded in the HTML).
    pub const IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    /// Chrome on an Android phone: for mobile web pages.
    pub const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
}

/// Default headers for every request a plugin makes to its platform.
///
/// Cheap to build and clone; make one per parse, set the headers the
/// platform expects, then start requests with [`get`](Client::get),
/// [`post`](Client::post) or [`request`](Client::request).
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// let client = Client::new()
///     .user_agent(ua::DESKTOP)
///     .header("Referer", "https://www.example.com/");
///
/// let info: Value = client
///     .get("https://api.example.com/v1/view")
///     .query(&[("id", "42"), ("lang", "en")])
///     .json_response()
///     .context("view API")?;
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Client {
    headers: Vec<(String, String)>,
}

impl Client {
    /// A client with no default headers.
    pub fn new() -> Self {
        Client::default()
    }

    /// Add a default header sent with every request of this client.
    /// It is appended: adding the same name twice sends it twice (a
    /// request can still replace it with [`RequestBuilder::header`]).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Add a default `User-Agent` header (see [`ua`] for common values).
    pub fn user_agent(self, ua: &str) -> Self {
        self.header("User-Agent", ua)
    }

    /// Start a GET request to `url`, with this client's default headers.
    pub fn get(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::Get, url)
    }

    /// Start a POST request to `url`; add a body with
    /// [`form`](RequestBuilder::form), [`json`](RequestBuilder::json) or
    /// [`body`](RequestBuilder::body).
    pub fn post(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::Post, url)
    }

    /// Start a request with any method. `url` must be an absolute http(s)
    /// URL. Redirects are followed by default.
    pub fn request(&self, method: Method, url: impl Into<String>) -> RequestBuilder {
        RequestBuilder {
            req: wit::Request {
                method,
                url: url.into(),
                headers: self
                    .headers
                    .iter()
                    .map(|(n, v)| Header {
                        name: n.clone(),
                        value: v.clone(),
                    })
                    .collect(),
                body: None,
                follow_redirects: true,
                timeout_ms: None,
            },
        }
    }
}

/// One request being put together; made by [`Client`], finished by one of
/// the `send` methods.
///
/// Pick the ending by what you need: [`send`](Self::send) (any status),
/// [`send_ok`](Self::send_ok) (2xx or a typed error) or
/// [`json_response`](Self::json_response) (2xx, decoded).
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// let client = Client::new().user_agent(ua::IOS);
///
/// // A form POST with a per-request header and a shorter timeout.
/// let token: Value = client
///     .post("https://api.example.com/oauth/token")
///     .header("Authorization", "Basic abc")
///     .form(&[("grant_type", "client_credentials")])
///     .timeout_ms(5_000)
///     .json_response()?;
///
/// // A JSON POST, checking the status before reading the body.
/// let html = client
///     .post("https://www.example.com/graphql")
///     .json(&json!({ "id": "42" }))
///     .send_ok()?
///     .text();
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    req: wit::Request,
}

impl RequestBuilder {
    /// Set a header, replacing a default of the same name.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.req
            .headers
            .retain(|h| !h.name.eq_ignore_ascii_case(name));
        self.req.headers.push(Header {
            name: name.to_string(),
            value: value.into(),
        });
        self
    }

    /// Append query parameters (URL-encoded) after any already in the URL.
    /// Does nothing if the URL does not parse (sending will then fail).
    pub fn query<K: AsRef<str>, V: AsRef<str>>(mut self, params: &[(K, V)]) -> Self {
        if let Ok(mut u) = url::Url::parse(&self.req.url) {
            u.query_pairs_mut()
                .extend_pairs(params.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
            self.req.url = u.into();
        }
        self
    }

    /// The raw request body. Sets no `Content-Type`; add one with
    /// [`header`](Self::header) if the server needs it.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.req.body = Some(body.into());
        self
    }

    /// A URL-encoded form body with its content type
    /// (`application/x-www-form-urlencoded`).
    pub fn form<K: AsRef<str>, V: AsRef<str>>(self, fields: &[(K, V)]) -> Self {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
            .finish();
        self.header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
    }

    /// A JSON body with its content type (`application/json`).
    pub fn json(self, value: &serde_json::Value) -> Self {
        self.header("Content-Type", "application/json")
            .body(value.to_string())
    }

    /// Return 3xx responses instead of following them (read the target
    /// from [`Response::header`]`("location")`).
    pub fn no_redirects(mut self) -> Self {
        self.req.follow_redirects = false;
        self
    }

    /// Give up after `ms` milliseconds. The host caps this at its own limit.
    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.req.timeout_ms = Some(ms);
        self
    }

    /// Send and return the response whatever its status.
    ///
    /// Fails only when no response arrived: the host refused the request
    /// (host not allowed, private address, request budget spent), it timed
    /// out, or the transport failed. All of these are
    /// [`ErrorKind::UpstreamFailed`](crate::ErrorKind::UpstreamFailed).
    pub fn send(self) -> Result<Response> {
        let url = self.req.url.clone();
        answered(&url, wit::send(&self.req))
    }

    /// Send, then fail with a typed error unless the status is 2xx (see
    /// [`Response::error_for_status`] for the mapping).
    pub fn send_ok(self) -> Result<Response> {
        self.send()?.error_for_status()
    }

    /// Send, require 2xx, decode the JSON body into `T` (a
    /// `serde_json::Value` or your own `Deserialize` type). A body of
    /// another shape is [`ErrorKind::ParseFailed`](crate::ErrorKind::ParseFailed).
    pub fn json_response<T: DeserializeOwned>(self) -> Result<T> {
        self.send_ok()?.json()
    }
}

/// Send independent requests at once and wait for all of them; the
/// answers come in the order given, each as [`RequestBuilder::send`]
/// would give it. Where a parse needs several answers that do not depend
/// on each other, this costs one round trip instead of several.
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// let client = Client::new();
/// let [a, b]: [Result<Response>; 2] = send_all(vec![
///     client.get("https://api.example.com/a"),
///     client.get("https://api.example.com/b"),
/// ])
/// .try_into()
/// .expect("two answers");
/// # let _ = (a, b);
/// ```
pub fn send_all(requests: Vec<RequestBuilder>) -> Vec<Result<Response>> {
    let reqs: Vec<wit::Request> = requests.into_iter().map(|r| r.req).collect();
    let answers = wit::send_all(&reqs);
    reqs.iter()
        .zip(answers)
        .map(|(req, a)| answered(&req.url, a))
        .collect()
}

fn answered(url: &str, r: std::result::Result<wit::Response, wit::HttpError>) -> Result<Response> {
    let r = r.map_err(|e| http_error(url, e))?;
    Ok(Response {
        status: r.status,
        headers: r.headers.into_iter().map(|h| (h.name, h.value)).collect(),
        final_url: r.final_url,
        body: r.body,
    })
}

/// A whole response.
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// let resp = Client::new().get("https://www.example.com/").send()?;
/// if resp.status == 429 {
///     return Err(Error::rate_limited("home page"));
/// }
/// let csrf = resp.cookie("csrftoken").required("csrftoken cookie")?;
/// let resp = resp.error_for_status()?;
/// println!("{} -> {} ({:?})", resp.final_url, csrf, resp.header("content-type"));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// All response headers as `(name, value)`, in order; a name may repeat
    /// (e.g. `Set-Cookie`). Prefer [`header`](Self::header) to look one up.
    pub headers: Vec<(String, String)>,
    /// The URL that answered, after any redirects followed.
    pub final_url: String,
    /// The whole body, as received (the host caps its size).
    pub body: Vec<u8>,
}

impl Response {
    /// First header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
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

    /// The value of one cookie this response sets (name matched exactly,
    /// case-sensitive).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies().into_iter().find_map(|c| {
            c.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_string)
        })
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Decode the body as JSON into `T`, whatever the status (pair with
    /// [`error_for_status`](Self::error_for_status) when that matters).
    /// A body of another shape is [`ErrorKind::ParseFailed`](crate::ErrorKind::ParseFailed).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::parse(format!(
                "{}: response is not the expected JSON: {e}",
                self.final_url
            ))
        })
    }

    /// Map non-2xx statuses to the error a user should see; 2xx returns the
    /// response unchanged.
    ///
    /// 404 and 410 are `NotFound`, 401 `LoginRequired`, 412 and 429
    /// `RateLimited`, 451 `GeoBlocked`, and everything else (403 included)
    /// `UpstreamFailed`. Check the status yourself first when the platform
    /// means something more specific.
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
