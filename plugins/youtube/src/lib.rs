//! YouTube: `youtube.com/watch?v={id}` (extra parameters such as `t` or
//! `list` ignored), `youtu.be/{id}`, `/shorts/{id}`, `/live/{id}`,
//! `/embed/{id}`, `/v/{id}`, on `www.`, `m.`, `music.` and
//! `youtube-nocookie.com`.
//!
//! Route: innertube `youtubei/v1/player`, asking as one client after another
//! (see [`clients`]) until one can play the video; the log says which did.
//! Clients whose formats are protected get their signature and `n` solved by
//! the player script's own transforms, run in an embedded JavaScript engine
//! ([`engine`]). Operator config: `clients`, `po_token`, `visitor_data`,
//! `player_id`.
//!
//! Beyond parse: comments (`next`), channel profiles and uploads
//! (`browse`), search (`search`) and live rooms (see each module).

mod channel;
mod clients;
mod clip;
mod comments;
mod engine;
mod extract;
mod formats;
mod innertube;
mod live;
mod player_js;
mod search;
mod web;

use clients::ClientKind;
use engine::Solver;
use extract::Transforms;
use grabkit_sdk::prelude::*;
use innertube::Session;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Video,
    /// `attribution_link?u=/watch?v=…`: the video is in `u`.
    Attribution,
    /// `clip/{id}`: a section of a video, named by the clip page.
    Clip,
}

const LINKS: Links<Link> = &[
    (Link::Video, "*.youtube.com/watch?v={id}"),
    (Link::Video, "*.youtube.com/shorts/{id}"),
    (Link::Video, "*.youtube.com/live/{id}"),
    (Link::Video, "*.youtube.com/embed/{id}"),
    (Link::Video, "*.youtube.com/v/{id}"),
    (Link::Video, "*.youtube.com/e/{id}"),
    (Link::Video, "*.youtube-nocookie.com/embed/{id}"),
    (Link::Video, "youtu.be/{id}"),
    (Link::Video, "*.youtubekids.com/watch?v={id}"),
    (Link::Video, "*.youtube.com/watch_popup?v={id}"),
    (Link::Attribution, "*.youtube.com/attribution_link?u={u}"),
    (Link::Clip, "*.youtube.com/clip/{clip}"),
];

/// A channel, by any of its link forms (a tab after it is fine).
const CHANNEL_LINKS: Links<()> = &[
    ((), "*.youtube.com/@{handle}"),
    ((), "*.youtube.com/@{handle}/*"),
    ((), "*.youtube.com/channel/UC{id}"),
    ((), "*.youtube.com/channel/UC{id}/*"),
    ((), "*.youtube.com/c/{name}"),
    ((), "*.youtube.com/c/{name}/*"),
    ((), "*.youtube.com/user/{name}"),
    ((), "*.youtube.com/user/{name}/*"),
];

/// A channel's live page (its current broadcast), or a broadcast's own link.
const LIVE_LINKS: Links<()> = &[
    ((), "*.youtube.com/live/{id}"),
    ((), "*.youtube.com/@{handle}/live"),
    ((), "*.youtube.com/channel/UC{id}/live"),
    ((), "*.youtube.com/c/{name}/live"),
    ((), "*.youtube.com/user/{name}/live"),
];

const PLATFORM: &str = "youtube";

struct Youtube;

