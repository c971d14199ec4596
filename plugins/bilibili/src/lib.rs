//! Bilibili: videos (BV/av, multi-part `?p=`), list-player links, bangumi
//! episodes and seasons, paid-course (cheese) episodes, b23.tv / bili.im short
//! links, bilibili.tv videos and episodes (where bili.im leads), embedded
//! players (`player.bilibili.com`), and picture posts (opus, dynamics).
//!
//! Routes (the ones yt-dlp and the API docs use today):
//! - `x/web-interface/view` for metadata and the part's `cid`;
//! - `x/player/wbi/playurl` (WBI-signed) with `fnval=4048` for every DASH
//!   stream (when refused: the video page's `window.__playinfo__`), and once
//!   more with `fnval=1&platform=html5` for a progressive mp4;
//! - `pgc/view/web/season` + `pgc/player/web/v2/playurl` for bangumi;
//! - `pugv/view/web/season` + `pugv/player/web/playurl` for courses;
//! - `api.bilibili.tv/intl/gateway/web/playurl` for bilibili.tv (`aid` or `ep_id`);
//! - `x/polymer/web-dynamic/v1/detail` for picture posts (see `dynamic`).
//!
//! Beyond parse: a video's comments and replies (`comments`), a space's
//! profile and uploads (`space`), search (`search`) and live rooms (`live`).

mod api;
mod comments;
mod dynamic;
mod live;
mod search;
mod space;
mod streams;
mod view;
mod wbi;

use api::{API, call, call_as, client};
use grabkit_sdk::prelude::*;
use streams::PlayInfo;
use view::{Dimension, View};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Bv,
    Av,
    List,
    Festival,
    Episode,
    Season,
    CourseSeason,
    CourseEpisode,
    Short,
    Intl,
    IntlEpisode,
    Dynamic,
}

const LINKS: Links<Link> = &[
    (Link::Bv, "*.bilibili.com/video/BV{bvid}"),
    (Link::Av, "*.bilibili.com/video/av{aid:num}"),
    (Link::List, "*.bilibili.com/list/{mid:num}?bvid=BV{bvid}"),
    (
        Link::Festival,
        "*.bilibili.com/festival/{name}?bvid=BV{bvid}",
    ),
    (Link::Episode, "*.bilibili.com/bangumi/play/ep{ep:num}"),
    (Link::Season, "*.bilibili.com/bangumi/play/ss{ss:num}"),
    (Link::CourseSeason, "*.bilibili.com/cheese/play/ss{ss:num}"),
    (Link::CourseEpisode, "*.bilibili.com/cheese/play/ep{ep:num}"),
    (Link::Short, "b23.tv/{code}"),
    (Link::Short, "bili.im/{code}"),
    (Link::Short, "*.bili2233.cn/{code}"),
    (Link::Intl, "*.bilibili.tv/{lang}/video/{aid:num}"),
    (Link::Intl, "*.bilibili.tv/video/{aid:num}"),
    (
        Link::IntlEpisode,
        "*.bilibili.tv/{lang}/play/{season:num}/{ep:num}",
    ),
    (
        Link::IntlEpisode,
        "*.bilibili.tv/play/{season:num}/{ep:num}",
    ),
    (Link::Bv, "player.bilibili.com/player.html?bvid=BV{bvid}"),
    (Link::Av, "player.bilibili.com/player.html?aid={aid:num}"),
    (Link::Dynamic, "*.bilibili.com/opus/{id:num}"),
    (Link::Dynamic, "*.bilibili.com/dynamic/{id:num}"),
    (Link::Dynamic, "t.bilibili.com/{id:num}"),
];

/// A user's space.
const USER_LINKS: Links<()> = &[
    ((), "space.bilibili.com/{mid:num}"),
    ((), "space.bilibili.com/{mid:num}/**"),
    ((), "m.bilibili.com/space/{mid:num}"),
];

