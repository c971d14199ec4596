//! What Instagram's refusals mean. The same few signals come back from every
//! route, as HTTP statuses, `{"status":"fail","message":…}` bodies or a
//! redirect to the login page; this reads them into typed errors.

use grabkit_sdk::prelude::*;

/// `Ok(resp)` when the response carries content; otherwise the error it means.
pub fn check(resp: Response, what: &str) -> Result<Response> {
    if resp.final_url.contains("/accounts/login")
        || resp
            .header("location")
            .is_some_and(|l| l.contains("/accounts/login"))
    {
        return Err(Error::login_required(format!(
            "{what}: Instagram redirected to its login page"
        )));
    }
    let body: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    let message = body["message"].as_str().unwrap_or_default();
    let failed = body["status"] == "fail" || !(200..300).contains(&resp.status);
    if !failed {
        return Ok(resp);
    }
    let status = resp.status;
    let why = if message.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}, \"{message}\"")
    };
    Err(
        if message.contains("Please wait a few minutes") || status == 429 {
            Error::rate_limited(format!("{what}: Instagram is throttling us ({why})"))
        } else if message.contains("not found") || message.contains("unavailable") || status == 404
        {
            Error::not_found(format!("{what}: {why}"))
        } else if message == "login_required" || body["require_login"] == true || status == 401 {
            Error::login_required(format!("{what}: {why}"))
        } else {
            Error::upstream(format!("{what}: {why}"))
        },
    )
}

/// The verdict when every route failed: the most telling of their errors.
/// oEmbed's refusals are weak evidence (it often refuses anonymous callers),
/// so [`crate::api::media_id_or_computed`] records them as plain failures.
pub fn verdict(failures: Vec<(&'static str, Error)>, code: &str) -> Error {
    let summary = failures
        .iter()
        .map(|(route, e)| {
            if e.message.starts_with(route) {
                e.message.clone()
            } else {
                format!("{route}: {}", e.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let has = |k: ErrorKind| failures.iter().any(|(_, e)| e.kind == k);
    if has(ErrorKind::RateLimited) {
        Error::rate_limited(format!("Instagram is throttling this server ({summary})"))
    } else if has(ErrorKind::NotFound) {
        Error::not_found(format!(
            "post {code} does not exist, was deleted, or belongs to a private account ({summary})"
        ))
    } else if has(ErrorKind::Private) {
        Error::private(format!("post {code} is not public ({summary})"))
    } else if has(ErrorKind::ParseFailed) {
        // A route found the post but could not read it: the plugin needs fixing.
        Error::parse(format!(
            "post {code}: Instagram answered in a shape this plugin does not know ({summary})"
        ))
    } else if has(ErrorKind::LoginRequired) {
        Error::login_required(format!(
            "Instagram shows post {code} only to logged-in users; set this plugin's `cookie` to a session ({summary})"
        ))
    } else {
        Error::upstream(format!("no route answered for post {code} ({summary})"))
    }
}
