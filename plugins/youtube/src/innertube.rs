//! The innertube `player` call and what its `playabilityStatus` means.

use crate::clients::ClientKind;
use grabkit_sdk::prelude::*;

pub const HOST: &str = "www.youtube.com";

/// What the operator can hand every request.
#[derive(Debug, Default, Clone)]
pub struct Session {
    pub visitor_data: Option<String>,
    pub po_token: Option<String>,
}

impl Session {
    /// What the operator set in the plugin's config.
    pub fn from_config() -> Self {
        Session {
            visitor_data: config::get("visitor_data"),
            po_token: config::get("po_token"),
        }
    }
}

/// `POST /youtubei/v1/player` as `client`; the raw player response.
pub fn player(client: &ClientKind, id: &str, sts: Option<u64>, session: &Session) -> Result<Value> {
    let mut ctx = json!({ "clientName": client.name, "clientVersion": client.version, "hl": "en", "timeZone": "UTC", "utcOffsetMinutes": 0 });
    for (k, v) in client.device {
        ctx[*k] = match v.parse::<u64>() {
            Ok(n) => json!(n),
            Err(_) => json!(v),
        };
    }
    if let Some(ua) = client.user_agent {
        ctx["userAgent"] = json!(ua);
    }
    if let Some(vd) = &session.visitor_data {
        ctx["visitorData"] = json!(vd);
    }
    let mut body = json!({ "context": { "client": ctx }, "videoId": id, "contentCheckOk": true, "racyCheckOk": true });
    if client.embedded {
        body["context"]["thirdParty"] = json!({ "embedUrl": "https://www.youtube.com/" });
    }
    let mut playback = json!({ "html5Preference": "HTML5_PREF_WANTS" });
    if let Some(sts) = sts {
        playback["signatureTimestamp"] = json!(sts);
    }
    body["playbackContext"] = json!({ "contentPlaybackContext": playback });
    if let (true, Some(pot)) = (client.needs_player, &session.po_token) {
        body["serviceIntegrityDimensions"] = json!({ "poToken": pot });
    }
    let mut req = Client::new()
        .user_agent(client.user_agent.unwrap_or(ua::DESKTOP))
        .post(format!(
            "https://{HOST}/youtubei/v1/player?prettyPrint=false"
        ))
        .header("X-YouTube-Client-Name", client.id.to_string())
        .header("X-YouTube-Client-Version", client.version)
        .header("Origin", "https://www.youtube.com");
    if let Some(vd) = &session.visitor_data {
        req = req.header("X-Goog-Visitor-Id", vd.as_str());
    }
    // A signed-in account (the host sends its cookies) signs each call.
    if let Some(auth) = sapisid_hash(std::time::SystemTime::now()) {
        req = req
            .header("Authorization", auth)
            .header("X-Origin", "https://www.youtube.com")
            .header("X-Goog-AuthUser", "0");
    }
    req.json(&body).json_response()
}

/// `SAPISIDHASH {ts}_{sha1("{ts} {SAPISID} {origin}")}`: what a signed-in
/// web client sends with innertube calls, from the account's `SAPISID`.
fn sapisid_hash(now: std::time::SystemTime) -> Option<String> {
    let sapisid = account::cookie("SAPISID").or_else(|| account::cookie("__Secure-3PAPISID"))?;
    let ts = now.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(signed(ts, &sapisid))
}

fn signed(ts: u64, sapisid: &str) -> String {
    let text = format!("{ts} {sapisid} https://www.youtube.com");
    let digest = sha1_smol::Sha1::from(text).digest().to_string();
    format!("SAPISIDHASH {ts}_{digest}")
}

#[cfg(test)]
mod session_hash {
    #[test]
    fn the_session_hash_is_sha1_of_time_cookie_and_origin() {
        // sha1("1700000000 abc https://www.youtube.com")
        let got = super::signed(1_700_000_000, "abc");
        let digest = sha1_smol::Sha1::from("1700000000 abc https://www.youtube.com")
            .digest()
            .to_string();
        assert_eq!(got, format!("SAPISIDHASH 1700000000_{digest}"));
        assert_eq!(digest.len(), 40);
    }
}

/// A text object: `simpleText` or its `runs`.
fn text(v: &Value) -> Option<String> {
    v["simpleText"].as_str().map(str::to_string).or_else(|| {
        v["runs"]
            .as_array()
            .map(|r| r.iter().filter_map(|t| t["text"].as_str()).collect())
    })
}