/// A live room (short or real id).
const LIVE_LINKS: Links<()> = &[
    ((), "live.bilibili.com/{room:num}"),
    ((), "live.bilibili.com/h5/{room:num}"),
    ((), "live.bilibili.com/blanc/{room:num}"),
];

pub(crate) const PLATFORM: &str = "bilibili";

struct Bilibili;

impl Plugin for Bilibili {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-bilibili".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: PLATFORM.into(),
            url_patterns: patterns(LINKS),
            allowed_hosts: vec![
                "api.bilibili.com".into(),
                "b23.tv".into(),
                "bili.im".into(),
                "*.bili2233.cn".into(),
                "api.bilibili.tv".into(),
                "www.bilibili.tv".into(),
                "www.bilibili.com".into(),
                "api.live.bilibili.com".into(),
            ],
            insecure_hosts: vec![],
            download_headers: vec![
                ("Referer".into(), "https://www.bilibili.com/".into()),
                ("User-Agent".into(), ua::DESKTOP.into()),
            ],
            media_hosts: vec![
                "*.bilivideo.com".into(),
                "*.bilivideo.cn".into(),
                "*.akamaized.net".into(),
                "*.hdslb.com".into(),
                "*.bstarstatic.com".into(),
                "*.bilibili.com".into(),
            ],
            capabilities: vec![
                Capability::new(CapabilityKind::Comments, Vec::new()),
                Capability::new(CapabilityKind::Profile, patterns(USER_LINKS)),
                Capability::new(CapabilityKind::Posts, patterns(USER_LINKS)),
                Capability::new(CapabilityKind::Search, Vec::new()),
                Capability::new(CapabilityKind::Live, patterns(LIVE_LINKS)),
            ],
        }
    }

    fn comments(url: &str, page: Page) -> Result<CommentPage> {
        let client = client();
        comments::page(&client, video_aid(&client, url)?, &page)
    }

    fn replies(url: &str, comment_id: &str, page: Page) -> Result<CommentPage> {
        let client = client();
        comments::replies(&client, video_aid(&client, url)?, comment_id, &page)
    }

    fn profile(url: &str) -> Result<User> {
        let client = client();
        space::profile(&client, &user_mid(&client, url)?)
    }

    fn posts(url: &str, page: Page) -> Result<PostPage> {
        let client = client();
        let mid = user_mid(&client, url)?;
        let mut posts = space::uploads(&client, &mid, &page)?;
        // The first page says whose posts they are.
        if page.cursor.is_none() {
            posts.user = space::profile(&client, &mid).ok();
        }
        Ok(posts)
    }

    fn search(query: &str, kind: SearchKind, page: Page) -> Result<SearchPage> {
        search::search(&client(), query, kind, &page)
    }

    fn live(url: &str) -> Result<LiveRoom> {
        let link = route(url, LIVE_LINKS)?;
        live::room(&client(), link.cap("room"))
    }

    fn parse(input: &str) -> Result<Media> {
        let client = client();
        let link = route_following(input, LINKS, &client, |k| k == Link::Short)?;
        let part = link
            .query("p")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        match link.kind {
            Link::Bv | Link::List | Link::Festival => {
                video(&client, ("bvid", format!("BV{}", link.cap("bvid"))), part)
            }
            Link::Av => video(&client, ("aid", link.cap("aid").to_string()), part),
            Link::Episode => bangumi(&client, ("ep_id", link.cap("ep"))),
            Link::Season => bangumi(&client, ("season_id", link.cap("ss"))),
            Link::CourseEpisode => course(&client, ("ep_id", link.cap("ep"))),
            Link::CourseSeason => course(&client, ("season_id", link.cap("ss"))),
            Link::Intl => {
                let page = format!("https://www.bilibili.tv/en/video/{}", link.cap("aid"));
                intl(&client, ("aid", link.cap("aid")), &page)
            }
            Link::IntlEpisode => intl(&client, ("ep_id", link.cap("ep")), link.url.as_str()),
            Link::Dynamic => match dynamic::fetch(link.cap("id"))? {
                dynamic::Post::Pictures(media) => Ok(*media),
                dynamic::Post::Video(bvid) => video(&client, ("bvid", bvid), 1),
            },
            Link::Short => unreachable!("route_following resolves short links"),
        }
    }
}

