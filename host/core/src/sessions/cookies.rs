//! Cookies as operators export them, in any of four forms, detected:
//! a `Cookie:` header value, a cookie-editor JSON export, a Netscape
//! `cookies.txt`, or `name=value` lines. A malformed input is an error that
//! names the form it looked like and what is wrong, with the line.

use crate::code::Coded;
use serde::{Deserialize, Serialize};

/// One cookie of an account's jar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cookie {
    pub name: String,
    pub value: String,
    /// Without a leading dot; `None` when the form carries no domain (a
    /// header or `name=value` lines): the platform's hosts then apply.
    pub domain: Option<String>,
    /// `true` when only that exact host gets it (no subdomains).
    pub host_only: bool,
    pub path: String,
    pub secure: bool,
    pub http_only: bool,
    /// Unix seconds; `None` for a session cookie.
    pub expires: Option<i64>,
}

impl Cookie {
    fn plain(name: &str, value: &str) -> Cookie {
        Cookie {
            name: name.to_string(),
            value: value.to_string(),
            domain: None,
            host_only: false,
            path: "/".into(),
            secure: false,
            http_only: false,
            expires: None,
        }
    }

    /// Not past its expiry at `now` (a session cookie always is).
    pub fn live(&self, now: i64) -> bool {
        self.expires.is_none_or(|t| t > now)
    }
}

/// Which form an input was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Header,
    CookieEditorJson,
    Netscape,
    Lines,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Header => "a Cookie header",
            Format::CookieEditorJson => "a cookie-editor JSON export",
            Format::Netscape => "a Netscape cookies.txt",
            Format::Lines => "name=value lines",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CookieError {
    #[error("no cookies in the input")]
    Empty,
    #[error("read as {}: line {line}: {problem}", format.name())]
    Malformed {
        format: Format,
        line: usize,
        problem: String,
    },
}

impl Coded for CookieError {
    fn code(&self) -> &'static str {
        "invalid_cookies"
    }
}

/// Reads `input` in whichever form it is in.
pub fn parse(input: &str) -> Result<(Format, Vec<Cookie>), CookieError> {
    // Tabs are kept: a cookies.txt line may start with an empty field.
    let text = input
        .trim_start_matches('\u{feff}')
        .trim_matches(|c: char| c.is_whitespace() && c != '\t');
    if text.is_empty() {
        return Err(CookieError::Empty);
    }
    let format = detect(text);
    let cookies = match format {
        Format::CookieEditorJson => json(text)?,
        Format::Netscape => netscape(text)?,
        Format::Header => header(text)?,
        Format::Lines => lines(text)?,
    };
    if cookies.is_empty() {
        return Err(CookieError::Empty);
    }
    Ok((format, cookies))
}

fn detect(text: &str) -> Format {
    let first = text.lines().next().unwrap_or_default().trim();
    if text.starts_with('[') || text.starts_with('{') {
        Format::CookieEditorJson
    } else if first.starts_with("# Netscape")
        || first.starts_with("# HTTP Cookie File")
        || text.lines().any(|l| l.matches('\t').count() >= 4)
    {
        Format::Netscape
    } else if first
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("cookie:"))
        || text.lines().filter(|l| !l.trim().is_empty()).count() == 1
    {
        Format::Header
    } else {
        Format::Lines
    }
}

fn malformed(format: Format, line: usize, problem: impl Into<String>) -> CookieError {
    CookieError::Malformed {
        format,
        line,
        problem: problem.into(),
    }
}

/// A cookie name: a token (RFC 6265), non-empty.
fn check_name(format: Format, line: usize, name: &str) -> Result<(), CookieError> {
    let bad = |c: char| {
        !c.is_ascii() || c.is_control() || c.is_whitespace() || "()<>@,;:\\\"/[]?={}".contains(c)
    };
    if name.is_empty() {
        return Err(malformed(format, line, "a cookie without a name"));
    }
    match name.chars().find(|&c| bad(c)) {
        Some(c) => Err(malformed(
            format,
            line,
            format!("`{c}` in the name `{name}`"),
        )),
        None => Ok(()),
    }
}

