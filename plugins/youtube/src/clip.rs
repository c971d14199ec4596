//! Clips (`youtube.com/clip/{id}`): a section of a video. The clip page's
//! `ytInitialData` names the video (`currentVideoEndpoint.watchEndpoint`)
//! and, in its clip panel, a `loopCommand` with the section's
//! `startTimeMs`/`endTimeMs` (yt-dlp's `YoutubeClipIE` reads the same).

use crate::innertube::HOST;
use grabkit_sdk::prelude::*;

pub struct Clip {
    pub id: String,
    pub video: String,
    /// Seconds.
    pub start: f64,
    pub end: f64,
}

pub fn of(id: &str) -> Result<Clip> {
    let page = Client::new()
        .user_agent(ua::DESKTOP)
        .get(format!("https://{HOST}/clip/{id}"))
        .header("Accept-Language", "en")
        .send_ok()
        .context("clip page")?;
    let data = json_after(&page.text(), "var ytInitialData = ").context("clip page")?;
    let video = data["currentVideoEndpoint"]["watchEndpoint"]["videoId"]
        .as_str()
        .ok_or_else(|| Error::not_found(format!("clip {id} names no video (removed?)")))?
        .to_string();
    let lp = find_key(&data, "loopCommand", 0)
        .ok_or_else(|| Error::parse("clip page: no loopCommand with the clip's section"))?;
    let ms = |k: &str| lp[k].as_f64().or_else(|| lp[k].as_str()?.parse().ok());
    let (start, end) = match (ms("startTimeMs"), ms("endTimeMs")) {
        (Some(s), Some(e)) if e > s => (s / 1000.0, e / 1000.0),
        _ => return Err(Error::parse("clip page: the loopCommand has no section")),
    };
    Ok(Clip {
        id: id.to_string(),
        video,
        start,
        end,
    })
}

/// The first value under `key`, depth first (the clip panel's path moves
/// between layouts; the command's name does not).
fn find_key<'a>(v: &'a Value, key: &str, depth: usize) -> Option<&'a Value> {
    if depth > 40 {
        return None;
    }
    match v {
        Value::Object(m) => m
            .get(key)
            .or_else(|| m.values().find_map(|x| find_key(x, key, depth + 1))),
        Value::Array(a) => a.iter().find_map(|x| find_key(x, key, depth + 1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_loop_command_anywhere() {
        let v =
            grabkit_sdk::serde_json::json!({"a": [{"b": {"loopCommand": {"startTimeMs": "1"}}}]});
        assert_eq!(
            super::find_key(&v, "loopCommand", 0).unwrap()["startTimeMs"],
            "1"
        );
        assert!(super::find_key(&v, "nope", 0).is_none());
    }
}
