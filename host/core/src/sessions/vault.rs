//! Accounts' secrets sealed at rest: XChaCha20-Poly1305 with a random nonce
//! per seal and the platform as associated data (a secret moved to another
//! platform's row does not open). The key lives outside the database: a
//! key file in the data dir (created once, owner-only) or the config.

use super::cookies::Cookie;
use crate::code::Coded;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::path::Path;

const NONCE: usize = 24;

/// What an account keeps secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Secret {
    pub cookies: Vec<Cookie>,
    pub user_agent: Option<String>,
    /// The egress proxy this identity uses (it may carry credentials).
    pub proxy: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the accounts key file {path}: {error}")]
    KeyFile { path: String, error: String },
    #[error("the accounts key must be 64 hex digits (32 bytes)")]
    BadKey,
    #[error("an account's secret does not open with this key (another key, or altered)")]
    Sealed,
}

impl Coded for VaultError {
    fn code(&self) -> &'static str {
        match self {
            VaultError::KeyFile { .. } | VaultError::BadKey => "accounts_key_invalid",
            VaultError::Sealed => "account_unreadable",
        }
    }
}

pub struct Vault {
    cipher: XChaCha20Poly1305,
}

impl Vault {
    /// From 64 hex digits (the config's `[accounts] key`).
    pub fn from_hex(hex_key: &str) -> Result<Vault, VaultError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| VaultError::BadKey)?;
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| VaultError::BadKey)?;
        Ok(Vault { cipher })
    }

    /// The key in `path`, made (owner-only) when the file does not exist.
    pub fn from_key_file(path: &Path) -> Result<Vault, VaultError> {
        let failed = |e: std::io::Error| VaultError::KeyFile {
            path: path.display().to_string(),
            error: e.to_string(),
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Vault::from_hex(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = XChaCha20Poly1305::generate_key(&mut OsRng);
                write_owner_only(path, &hex::encode(key)).map_err(failed)?;
                Vault::from_hex(&hex::encode(key))
            }
            Err(e) => Err(failed(e)),
        }
    }

    /// A random key that lives as long as the process (nothing stored).
    pub fn ephemeral() -> Vault {
        Vault {
            cipher: XChaCha20Poly1305::new(&XChaCha20Poly1305::generate_key(&mut OsRng)),
        }
    }

    /// Nonce, then ciphertext and tag.
    pub fn seal(&self, platform: &str, secret: &Secret) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let msg = serde_json::to_vec(secret).unwrap_or_default();
        let payload = Payload {
            msg: &msg,
            aad: platform.as_bytes(),
        };
        // Encryption of an in-memory buffer cannot fail with this cipher.
        let sealed = self.cipher.encrypt(&nonce, payload).unwrap_or_default();
        [nonce.as_slice(), &sealed].concat()
    }

    pub fn open(&self, platform: &str, sealed: &[u8]) -> Result<Secret, VaultError> {
        if sealed.len() <= NONCE {
            return Err(VaultError::Sealed);
        }
        let (nonce, body) = sealed.split_at(NONCE);
        let payload = Payload {
            msg: body,
            aad: platform.as_bytes(),
        };
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| VaultError::Sealed)?;
        serde_json::from_slice(&plain).map_err(|_| VaultError::Sealed)
    }
}

fn write_owner_only(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::cookies::parse;
    use grabkit_store::accounts::{AccountStore, NewAccount};

    const VALUE: &str = "d3f1c0-very-secret-sessdata-value";

    fn secret() -> Secret {
        let cookies = parse(&format!("SESSDATA={VALUE}; bili_jct=jct-secret-2"))
            .unwrap()
            .1;
        Secret {
            cookies,
            user_agent: Some("Mozilla/5.0 test".into()),
            proxy: Some("http://user:proxy-password@10.0.0.2:3128".into()),
        }
    }

    #[tokio::test]
    async fn the_database_file_alone_reveals_no_secret() {
        let data = tempfile::tempdir().unwrap();
        let keys = tempfile::tempdir().unwrap();
        let vault = Vault::from_key_file(&keys.path().join("accounts.key")).unwrap();
        let db = data.path().join("grabkit.db");
        let store = grabkit_store_sqlite::SqliteStore::open(&db).unwrap();
        let new = NewAccount {
            platform: "bilibili".into(),
            label: "main".into(),
            sealed: vault.seal("bilibili", &secret()),
        };
        let a = store.add_account(&new, 1).await.unwrap();
        drop(store);
        // Every file the database left (the WAL included): no secret in it.
        for entry in std::fs::read_dir(data.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for needle in [VALUE, "jct-secret-2", "proxy-password", "SESSDATA"] {
                assert!(!text.contains(needle), "{needle} is readable at rest");
            }
        }
        // With the key it opens, exactly; reopened, from the file.
        let store = grabkit_store_sqlite::SqliteStore::open(&db).unwrap();
        let stored = store.account(a.id).await.unwrap().unwrap();
        let again = Vault::from_key_file(&keys.path().join("accounts.key")).unwrap();
        assert_eq!(again.open("bilibili", &stored.sealed).unwrap(), secret());
    }

    #[test]
    fn a_wrong_key_platform_or_byte_does_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let v = Vault::from_key_file(&dir.path().join("k")).unwrap();
        let sealed = v.seal("bilibili", &secret());
        assert_ne!(
            sealed,
            v.seal("bilibili", &secret()),
            "a fresh nonce each time"
        );
        let other = Vault::from_hex(&"ab".repeat(32)).unwrap();
        assert!(matches!(
            other.open("bilibili", &sealed),
            Err(VaultError::Sealed)
        ));
        assert!(matches!(
            v.open("youtube", &sealed),
            Err(VaultError::Sealed)
        ));
        let mut bent = sealed.clone();
        let last = bent.len() - 1;
        bent[last] ^= 1;
        assert!(matches!(v.open("bilibili", &bent), Err(VaultError::Sealed)));
        assert!(matches!(
            v.open("bilibili", b"short"),
            Err(VaultError::Sealed)
        ));
        for bad in ["", "zz", &"ab".repeat(31)] {
            assert!(
                matches!(Vault::from_hex(bad), Err(VaultError::BadKey)),
                "{bad}"
            );
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("k"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the key file is the owner's alone");
        }
    }
}
