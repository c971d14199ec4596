//! Douyin's web API (`www.douyin.com/aweme/v1/web/…`, `live.douyin.com/
//! webcast/…`) for the data capabilities. Peers sign these requests with
//! `a_bogus`, a value computed by Douyin's own obfuscated browser script;
//! grabkit does not ship a port of it. The routes are asked with the
//! operator's logged-in cookie and the web client's common query, which
//! Douyin accepts for some routes (search, as amagi does) and refuses for
//! others with an empty body: that refusal is reported as such.

use grabkit_sdk::prelude::*;

/// The common query of every web API call (amagi's and Douyin_TikTok_Download_API's).
const COMMON: &[(&str, &str)] = &[
    ("device_platform", "webapp"),
    ("aid", "6383"),
    ("channel", "channel_pc_web"),
    ("pc_client_type", "1"),
    ("version_code", "290100"),
    ("version_name", "29.1.0"),
    ("cookie_enabled", "true"),
    ("browser_language", "zh-CN"),
    ("browser_platform", "Win32"),
    ("browser_name", "Chrome"),
    ("browser_version", "130.0.0.0"),
    ("browser_online", "true"),
    ("engine_name", "Blink"),
    ("os_name", "Windows"),
    ("os_version", "10"),
    ("platform", "PC"),
    ("screen_width", "1920"),
    ("screen_height", "1080"),
];

/// The user agent the common query describes (they must agree).
const UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                  (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

/// The web routes answer unsigned only to a session with `ttwid` or
/// `sessionid` (the host sends the account's cookies).
fn session(what: &str) -> Result<()> {
    if account::cookie("ttwid").is_some() || account::cookie("sessionid").is_some() {
        return Ok(());
    }
    Err(Error::login_required(format!(
        "Douyin's {what} route wants a signed request (a_bogus, which grabkit does not \
         compute) or a logged-in web session: import a douyin account with its ttwid or \
         sessionid cookie (`grabkit accounts import douyin cookies.txt`)"
    )))
}

/// GET `https://{host}{path}?{common}&{params}` as the web client; the JSON.
pub fn call(
    what: &str,
    host: &str,
    path: &str,
    params: &[(&str, String)],
    referer: &str,
) -> Result<Value> {
    session(what)?;
    let mut query: Vec<(&str, String)> = COMMON.iter().map(|(k, v)| (*k, v.to_string())).collect();
    query.extend(params.iter().cloned());
    let resp = Client::new()
        .user_agent(UA)
        .get(format!("https://{host}{path}"))
        .query(&query)
        .header("Referer", referer)
        .send()
        .context(what)?;
    let body = resp.text();
    if resp.status == 200 && body.trim().is_empty() {
        return Err(Error::upstream(format!(
            "{what}: Douyin answered an empty body: it refused the request without an a_bogus \
             signature (grabkit does not compute one); the cookie alone was not enough"
        )));
    }
    let lower = body.to_ascii_lowercase();
    if ["verify_center", "verifycenter", "captcha", "slide_verify"]
        .iter()
        .any(|m| lower.contains(m))
    {
        return Err(Error::rate_limited(format!(
            "{what}: Douyin asks for a verification"
        )));
    }
    let v: Value = resp
        .error_for_status()
        .context(what)?
        .json()
        .context(what)?;
    match v["status_code"].as_i64() {
        Some(0) | None => Ok(v),
        Some(8) => Err(Error::login_required(format!(
            "{what}: the cookie is not logged in (status 8)"
        ))),
        Some(2053) => Err(Error::not_found(format!(
            "{what}: the post is unavailable (2053)"
        ))),
        // 2, 10201, 100002: no such author.
        Some(c @ (2 | 10201 | 100002)) => Err(Error::not_found(format!(
            "{what}: no such user (status_code {c}: {})",
            v["status_msg"].as_str().unwrap_or_default()
        ))),
        Some(c) => Err(Error::upstream(format!(
            "{what}: status_code {c}: {}",
            v["status_msg"].as_str().unwrap_or_default()
        ))),
    }
}
