//! WeChat Channels' file encryption, undone on the fly: the first 128 KiB
//! of a video are XORed with a keystream from ISAAC64 seeded with the
//! video's `decodeKey`; the rest of the file is plain. Results are taken from
//! the end of each ISAAC64 block (the reference generator's order) and each
//! 64-bit word is written big-endian.

use rand_core::{RngCore, SeedableRng};
use rand_isaac::Isaac64Rng;

/// Bytes at the start of the file that are encrypted.
pub const PREFIX: usize = 131_072;

/// The keystream for one key, computed once per download.
pub struct Keystream(Vec<u8>);

impl Keystream {
    /// `None` when the key is not a decimal u64 (the form the API gives).
    pub fn new(decode_key: &str) -> Option<Self> {
        let seed: u64 = decode_key.trim().parse().ok()?;
        // The key is the first seed word; the other 255 are zero.
        let mut words = [0u8; 32];
        words[..8].copy_from_slice(&seed.to_le_bytes());
        let mut rng = Isaac64Rng::from_seed(words);
        let mut bytes = Vec::with_capacity(PREFIX);
        while bytes.len() < PREFIX {
            bytes.extend_from_slice(&rng.next_u64().to_be_bytes());
        }
        Some(Keystream(bytes))
    }

    /// Decrypt `chunk` in place, given its offset in the file.
    pub fn apply(&self, offset: u64, chunk: &mut [u8]) {
        let Ok(start) = usize::try_from(offset) else {
            return;
        };
        if start >= PREFIX {
            return;
        }
        let n = chunk.len().min(PREFIX - start);
        for (b, k) in chunk[..n].iter_mut().zip(&self.0[start..start + n]) {
            *b ^= k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "2366281446";

    /// The fixture was encrypted by an independent implementation
    /// (`tests/fixtures/media/wechat_encrypt.py`) from this known plaintext.
    fn plain() -> Vec<u8> {
        (0..200_000usize)
            .map(|i| ((i * 31 + i / 7) % 251) as u8)
            .collect()
    }

    fn encrypted() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/media/wechat_encrypted.bin"
        ))
        .unwrap()
    }

    #[test]
    fn whole_file_decrypts_byte_exact() {
        let mut data = encrypted();
        Keystream::new(KEY).unwrap().apply(0, &mut data);
        assert_eq!(data, plain());
    }

    #[test]
    fn chunks_at_any_offset_decrypt() {
        let ks = Keystream::new(KEY).unwrap();
        let (enc, plain) = (encrypted(), plain());
        // Odd-sized chunks straddling word edges and the 128 KiB boundary.
        for (start, len) in [
            (1, 13),
            (4093, 9000),
            (PREFIX - 5, 40),
            (PREFIX, 100),
            (150_000, 777),
        ] {
            let mut chunk = enc[start..start + len].to_vec();
            ks.apply(start as u64, &mut chunk);
            assert_eq!(chunk, &plain[start..start + len], "at {start}");
        }
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(Keystream::new("not-a-number").is_none());
        assert!(Keystream::new("").is_none());
    }
}
