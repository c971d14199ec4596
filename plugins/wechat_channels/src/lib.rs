//! WeChat Channels (视频号). There is no public web page for a Channels post,
//! so the plugin uses the two server-side steps public tools use:
//! 1. a share link (`weixin.qq.com/sph/{id}`, `finder-preview/pages/sph?id=`,
//!    or a web feed link) goes through Tencent Yuanbao's parser, which needs
//!    the operator's Yuanbao login (a `wechat_channels` account) and
//!    answers a `finder-preview` link carrying `token` and `eid`;
//! 2. `finder-preview/api/feed/get_feed_info` turns `token` + `eid` into the
//!    post (no cookie). A pasted `finder-preview/pages/feed?token&eid` link
//!    starts at step 2.

use grabkit_sdk::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Share,
    Preview,
    WebFeed,
}

const LINKS: Links<Link> = &[
    (Link::Share, "weixin.qq.com/sph/{id}"),
    (
        Link::Share,
        "channels.weixin.qq.com/finder-preview/pages/sph?id={id}",
    ),
    (
        Link::Preview,
        "channels.weixin.qq.com/finder-preview/pages/feed?token={token}&eid={eid}",
    ),
    (
        Link::WebFeed,
        "channels.weixin.qq.com/web/pages/feed?oid={oid}&nid={nid}",
    ),
    (
        Link::WebFeed,
        "channels.weixin.qq.com/web/pages/feed?eid={eid}",
    ),
];

const PLATFORM: &str = "wechat_channels";
const CHANNELS: &str = "https://channels.weixin.qq.com";

struct WechatChannels;

impl Plugin for WechatChannels {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-wechat-channels".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: PLATFORM.into(),
            url_patterns: patterns(LINKS),
            allowed_hosts: vec![
                "yuanbao.tencent.com".into(),
                "channels.weixin.qq.com".into(),
            ],
            insecure_hosts: vec![],
            download_headers: vec![
                ("Referer".into(), "https://channels.weixin.qq.com/".into()),
                ("User-Agent".into(), ua::DESKTOP.into()),
            ],
            media_hosts: vec![
                "*.video.qq.com".into(),
                "*.qpic.cn".into(),
                "*.qlogo.cn".into(),
                "wxapp.tc.qq.com".into(),
                "res.wx.qq.com".into(),
            ],
            capabilities: Vec::new(),
        }
    }

    fn parse(input: &str) -> Result<Media> {
        let link = route(input, LINKS)?;
        let (token, eid) = match link.kind {
            Link::Preview => (
                link.query("token").unwrap_or_default(),
                link.query("eid").unwrap_or_default(),
            ),
            Link::Share | Link::WebFeed => yuanbao(link.url.as_str())?,
        };
        feed_info(&token, &eid)
    }
}

/// Step 1: Yuanbao's parser → (generalToken, exportId).
fn yuanbao(share_url: &str) -> Result<(String, String)> {
    // The host sends the account's Yuanbao cookies.
    if !account::present() {
        return Err(Error::login_required(
            "WeChat Channels links need a Tencent Yuanbao login: import its cookies as a \
             wechat_channels account (`grabkit accounts import wechat_channels cookies.txt`), \
             or paste the finder-preview link with token and eid",
        ));
    }
    let resp = Client::new()
        .user_agent(ua::DESKTOP)
        .post("https://yuanbao.tencent.com/api/weixin/get_parse_result")
        .header("Origin", "https://yuanbao.tencent.com")
        .header("Referer", "https://yuanbao.tencent.com/")
        .header("Accept", "application/json, text/plain, */*")
        .header("X-Requested-With", "XMLHttpRequest")
        .header("X-Source", "web")
        .header("X-Platform", "mac")
        .header("X-Language", "zh-CN")
        .json(&json!({"type": "video_channel_url", "url": share_url, "scene": 1}))
        .send()
        .context("Yuanbao parse")?;
    if resp.status == 401 || resp.status == 403 {
        return Err(Error::login_required(
            "the Yuanbao cookie was refused (expired or invalid)",
        ));
    }
    let body: Value = resp
        .error_for_status()
        .context("Yuanbao parse")?
        .json()
        .context("Yuanbao parse")?;
    if body["code"].as_i64().unwrap_or(0) != 0 {
        return Err(Error::not_found(format!(
            "Yuanbao could not resolve the link: {}",
            body["msg"].as_str().unwrap_or("unknown error")
        )));
    }
    let playable = body["data"]["playable_url"].as_str().ok_or_else(|| {
        Error::not_found(
            "Yuanbao returned no playable link (private, deleted, or the cookie expired)",
        )
    })?;
    let url =
        Url::parse(playable).map_err(|e| Error::parse(format!("Yuanbao's playable_url: {e}")))?;
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    let token = q("token").ok_or_else(|| {
        Error::login_required("Yuanbao's link has no token (log in to Yuanbao again)")
    })?;
    let eid = q("eid")
        .or_else(|| body["data"]["wx_export_id"].as_str().map(str::to_string))
        .required("eid")?;
    Ok((token, eid))
}