fn check_value(format: Format, line: usize, name: &str, value: &str) -> Result<(), CookieError> {
    match value.chars().find(|&c| c.is_control() || c == ';') {
        Some(c) => Err(malformed(
            format,
            line,
            format!("{c:?} in the value of `{name}`"),
        )),
        None => Ok(()),
    }
}

/// `Cookie: a=1; b=2` (the `Cookie:` prefix optional).
fn header(text: &str) -> Result<Vec<Cookie>, CookieError> {
    let f = Format::Header;
    let line = text.lines().next().unwrap_or_default().trim();
    let line = match line.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("cookie:") => &line[7..],
        _ => line,
    };
    let pairs = line.split(';').map(str::trim).filter(|p| !p.is_empty());
    pairs.map(|pair| name_value(f, 1, pair)).collect()
}

/// One `name=value` of a header or a line, checked.
fn name_value(f: Format, line: usize, pair: &str) -> Result<Cookie, CookieError> {
    let (name, value) = pair
        .split_once('=')
        .ok_or_else(|| malformed(f, line, format!("`{pair}` has no `=`")))?;
    let (name, value) = (name.trim(), value.trim());
    check_name(f, line, name)?;
    check_value(f, line, name, value)?;
    Ok(Cookie::plain(name, value))
}

/// One `name=value` per line; `#` lines are comments.
fn lines(text: &str) -> Result<Vec<Cookie>, CookieError> {
    let numbered = text.lines().map(str::trim).enumerate();
    let pairs = numbered.filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    pairs
        .map(|(i, l)| name_value(Format::Lines, i + 1, l))
        .collect()
}

/// `domain  include-subdomains  path  secure  expiry  name  value`, tab
/// separated; `#HttpOnly_` before the domain marks an HttpOnly cookie.
fn netscape(text: &str) -> Result<Vec<Cookie>, CookieError> {
    let f = Format::Netscape;
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let mut l = raw.trim_end_matches(['\r', '\n']);
        let http_only = l.starts_with("#HttpOnly_");
        if http_only {
            l = &l["#HttpOnly_".len()..];
        } else if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = l.split('\t').collect();
        if fields.len() != 7 {
            let got = fields.len();
            return Err(malformed(
                f,
                n,
                format!("{got} tab-separated fields, 7 expected"),
            ));
        }
        let flag = |s: &str, what: &str| match s.to_ascii_uppercase().as_str() {
            "TRUE" => Ok(true),
            "FALSE" => Ok(false),
            _ => Err(malformed(
                f,
                n,
                format!("{what} is `{s}`, not TRUE or FALSE"),
            )),
        };
        let subdomains = flag(fields[1], "the subdomain flag")?;
        let secure = flag(fields[3], "the secure flag")?;
        let expiry: i64 = fields[4]
            .trim()
            .parse()
            .map_err(|_| malformed(f, n, format!("the expiry `{}` is not a number", fields[4])))?;
        let (name, value) = (fields[5].trim(), fields[6].trim());
        check_name(f, n, name)?;
        check_value(f, n, name, value)?;
        let domain = fields[0]
            .trim()
            .trim_start_matches('.')
            .to_ascii_lowercase();
        if domain.is_empty() {
            return Err(malformed(f, n, format!("`{name}` has no domain")));
        }
        out.push(Cookie {
            name: name.into(),
            value: value.into(),
            domain: Some(domain),
            host_only: !subdomains,
            path: path_or_root(fields[2]),
            secure,
            http_only,
            expires: (expiry > 0).then_some(expiry),
        });
    }
    Ok(out)
}

fn path_or_root(p: &str) -> String {
    let p = p.trim();
    if p.starts_with('/') {
        p.into()
    } else {
        "/".into()
    }
}