/// The `aid` of the video a post link names (comments are keyed by it).
fn video_aid(client: &Client, input: &str) -> Result<u64> {
    let link = route_following(input, LINKS, client, |k| k == Link::Short)?;
    if link.kind == Link::Av {
        return link.cap("aid").parse().map_err(|_| Error::parse("aid"));
    }
    video_view(client, &link, "comments")?
        .aid
        .required("data.aid")
}

/// The view API's answer for a video link (BV or av forms); other posts
/// have no `what`.
fn video_view(client: &Client, link: &Matched<Link>, what: &str) -> Result<View> {
    let (key, id) = match link.kind {
        Link::Av => ("aid", link.cap("aid").to_string()),
        Link::Bv | Link::List | Link::Festival => ("bvid", format!("BV{}", link.cap("bvid"))),
        _ => {
            return Err(Error::not_supported(format!(
                "{what} is offered for videos (BV/av links), not for this kind of post"
            )));
        }
    };
    View::fetch(client, (key, &id))
}

/// The user a link names: a space link, or a video link's uploader (short
/// links followed, to a space or a video).
fn user_mid(client: &Client, input: &str) -> Result<String> {
    let short = |k| k == Link::Short;
    if let Some(space) = route_through_short(input, USER_LINKS, LINKS, client, short)? {
        return Ok(space.cap("mid").to_string());
    }
    let link = route_following(input, LINKS, client, short)?;
    let view = video_view(client, &link, "the author")?;
    let mid = view.owner.mid.required("data.owner.mid")?;
    Ok(mid.to_string())
}

/// An ordinary (UGC) video, one part of it.
fn video(client: &Client, id: (&str, String), part: usize) -> Result<Media> {
    let view = View::fetch(client, (id.0, &id.1))?;
    // An av/BV that belongs to a bangumi title plays through the bangumi route.
    if let Some(ep) = view.bangumi_episode() {
        return bangumi(client, ("ep_id", &ep));
    }
    let bvid = view.bvid.as_deref().required("data.bvid")?;
    let whole = view.as_part();
    let page = match view.pages.get(part - 1) {
        Some(p) => p,
        None if part == 1 => &whole,
        None => {
            return Err(Error::not_found(format!(
                "{bvid} has {} parts, not {part}",
                view.pages.len()
            )));
        }
    };
    let cid = page.cid.required("cid")?;
    let base = vec![("bvid", bvid.to_string()), ("cid", cid.to_string())];
    // The DASH streams and the progressive mp4 do not depend on each
    // other: one round trip asks for both.
    let (signed_dash, mp4) = playurls(client, &base);
    // Already fetched: handed to the route once, not cloned.
    let signed_dash = std::cell::Cell::new(Some(signed_dash));
    let signed = || signed_dash.take().expect("each route runs once");
    let dash = first_answer(&[
        ("signed playurl", &signed),
        ("video page", &|| page_playinfo(bvid, part)),
    ])?;

    let mut media = Media::new(
        PLATFORM,
        if part > 1 {
            format!("{bvid}_p{part}")
        } else {
            bvid.to_string()
        },
    );
    let title = view.title.as_deref().unwrap_or_default();
    media.title = match &page.part {
        Some(p) if view.pages.len() > 1 => format!("{title} - P{part} {p}"),
        _ => title.to_string(),
    };
    media.author = view.owner.name.clone();
    media.thumbnail = view
        .pic
        .as_deref()
        .map(|u| u.replacen("http://", "https://", 1));
    media.duration = page.duration.or(view.duration).unwrap_or(0.0);
    media.videos = streams::dash_videos(&dash);
    media.audios = streams::dash_audios(&dash);
    media.published_at = view.pubdate;
    let stat = &view.stat;
    media.stats = Stats {
        views: stat.view,
        likes: stat.like,
        comments: stat.reply,
        shares: stat.share,
    };
    // Closed captions (people's and AI's) are listed only to a signed-in
    // session; optional, so a failure costs only the list.
    if account::cookie("SESSDATA").is_some() {
        match captions(client, &base) {
            Ok(list) => media.subtitles = list,
            Err(e) => log::info(&format!("no closed captions: {e}")),
        }
    }
    // The danmaku (bullet comments) as a timed-text track, XML as served.
    media.subtitles.push(Subtitle {
        url: format!("https://comment.bilibili.com/{cid}.xml"),
        language: "zh-CN".into(),
        label: "弹幕 (danmaku)".into(),
        format: "xml".into(),
        auto_generated: false,
    });

    // A progressive mp4 (video and sound in one file) where one is offered;
    // optional, so a failure here only costs that entry.
    let (w, h) = page.dimension.size();
    match mp4 {
        Ok(mp4) => {
            let mut parts = streams::progressive(&mp4, w, h);
            if parts.is_empty() {
                parts = streams::progressive(&dash, w, h);
            }
            media.videos.extend(parts);
        }
        Err(e) => log::info(&format!("no progressive stream: {e}")),
    }
    Ok(media)
}

