//! Stable error codes. Every failure a client can see carries one (README's
//! error table lists them all); metrics and logs use the same names, and
//! each surface (HTTP, CLI, goldens) maps codes to its own answers.

use grabkit_store::StoreError;

/// A code as answers carry it: the seed numbers its two link errors (302
/// unsupported link, 304 no downloadable media) and names the rest.
pub fn wire_code(code: &str) -> serde_json::Value {
    match code {
        "unsupported_link" => 302.into(),
        "no_media" => 304.into(),
        c => c.into(),
    }
}

/// A failure with a stable code.
pub trait Coded: std::error::Error {
    /// The code, e.g. `not_found`; never changes once released.
    fn code(&self) -> &'static str;
    /// Seconds after which a retry may succeed, when that is known.
    fn retry_after(&self) -> Option<u64> {
        None
    }
}

impl Coded for StoreError {
    fn code(&self) -> &'static str {
        match self {
            StoreError::NoCredits => "insufficient_credits",
            StoreError::NoSuchKey => "key_not_found",
            StoreError::Backend(_) => "store_failed",
            StoreError::KeyInvalid => "invalid_token",
            StoreError::KeyExpired => "token_expired",
            StoreError::CreditsOutOfRange => "credits_out_of_range",
        }
    }
}
