//! The operator's pin list (`plugins.lock` in the plugins folder, or a path
//! from config): `name = "sha256 hex"` per line, `name` being the file's stem.
//! When a pin list exists, a file that is not listed or whose digest differs
//! is refused before it is compiled.

use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("`{0}` is not in the pin list")]
    Unlisted(String),
    #[error("`{name}` has digest {got}, the pin list allows {want}")]
    Mismatch {
        name: String,
        got: String,
        want: String,
    },
    #[error("the pin list is unreadable: {0}")]
    Unreadable(String),
}

/// Check `name` with `digest` against the pin file at `path` (absent = no pins).
pub fn check(path: &Path, name: &str, digest: &str) -> Result<(), PinError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(PinError::Unreadable(e.to_string())),
    };
    let pins: BTreeMap<String, String> =
        toml::from_str(&text).map_err(|e| PinError::Unreadable(e.to_string()))?;
    match pins.get(name) {
        None => Err(PinError::Unlisted(name.to_string())),
        Some(want) if !want.eq_ignore_ascii_case(digest) => Err(PinError::Mismatch {
            name: name.to_string(),
            got: digest.to_string(),
            want: want.clone(),
        }),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plugins.lock");
        assert_eq!(check(&p, "x", "ab"), Ok(()), "no pin file, no pins");
        std::fs::write(&p, "bilibili = \"ABCD\"\n").unwrap();
        assert_eq!(check(&p, "bilibili", "abcd"), Ok(()));
        assert!(matches!(
            check(&p, "bilibili", "ffff"),
            Err(PinError::Mismatch { .. })
        ));
        assert_eq!(
            check(&p, "douyin", "abcd"),
            Err(PinError::Unlisted("douyin".into()))
        );
        std::fs::write(&p, "not toml [").unwrap();
        assert!(matches!(
            check(&p, "bilibili", "abcd"),
            Err(PinError::Unreadable(_))
        ));
    }
}