/// Why a player response cannot be played, as a typed error; `None` when it can.
pub fn refusal(resp: &Value) -> Option<Error> {
    let ps = &resp["playabilityStatus"];
    let status = ps["status"].as_str().unwrap_or("OK");
    if status == "OK" {
        return None;
    }
    let screen = &ps["errorScreen"]["playerErrorMessageRenderer"];
    let reason = text(&screen["reason"])
        .or_else(|| ps["reason"].as_str().map(str::to_string))
        .unwrap_or_else(|| status.to_string());
    let sub = text(&screen["subreason"]).unwrap_or_default();
    let lower = format!("{reason} {sub}").to_lowercase().replace('’', "'");
    let msg = if sub.is_empty() {
        reason.clone()
    } else {
        format!("{reason}. {sub}")
    };
    Some(
        if lower.contains("playback on other websites") || lower.contains("embedding") {
            // Only embedded clients hear this: another client may still play it.
            Error::upstream(format!("not embeddable: {msg}"))
        } else if lower.contains("private") {
            Error::private(msg)
        } else if lower.contains("in your country") {
            Error::geo_blocked(msg)
        } else if lower.contains("not a bot")
            || lower.contains("request limit")
            || lower.contains("try again later")
            || ps["errorScreen"]["playerCaptchaViewModel"].is_object()
        {
            Error::rate_limited(msg)
        } else if lower.contains("confirm your age")
            || lower.contains("age-restricted")
            || lower.contains("inappropriate")
            || status.starts_with("AGE_")
        {
            Error::login_required(format!(
                "age-restricted video: YouTube wants a signed-in adult ({msg})"
            ))
        } else if status == "LOGIN_REQUIRED" || lower.contains("members") {
            Error::login_required(msg)
        } else if status == "LIVE_STREAM_OFFLINE" {
            Error::not_found(format!("the live stream has not started ({msg})"))
        } else if status == "ERROR"
            || lower.contains("unavailable")
            || lower.contains("removed")
            || lower.contains("terminated")
        {
            Error::not_found(msg)
        } else {
            Error::upstream(format!("{status}: {msg}"))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(v: Value) -> Option<ErrorKind> {
        refusal(&v).map(|e| e.kind)
    }

    #[test]
    fn playability_statuses() {
        assert_eq!(kind(json!({"playabilityStatus": {"status": "OK"}})), None);
        assert_eq!(
            kind(
                json!({"playabilityStatus": {"status": "LOGIN_REQUIRED", "reason": "This video is private"}})
            ),
            Some(ErrorKind::Private)
        );
        assert_eq!(
            kind(
                json!({"playabilityStatus": {"status": "LOGIN_REQUIRED", "reason": "Sign in to confirm you’re not a bot"}})
            ),
            Some(ErrorKind::RateLimited)
        );
        assert_eq!(
            kind(
                json!({"playabilityStatus": {"status": "LOGIN_REQUIRED", "reason": "Sign in to confirm your age"}})
            ),
            Some(ErrorKind::LoginRequired)
        );
        assert_eq!(
            kind(json!({"playabilityStatus": {"status": "AGE_VERIFICATION_REQUIRED"}})),
            Some(ErrorKind::LoginRequired)
        );
        assert_eq!(
            kind(
                json!({"playabilityStatus": {"status": "ERROR", "reason": "This video is unavailable"}})
            ),
            Some(ErrorKind::NotFound)
        );
        assert_eq!(
            kind(
                json!({"playabilityStatus": {"status": "UNPLAYABLE", "errorScreen": {"playerErrorMessageRenderer": {"reason": {"simpleText": "Video unavailable"}, "subreason": {"runs": [{"text": "The uploader has not made this video available in your country"}]}}}}})
            ),
            Some(ErrorKind::GeoBlocked)
        );
        assert_eq!(
            kind(
                json!({"playabilityStatus": {"status": "UNPLAYABLE", "reason": "Video unavailable", "errorScreen": {"playerErrorMessageRenderer": {"subreason": {"simpleText": "Playback on other websites has been disabled by the video owner."}}}}})
            ),
            Some(ErrorKind::UpstreamFailed)
        );
        assert_eq!(
            kind(
                json!({"playabilityStatus": {"status": "LIVE_STREAM_OFFLINE", "reason": "This live event will begin in 3 hours."}})
            ),
            Some(ErrorKind::NotFound)
        );
    }
}