/// Step 2: the post behind a token + export id.
fn feed_info(token: &str, eid: &str) -> Result<Media> {
    if token.is_empty() || eid.is_empty() {
        return Err(Error::unsupported(
            "the finder-preview link needs both `token` and `eid`",
        ));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // `_rid`: hex seconds and 8 random hex digits (std's hasher seed comes from the host's random source).
    use std::hash::{BuildHasher, Hasher};
    let noise = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish() as u32;
    let rid = format!("{secs:x}-{noise:08x}");
    let enc = |s: &str| {
        grabkit_sdk::url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
    };
    let referer = format!(
        "{CHANNELS}/finder-preview/pages/feed?entry_card_type=48&comment_scene=39&appid=0&token={}&entry_scene=0&eid={}",
        enc(token),
        enc(eid)
    );
    let body: Value = Client::new()
        .user_agent(ua::DESKTOP)
        .post(format!("{CHANNELS}/finder-preview/api/feed/get_feed_info?_rid={rid}&_pageUrl=https:%2F%2Fchannels.weixin.qq.com%2Ffinder-preview%2Fpages%2Ffeed"))
        .header("Origin", CHANNELS)
        .header("Referer", referer)
        .json(&json!({"baseReq": {"generalToken": token}, "exportId": eid}))
        .json_response()
        .context("get_feed_info")?;
    if body["errCode"].as_i64().unwrap_or(0) != 0 {
        return Err(Error::upstream(format!(
            "get_feed_info: {}",
            plain(body["errMsg"].as_str().unwrap_or("error"))
        )));
    }
    let data = &body["data"];
    if data["errMsg"]["type"].as_i64().unwrap_or(0) != 0 {
        let why = [
            data["errMsg"]["title"].as_str().unwrap_or_default(),
            data["errMsg"]["content"].as_str().unwrap_or_default(),
        ]
        .map(plain)
        .join(" ");
        return Err(Error::private(format!(
            "the post cannot be shown outside WeChat: {}",
            why.trim()
        )));
    }
    let feed = &data["feedInfo"];
    if !feed.is_object() {
        return Err(Error::not_found("get_feed_info returned no post"));
    }
    if feed["liveInfo"].is_object() || feed["mediaType"] == 9 {
        return Err(Error::unsupported(
            "live streams and live replays are not single posts",
        ));
    }
    let mut media = Media::new(PLATFORM, eid.trim_start_matches("export/"));
    media.title = feed["description"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_string();
    media.author = data["authorInfo"]["nickname"].as_str().map(str::to_string);
    media.thumbnail = feed["coverUrl"]
        .as_str()
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    if let Some(pics) = feed["picInfo"].as_array().filter(|p| !p.is_empty()) {
        let dim = |v: &Value| {
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|&n| n > 0)
        };
        media.images = pics
            .iter()
            .filter_map(|p| {
                p["url"]
                    .as_str()
                    .map(|u| Image::new(u).size(dim(&p["width"]), dim(&p["height"])))
            })
            .collect();
        if let Some(bgm) = feed["bgmInfo"]["bgmUrl"]
            .as_str()
            .or(feed["bgmInfo"]["mediaStreamingUrl"].as_str())
            .filter(|u| !u.is_empty())
        {
            media
                .audios
                .push(Audio::new(bgm).quality("music").mime("audio/mpeg"));
        }
    } else {
        let h264 = feed["h264VideoInfo"]["videoUrl"]
            .as_str()
            .or(feed["videoUrl"].as_str())
            .filter(|u| !u.is_empty());
        let h265 = feed["h265VideoInfo"]["videoUrl"]
            .as_str()
            .filter(|u| !u.is_empty());
        // The key may come as a string or a bare number; "0" or none means plaintext.
        let key = feed["decodeKey"]
            .as_str()
            .map(str::to_string)
            .or_else(|| feed["decodeKey"].as_u64().map(|n| n.to_string()))
            .filter(|k| k != "0" && !k.is_empty());
        let with_key = |v: Video| match &key {
            Some(k) => v.decryption_key(k.clone()),
            None => v,
        };
        media
            .videos
            .extend(h264.map(|u| with_key(Video::new(u).codec("avc"))));
        media.videos.extend(
            h265.filter(|u| Some(*u) != h264)
                .map(|u| with_key(Video::new(u).codec("hevc"))),
        );
    }
    Ok(media)
}

/// Error text may carry HTML.
fn plain(s: &str) -> String {
    let mut out = String::new();
    let mut tag = false;
    for c in s.chars() {
        match c {
            '<' => tag = true,
            '>' => tag = false,
            _ if !tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

grabkit_sdk::export_plugin!(WechatChannels);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_forms() {
        let k = |u: &str| kind_of(u, LINKS);
        assert_eq!(
            k("看看这个视频号 https://weixin.qq.com/sph/AkBAEKjbtY，"),
            Some(Link::Share)
        );
        assert_eq!(
            k("https://channels.weixin.qq.com/finder-preview/pages/sph?id=AoPX5bEBDd"),
            Some(Link::Share)
        );
        assert_eq!(
            k(
                "https://channels.weixin.qq.com/finder-preview/pages/feed?appid=51&token=T&eid=export%2FABC"
            ),
            Some(Link::Preview)
        );
        assert_eq!(
            k(
                "https://channels.weixin.qq.com/web/pages/feed?oid=zagCB5LjCrE&nid=d3pMFaDgxy4&context_id=1"
            ),
            Some(Link::WebFeed)
        );
        assert_eq!(k("https://channels.weixin.qq.com/web/pages/home"), None);
        assert_eq!(plain("<b>视频无法播放</b>"), "视频无法播放");
    }
}
