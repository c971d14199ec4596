//! WBI request signing for `api.bilibili.com` endpoints under `/wbi/`.
//!
//! The key comes from `x/web-interface/nav` (`data.wbi_img.{img_url,sub_url}`,
//! answered even when logged out): the two file stems, concatenated and
//! permuted by a fixed table, first 32 characters. A request adds `wts`
//! (unix seconds) and `w_rid = md5(sorted query + key)`.

use grabkit_sdk::prelude::*;
use md5::{Digest, Md5};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MIXIN: [usize; 64] = [
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49, 33, 9, 42, 19, 29,
    28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40, 61, 26, 17, 0, 1, 60, 51, 30, 4, 22, 25,
    54, 21, 56, 59, 6, 63, 57, 62, 11, 36, 20, 34, 44, 52,
];

const KV_KEY: &str = "wbi-mixin-key";
/// The keys rotate daily; an hour keeps us well inside that.
const KEY_TTL: Duration = Duration::from_secs(3600);

/// The mixin key, from the plugin's kv store or freshly from `nav`.
pub fn mixin_key(client: &Client) -> Result<String> {
    if let Some(k) = kv::get_string(KV_KEY).filter(|k| k.len() == 32) {
        return Ok(k);
    }
    let nav: Value = client
        .get("https://api.bilibili.com/x/web-interface/nav")
        .json_response()
        .context("nav (WBI keys)")?;
    let img = nav["data"]["wbi_img"]["img_url"]
        .as_str()
        .required("data.wbi_img.img_url")?;
    let sub = nav["data"]["wbi_img"]["sub_url"]
        .as_str()
        .required("data.wbi_img.sub_url")?;
    let key = derive_key(&stem(img), &stem(sub))
        .ok_or_else(|| Error::parse("nav: WBI key files are not the expected shape"))?;
    kv::set(KV_KEY, &key, Some(KEY_TTL));
    Ok(key)
}

fn stem(url: &str) -> String {
    let file = url.rsplit('/').next().unwrap_or("");
    file.split('.').next().unwrap_or("").to_string()
}

pub fn derive_key(img_key: &str, sub_key: &str) -> Option<String> {
    let raw: Vec<char> = format!("{img_key}{sub_key}").chars().collect();
    if raw.len() != 64 {
        return None;
    }
    Some(MIXIN.iter().take(32).map(|&i| raw[i]).collect())
}

/// Signed query string for `params` at time `wts`.
pub fn sign(params: &[(&str, String)], key: &str, wts: u64) -> String {
    let mut all: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.replace(['!', '\'', '(', ')', '*'], "")))
        .collect();
    all.push(("wts".into(), wts.to_string()));
    all.sort();
    let query = all
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let w_rid = format!("{:x}", Md5::digest(format!("{query}{key}").as_bytes()));
    format!("{query}&w_rid={w_rid}")
}

/// Signed query string for now.
pub fn sign_now(params: &[(&str, String)], key: &str) -> String {
    let wts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    sign(params, key, wts)
}

/// encodeURIComponent: unreserved bytes stay, the rest become `%XX` (upper hex).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published test vectors of the WBI scheme.
    #[test]
    fn key_and_signature_vectors() {
        let key = derive_key(
            "7cd084941338484aae1ad9425b84077c",
            "4932caff0ff746eab6f01bf08b70ac45",
        )
        .unwrap();
        assert_eq!(key, "ea1db124af3c7062474693fa704f4ff8");
        let q = sign(
            &[
                ("foo", "114".into()),
                ("bar", "514".into()),
                ("zab", "1919810".into()),
            ],
            &key,
            1702204169,
        );
        assert_eq!(
            q,
            "bar=514&foo=114&wts=1702204169&zab=1919810&w_rid=8f6f2b5b3d485fe1886cec6a0be8c5d4"
        );
    }

    #[test]
    fn encoding_and_stripping() {
        assert_eq!(encode("one one four"), "one%20one%20four");
        assert_eq!(encode("五"), "%E4%BA%94");
        let q = sign(&[("a", "x(y)!*'".into())], "k", 1);
        assert!(q.starts_with("a=xy&wts=1&w_rid="));
        assert_eq!(
            stem("https://i0.hdslb.com/bfs/wbi/7cd084941338484aae1ad9425b84077c.png"),
            "7cd084941338484aae1ad9425b84077c"
        );
    }
}