impl Plugin for Youtube {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-youtube".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: PLATFORM.into(),
            url_patterns: patterns(LINKS),
            allowed_hosts: vec![innertube::HOST.into()],
            insecure_hosts: vec![],
            download_headers: vec![
                ("Referer".into(), "https://www.youtube.com/".into()),
                ("Origin".into(), "https://www.youtube.com".into()),
                ("User-Agent".into(), ua::DESKTOP.into()),
            ],
            media_hosts: vec!["*.googlevideo.com".into(), "*.ytimg.com".into()],
            capabilities: vec![
                Capability::new(CapabilityKind::Comments, Vec::new()),
                Capability::new(CapabilityKind::Profile, patterns(CHANNEL_LINKS)),
                Capability::new(CapabilityKind::Posts, patterns(CHANNEL_LINKS)),
                Capability::new(CapabilityKind::Search, Vec::new()),
                Capability::new(CapabilityKind::Live, patterns(LIVE_LINKS)),
            ],
        }
    }

    fn comments(url: &str, page: Page) -> Result<CommentPage> {
        comments::page(&video_id(url)?, &page)
    }

    fn replies(url: &str, comment_id: &str, page: Page) -> Result<CommentPage> {
        comments::replies(&video_id(url)?, comment_id, &page)
    }

    fn profile(url: &str) -> Result<User> {
        channel::profile(&channel_of(url)?)
    }

    fn posts(url: &str, page: Page) -> Result<PostPage> {
        let id = channel_of(url)?;
        let mut posts = channel::videos(&id, &page)?;
        if page.cursor.is_none() {
            posts.user = channel::profile(&id).ok();
        }
        Ok(posts)
    }

    fn search(query: &str, kind: SearchKind, page: Page) -> Result<SearchPage> {
        search::search(query, kind, &page)
    }

    fn live(url: &str) -> Result<LiveRoom> {
        if let Ok(link) = route(url, LIVE_LINKS)
            && link.cap("id").is_empty()
        {
            let video = live::current_broadcast(&link.url)?;
            let channel = link
                .url
                .path()
                .trim_end_matches("/live")
                .trim_start_matches('/');
            return live::room(channel, video.as_deref());
        }
        let id = video_id(url)?;
        live::room(&id, Some(&id))
    }

    fn parse(input: &str) -> Result<Media> {
        // A clip is its video plus the section it names.
        let clip = match route(input, LINKS)? {
            l if l.kind == Link::Clip => Some(clip::of(l.cap("clip"))?),
            _ => None,
        };
        let id = &match &clip {
            Some(c) => c.video.clone(),
            None => video_id(input)?,
        };
        let session = Session::from_config();
        let mut player: Option<Result<Transforms>> = None;
        let mut failures: Vec<(&str, Error)> = Vec::new();
        for client in clients::chosen(config::get("clients").as_deref()) {
            let transforms = if client.needs_player {
                match player.get_or_insert_with(player_js::transforms) {
                    Ok(t) => Some(t.clone()),
                    Err(e) => {
                        // Our own step failed, not the video: never let it
                        // pass for "not found" (a 404 of the script URL).
                        let why = format!("player script: {}", e.message);
                        let ours = match e.kind {
                            ErrorKind::RateLimited => Error::rate_limited(why),
                            _ => Error::upstream(why),
                        };
                        failures.push((client.key, ours));
                        continue;
                    }
                }
            } else {
                None
            };
            match attempt(&client, id, transforms.as_ref(), &session) {
                Ok(mut media) => {
                    log::info(&format!("answered by the innertube {} client", client.key));
                    if let Some(c) = &clip {
                        media.id = c.id.clone();
                        media.clip = Some((c.start, c.end));
                    }
                    return Ok(media);
                }
                Err(e) => {
                    log::debug(&format!("{} client: {}", client.key, e.message));
                    // These hold whoever asks; another client will not change them.
                    // ("Unavailable" may be one client's view, e.g. made-for-kids videos.)
                    let settled = matches!(e.kind, ErrorKind::Private | ErrorKind::GeoBlocked);
                    failures.push((client.key, e));
                    if settled {
                        break;
                    }
                }
            }
        }
        Err(verdict(failures, id))
    }
}

/// The channel id behind a channel link, or a video link's channel.
fn channel_of(input: &str) -> Result<String> {
    if let Ok(link) = route(input, CHANNEL_LINKS) {
        return channel::channel_id(&link.url);
    }
    let id = video_id(input)?;
    let session = Session::from_config();
    let resp = innertube::player(&clients::VISIONOS, &id, None, &session)?;
    if let Some(e) = innertube::refusal(&resp) {
        return Err(e);
    }
    let channel = resp["videoDetails"]["channelId"].as_str();
    channel
        .map(str::to_string)
        .required("videoDetails.channelId")
}

