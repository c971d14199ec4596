//! Routes 1 and 2: the mobile app's API on `i.instagram.com`. oEmbed turns the
//! shortcode into the media id; `media/{id}/info` describes the post. The
//! info call mostly wants a session (a leased account); without one
//! it is still tried, as cobalt does.

use crate::answer;
use crate::media;
use crate::shortcode;
use grabkit_sdk::prelude::*;

pub const HOST: &str = "i.instagram.com";
const APP_UA: &str = "Instagram 275.0.0.27.98 Android (33/13; 280dpi; 720x1423; Xiaomi; Redmi 7; onclite; qcom; en_US; 458229237)";

fn client() -> Client {
    Client::new()
        .user_agent(APP_UA)
        .header("X-IG-App-Locale", "en_US")
        .header("X-IG-Device-Locale", "en_US")
        .header("X-IG-Mapped-Locale", "en_US")
        .header("Accept-Language", "en-US")
        .header("X-FB-HTTP-Engine", "Liger")
}

/// The numeric media id, from oEmbed (`"{pk}_{owner}"` → pk).
pub fn media_id(code: &str) -> Result<String> {
    let resp = client()
        .get(format!("https://{HOST}/api/v1/oembed/"))
        .query(&[("url", format!("https://www.instagram.com/p/{code}/"))])
        .send()?;
    let body: Value = answer::check(resp, "oEmbed")?.json()?;
    let id = body["media_id"].as_str().required("media_id")?;
    let pk = id.split('_').next().unwrap_or(id);
    if pk.is_empty() || !pk.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::parse(format!(
            "oEmbed media_id `{id}` is not numeric"
        )));
    }
    Ok(pk.to_string())
}

/// The media id from oEmbed, else computed from the shortcode.
pub fn media_id_or_computed(
    code: &str,
    failures: &mut Vec<(&'static str, Error)>,
) -> Result<String> {
    match media_id(code) {
        Ok(pk) => Ok(pk),
        Err(e) => {
            log::debug(&format!(
                "oEmbed: {}; computing the id from the shortcode",
                e.message
            ));
            let kind = if e.kind == ErrorKind::RateLimited {
                ErrorKind::RateLimited
            } else {
                ErrorKind::UpstreamFailed
            };
            failures.push(("oEmbed", Error::new(kind, e.message)));
            shortcode::to_pk(code)
        }
    }
}

pub fn media_info(code: &str, pk: &str) -> Result<Media> {
    let resp = client()
        .get(format!("https://{HOST}/api/v1/media/{pk}/info/"))
        .send()?;
    let body: Value = answer::check(resp, "media info")?.json()?;
    let item = &body["items"][0];
    if !item.is_object() {
        return Err(Error::not_found("media info: no items"));
    }
    media::from_item(item, code)
}
