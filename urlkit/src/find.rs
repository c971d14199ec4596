//! Finding the link inside what a user pasted: a bare URL, a URL without a
//! scheme (`b23.tv/abc`), or an app's share text such as
//! `【标题】 https://b23.tv/abc 复制此链接…`.

use url::Url;

/// Why no usable link was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindError {
    #[error("the input is empty")]
    Empty,
    #[error("only http and https links are accepted, not `{0}:`")]
    Scheme(String),
    #[error("no link found in the input")]
    NoUrl,
}

/// Characters that end a URL inside share text (besides whitespace and
/// anything non-ASCII, which covers CJK text and full-width punctuation).
const STOPS: &[char] = &['"', '\'', '<', '>', '`', '{', '}', '|', '\\', '^'];
/// Characters that may end a URL token but are almost always sentence punctuation.
const TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"'];

/// A link longer than this is not one a user pastes; scanning stops here.
pub const MAX_URL_BYTES: usize = 8 << 10;
/// Candidates tried before giving up, so hostile text costs bounded work.
const MAX_CANDIDATES: u32 = 32;

/// What a search may still spend: candidates to parse, bytes to scan.
struct Budget {
    candidates: u32,
    scanned: usize,
}

/// Return the first http(s) link in `input`.
pub fn find_url(input: &str) -> Result<Url, FindError> {
    find_within(
        input,
        &mut Budget {
            candidates: 0,
            scanned: 0,
        },
    )
}

fn find_within(input: &str, budget: &mut Budget) -> Result<Url, FindError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(FindError::Empty);
    }
    // A whole input that is a URL of another scheme is refused by name, so
    // `file:///etc/passwd` or `javascript:alert(1)` get a clear answer.
    if !has_http_link(input)
        && let Some(scheme) = leading_scheme(input)
    {
        return Err(FindError::Scheme(scheme));
    }
    let lower = input.to_ascii_lowercase();
    let mut search_from = 0;
    while let Some(pos) = lower[search_from..].find("http").map(|p| p + search_from) {
        let rest = &lower[pos..];
        if rest.starts_with("https://") || rest.starts_with("http://") {
            if let Some(url) = take_url(&input[pos..], budget) {
                return Ok(url);
            }
            if budget.candidates >= MAX_CANDIDATES {
                return Err(FindError::NoUrl);
            }
        }
        search_from = pos + 4;
    }
    // No scheme anywhere: accept a token shaped like `host.tld/path`.
    for token in input.split(|c: char| c.is_whitespace() || !c.is_ascii()) {
        let token = token.trim_matches(TRAILING);
        let host = token.split('/').next().unwrap_or("");
        if host.contains('.')
            && token.contains('/')
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && token.len() <= MAX_URL_BYTES
            && let Some(url) = take_url(&format!("https://{token}"), budget)
        {
            return Ok(url);
        }
        if budget.candidates >= MAX_CANDIDATES {
            break;
        }
    }
    Err(FindError::NoUrl)
}

fn has_http_link(input: &str) -> bool {
    let l = input.to_ascii_lowercase();
    l.contains("http://") || l.contains("https://")
}

/// `file:`, `mailto:`, `javascript:`; but not `b23.tv:443/x` or `localhost:8080`.
fn leading_scheme(input: &str) -> Option<String> {
    let (scheme, after) = input.split_once(':')?;
    let ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-')
        && !after.starts_with(|c: char| c.is_ascii_digit());
    ok.then(|| scheme.to_ascii_lowercase())
}

/// The URL at the start of `s`, if it is one (and not longer than
/// [`MAX_URL_BYTES`]). Every stop character is ASCII, so a byte scan finds it.
fn take_url(s: &str, budget: &mut Budget) -> Option<Url> {
    budget.candidates += 1;
    let window = &s.as_bytes()[..s.len().min(MAX_URL_BYTES + 1)];
    let stop = |b: &u8| {
        let c = *b as char;
        c.is_whitespace() || !b.is_ascii() || STOPS.contains(&c)
    };
    let end = window.iter().position(stop);
    budget.scanned += end.unwrap_or(window.len());
    let end = match end {
        Some(e) => e,
        None if s.len() <= MAX_URL_BYTES => s.len(),
        None => return None,
    };
    let candidate = s[..end].trim_end_matches(TRAILING);
    let url = Url::parse(candidate).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty()))
        .then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_share_text() {
        assert_eq!(
            find_url(" https://b23.tv/abc ").unwrap().as_str(),
            "https://b23.tv/abc"
        );
        let t = "【全程高能！】 https://b23.tv/Xy12AbC 复制此链接，打开哔哩哔哩";
        assert_eq!(find_url(t).unwrap().as_str(), "https://b23.tv/Xy12AbC");
        let t = "看这个https://www.bilibili.com/video/BV1xx411c7mD?p=2，太好笑了";
        assert_eq!(
            find_url(t).unwrap().as_str(),
            "https://www.bilibili.com/video/BV1xx411c7mD?p=2"
        );
        assert_eq!(
            find_url("(see https://x.com/a/status/1).")
                .unwrap()
                .as_str(),
            "https://x.com/a/status/1"
        );
    }

    #[test]
    fn schemeless_links() {
        assert_eq!(
            find_url("bilibili.com/video/BV1xx").unwrap().as_str(),
            "https://bilibili.com/video/BV1xx"
        );
        assert_eq!(
            find_url("快看 b23.tv/abc 哈哈").unwrap().as_str(),
            "https://b23.tv/abc"
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(find_url("   "), Err(FindError::Empty));
        assert_eq!(
            find_url("file:///etc/passwd"),
            Err(FindError::Scheme("file".into()))
        );
        assert_eq!(
            find_url("javascript:alert(1)"),
            Err(FindError::Scheme("javascript".into()))
        );
        assert_eq!(find_url("just some words, no link"), Err(FindError::NoUrl));
        assert_eq!(find_url("https://"), Err(FindError::NoUrl));
    }

    #[test]
    fn hostile_text_costs_bounded_work() {
        let hostile = "http://[".repeat(8187);
        let mut budget = Budget {
            candidates: 0,
            scanned: 0,
        };
        assert_eq!(find_within(&hostile, &mut budget), Err(FindError::NoUrl));
        assert!(budget.candidates <= MAX_CANDIDATES);
        let bound = (MAX_CANDIDATES as usize) * (MAX_URL_BYTES + 1);
        assert!(budget.scanned <= bound, "scanned {} bytes", budget.scanned);
        let long = format!("https://b23.tv/{}", "a".repeat(MAX_URL_BYTES));
        assert_eq!(
            find_url(&long),
            Err(FindError::NoUrl),
            "too long to be a link"
        );
        let fine = format!("{} https://b23.tv/abc", "http://[ ".repeat(10));
        assert_eq!(find_url(&fine).unwrap().as_str(), "https://b23.tv/abc");
    }
}
