//! A status from the mobile PWA JSON: text, author, pictures (largest
//! size), video streams, mixed-media entries, and a retweet's original.

use crate::{PLATFORM, quality_of, template_size};
use grabkit_sdk::prelude::*;

fn client(id: &str) -> Client {
    Client::new()
        .user_agent(ua::IOS)
        .header("MWeibo-Pwa", "1")
        .header("X-Requested-With", "XMLHttpRequest")
        .header("Accept", "application/json, text/plain, */*")
        .header("Referer", format!("https://m.weibo.cn/detail/{id}"))
}

/// GET a PWA endpoint; a redirect (to the passport) or `ok:-100` means Weibo wants a session.
fn call(client: &Client, what: &str, url: &str) -> Result<Value> {
    let resp = client.get(url).no_redirects().send().context(what)?;
    match resp.status {
        300..=399 => {
            return Err(Error::login_required(format!(
                "{what}: Weibo redirected to {} (a visitor or login cookie is needed)",
                resp.header("location").unwrap_or("a login page")
            )));
        }
        403 | 418 | 432 => {
            return Err(Error::rate_limited(format!(
                "{what}: Weibo refused the request (HTTP {})",
                resp.status
            )));
        }
        _ => {}
    }
    let body: Value = resp
        .error_for_status()
        .context(what)?
        .json()
        .context(what)?;
    match body["ok"].as_i64() {
        Some(1) => Ok(body["data"].clone()),
        Some(-100) => Err(Error::login_required(format!(
            "{what}: Weibo asks for a login"
        ))),
        _ => Err(Error::not_found(format!(
            "{what}: {}",
            body["msg"]
                .as_str()
                .unwrap_or("the post does not exist or is not visible")
        ))),
    }
}

pub fn parse(id: &str) -> Result<Media> {
    let client = client(id);
    let data = call(
        &client,
        "statuses/show",
        &format!("https://m.weibo.cn/statuses/show?id={id}"),
    )?;
    let mut media = Media::new(
        PLATFORM,
        data["mid"].as_str().or(data["id"].as_str()).unwrap_or(id),
    );
    let mut text = data["text"].as_str().unwrap_or_default().to_string();
    if data["isLongText"] == true {
        match call(
            &client,
            "statuses/extend",
            &format!("https://m.weibo.cn/statuses/extend?id={id}"),
        ) {
            Ok(ext) => {
                text = ext["longTextContent"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or(text)
            }
            Err(e) => log::info(&format!(
                "long text unavailable, keeping the short text: {e}"
            )),
        }
    }
    media.title = plain_text(&text);
    media.author = data["user"]["screen_name"].as_str().map(str::to_string);
    collect(&data, &mut media);
    // A retweet without media of its own: the original's media.
    let original = &data["retweeted_status"];
    if media.images.is_empty() && media.videos.is_empty() && original.is_object() {
        collect(original, &mut media);
        if media.author.is_none() {
            media.author = original["user"]["screen_name"].as_str().map(str::to_string);
        }
    }
    Ok(media)
}

/// Pictures, mixed-media videos and the page video of one status.
fn collect(status: &Value, media: &mut Media) {
    for pic in status["pics"].as_array().into_iter().flatten() {
        if pic["type"] == "video" {
            if let Some(src) = pic["videoSrc"].as_str() {
                let (w, h) = template_size(src);
                media.videos.push(
                    Video::new(https(src))
                        .quality(quality_of(src, ""))
                        .size(w, h),
                );
            }
            continue;
        }
        let large = &pic["large"];
        let Some(url) = large["url"].as_str().or(pic["url"].as_str()) else {
            continue;
        };
        let dim = |v: &Value| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .and_then(|n| u32::try_from(n).ok())
        };
        media.images.push(
            Image::new(https(url)).size(dim(&large["geo"]["width"]), dim(&large["geo"]["height"])),
        );
    }
    let page = &status["page_info"];
    if page["type"] == "video" {
        media.thumbnail = page["page_pic"]["url"].as_str().map(https);
        media.duration = page["media_info"]["duration"].as_f64().unwrap_or(0.0);
        // Best first; the same file often appears under several keys.
        let candidates = [
            &page["urls"]["mp4_1080p_mp4"],
            &page["urls"]["mp4_720p_mp4"],
            &page["media_info"]["mp4_720p_mp4"],
            &page["urls"]["mp4_hd_mp4"],
            &page["media_info"]["mp4_hd_url"],
            &page["media_info"]["stream_url_hd"],
            &page["urls"]["mp4_ld_mp4"],
            &page["media_info"]["mp4_sd_url"],
            &page["media_info"]["stream_url"],
        ];
        let mut seen_labels = Vec::new();
        for url in candidates
            .iter()
            .filter_map(|v| v.as_str())
            .filter(|u| !u.is_empty())
        {
            let q = quality_of(url, "");
            if seen_labels.contains(&q) || media.videos.iter().any(|v| v.url == https(url)) {
                continue;
            }
            seen_labels.push(q.clone());
            let (w, h) = template_size(url);
            media
                .videos
                .push(Video::new(https(url)).quality(q).size(w, h));
        }
    } else if media.thumbnail.is_none() {
        media.thumbnail = media.images.first().map(|i| i.url.clone());
    }
}

/// Status HTML → plain text: `<br>` becomes a newline, tags go, entities decode.
pub fn plain_text(html: &str) -> String {
    let with_breaks = html
        .replace("<br />", "\n")
        .replace("<br/>", "\n")
        .replace("<br>", "\n");
    let mut out = String::with_capacity(with_breaks.len());
    let mut in_tag = false;
    for c in with_breaks.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_to_text() {
        assert_eq!(
            plain_text(
                "快乐童年。 <br /><a href=\"x\"><span class=\"surl-text\">视频</span></a> &amp; more"
            ),
            "快乐童年。 \n视频 & more"
        );
    }
}
