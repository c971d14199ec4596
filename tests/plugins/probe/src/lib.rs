//! A deliberately misbehaving plugin for the sandbox tests. The link's path
//! says what to do: `https://probe.test/{action}[/{arg}]`.

use grabkit_sdk::prelude::*;

#[derive(Clone, Copy)]
enum Link {
    Action,
    WithArg,
}

const LINKS: Links<Link> = &[
    (Link::Action, "probe.test/{action}"),
    (Link::WithArg, "probe.test/{action}/{arg}"),
];

/// The test mock upstream (mapped to 127.0.0.1 by the tests' DNS overrides).
const UP: &str = "https://up.probe.test";

struct Probe;

impl Plugin for Probe {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-probe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: "probe".into(),
            url_patterns: patterns(LINKS),
            allowed_hosts: vec!["*.probe.test".into()],
            insecure_hosts: vec!["plain.probe.test".into()],
            download_headers: vec![("Referer".into(), "https://probe.test/".into())],
            media_hosts: vec!["*.probecdn.test".into()],
            capabilities: Vec::new(),
        }
    }

    fn parse(input: &str) -> Result<Media> {
        let link = route(input, LINKS)?;
        let client = Client::new().user_agent(ua::DESKTOP);
        let arg = link.cap("arg").to_string();
        match link.cap("action") {
            "ok" => {
                let v: Value = client.get(format!("{UP}/ok")).json_response()?;
                let mut m = Media::new("probe", v["id"].as_str().required("id")?);
                // The version tells hot-reload tests which build answered.
                m.title = format!(
                    "{} {}",
                    v["title"].as_str().unwrap_or_default(),
                    env!("CARGO_PKG_VERSION")
                );
                m.videos.push(
                    Video::new(v["url"].as_str().required("url")?)
                        .quality("720p")
                        .size(Some(1280), Some(720)),
                );
                Ok(m)
            }
            // Media exactly as `{UP}/media/{arg}` describes it (download-proxy tests).
            "media" => {
                let v: Value = client.get(format!("{UP}/media/{arg}")).json_response()?;
                Ok(described(&v))
            }
            // The route depends on the build, so a swap can break a canary.
            "versioned" => {
                let up = format!("{UP}/v/{}", env!("CARGO_PKG_VERSION"));
                let v: Value = client.get(up).json_response()?;
                Ok(titled(
                    "versioned",
                    v["title"].as_str().unwrap_or_default().into(),
                ))
            }
            // What the plugin reads as its `cookie` setting (the leased account's).
            "cookie" => Ok(titled(
                "cookie",
                config::get("cookie").unwrap_or_else(|| "<none>".into()),
            )),
            // What the contract's `account` import says.
            "account" => Ok(titled(
                "account",
                format!(
                    "{} {} {}",
                    account::present(),
                    account::cookie("session").unwrap_or_else(|| "<none>".into()),
                    account::user_agent().unwrap_or_else(|| "<none>".into()),
                ),
            )),
            "empty" => Ok(Media::new("probe", "empty")),
            "wrong-platform" => Ok(Media::new("someone-else", "x")),
            "loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "alloc" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1u8; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "panic" => panic!("probe panicked on purpose"),
            "stdio" => {
                println!("probe says hello on stdout");
                eprintln!("probe says hello on stderr");
                Ok(Media::new("probe", "stdio"))
            }
            "undeclared" => fetch(&client, "https://forbidden.example.com/"),
            "http-undeclared" => fetch(&client, "http://up.probe.test/ok"),
            "plain" => fetch(&client, "http://plain.probe.test/ok"),
            "host" => fetch(&client, &format!("https://{arg}.probe.test/ok")),
            "redirect-out" => fetch(&client, &format!("{UP}/redirect-out")),
            "redirect-in" => fetch(&client, &format!("{UP}/redirect-in")),
            "redirect-loop" => fetch(&client, &format!("{UP}/redirect-loop")),
            "big" => fetch(&client, &format!("{UP}/big")),
            "slow" => fetch(&client, &format!("{UP}/slow")),
            "many" => {
                for _ in 0..1000 {
                    client.get(format!("{UP}/ok")).send()?;
                }
                Ok(Media::new("probe", "many"))
            }
            "kv" => {
                let before = kv::get_string("counter").unwrap_or_default();
                kv::set(
                    "counter",
                    format!("{before}x"),
                    Some(std::time::Duration::from_secs(60)),
                );
                Ok(titled("kv", kv::get_string("counter").unwrap_or_default()))
            }
            "config" => Ok(titled(
                "config",
                config::get("greeting").unwrap_or_else(|| "<none>".into()),
            )),
            "error" => Err(match arg.as_str() {
                "not-found" => Error::not_found("probe: no such post"),
                "private" => Error::private("probe: private post"),
                "login" => Error::login_required("probe: log in"),
                "geo" => Error::geo_blocked("probe: not here"),
                "rate" => Error::rate_limited("probe: slow down"),
                "upstream" => Error::upstream("probe: upstream broke"),
                "parse" => Error::parse("probe: odd shape"),
                _ => Error::unsupported("probe: unsupported"),
            }),
            other => Err(Error::unsupported(format!("probe has no action `{other}`"))),
        }
    }
}

/// Fetch a URL and report what came back as the media title.
fn fetch(client: &Client, url: &str) -> Result<Media> {
    let resp = client.get(url).send()?;
    Ok(titled(
        "fetch",
        format!("{} {}", resp.status, resp.final_url),
    ))
}

/// Media from a JSON description: `{id, title, videos: [{url, quality,
/// width, height, hasAudio, decodeKey, source, part: [i, n]}], audios: [{url, quality,
/// mimeType}], images: [{url}], headers: {name: value}}`.
fn described(v: &Value) -> Media {
    let mut m = Media::new("probe", v["id"].as_str().unwrap_or("media"));
    m.title = v["title"].as_str().unwrap_or_default().into();
    let list = |k: &str| v[k].as_array().cloned().unwrap_or_default();
    for x in list("videos") {
        let dim = |k: &str| x[k].as_u64().map(|n| n as u32);
        let mut video = Video::new(x["url"].as_str().unwrap_or_default())
            .quality(x["quality"].as_str().unwrap_or_default())
            .size(dim("width"), dim("height"));
        video.has_audio = x["hasAudio"].as_bool().unwrap_or(true);
        video.mime_type = x["mimeType"].as_str().unwrap_or("video/mp4").into();
        video.decryption_key = x["decodeKey"].as_str().map(Into::into);
        if x["source"] == "dash" {
            video.source = VideoSource::Dash;
        }
        if let (Some(i), Some(n)) = (x["part"][0].as_u64(), x["part"][1].as_u64()) {
            video = video.part(i as u32, n as u32);
        }
        m.videos.push(video);
    }
    for x in list("audios") {
        let mut audio = Audio::new(x["url"].as_str().unwrap_or_default());
        audio.quality = x["quality"].as_str().unwrap_or_default().into();
        audio.mime_type = x["mimeType"].as_str().unwrap_or("audio/mp4").into();
        m.audios.push(audio);
    }
    for x in list("images") {
        m.images
            .push(Image::new(x["url"].as_str().unwrap_or_default()));
    }
    if let Some(h) = v["headers"].as_object() {
        m.headers = h
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
    }
    m
}

/// A one-image result whose title carries what the probe observed.
fn titled(id: &str, title: String) -> Media {
    let mut m = Media::new("probe", id);
    m.title = title;
    m.images.push(Image::new("https://cdn.probe.test/i.jpg"));
    m
}

grabkit_sdk::export_plugin!(Probe);