/// The 11-character id of the one video `input` names.
fn video_id(input: &str) -> Result<String> {
    let link = route(input, LINKS)?;
    let inner = match link.kind {
        Link::Video => None,
        Link::Clip => Some(clip::of(link.cap("clip"))?.video),
        Link::Attribution => link.query("u").and_then(|u| {
            let url = Url::parse("https://www.youtube.com").ok()?.join(&u).ok()?;
            url.query_pairs()
                .find(|(k, _)| k == "v")
                .map(|(_, v)| v.into_owned())
        }),
    };
    let id = inner.unwrap_or_else(|| link.cap("id").to_string());
    // Embedded playlists and channels' live players look like video ids.
    let shaped = id.len() == 11
        && !matches!(id.as_str(), "videoseries" | "live_stream")
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !shaped {
        return Err(Error::unsupported(format!(
            "{} does not name a single video",
            link.url
        )));
    }
    Ok(id)
}

/// One client's try: the player response, checked and read into media.
fn attempt(
    client: &ClientKind,
    id: &str,
    transforms: Option<&Transforms>,
    session: &Session,
) -> Result<Media> {
    let resp = innertube::player(client, id, transforms.and_then(|t| t.sts), session)?;
    if let Some(e) = innertube::refusal(&resp) {
        return Err(e);
    }
    let details = &resp["videoDetails"];
    // YouTube sometimes answers with another video's player.
    if details["videoId"].as_str().is_some_and(|v| v != id) {
        return Err(Error::upstream(format!(
            "answered for another video ({})",
            details["videoId"]
        )));
    }
    let mut media = Media::new(PLATFORM, id);
    media.title = details["title"].as_str().unwrap_or_default().to_string();
    media.author = details["author"].as_str().map(str::to_string);
    media.duration = details["lengthSeconds"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .or(details["lengthSeconds"].as_f64())
        .unwrap_or(0.0);
    media.thumbnail = details["thumbnail"]["thumbnails"]
        .as_array()
        .and_then(|t| t.iter().max_by_key(|t| t["width"].as_u64().unwrap_or(0)))
        .and_then(|t| t["url"].as_str())
        .map(str::to_string);
    let streaming = &resp["streamingData"];
    let live = details["isLive"] == true;
    if live && streaming["hlsManifestUrl"].is_null() {
        return Err(Error::upstream(
            "live broadcast without an HLS playlist for this client",
        ));
    }
    let mut solver = transforms.map(Solver::new).transpose()?;
    formats::collect(streaming, solver.as_mut(), &mut media)?;
    if let (true, Some(pot)) = (client.needs_player, &session.po_token) {
        for url in media
            .videos
            .iter_mut()
            .map(|v| &mut v.url)
            .chain(media.audios.iter_mut().map(|a| &mut a.url))
        {
            url.push_str(&format!("&pot={pot}"));
        }
    }
    if media.videos.is_empty() && media.audios.is_empty() {
        return Err(Error::upstream(
            "no format this client can download (protected or streaming-only formats)",
        ));
    }
    media.subtitles = captions(&resp);
    media.stats.views = details["viewCount"].as_str().and_then(|v| v.parse().ok());
    let micro = &resp["microformat"]["playerMicroformatRenderer"];
    media.published_at = micro["publishDate"].as_str().and_then(unix_time);
    if let Some(ua) = client.user_agent {
        // Stream URLs are bound to the client that asked for them.
        media.headers.push(("User-Agent".into(), ua.into()));
    }
    Ok(media)
}

/// The caption tracks (`captionTracks`), as WebVTT; `kind: asr` marks the
/// speech-recognised ones.
fn captions(resp: &Value) -> Vec<Subtitle> {
    let tracks = &resp["captions"]["playerCaptionsTracklistRenderer"]["captionTracks"];
    let text = |v: &Value| {
        v["simpleText"].as_str().map(str::to_string).or_else(|| {
            let runs = v["runs"].as_array()?;
            Some(runs.iter().filter_map(|r| r["text"].as_str()).collect())
        })
    };
    tracks
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let base = t["baseUrl"].as_str()?;
            let url = https(base).replace("&fmt=srv3", "");
            Some(Subtitle {
                url: format!("{url}&fmt=vtt"),
                language: t["languageCode"].as_str().unwrap_or("und").to_string(),
                label: text(&t["name"]).unwrap_or_default(),
                format: "vtt".into(),
                auto_generated: t["kind"] == "asr",
            })
        })
        .collect()
}

