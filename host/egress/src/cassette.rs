//! Record and replay ("cassettes") at the plugin's HTTP capability. In
//! record mode every hop a plugin makes is sent for real and written down;
//! in replay mode the same hops are answered from the files, after the
//! sandbox's own checks, and a hop the cassette does not hold fails loudly.
//!
//! On disk, one exchange per hop, in order:
//! `NNN-METHOD-host.json` (request, response head, match rules) and
//! `NNN-METHOD-host.body` (the response body, byte for byte). Secrets in
//! headers (cookies, authorization, tokens) are replaced by `<redacted>`.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use url::Url;

/// A recorded answer: status, headers, body.
pub type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// Record into or replay from a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TapeMode {
    Record(PathBuf),
    Replay(Replay),
}

/// How to replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// The cassette folder.
    pub dir: PathBuf,
    /// Query parameters every exchange ignores when matching (a case's
    /// `ignore_query`: timestamps, nonces).
    pub ignore_query: Vec<String>,
    /// Answer again from exchanges already used (a development server
    /// replaying a case for many parses); checks want each used once.
    pub repeat: bool,
}

/// What a redacted header value becomes.
pub const REDACTED: &str = "<redacted>";

/// Header names whose values are secrets.
const SECRET_HEADERS: &[&str] = &[
    "cookie",
    "set-cookie",
    "authorization",
    "proxy-authorization",
    "x-csrftoken",
    "x-csrf-token",
    "x-guest-token",
    "x-ig-www-claim",
    "x-fb-lsd",
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Exchange {
    pub request: RecordedRequest,
    pub response: RecordedResponse,
    /// How a replayed request is matched to this exchange.
    #[serde(
        default,
        rename = "match",
        skip_serializing_if = "MatchRule::is_default"
    )]
    pub rule: MatchRule,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// File next to this one holding the body.
    pub body_file: String,
}

/// Parts of a request that may legitimately differ between runs (a
/// timestamp or a signature in the query, a body with a nonce).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MatchRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_query: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignore_body: bool,
}