/// The fields the cookie-editor (and EditThisCookie) exports carry.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Exported {
    name: String,
    value: String,
    domain: Option<String>,
    path: Option<String>,
    #[serde(default)]
    secure: bool,
    #[serde(default)]
    http_only: bool,
    host_only: Option<bool>,
    #[serde(default)]
    session: bool,
    expiration_date: Option<f64>,
}

fn json(text: &str) -> Result<Vec<Cookie>, CookieError> {
    let f = Format::CookieEditorJson;
    let at = |e: &serde_json::Error| e.line();
    // One exported cookie alone is an object; an export is a list.
    let list: Vec<Exported> = if text.starts_with('{') {
        vec![serde_json::from_str(text).map_err(|e| malformed(f, at(&e), e.to_string()))?]
    } else {
        serde_json::from_str(text).map_err(|e| malformed(f, at(&e), e.to_string()))?
    };
    let mut out = Vec::new();
    for (i, c) in list.into_iter().enumerate() {
        let n = i + 1;
        let bad = |p: CookieError| match p {
            CookieError::Malformed { problem, .. } => {
                malformed(f, n, format!("cookie {n}: {problem}"))
            }
            other => other,
        };
        check_name(f, n, c.name.trim()).map_err(bad)?;
        check_value(f, n, &c.name, &c.value).map_err(bad)?;
        let dotted = c.domain.as_deref().is_some_and(|d| d.starts_with('.'));
        let domain = c
            .domain
            .map(|d| d.trim_start_matches('.').to_ascii_lowercase());
        let expires = match (c.session, c.expiration_date) {
            (false, Some(t)) if t.is_finite() && t > 0.0 => Some(t as i64),
            _ => None,
        };
        out.push(Cookie {
            name: c.name.trim().into(),
            value: c.value,
            domain: domain.filter(|d| !d.is_empty()),
            host_only: c.host_only.unwrap_or(!dotted),
            path: path_or_root(c.path.as_deref().unwrap_or("/")),
            secure: c.secure,
            http_only: c.http_only,
            expires,
        });
    }
    Ok(out)
}

