//! The second route for statuses: the desktop `weibo.com/ajax/statuses/show`
//! with a visitor cookie. The cookie (`SUB`, `SUBP`) comes from passport's
//! visitor flow (`genvisitor` → `visitor?a=incarnate`) and is kept in `kv`;
//! with an account, the host sends the account's cookies instead.

use crate::{PLATFORM, quality_of, status::plain_text};
use grabkit_sdk::prelude::*;
use std::time::Duration;

const PASSPORT: &str = "https://passport.weibo.com/visitor";
const KV_COOKIE: &str = "visitor-cookie";
/// Visitor cookies last about a year; renewing them daily costs little.
const COOKIE_TTL: Duration = Duration::from_secs(24 * 3600);

pub fn parse(id: &str) -> Result<Media> {
    match show(id, &cookie(false)?) {
        // Passport wants the visitor flow run again: once, with a fresh cookie.
        Err(e) if e.message.contains("passport") && !account::present() => {
            kv::delete(KV_COOKIE);
            show(id, &cookie(true)?)
        }
        other => other,
    }
}

fn show(id: &str, cookie: &Option<String>) -> Result<Media> {
    let what = "ajax/statuses/show";
    let mut client = Client::new()
        .user_agent(ua::DESKTOP)
        .header("Referer", "https://weibo.com/")
        .header("Accept", "application/json, text/plain, */*");
    if let Some(c) = cookie {
        client = client.header("Cookie", c.as_str());
    }
    let resp = client
        .get(format!(
            "https://weibo.com/ajax/statuses/show?id={id}&isGetLongText=true"
        ))
        .no_redirects()
        .send()
        .context(what)?;
    if (300..400).contains(&resp.status) {
        let to = resp.header("location").unwrap_or_default();
        return Err(if to.contains("passport.weibo.com") {
            Error::upstream(format!(
                "{what}: redirected to passport (visitor cookie refused)"
            ))
        } else {
            Error::login_required(format!("{what}: Weibo redirected to its login page"))
        });
    }
    if matches!(resp.status, 403 | 418 | 432) {
        return Err(Error::rate_limited(format!(
            "{what}: Weibo refused the request (HTTP {})",
            resp.status
        )));
    }
    let status: Value = resp
        .error_for_status()
        .context(what)?
        .json()
        .context(what)?;
    if status["ok"].as_i64().is_some_and(|ok| ok != 1) || !status["idstr"].is_string() {
        let msg = status["message"]
            .as_str()
            .unwrap_or("the post is not visible");
        return Err(Error::not_found(format!("{what}: {msg}")));
    }
    Ok(media_of(&status, id))
}

/// The visitor cookie, `None` with an account (the host sends its own);
/// `fresh` skips the cached one.
fn cookie(fresh: bool) -> Result<Option<String>> {
    if account::present() {
        return Ok(None);
    }
    if !fresh && let Some(c) = kv::get_string(KV_COOKIE) {
        return Ok(Some(c));
    }
    let c = visitor().context("visitor cookie")?;
    kv::set(KV_COOKIE, &c, Some(COOKIE_TTL));
    Ok(Some(c))
}

/// Passport's visitor flow: a ticket for a browser fingerprint, then the
/// cookies it incarnates into.
fn visitor() -> Result<String> {
    let client = Client::new().user_agent(ua::DESKTOP);
    let fp = r#"{"os":"1","browser":"Chrome131,0,0,0","fonts":"undefined","screenInfo":"1920*1080*24","plugins":""}"#;
    let ticket = client
        .post(format!("{PASSPORT}/genvisitor"))
        .form(&[("cb", "gen_callback"), ("fp", fp)])
        .send_ok()?;
    let data = &jsonp(&ticket.text())?["data"];
    let tid = data["tid"].as_str().required("genvisitor tid")?;
    let w = if data["new_tid"] == true { 3 } else { 2 };
    let c = data["confidence"].as_u64().unwrap_or(100);
    let enc = |s: &str| {
        grabkit_sdk::url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
    };
    let resp = client
        .get(format!(
            "{PASSPORT}/visitor?a=incarnate&t={}&w={w}&c={c:03}&gc=&cb=cross_domain&from=weibo&_rand=0.5",
            enc(tid)
        ))
        .send_ok()?;
    let body = jsonp(&resp.text()).unwrap_or(Value::Null);
    let pick = |name: &str, field: &str| {
        resp.cookie(name)
            .or_else(|| body["data"][field].as_str().map(str::to_string))
    };
    let sub = pick("SUB", "sub").required("SUB cookie")?;
    let subp = pick("SUBP", "subp").unwrap_or_default();
    Ok(format!("SUB={sub}; SUBP={subp}"))
}

