//! Signed proxy tokens: everything the proxy needs to fetch one media file
//! (and to refresh it when it expires), carried by the link itself and
//! sealed with an HMAC so a client can neither forge nor alter one.
//!
//! Form: `base64url(json ticket) "." base64url(HMAC-SHA256(secret, json))`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Which item of a parse result a ticket points at, so a refresh can find
/// "the same one" in a new result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    /// `video`, `audio` or `image`.
    pub kind: String,
    /// Position in its list (the last resort when nothing else matches).
    pub index: usize,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub quality: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub width: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub height: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codec: Option<String>,
    /// YouTube's format id, read from the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub itag: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One upstream file: where it is and which item it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stream {
    pub url: String,
    pub pick: Pick,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mime: String,
    /// WeChat Channels: the per-video key its first 128 KiB are encrypted with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decode_key: Option<String>,
}

/// What a token carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// Signing key id (which secret sealed it).
    pub kid: String,
    /// The API key whose parse produced it (its links die with the key).
    pub key: i64,
    pub platform: String,
    /// Unix seconds after which the token is refused.
    pub exp: i64,
    /// The post the media came from (re-parsed to refresh an expired URL).
    pub post: String,
    /// Download headers the platform wants (Referer, User-Agent, cookies).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A file name stem, from the title.
    #[serde(default)]
    pub name: String,
    pub main: Stream,
    /// The audio to merge with a video-only `main` (for `/merged`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<Stream>,
    /// The files after `main` when the video comes as several ordered parts
    /// (`/merged` joins them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Stream>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the media token is malformed")]
    Malformed,
    #[error("the media token's signature does not match")]
    BadSignature,
    #[error("the media token was signed with a key this server no longer holds")]
    UnknownKey,
    #[error("the media token has expired; parse the post again")]
    Expired,
}

/// Seals and opens tickets with one secret.
#[derive(Clone)]
pub struct Signer {
    secret: Vec<u8>,
    kid: String,
}

impl Signer {
    pub fn new(secret: &[u8]) -> Self {
        // The key id names the secret without revealing it.
        let kid = hex::encode(&Sha256::digest(secret)[..4]);
        Signer {
            secret: secret.to_vec(),
            kid,
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(payload);
        mac
    }

    pub fn seal(&self, ticket: &Ticket) -> String {
        let mut t = ticket.clone();
        t.kid = self.kid.clone();
        let json = serde_json::to_vec(&t).expect("a ticket serializes");
        let tag = self.mac(&json).finalize().into_bytes();
        format!("{}.{}", B64.encode(&json), B64.encode(tag))
    }

    /// Verify the signature (in constant time), then the key id and expiry.
    pub fn open(&self, token: &str, now: i64) -> Result<Ticket, TokenError> {
        let (body, tag) = token.split_once('.').ok_or(TokenError::Malformed)?;
        let json = B64.decode(body).map_err(|_| TokenError::Malformed)?;
        let tag = B64.decode(tag).map_err(|_| TokenError::Malformed)?;
        if self.mac(&json).verify_slice(&tag).is_err() {
            // Tell a rotated secret apart from tampering when the body says so.
            let kid = serde_json::from_slice::<Ticket>(&json)
                .map(|t| t.kid)
                .unwrap_or_default();
            return Err(if !kid.is_empty() && kid != self.kid {
                TokenError::UnknownKey
            } else {
                TokenError::BadSignature
            });
        }
        let t: Ticket = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
        if t.exp < now {
            return Err(TokenError::Expired);
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> Ticket {
        Ticket {
            kid: String::new(),
            key: 7,
            platform: "tiktok".into(),
            exp: 2_000,
            post: "https://www.tiktok.com/@a/video/1".into(),
            headers: [("Referer".to_string(), "https://www.tiktok.com/".to_string())].into(),
            name: "clip".into(),
            main: Stream {
                url: "https://v16.tiktokcdn.com/a.mp4?x=1".into(),
                pick: Pick {
                    kind: "video".into(),
                    index: 0,
                    quality: "720p".into(),
                    width: 0,
                    height: 0,
                    codec: None,
                    itag: None,
                },
                mime: "video/mp4".into(),
                decode_key: None,
            },
            audio: None,
            parts: Vec::new(),
        }
    }

    #[test]
    fn round_trip_and_expiry() {
        let s = Signer::new(b"secret");
        let tok = s.seal(&ticket());
        let t = s.open(&tok, 1_000).unwrap();
        assert_eq!(t.main.url, "https://v16.tiktokcdn.com/a.mp4?x=1");
        assert_eq!(t.kid, s.kid());
        assert_eq!(s.open(&tok, 2_001), Err(TokenError::Expired));
    }

    #[test]
    fn parts_round_trip_and_tokens_without_them_read_as_none() {
        let s = Signer::new(b"secret");
        let mut t = ticket();
        t.parts = vec![t.main.clone()];
        assert_eq!(s.open(&s.seal(&t), 1_000).unwrap().parts.len(), 1);
        let plain = s.seal(&ticket());
        let (body, _) = plain.split_once('.').unwrap();
        let json: serde_json::Value = serde_json::from_slice(&B64.decode(body).unwrap()).unwrap();
        assert!(
            json.get("parts").is_none(),
            "tokens without parts look as before"
        );
        assert!(s.open(&plain, 1_000).unwrap().parts.is_empty());
    }

    #[test]
    fn tampering_is_refused() {
        let s = Signer::new(b"secret");
        let tok = s.seal(&ticket());
        let (body, tag) = tok.split_once('.').unwrap();
        let mut json: serde_json::Value =
            serde_json::from_slice(&B64.decode(body).unwrap()).unwrap();
        json["main"]["url"] = "https://169.254.169.254/latest".into();
        let forged = format!("{}.{tag}", B64.encode(serde_json::to_vec(&json).unwrap()));
        assert_eq!(s.open(&forged, 0), Err(TokenError::BadSignature));
        assert_eq!(s.open("nonsense", 0), Err(TokenError::Malformed));
        assert_eq!(
            s.open(&format!("{body}.AAAA"), 0),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            Signer::new(b"other").open(&tok, 0),
            Err(TokenError::UnknownKey)
        );
    }
}
