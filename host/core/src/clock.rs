//! Wall-clock time as Unix seconds and RFC 3339 text, in one place.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, in Unix seconds.
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Writes Unix seconds as RFC 3339 text: the API's one time form.
pub fn serialize_rfc3339<S: serde::Serializer>(t: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(i64::try_from(*t).unwrap_or(i64::MAX)))
}

/// RFC 3339 text of a Unix time (empty if out of range).
pub fn format_time(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// RFC 3339 text of a Unix time, `None` if out of range.
pub fn rfc3339(t: i64) -> Option<String> {
    Some(format_time(t)).filter(|s| !s.is_empty())
}

/// Parse RFC 3339 text into Unix seconds.
pub fn parse_rfc3339(s: &str) -> Result<i64, time::error::Parse> {
    OffsetDateTime::parse(s, &Rfc3339).map(|t| t.unix_timestamp())
}
