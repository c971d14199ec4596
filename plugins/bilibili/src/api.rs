//! Calls to Bilibili's JSON APIs: one envelope (`code`, `message`, and
//! `data` or `result`) and one mapping from its error codes to ours.

use grabkit_sdk::prelude::*;
use grabkit_sdk::serde::de::DeserializeOwned;

pub const API: &str = "https://api.bilibili.com";

/// The client every request uses: the web player's Referer and a browser UA.
pub fn client() -> Client {
    Client::new()
        .user_agent(ua::DESKTOP)
        .header("Referer", "https://www.bilibili.com/")
}

/// GET `url` and return the payload (`data`, or `result` for pgc routes).
pub fn call(client: &Client, what: &str, url: &str) -> Result<Value> {
    call_as(client, what, url)
}

/// [`call`], the payload read into `T` (the fields a parse uses).
pub fn call_as<T: DeserializeOwned>(client: &Client, what: &str, url: &str) -> Result<T> {
    payload(what, client.get(url).send())
}

/// Send a prepared request (own headers) and return the payload.
pub fn send(what: &str, request: grabkit_sdk::http::RequestBuilder) -> Result<Value> {
    payload(what, request.send())
}

/// GET every `(what, url)` at once; each payload, in order.
pub fn call_all<T: DeserializeOwned>(client: &Client, calls: &[(&str, String)]) -> Vec<Result<T>> {
    let requests = calls.iter().map(|(_, url)| client.get(url)).collect();
    let answers = send_all(requests);
    calls
        .iter()
        .zip(answers)
        .map(|((what, _), a)| payload(what, a))
        .collect()
}

/// The envelope's verdict, read first and alone: an error answer's
/// payload may be of any shape.
#[derive(Deserialize)]
#[serde(crate = "grabkit_sdk::serde")]
struct Verdict {
    code: Option<i64>,
    #[serde(default)]
    message: String,
}

/// The payload of a `code: 0` answer.
#[derive(Deserialize)]
#[serde(crate = "grabkit_sdk::serde", bound = "T: DeserializeOwned")]
struct Payload<T> {
    data: Option<T>,
    result: Option<T>,
}

/// The payload of one answer (`data`, or `result` for pgc routes).
fn payload<T: DeserializeOwned>(what: &str, resp: Result<Response>) -> Result<T> {
    let resp = resp.context(what)?;
    if resp.status == 412 {
        return Err(Error::rate_limited(format!(
            "{what}: blocked by Bilibili's risk control (HTTP 412)"
        )));
    }
    let resp = resp.error_for_status().context(what)?;
    let verdict: Verdict = resp.json().context(what)?;
    let code = verdict
        .code
        .ok_or_else(|| Error::parse(format!("{what}: answer has no `code`")))?;
    if code != 0 {
        return Err(code_error(code, &verdict.message).context(what));
    }
    let body: Payload<T> = resp.json().context(what)?;
    body.data
        .or(body.result)
        .ok_or_else(|| Error::parse(format!("{what}: answer has neither `data` nor `result`")))
}

/// Bilibili's error codes, in our terms.
pub fn code_error(code: i64, message: &str) -> Error {
    let m = format!("code {code}: {message}");
    match code {
        -404 | -400 | 62004 => Error::not_found(m),
        1 if message.contains("未找到") => Error::not_found(m),
        62002 | 62012 => Error::private(m),
        -101 => Error::login_required(m),
        -403 if message.contains("购买") => {
            Error::login_required(format!("{m} (a purchase is needed)"))
        }
        -403 => Error::login_required(m),
        -10403 | -688 | -689 if message.contains("地区") => Error::geo_blocked(m),
        -10403 => Error::login_required(format!("{m} (members only)")),
        -688 | -689 => Error::geo_blocked(m),
        -412 | -352 | -799 | -509 => Error::rate_limited(m),
        _ => Error::upstream(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_error_kinds() {
        assert_eq!(code_error(-404, "啥都木有").kind, ErrorKind::NotFound);
        assert_eq!(code_error(62012, "仅UP主自己可见").kind, ErrorKind::Private);
        assert_eq!(
            code_error(-10403, "抱歉您所在地区不可观看！").kind,
            ErrorKind::GeoBlocked
        );
        assert_eq!(
            code_error(-10403, "大会员专享限制").kind,
            ErrorKind::LoginRequired
        );
        assert_eq!(code_error(-412, "请求被拦截").kind, ErrorKind::RateLimited);
        assert_eq!(
            code_error(-500, "服务器错误").kind,
            ErrorKind::UpstreamFailed
        );
    }
}