/// The JSON inside `callback({...})`.
fn jsonp(text: &str) -> Result<Value> {
    let start = text.find('(').required("a JSONP answer")?;
    let end = text
        .rfind(')')
        .filter(|&e| e > start)
        .required("a JSONP answer")?;
    Ok(serde_json::from_str(&text[start + 1..end])?)
}

fn media_of(status: &Value, id: &str) -> Media {
    let mid = status["mid"]
        .as_str()
        .or(status["idstr"].as_str())
        .unwrap_or(id);
    let mut media = Media::new(PLATFORM, mid);
    media.title = plain_text(status["text_raw"].as_str().unwrap_or_default());
    media.author = status["user"]["screen_name"].as_str().map(str::to_string);
    collect(status, &mut media);
    let original = &status["retweeted_status"];
    if media.images.is_empty() && media.videos.is_empty() && original.is_object() {
        collect(original, &mut media);
    }
    if media.thumbnail.is_none() {
        media.thumbnail = media.images.first().map(|i| i.url.clone());
    }
    media
}

fn dim(v: &Value) -> Option<u32> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n > 0)
}

/// Pictures in `pic_ids` order (largest size; live photos' and GIFs'
/// clips too), mixed-media items, and the page video.
fn collect(status: &Value, media: &mut Media) {
    if let Some(items) = status["mix_media_info"]["items"].as_array() {
        for item in items {
            let data = &item["data"];
            match item["type"].as_str() {
                Some("video") => playback(&data["media_info"], media),
                _ => picture(data, media),
            }
        }
        return;
    }
    for pid in status["pic_ids"].as_array().into_iter().flatten() {
        let info = &status["pic_infos"][pid.as_str().unwrap_or_default()];
        picture(info, media);
    }
    let page = &status["page_info"];
    if page["object_type"] == "video" || page["media_info"].is_object() {
        media.thumbnail = page["page_pic"].as_str().map(https);
        media.duration = page["media_info"]["duration"].as_f64().unwrap_or(0.0);
        playback(&page["media_info"], media);
    }
}

fn picture(info: &Value, media: &mut Media) {
    let largest = &info["largest"];
    if let Some(u) = largest["url"].as_str() {
        media
            .images
            .push(Image::new(https(u)).size(dim(&largest["width"]), dim(&largest["height"])));
    }
    if let Some(clip) = info["video"].as_str().filter(|_| info["type"] != "pic") {
        let label = if info["type"] == "livephoto" {
            "live photo"
        } else {
            "gif"
        };
        media.videos.push(Video::new(https(clip)).quality(label));
    }
}

/// Every entry of `playback_list`, best first; else the single stream URLs.
fn playback(info: &Value, media: &mut Media) {
    let mut list: Vec<&Value> = info["playback_list"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    list.sort_by_key(|p| std::cmp::Reverse(p["meta"]["quality_index"].as_u64().unwrap_or(0)));
    for p in list {
        let play = &p["play_info"];
        let Some(url) = play["url"].as_str() else {
            continue;
        };
        let label = play["quality_desc"]
            .as_str()
            .or(play["label"].as_str())
            .unwrap_or_default();
        media.videos.push(
            Video::new(https(url))
                .quality(quality_of(url, label))
                .mime(play["mime"].as_str().unwrap_or("video/mp4"))
                .size(dim(&play["width"]), dim(&play["height"]))
                .bitrate(play["bitrate"].as_u64().map(|kbps| kbps * 1000)),
        );
    }
    if media.videos.is_empty() {
        for key in ["replay_hd", "stream_url_hd", "stream_url"] {
            if let Some(u) = info[key].as_str().filter(|u| !u.is_empty()) {
                media
                    .videos
                    .push(Video::new(https(u)).quality(quality_of(u, "")));
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonp_bodies() {
        let v = jsonp(
            r#"window.gen_callback && gen_callback({"retcode":20000000,"data":{"tid":"a+b"}});"#,
        )
        .unwrap();
        assert_eq!(v["data"]["tid"], "a+b");
        assert!(jsonp("no callback").is_err());
    }
}