/// Unix seconds of "2024-05-01", "2024-05-01T09:30:00-07:00" (the offset
/// applied) or "…Z".
fn unix_time(s: &str) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let mut t = days * 86_400;
    if s.len() >= 19 {
        t += num(11..13)? * 3600 + num(14..16)? * 60 + num(17..19)?;
        let zone = &s[19..];
        if let Some(sign) = zone.chars().next().filter(|c| *c == '+' || *c == '-') {
            let off = num(20..22)? * 3600 + num(23..25)? * 60;
            t += if sign == '+' { -off } else { off };
        }
    }
    Some(t)
}

/// The verdict when no client could play the video: the most telling refusal.
fn verdict(failures: Vec<(&str, Error)>, id: &str) -> Error {
    let summary = failures
        .iter()
        .map(|(c, e)| format!("{c}: {}", e.message))
        .collect::<Vec<_>>()
        .join("; ");
    let order = [
        ErrorKind::Private,
        ErrorKind::GeoBlocked,
        ErrorKind::NotFound,
        ErrorKind::LoginRequired,
        ErrorKind::RateLimited,
        ErrorKind::ParseFailed,
    ];
    let kind = order
        .into_iter()
        .find(|k| failures.iter().any(|(_, e)| e.kind == *k))
        .unwrap_or(ErrorKind::UpstreamFailed);
    Error::new(kind, format!("video {id}: {summary}"))
}

grabkit_sdk::export_plugin!(Youtube);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_dates() {
        assert_eq!(unix_time("1970-01-02"), Some(86_400));
        assert_eq!(unix_time("2024-05-01T09:30:00-07:00"), Some(1_714_581_000));
        assert_eq!(unix_time("2024-05-01T16:30:00Z"), Some(1_714_581_000));
        assert_eq!(unix_time("May 1"), None);
    }

    #[test]
    fn link_forms() {
        for u in [
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s&list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs",
            "https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
            "https://music.youtube.com/watch?v=dQw4w9WgXcQ&si=abc",
            "https://youtu.be/dQw4w9WgXcQ?si=xyz",
            "https://www.youtube.com/shorts/dQw4w9WgXcQ",
            "https://www.youtube.com/live/dQw4w9WgXcQ?feature=share",
            "https://www.youtube.com/embed/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "https://youtube.com/v/dQw4w9WgXcQ",
            "https://www.youtubekids.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com/watch_popup?v=dQw4w9WgXcQ",
            "https://www.youtube.com/attribution_link?a=x&u=%2Fwatch%3Fv%3DdQw4w9WgXcQ%26feature%3Dshare",
        ] {
            assert_eq!(video_id(u).ok().as_deref(), Some("dQw4w9WgXcQ"), "{u}");
        }
        for u in [
            "https://www.youtube.com/embed/videoseries?list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs",
            "https://www.youtube.com/embed/live_stream?channel=UCLA_DiR1FfKNvjuUpBHmylQ",
        ] {
            let e = video_id(u).unwrap_err();
            assert_eq!(e.kind, ErrorKind::UnsupportedUrl, "{u}");
        }
        for u in [
            "https://www.youtube.com/playlist?list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs",
            "https://www.youtube.com/@NASA",
            "https://www.youtube.com/channel/UCLA_DiR1FfKNvjuUpBHmylQ",
            "https://www.youtube.com/post/UgkxABC",
            "https://www.youtube.com/feed/trending",
        ] {
            assert!(route(u, LINKS).is_err(), "{u}");
        }
    }

    #[test]
    fn verdicts_prefer_the_settled_answer() {
        let v = verdict(
            vec![
                ("visionos", Error::rate_limited("bot")),
                ("web", Error::login_required("age")),
            ],
            "x",
        );
        assert_eq!(v.kind, ErrorKind::LoginRequired);
        assert!(v.message.contains("visionos: bot; web: age"));
        assert_eq!(
            verdict(vec![("web", Error::upstream("a"))], "x").kind,
            ErrorKind::UpstreamFailed
        );
    }
}
