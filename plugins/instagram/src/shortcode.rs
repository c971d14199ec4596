//! Shortcodes are the post's numeric id (`pk`) written in a base-64 alphabet
//! (`A-Z a-z 0-9 - _`, most significant digit first). Longer codes (private
//! share forms) carry a suffix after the first 11 characters.

use grabkit_sdk::prelude::*;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The numeric media id of a shortcode.
pub fn to_pk(code: &str) -> Result<String> {
    let digits = &code.as_bytes()[..code.len().min(11)];
    let mut pk: u128 = 0;
    for &c in digits {
        let d = ALPHABET
            .iter()
            .position(|&a| a == c)
            .ok_or_else(|| Error::unsupported(format!("`{code}` is not an Instagram shortcode")))?;
        pk = pk * 64 + d as u128;
    }
    if digits.is_empty() || pk > u64::MAX as u128 {
        return Err(Error::unsupported(format!(
            "`{code}` is not an Instagram shortcode"
        )));
    }
    Ok(pk.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_pairs() {
        assert_eq!(to_pk("aye83DjauH").unwrap(), "482584233761418119");
        assert_eq!(to_pk("B").unwrap(), "1");
        assert_eq!(to_pk("BA").unwrap(), "64");
        assert_eq!(to_pk("_").unwrap(), "63");
        // Only the first 11 characters count.
        assert_eq!(
            to_pk("CwqAgUZgCkuXYZ123").unwrap(),
            to_pk("CwqAgUZgCku").unwrap()
        );
        assert!(to_pk("abc!").is_err());
        assert!(to_pk("").is_err());
    }
}