/// The closed-caption tracks of one part (`x/player/wbi/v2`), as
/// Bilibili's JSON (`bcc`): `ai-` languages are machine-made.
fn captions(client: &Client, base: &[(&str, String)]) -> Result<Vec<Subtitle>> {
    let key = wbi::mixin_key(client)?;
    let url = format!("{API}/x/player/wbi/v2?{}", wbi::sign_now(base, &key));
    let player = call(client, "player info API", &url)?;
    let list = player["subtitle"]["subtitles"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok(list
        .iter()
        .filter_map(|t| {
            let url = t["subtitle_url"].as_str().filter(|u| !u.is_empty())?;
            let lan = t["lan"].as_str().unwrap_or("und");
            Some(Subtitle {
                url: https(url),
                language: lan.trim_start_matches("ai-").to_string(),
                label: t["lan_doc"].as_str().unwrap_or_default().to_string(),
                format: "bcc".into(),
                auto_generated: lan.starts_with("ai-") || t["ai_type"].as_i64().unwrap_or(0) > 0,
            })
        })
        .collect())
}

/// The second route to a video's streams: the video page's embedded
/// `window.__playinfo__` (the playurl answer the page was rendered with),
/// fetched as a link-preview crawler, as cobalt does.
fn page_playinfo(bvid: &str, part: usize) -> Result<PlayInfo> {
    let page = Client::new()
        .user_agent("facebookexternalhit/1.1")
        .get(format!("https://www.bilibili.com/video/{bvid}/?p={part}"))
        .send_ok()
        .context("video page")?;
    let info = json_after(&page.text(), "window.__playinfo__=").context("video page")?;
    if info["code"].as_i64().is_some_and(|c| c != 0) {
        let msg = info["message"].as_str().unwrap_or_default();
        return Err(api::code_error(info["code"].as_i64().unwrap_or(0), msg).context("video page"));
    }
    let play = PlayInfo::from_value("video page", &info["data"])?;
    if !play.has_dash() {
        return Err(Error::parse("video page: __playinfo__ has no dash streams"));
    }
    Ok(play)
}

/// The WBI-signed playurl answers for every DASH stream and for the
/// progressive mp4, asked at once.
fn playurls(client: &Client, base: &[(&str, String)]) -> (Result<PlayInfo>, Result<PlayInfo>) {
    const DASH: &[(&str, &str)] = &[
        ("fnval", "4048"),
        ("fnver", "0"),
        ("fourk", "1"),
        ("qn", "127"),
        ("try_look", "1"),
    ];
    const MP4: &[(&str, &str)] = &[
        ("fnval", "1"),
        ("qn", "64"),
        ("platform", "html5"),
        ("high_quality", "1"),
    ];
    let key = match wbi::mixin_key(client) {
        Ok(k) => k,
        Err(e) => return (Err(e.clone()), Err(e)),
    };
    let url = |extra: &[(&str, &str)]| {
        let mut params = base.to_vec();
        params.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        format!(
            "{API}/x/player/wbi/playurl?{}",
            wbi::sign_now(&params, &key)
        )
    };
    let calls = [("playurl API", url(DASH)), ("playurl API (mp4)", url(MP4))];
    let mut answers = api::call_all::<PlayInfo>(client, &calls).into_iter();
    let dash = answers
        .next()
        .unwrap_or_else(|| Err(Error::parse("no answer")));
    let mp4 = answers
        .next()
        .unwrap_or_else(|| Err(Error::parse("no answer")));
    (dash, mp4)
}

/// Find the episode `ep_id` (or the first one) in a season's lists.
fn pick_episode(season: &Value, ep_id: Option<&str>) -> Result<Value> {
    let mut all = season["episodes"].as_array().cloned().unwrap_or_default();
    if let Some(sections) = season["section"].as_array() {
        for s in sections {
            all.extend(s["episodes"].as_array().cloned().unwrap_or_default());
        }
    }
    match ep_id {
        Some(ep) => all
            .into_iter()
            .find(|e| e["id"].as_u64().map(|i| i.to_string()).as_deref() == Some(ep))
            .ok_or_else(|| Error::not_found(format!("episode {ep} is not in its season"))),
        None => all
            .into_iter()
            .next()
            .ok_or_else(|| Error::not_found("the season has no episodes")),
    }
}

/// A bangumi (anime, film, series) episode; a season link takes its first episode.
fn bangumi(client: &Client, id: (&str, &str)) -> Result<Media> {
    let season = call(
        client,
        "season API",
        &format!("{API}/pgc/view/web/season?{}={}", id.0, id.1),
    )?;
    let ep = pick_episode(&season, (id.0 == "ep_id").then_some(id.1))?;
    let ep_id = ep["id"].as_u64().required("episode id")?;
    let cid = ep["cid"].as_u64().required("episode cid")?;
    let res = call(
        client,
        "bangumi playurl API",
        &format!(
            "{API}/pgc/player/web/v2/playurl?ep_id={ep_id}&cid={cid}&fnval=4048&fnver=0&fourk=1&qn=127"
        ),
    )?;
    let play = match &res["video_info"] {
        info if info.is_object() => info,
        _ => &res["raw"]["data"]["video_info"],
    };
    if play.is_null() {
        let blocked = res["raw"]["data"]["plugins"].as_array().is_some_and(|ps| {
            ps.iter()
                .any(|p| p["name"] == "AreaLimitPanel" && p["config"]["is_block"] == true)
        });
        return Err(if blocked {
            Error::geo_blocked("this episode is not available in the host's region")
        } else {
            Error::login_required("this episode has no playable streams without a member session")
        });
    }
    let play = PlayInfo::from_value("bangumi playurl API", play)?;
    let mut media = Media::new(PLATFORM, format!("ep{ep_id}"));
    let season_title = season["title"].as_str().unwrap_or_default();
    let ep_title = [
        ep["title"].as_str().unwrap_or_default(),
        ep["long_title"].as_str().unwrap_or_default(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .cloned()
    .collect::<Vec<_>>()
    .join(" ");
    media.title = [season_title, &ep_title]
        .iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    media.thumbnail = ep["cover"]
        .as_str()
        .or(season["cover"].as_str())
        .map(|u| u.replacen("http://", "https://", 1));
    media.duration = play
        .timelength
        .or(ep["duration"].as_f64())
        .map(|ms| ms / 1000.0)
        .unwrap_or(0.0);
    media.videos = streams::dash_videos(&play);
    media.audios = streams::dash_audios(&play);
    let (w, h) = Dimension::of(&ep["dimension"]).size();
    media.videos.extend(streams::progressive(&play, w, h));
    Ok(media)
}

/// A course (cheese) episode; a season link takes its first episode.
fn course(client: &Client, id: (&str, &str)) -> Result<Media> {
    let season = call(
        client,
        "course season API",
        &format!("{API}/pugv/view/web/season?{}={}", id.0, id.1),
    )?;
    let ep = pick_episode(&season, (id.0 == "ep_id").then_some(id.1))?;
    let ep_id = ep["id"].as_u64().required("episode id")?;
    let aid = ep["aid"].as_u64().required("episode aid")?;
    let cid = ep["cid"].as_u64().required("episode cid")?;
    if ep["playable"] == false {
        return Err(Error::login_required(
            "this course episode must be purchased (configure a cookie of an account that owns it)",
        ));
    }
    let play: PlayInfo = call_as(
        client,
        "course playurl API",
        &format!(
            "{API}/pugv/player/web/playurl?avid={aid}&cid={cid}&ep_id={ep_id}&fnval=16&fnver=0&fourk=1&qn=127"
        ),
    )?;
    let mut media = Media::new(PLATFORM, format!("cheese-ep{ep_id}"));
    media.title = [
        season["title"].as_str().unwrap_or_default(),
        ep["title"].as_str().unwrap_or_default(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .cloned()
    .collect::<Vec<_>>()
    .join(" ");
    media.author = season["up_info"]["uname"].as_str().map(str::to_string);
    media.thumbnail = ep["cover"]
        .as_str()
        .or(season["cover"].as_str())
        .map(|u| u.replacen("http://", "https://", 1));
    media.duration = ep["duration"].as_f64().unwrap_or(0.0);
    media.videos = streams::dash_videos(&play);
    media.audios = streams::dash_audios(&play);
    media.videos.extend(streams::progressive(&play, None, None));
    Ok(media)
}

/// bilibili.tv (the international site, where bili.im links lead).
/// bilibili.tv: a video by `aid` or an episode by `ep_id`; its `page`
/// gives the title.
fn intl(client: &Client, (key, id): (&str, &str), page: &str) -> Result<Media> {
    let url = format!(
        "https://api.bilibili.tv/intl/gateway/web/playurl?s_locale=en_US&platform=web&{key}={id}&qn=64&type=0&device=wap&tf=0"
    );
    let data = call(client, "bilibili.tv playurl API", &url)?;
    let play = &data["playurl"];
    let prefix = if key == "ep_id" { "tvep" } else { "tv" };
    let mut media = Media::new(PLATFORM, format!("{prefix}{id}"));
    media.duration = play["duration"]
        .as_f64()
        .map(|ms| ms / 1000.0)
        .unwrap_or(0.0);
    for v in play["video"].as_array().into_iter().flatten() {
        let r = &v["video_resource"];
        let Some(u) = r["url"].as_str().filter(|u| !u.is_empty()) else {
            continue;
        };
        let label = v["stream_info"]["desc_words"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| {
                streams::quality_label(r["quality"].as_u64().unwrap_or(0)).to_string()
            });
        let dim = |k: &str| streams::pixels(r[k].as_u64());
        media.videos.push(
            Video::new(u)
                .quality(label)
                .mime(r["mime_type"].as_str().unwrap_or("video/mp4"))
                .codec(r["codecs"].as_str().unwrap_or_default())
                .size(dim("width"), dim("height"))
                .video_only()
                .source(VideoSource::Dash)
                .bitrate(r["bandwidth"].as_u64()),
        );
    }
    for a in play["audio_resource"].as_array().into_iter().flatten() {
        let Some(u) = a["url"].as_str().filter(|u| !u.is_empty()) else {
            continue;
        };
        media.audios.push(
            Audio::new(u)
                .mime(a["mime_type"].as_str().unwrap_or("audio/mp4"))
                .codec(a["codecs"].as_str().unwrap_or_default())
                .bitrate(a["bandwidth"].as_u64()),
        );
    }
    // The title lives in the page's Open Graph tags; optional.
    if let Ok(page) = client.get(page).send_ok() {
        let html = page.text();
        media.title = og(&html, "og:title").unwrap_or_default();
        media.thumbnail = og(&html, "og:image");
    }
    Ok(media)
}

fn og(html: &str, prop: &str) -> Option<String> {
    let at = html.find(&format!("property=\"{prop}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..at + html[at..].find('>')?];
    let c = tag.find("content=\"")? + 9;
    Some(
        tag[c..c + tag[c..].find('"')?]
            .replace("&amp;", "&")
            .replace("&quot;", "\""),
    )
}

grabkit_sdk::export_plugin!(Bilibili);

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(u: &str) -> Option<Link> {
        kind_of(u, LINKS)
    }

    #[test]
    fn every_seed_form_routes() {
        assert_eq!(
            kind("https://www.bilibili.com/video/BV1xx411c7mD"),
            Some(Link::Bv)
        );
        assert_eq!(
            kind("https://m.bilibili.com/video/BV1xx411c7mD?p=2"),
            Some(Link::Bv)
        );
        assert_eq!(kind("bilibili.com/video/av170001"), Some(Link::Av));
        assert_eq!(kind("https://b23.tv/Xy12AbC"), Some(Link::Short));
        assert_eq!(kind("https://bili.im/abc"), Some(Link::Short));
        assert_eq!(
            kind("https://www.bilibili.com/list/66606350?sid=1&bvid=BV117411r7R1"),
            Some(Link::List)
        );
        assert_eq!(
            kind("https://www.bilibili.com/bangumi/play/ep702596"),
            Some(Link::Episode)
        );
        assert_eq!(
            kind("https://www.bilibili.com/bangumi/play/ss43771"),
            Some(Link::Season)
        );
        assert_eq!(
            kind("https://www.bilibili.com/cheese/play/ss61"),
            Some(Link::CourseSeason)
        );
        assert_eq!(
            kind("https://www.bilibili.tv/en/video/2041863208"),
            Some(Link::Intl)
        );
        assert_eq!(
            kind("https://www.bilibili.tv/en/play/1048837/11246489"),
            Some(Link::IntlEpisode)
        );
        assert_eq!(
            kind(
                "https://player.bilibili.com/player.html?isOutside=true&aid=170001&bvid=BV117411r7R1&p=1"
            ),
            Some(Link::Bv)
        );
        assert_eq!(
            kind("https://player.bilibili.com/player.html?aid=170001&cid=279786"),
            Some(Link::Av)
        );
        for u in [
            "https://www.bilibili.com/opus/915864237515112457",
            "https://t.bilibili.com/915864237515112457",
            "https://m.bilibili.com/dynamic/915864237515112457",
        ] {
            assert_eq!(kind(u), Some(Link::Dynamic), "{u}");
        }
    }

    #[test]
    fn pages_that_are_not_one_video_do_not_route() {
        for u in [
            "https://space.bilibili.com/66606350",
            "https://www.bilibili.com/list/watchlater?bvid=BV117411r7R1",
            "https://www.bilibili.com/list/ml123456?bvid=BV117411r7R1",
            "https://www.bilibili.com/medialist/detail/ml123",
            "https://www.bilibili.com/list/66606350",
            "https://search.bilibili.com/all?keyword=x",
            "https://live.bilibili.com/123",
        ] {
            assert_eq!(kind(u), None, "{u}");
        }
    }

    #[test]
    fn open_graph_tags() {
        let html = r#"<meta property="og:title" content="A &amp; B"><meta data-x="1" property="og:image" content="https://p/i.jpg">"#;
        assert_eq!(og(html, "og:title").as_deref(), Some("A & B"));
        assert_eq!(og(html, "og:image").as_deref(), Some("https://p/i.jpg"));
    }
}
