//! The current player release and its transforms, fetched once and kept in
//! `kv`: the release id from `iframe_api` (an hour), the cut-out transforms
//! per release (a day). Operators can pin a release with `player_id`.

use crate::extract::{self, Transforms};
use crate::innertube::HOST;
use grabkit_sdk::prelude::*;
use std::time::Duration;

const ID_TTL: Duration = Duration::from_secs(60 * 60);
const TRANSFORMS_TTL: Duration = Duration::from_secs(24 * 60 * 60);

pub fn transforms() -> Result<Transforms> {
    let id = player_id()?;
    let key = format!("transforms:{id}");
    if let Some(t) = kv::get(&key).and_then(|b| serde_json::from_slice::<Transforms>(&b).ok()) {
        return Ok(t);
    }
    let js = Client::new()
        .user_agent(ua::DESKTOP)
        .get(format!(
            "https://{HOST}/s/player/{id}/player_ias.vflset/en_US/base.js"
        ))
        .send_ok()
        .context("player script")?
        .text();
    let t = extract::transforms(&js).context(format_args!("player {id}"))?;
    log::info(&format!(
        "player {id}: signature {}, n {}, signatureTimestamp {:?}",
        found(t.has_sig),
        found(t.has_n),
        t.sts
    ));
    kv::set(
        &key,
        serde_json::to_vec(&t).unwrap_or_default(),
        Some(TRANSFORMS_TTL),
    );
    Ok(t)
}

fn found(yes: bool) -> &'static str {
    if yes { "found" } else { "missing" }
}

/// The 8-hex-digit release id: pinned, cached, or read from `iframe_api`.
fn player_id() -> Result<String> {
    if let Some(id) = config::get("player_id") {
        return Ok(id);
    }
    if let Some(id) = kv::get_string("player-id") {
        return Ok(id);
    }
    let api = Client::new()
        .user_agent(ua::DESKTOP)
        .get(format!("https://{HOST}/iframe_api"))
        .send_ok()
        .context("iframe_api")?
        .text();
    let id = id_in(&api).ok_or_else(|| Error::parse("iframe_api names no player release"))?;
    kv::set("player-id", &id, Some(ID_TTL));
    Ok(id)
}

/// `…\/s\/player\/9a3b7c1e\/…` (slashes escaped or not).
fn id_in(text: &str) -> Option<String> {
    let at = text
        .find("player\\/")
        .map(|i| i + 8)
        .or_else(|| text.find("/player/").map(|i| i + 8))?;
    let id: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    (id.len() == 8).then_some(id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn release_ids() {
        assert_eq!(super::id_in(r"var scriptUrl = 'https:\/\/www.youtube.com\/s\/player\/9a3b7c1e\/www-widgetapi.vflset\/www-widgetapi.js'").as_deref(), Some("9a3b7c1e"));
        assert_eq!(
            super::id_in(
                "https://www.youtube.com/s/player/0123abcd/player_ias.vflset/en_US/base.js"
            )
            .as_deref(),
            Some("0123abcd")
        );
        assert_eq!(super::id_in("nothing here"), None);
    }
}
