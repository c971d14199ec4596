//! JSON that pages embed in their HTML: `window.__INITIAL_STATE__={…}`,
//! `window._ROUTER_DATA = {…}</script>`, `<script id="…" type="application/json">…</script>`.
//!
//! Both helpers fail with [`ErrorKind::ParseFailed`](crate::ErrorKind::ParseFailed)
//! when the data is missing or malformed; a page without its state is often
//! a login or verification wall, so plugins may map that error to a more
//! telling kind.

use crate::error::{Error, Result};
use serde_json::Value;

/// The JSON object or array that follows `marker` (e.g. `window.__INITIAL_STATE__=`).
/// JavaScript's bare `undefined` is read as `null`.
///
/// Only the first occurrence of `marker` counts, and it must match the page
/// byte for byte, spaces included (`window.x = ` and `window.x=` differ; try
/// both when a platform varies). Single-quoted JavaScript strings are not
/// JSON and fail to parse.
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// let html = r#"<script>window.__INITIAL_STATE__={"note":{"id":"n1","video":undefined}};</script>"#;
/// let state = json_after(html, "window.__INITIAL_STATE__=")
///     .or_else(|_| json_after(html, "window.__INITIAL_STATE__ = "))?;
/// assert_eq!(state["note"]["id"], "n1");
/// assert!(state["note"]["video"].is_null());
/// # Ok::<(), Error>(())
/// ```
pub fn json_after(html: &str, marker: &str) -> Result<Value> {
    let start = html
        .find(marker)
        .ok_or_else(|| Error::parse(format!("page has no `{marker}`")))?
        + marker.len();
    let text = balanced_value(&html[start..]).ok_or_else(|| {
        Error::parse(format!(
            "`{marker}` is not followed by a complete JSON value"
        ))
    })?;
    parse_js_json(&text).map_err(|e| Error::parse(format!("JSON after `{marker}`: {e}")))
}

/// The JSON content of `<script id="{id}" …>…</script>`.
///
/// The id may be double-quoted, single-quoted or bare. The first element
/// carrying that `id` is taken, so it should be the script tag itself.
pub fn script_json(html: &str, id: &str) -> Result<Value> {
    let needles = [
        format!("id=\"{id}\""),
        format!("id='{id}'"),
        format!("id={id}"),
    ];
    let at = needles
        .iter()
        .find_map(|n| html.find(n.as_str()))
        .ok_or_else(|| Error::parse(format!("page has no <script id=\"{id}\">")))?;
    let open_end = html[at..]
        .find('>')
        .map(|i| at + i + 1)
        .ok_or_else(|| Error::parse("unterminated <script> tag"))?;
    let close = html[open_end..]
        .find("</script>")
        .map(|i| open_end + i)
        .ok_or_else(|| Error::parse("unterminated <script> body"))?;
    parse_js_json(html[open_end..close].trim())
        .map_err(|e| Error::parse(format!("JSON in <script id=\"{id}\">: {e}")))
}

fn parse_js_json(text: &str) -> serde_json::Result<Value> {
    serde_json::from_str(text).or_else(|_| serde_json::from_str(&undefined_to_null(text)))
}

/// Cut the first complete `{…}` or `[…]` out of `s`, minding strings.
fn balanced_value(s: &str) -> Option<String> {
    let begin = s.find(|c: char| !c.is_whitespace())?;
    let s = &s[begin..];
    let (open, close) = match s.as_bytes().first()? {
        b'{' => (b'{', b'}'),
        b'[' => (b'[', b']'),
        _ => return None,
    };
    let (mut depth, mut in_str, mut escaped, mut quote) = (0usize, false, false, b'"');
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if in_str {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                _ if b == quote => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' | b'\'' => {
                in_str = true;
                quote = b;
            }
            _ if b == open => depth += 1,
            _ if b == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(s[..=i].to_string());
                }
            }
            _ => {}
        }
    }
    None
}

/// Replace the token `undefined` outside strings with `null`.
fn undefined_to_null(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let (mut in_str, mut escaped) = (false, false);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if in_str {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
        } else if c == '"' {
            in_str = true;
        } else if rest.starts_with("undefined")
            && !out.ends_with(|p: char| p.is_alphanumeric() || p == '_')
        {
            out.push_str("null");
            rest = &rest["undefined".len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_after_marker() {
        let html = r#"<script>window.__INITIAL_STATE__={"a":{"b":"x}y"},"u":undefined,"s":"undefined"};(function(){})</script>"#;
        let v = json_after(html, "window.__INITIAL_STATE__=").unwrap();
        assert_eq!(v["a"]["b"], "x}y");
        assert!(v["u"].is_null());
        assert_eq!(v["s"], "undefined");
    }

    #[test]
    fn script_by_id() {
        let html = r#"<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{"k":[1,2]}</script>"#;
        assert_eq!(
            script_json(html, "__UNIVERSAL_DATA_FOR_REHYDRATION__").unwrap()["k"][1],
            2
        );
    }

    #[test]
    fn missing_and_truncated() {
        assert!(json_after("<html></html>", "window.x=").is_err());
        assert!(json_after("window.x={\"a\":1", "window.x=").is_err());
        assert!(script_json("<script id=\"a\">not json</script>", "a").is_err());
    }
}