/// When the first of the cookies expires (`None` when one is a session
/// cookie, whose end the jar cannot know): past it, the account counts as
/// expired.
pub fn expiry(cookies: &[Cookie]) -> Option<i64> {
    cookies.iter().map(|c| c.expires).min().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(input: &str) -> (Format, Vec<String>) {
        let (f, c) = parse(input).unwrap();
        (
            f,
            c.into_iter()
                .map(|c| format!("{}={}", c.name, c.value))
                .collect(),
        )
    }

    #[test]
    fn every_form_is_detected_and_read() {
        let cases: &[(&str, Format, &[&str])] = &[
            (
                "Cookie: SESSDATA=abc%2C1; bili_jct=xyz",
                Format::Header,
                &["SESSDATA=abc%2C1", "bili_jct=xyz"],
            ),
            ("cookie:a=1", Format::Header, &["a=1"]),
            (
                "SESSDATA=abc; buvid3=q",
                Format::Header,
                &["SESSDATA=abc", "buvid3=q"],
            ),
            (
                "a=1\nb=2\n# note\n\nc=x=y",
                Format::Lines,
                &["a=1", "b=2", "c=x=y"],
            ),
            (
                "# Netscape HTTP Cookie File\n.bilibili.com\tTRUE\t/\tTRUE\t1893456000\tSESSDATA\tabc\n#HttpOnly_www.bilibili.com\tFALSE\t/\tFALSE\t0\tsid\tz\n",
                Format::Netscape,
                &["SESSDATA=abc", "sid=z"],
            ),
            (
                r#"[{"domain":".youtube.com","name":"SID","value":"v1","path":"/","secure":true,"httpOnly":true,"hostOnly":false,"session":false,"expirationDate":1893456000.5},
                    {"domain":"www.youtube.com","name":"PREF","value":"f6=8","session":true}]"#,
                Format::CookieEditorJson,
                &["SID=v1", "PREF=f6=8"],
            ),
            (
                r#"{"name":"a","value":"1","domain":"x.com"}"#,
                Format::CookieEditorJson,
                &["a=1"],
            ),
            ("\u{feff}  a=1  ", Format::Header, &["a=1"]),
        ];
        for (input, format, want) in cases {
            let (f, got) = names(input);
            assert_eq!(f, *format, "{input}");
            assert_eq!(got, *want, "{input}");
        }
    }

    #[test]
    fn domains_flags_and_expiry_are_kept() {
        let (_, c) = parse(
            "#HttpOnly_.bilibili.com\tTRUE\t/x\tTRUE\t1893456000\tSESSDATA\tabc\nwww.b.com\tFALSE\trel\tFALSE\t0\tk\tv",
        )
        .unwrap();
        assert_eq!(c[0].domain.as_deref(), Some("bilibili.com"));
        assert!(!c[0].host_only && c[0].secure && c[0].http_only);
        assert_eq!((c[0].path.as_str(), c[0].expires), ("/x", Some(1893456000)));
        assert!(c[1].host_only && c[1].expires.is_none());
        assert_eq!(c[1].path, "/", "a relative path is the root");
        let (_, j) = parse(r#"[{"domain":"www.youtube.com","name":"A","value":"1"}]"#).unwrap();
        assert!(
            j[0].host_only,
            "no leading dot, no hostOnly: that host only"
        );
        let (_, h) = parse("a=1").unwrap();
        assert_eq!(h[0].domain, None, "the platform's hosts apply");
        assert_eq!(expiry(&c), None, "a session cookie never expires the jar");
        let (_, n) =
            parse(".a.com\tTRUE\t/\tFALSE\t200\tx\t1\n.a.com\tTRUE\t/\tFALSE\t100\ty\t2").unwrap();
        assert_eq!(expiry(&n), Some(100), "the first to expire");
    }

    #[test]
    fn malformed_input_names_the_form_and_the_problem() {
        let cases: &[(&str, &str)] = &[
            ("", "no cookies"),
            ("   \n  ", "no cookies"),
            ("Cookie: ;;", "no cookies"),
            (
                "Cookie: a=1; justtext",
                "a Cookie header: line 1: `justtext` has no `=`",
            ),
            ("a=1\nb", "name=value lines: line 2: `b` has no `=`"),
            (
                "a b=1\nc=2",
                "name=value lines: line 1: ` ` in the name `a b`",
            ),
            ("=1\nc=2", "line 1: a cookie without a name"),
            ("名字=1", "`名` in the name `名字`"),
            ("éééééééé", "`éééééééé` has no `=`"),
            (
                ".a.com\tTRUE\t/\tFALSE\t0\tx",
                "Netscape cookies.txt: line 1: 6 tab-separated fields",
            ),
            (
                ".a.com\tyes\t/\tFALSE\t0\tx\t1",
                "the subdomain flag is `yes`",
            ),
            (
                ".a.com\tTRUE\t/\tFALSE\tsoon\tx\t1",
                "the expiry `soon` is not a number",
            ),
            ("\tTRUE\t/\tFALSE\t0\tx\t1", "`x` has no domain"),
            (
                "[{\"name\":\"a\"}]",
                "cookie-editor JSON export: line 1: missing field `value`",
            ),
            (
                "[{\"name\":\"a\",\"value\":\"1\"},{\"name\":\"\",\"value\":\"2\"}]",
                "line 2: cookie 2: a cookie without a name",
            ),
            (
                "[{\"name\":\"a\",\"value\":\"x;y\"}]",
                "';' in the value of `a`",
            ),
            ("[1, 2", "cookie-editor JSON export"),
            ("{\"name\": 5}", "invalid type"),
        ];
        for (input, want) in cases {
            let e = parse(input).unwrap_err();
            assert_eq!(e.code(), "invalid_cookies");
            assert!(e.to_string().contains(want), "{input:?}: {e}");
        }
    }
}
