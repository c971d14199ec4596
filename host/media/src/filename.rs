//! Safe download file names and their `Content-Disposition`.

/// A file name from a title: no path separators, control or reserved
/// characters, trimmed to a sane length; `fallback` when nothing is left.
pub fn stem(title: &str, fallback: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let words = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed: String = words
        .trim_matches(|c: char| c == '.' || c == ' ')
        .chars()
        .take(80)
        .collect();
    let trimmed = trimmed.trim_end().to_string();
    if trimmed.is_empty() {
        fallback.to_string()
    } else {
        trimmed
    }
}

/// The extension for a mime type, else the URL path's own, else `bin`.
pub fn extension(mime: &str, url: &str) -> String {
    let by_mime = match mime.split(';').next().unwrap_or_default().trim() {
        "video/mp4" => Some("mp4"),
        "video/webm" => Some("webm"),
        "video/x-flv" => Some("flv"),
        "audio/mp4" | "audio/m4a" | "audio/x-m4a" => Some("m4a"),
        "audio/webm" => Some("webm"),
        "audio/mpeg" | "audio/mp3" => Some("mp3"),
        "audio/flac" => Some("flac"),
        "image/jpeg" => Some("jpg"),
        "image/png" => Some("png"),
        "image/webp" => Some("webp"),
        "image/gif" => Some("gif"),
        "image/heic" => Some("heic"),
        "application/vnd.apple.mpegurl" | "application/x-mpegurl" => Some("m3u8"),
        _ => None,
    };
    if let Some(e) = by_mime {
        return e.into();
    }
    let path = url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    match last.rsplit_once('.') {
        Some((_, ext))
            if (1..=5).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            ext.to_ascii_lowercase()
        }
        _ => "bin".into(),
    }
}

/// An image's extension from its URL; `jpg` when the URL does not say.
pub fn image_extension(url: &str) -> String {
    match extension("", url).as_str() {
        "bin" => "jpg".into(),
        e => e.into(),
    }
}

/// `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266).
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '%' && c != ';' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe() {
        assert_eq!(stem("  ../../etc/passwd ", "x"), "etc passwd");
        assert_eq!(stem("a\u{0}b\nc", "x"), "a b c");
        assert_eq!(stem("...", "tiktok-1"), "tiktok-1");
        assert_eq!(stem(&"长".repeat(200), "x").chars().count(), 80);
    }

    #[test]
    fn extensions() {
        assert_eq!(extension("video/mp4", "https://a/x"), "mp4");
        assert_eq!(extension("", "https://a/b/c.JPG?x=1"), "jpg");
        assert_eq!(extension("", "https://a/b/c"), "bin");
    }

    #[test]
    fn disposition_has_both_forms() {
        let d = content_disposition("猫 cat \"q\".mp4");
        assert!(d.starts_with("attachment; filename=\"_ cat _q_.mp4\"; filename*=UTF-8''%E7%8C%AB%20cat%20%22q%22.mp4"), "{d}");
    }
}