impl MatchRule {
    fn is_default(&self) -> bool {
        self == &MatchRule::default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CassetteError {
    #[error("reading the cassette {0}: {1}")]
    Read(PathBuf, String),
    #[error("writing the cassette {0}: {1}")]
    Write(PathBuf, String),
}

/// Secrets out of a header list.
pub fn redact(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            let lower = k.to_ascii_lowercase();
            if !SECRET_HEADERS.contains(&lower.as_str()) {
                return (k.clone(), v.clone());
            }
            // Keep cookie names (a reader wants to know which cookie), drop values.
            let v = match lower.as_str() {
                "set-cookie" => format!(
                    "{}={REDACTED}",
                    v.split('=').next().unwrap_or_default().trim()
                ),
                "cookie" => v
                    .split(';')
                    .map(|c| {
                        format!(
                            "{}={REDACTED}",
                            c.split('=').next().unwrap_or_default().trim()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => REDACTED.to_string(),
            };
            (k.clone(), v)
        })
        .collect()
}

fn file_stem(n: usize, method: &str, url: &Url) -> String {
    let host: String = url
        .host_str()
        .unwrap_or("host")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{n:03}-{method}-{host}")
}

/// Writes exchanges as they happen.
pub struct Recorder {
    dir: PathBuf,
    next: AtomicUsize,
}

impl Recorder {
    /// Start a fresh cassette in `dir` (earlier exchanges there are removed).
    pub fn new(dir: &Path) -> Result<Self, CassetteError> {
        let err = |e: std::io::Error| CassetteError::Write(dir.to_path_buf(), e.to_string());
        std::fs::create_dir_all(dir).map_err(err)?;
        for entry in std::fs::read_dir(dir).map_err(err)?.flatten() {
            let p = entry.path();
            if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "body")
            ) {
                std::fs::remove_file(&p).map_err(err)?;
            }
        }
        Ok(Recorder {
            dir: dir.to_path_buf(),
            next: AtomicUsize::new(1),
        })
    }

    // One recorded exchange, field by field, as the sandbox has them.
    #[allow(clippy::too_many_arguments)]
    pub fn write(
        &self,
        method: &str,
        url: &Url,
        req_headers: &[(String, String)],
        req_body: Option<&[u8]>,
        status: u16,
        resp_headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(), CassetteError> {
        let stem = file_stem(self.next.fetch_add(1, Ordering::SeqCst), method, url);
        let exchange = Exchange {
            request: RecordedRequest {
                method: method.into(),
                url: url.to_string(),
                headers: redact(req_headers),
                body: req_body.map(|b| String::from_utf8_lossy(b).into_owned()),
            },
            // `date` changes every run and tells a replay nothing.
            response: RecordedResponse {
                status,
                headers: redact(resp_headers)
                    .into_iter()
                    .filter(|(k, _)| !k.eq_ignore_ascii_case("date"))
                    .collect(),
                body_file: format!("{stem}.body"),
            },
            rule: MatchRule::default(),
        };
        let err =
            |p: &Path, e: std::io::Error| CassetteError::Write(p.to_path_buf(), e.to_string());
        let json = self.dir.join(format!("{stem}.json"));
        std::fs::write(
            &json,
            serde_json::to_string_pretty(&exchange).expect("serializable") + "\n",
        )
        .map_err(|e| err(&json, e))?;
        let body_path = self.dir.join(&exchange.response.body_file);
        std::fs::write(&body_path, body).map_err(|e| err(&body_path, e))
    }
}

/// Answers from a recorded folder; remembers what it could not answer.
pub struct Cassette {
    exchanges: Vec<(Exchange, Vec<u8>)>,
    repeat: bool,
    used: Mutex<Vec<bool>>,
    misses: Mutex<Vec<String>>,
}

impl Cassette {
    pub fn load(r: &Replay) -> Result<Self, CassetteError> {
        let (dir, ignore_query) = (r.dir.as_path(), &r.ignore_query);
        let err = |p: &Path, e: String| CassetteError::Read(p.to_path_buf(), e);
        // No folder: nothing recorded (git keeps no empty folders).
        if !dir.exists() {
            return Ok(Cassette {
                exchanges: Vec::new(),
                repeat: r.repeat,
                used: Mutex::new(Vec::new()),
                misses: Mutex::new(Vec::new()),
            });
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| err(dir, e.to_string()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        let mut exchanges = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(|e| err(&f, e.to_string()))?;
            let mut ex: Exchange =
                serde_json::from_str(&text).map_err(|e| err(&f, e.to_string()))?;
            ex.rule.ignore_query.extend(ignore_query.iter().cloned());
            let body_path = dir.join(&ex.response.body_file);
            let body = std::fs::read(&body_path).map_err(|e| err(&body_path, e.to_string()))?;
            exchanges.push((ex, body));
        }
        let n = exchanges.len();
        Ok(Cassette {
            exchanges,
            repeat: r.repeat,
            used: Mutex::new(vec![false; n]),
            misses: Mutex::new(Vec::new()),
        })
    }

    /// The first unused exchange matching the request, marked used.
    pub fn answer(&self, method: &str, url: &Url, body: Option<&[u8]>) -> Option<Answer> {
        let mut used = self.used.lock().expect("not poisoned");
        let found = self
            .exchanges
            .iter()
            .enumerate()
            .find(|(i, (ex, _))| !used[*i] && matches(ex, method, url, body));
        let found = if found.is_none() && self.repeat {
            self.exchanges
                .iter()
                .enumerate()
                .find(|(_, (ex, _))| matches(ex, method, url, body))
        } else {
            found
        };
        match found {
            Some((i, (ex, bytes))) => {
                used[i] = true;
                Some((
                    ex.response.status,
                    ex.response.headers.clone(),
                    bytes.clone(),
                ))
            }
            None => {
                self.misses
                    .lock()
                    .expect("not poisoned")
                    .push(format!("{method} {url}"));
                None
            }
        }
    }

    /// Requests the cassette could not answer.
    pub fn misses(&self) -> Vec<String> {
        self.misses.lock().expect("not poisoned").clone()
    }
}

fn matches(ex: &Exchange, method: &str, url: &Url, body: Option<&[u8]>) -> bool {
    let Ok(recorded) = Url::parse(&ex.request.url) else {
        return false;
    };
    let query = |u: &Url| {
        let mut q: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| !ex.rule.ignore_query.iter().any(|i| i == k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        q.sort();
        q
    };
    let same_body = ex.rule.ignore_body
        || ex.request.body.as_deref().map(str::as_bytes) == body
        || (ex.request.body.is_none() && body.is_some_and(|b| b.is_empty()));
    ex.request.method.eq_ignore_ascii_case(method)
        && recorded.scheme() == url.scheme()
        && recorded.host_str() == url.host_str()
        && recorded.port_or_known_default() == url.port_or_known_default()
        && recorded.path() == url.path()
        && query(&recorded) == query(url)
        && same_body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_names_kept() {
        let h = redact(&[
            ("Cookie".into(), "a=1; sessionid=2".into()),
            ("Set-Cookie".into(), "tt=3; Path=/".into()),
            ("X-Guest-Token".into(), "99".into()),
            ("Referer".into(), "https://x/".into()),
        ]);
        assert_eq!(h[0].1, "a=<redacted>; sessionid=<redacted>");
        assert_eq!(h[1].1, "tt=<redacted>");
        assert_eq!(h[2].1, "<redacted>");
        assert_eq!(h[3].1, "https://x/");
    }

    #[test]
    fn record_then_replay_in_order_with_ignored_query() {
        let dir = tempfile::tempdir().unwrap();
        let rec = Recorder::new(dir.path()).unwrap();
        let u1 = Url::parse("https://api.x.com/a?id=1&wts=100").unwrap();
        rec.write(
            "GET",
            &u1,
            &[],
            None,
            200,
            &[("content-type".into(), "application/json".into())],
            b"{\"n\":1}",
        )
        .unwrap();
        rec.write("GET", &u1, &[], None, 200, &[], b"{\"n\":2}")
            .unwrap();
        let json = dir.path().join("001-GET-api.x.com.json");
        let mut ex: Exchange =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        ex.rule.ignore_query = vec!["wts".into()];
        std::fs::write(&json, serde_json::to_string(&ex).unwrap()).unwrap();

        let c = Cassette::load(&Replay {
            dir: dir.path().to_path_buf(),
            ignore_query: vec![],
            repeat: false,
        })
        .unwrap();
        let later = Url::parse("https://api.x.com/a?wts=999&id=1").unwrap();
        assert_eq!(
            c.answer("GET", &later, None).unwrap().2,
            b"{\"n\":1}",
            "first, with wts ignored"
        );
        assert!(
            c.answer("GET", &later, None).is_none(),
            "the second exchange wants wts=100"
        );
        assert_eq!(c.answer("GET", &u1, None).unwrap().2, b"{\"n\":2}");
        assert!(
            c.answer("GET", &u1, None).is_none(),
            "each exchange answers once"
        );
        assert_eq!(c.misses().len(), 2);
    }
}
