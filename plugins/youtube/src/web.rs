//! Innertube calls as the WEB client, for the data routes (`next`,
//! `browse`, `search`, `navigation/resolve_url`), and the readers their
//! answers need: text objects and the counts YouTube prints as text.

use crate::clients::WEB;
use crate::innertube::HOST;
use grabkit_sdk::prelude::*;

/// `POST /youtubei/v1/{endpoint}` with `body` plus the WEB client context.
pub fn call(endpoint: &str, mut body: Value) -> Result<Value> {
    let mut client =
        json!({ "clientName": WEB.name, "clientVersion": WEB.version, "hl": "en", "gl": "US" });
    if let Some(vd) = config::get("visitor_data") {
        client["visitorData"] = json!(vd);
    }
    body["context"] = json!({ "client": client });
    Client::new()
        .user_agent(ua::DESKTOP)
        .post(format!(
            "https://{HOST}/youtubei/v1/{endpoint}?prettyPrint=false"
        ))
        .header("X-YouTube-Client-Name", WEB.id.to_string())
        .header("X-YouTube-Client-Version", WEB.version)
        .header("Origin", "https://www.youtube.com")
        .json(&body)
        .json_response()
        .context(endpoint)
}

/// A text object: `simpleText`, its `runs`, or a view model's `content`.
pub fn text(v: &Value) -> Option<String> {
    if let Some(s) = v["simpleText"].as_str().or_else(|| v["content"].as_str()) {
        return Some(s.to_string());
    }
    let runs = v["runs"].as_array()?;
    Some(runs.iter().filter_map(|r| r["text"].as_str()).collect())
}

/// A count as YouTube prints it: "1,234 views", "1.2M subscribers", "12K",
/// "No views" (0). `None` when there is no number in it.
pub fn count(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.to_ascii_lowercase().starts_with("no ") {
        return Some(0);
    }
    let num: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .filter(|c| *c != ',')
        .collect();
    let value: f64 = num.parse().ok()?;
    let scale = match s[num_len(s)..].trim_start().chars().next() {
        Some('K') => 1e3,
        Some('M') => 1e6,
        Some('B') => 1e9,
        _ => 1.0,
    };
    Some((value * scale).round() as u64)
}

fn num_len(s: &str) -> usize {
    s.char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | ',')))
        .map_or(s.len(), |(i, _)| i)
}

/// "12:34" or "1:02:03" in seconds.
pub fn clock(s: &str) -> Option<f64> {
    let mut total = 0u64;
    for part in s.trim().split(':') {
        total = total * 60 + part.parse::<u64>().ok()?;
    }
    Some(total as f64)
}

/// The largest thumbnail of a `thumbnails` list, https.
pub fn best_thumbnail(v: &Value) -> Option<String> {
    v["thumbnails"]
        .as_array()?
        .iter()
        .max_by_key(|t| t["width"].as_u64().unwrap_or(0))
        .and_then(|t| t["url"].as_str())
        .map(https)
}

/// The continuation token of a `continuationItemRenderer`, when `v` is one.
pub fn continuation(v: &Value) -> Option<String> {
    let r = &v["continuationItemRenderer"];
    r["continuationEndpoint"]["continuationCommand"]["token"]
        .as_str()
        .or_else(|| {
            r["button"]["buttonRenderer"]["command"]["continuationCommand"]["token"].as_str()
        })
        .map(str::to_string)
}

/// A `videoRenderer` (channel tabs, search) as a post.
pub fn video_post(v: &Value) -> Option<Post> {
    let r = &v["videoRenderer"];
    let id = r["videoId"].as_str()?;
    let live = r["badges"].as_array().is_some_and(|b| {
        b.iter()
            .any(|b| b["metadataBadgeRenderer"]["style"] == "BADGE_STYLE_TYPE_LIVE_NOW")
    });
    let owner = &r["ownerText"]["runs"][0];
    let author = owner["navigationEndpoint"]["browseEndpoint"]["browseId"]
        .as_str()
        .map(|id| Author {
            id: id.to_string(),
            name: owner["text"].as_str().map(str::to_string),
            avatar: None,
        });
    Some(Post {
        id: id.to_string(),
        url: format!("https://www.youtube.com/watch?v={id}"),
        title: text(&r["title"]).unwrap_or_default(),
        kind: if live {
            PostKind::Live
        } else {
            PostKind::Video
        },
        cover: best_thumbnail(&r["thumbnail"]),
        duration: text(&r["lengthText"]).and_then(|t| clock(&t)),
        // YouTube lists show only relative times ("2 days ago").
        created_at: None,
        stats: Stats {
            views: text(&r["viewCountText"]).and_then(|t| count(&t)),
            ..Default::default()
        },
        author,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_counts() {
        assert_eq!(count("1,234 views"), Some(1234));
        assert_eq!(count("1.2M subscribers"), Some(1_200_000));
        assert_eq!(count("12K"), Some(12_000));
        assert_eq!(count("No views"), Some(0));
        assert_eq!(count("views"), None);
        assert_eq!(clock("1:02:03"), Some(3723.0));
    }
}
