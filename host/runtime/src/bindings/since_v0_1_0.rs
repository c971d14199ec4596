//! Contract 0.1.0 (`wit/since_v0.1.0/`): the first release. Its imports
//! are the latest ones under older names, so each call is handed to the
//! latest implementation; its answers convert into the latest types (a 0.1
//! plugin declares no media hosts: the proxy then serves its API hosts only).

wasmtime::component::bindgen!({
    world: "plugin",
    path: "../../wit/since_v0.1.0",
    imports: {
        "grabkit:plugin/http.send": async,
        // The plugin kv sits behind an async store interface.
        "grabkit:plugin/kv.get": async,
        "grabkit:plugin/kv.set": async,
        "grabkit:plugin/kv.delete": async,
        default: tracing,
    },
    exports: { default: async },
});

use self::exports::grabkit::plugin::extractor as old_x;
use self::grabkit::plugin::{config, http, kv, log, types};
use super::latest as new;
use super::latest::exports::grabkit::plugin::extractor as new_x;
use super::latest::grabkit::plugin as new_p;
use crate::state::RequestState;

impl types::Host for RequestState {}

impl http::Host for RequestState {
    async fn send(&mut self, req: http::Request) -> Result<http::Response, http::HttpError> {
        use http::Method as M;
        use new_p::http::Method as N;
        let method = match req.method {
            M::Get => N::Get,
            M::Head => N::Head,
            M::Post => N::Post,
            M::Put => N::Put,
            M::Delete => N::Delete,
            M::Patch => N::Patch,
            M::Options => N::Options,
        };
        let req = new_p::http::Request {
            method,
            url: req.url,
            headers: req.headers.into_iter().map(header_up).collect(),
            body: req.body,
            follow_redirects: req.follow_redirects,
            timeout_ms: req.timeout_ms,
        };
        let answer = <RequestState as new_p::http::Host>::send(self, req).await;
        answer.map(response_down).map_err(error_down)
    }
}

fn header_up(h: types::Header) -> new_p::types::Header {
    new_p::types::Header {
        name: h.name,
        value: h.value,
    }
}

fn response_down(r: new_p::http::Response) -> http::Response {
    http::Response {
        status: r.status,
        headers: r
            .headers
            .into_iter()
            .map(|h| types::Header {
                name: h.name,
                value: h.value,
            })
            .collect(),
        final_url: r.final_url,
        body: r.body,
    }
}

fn error_down(e: new_p::http::HttpError) -> http::HttpError {
    use http::HttpError as O;
    use new_p::http::HttpError as N;
    match e {
        N::Denied(m) => O::Denied(m),
        N::PrivateAddress(m) => O::PrivateAddress(m),
        N::InvalidRequest(m) => O::InvalidRequest(m),
        N::Timeout => O::Timeout,
        N::TooLarge(n) => O::TooLarge(n),
        N::TooManyRequests(n) => O::TooManyRequests(n),
        N::TooManyRedirects => O::TooManyRedirects,
        N::Transport(m) => O::Transport(m),
    }
}

impl log::Host for RequestState {
    fn log(&mut self, level: log::Level, message: String) {
        use log::Level as L;
        use new_p::log::Level as N;
        let level = match level {
            L::Trace => N::Trace,
            L::Debug => N::Debug,
            L::Info => N::Info,
            L::Warn => N::Warn,
            L::Error => N::Error,
        };
        <RequestState as new_p::log::Host>::log(self, level, message)
    }
}

impl kv::Host for RequestState {
    async fn get(&mut self, key: String) -> Option<Vec<u8>> {
        <RequestState as new_p::kv::Host>::get(self, key).await
    }

    async fn set(&mut self, key: String, value: Vec<u8>, ttl_seconds: Option<u32>) {
        <RequestState as new_p::kv::Host>::set(self, key, value, ttl_seconds).await
    }

    async fn delete(&mut self, key: String) {
        <RequestState as new_p::kv::Host>::delete(self, key).await
    }
}

impl config::Host for RequestState {
    fn get(&mut self, key: String) -> Option<String> {
        <RequestState as new_p::config::Host>::get(self, key)
    }
}

impl From<old_x::Descriptor> for new_x::Descriptor {
    fn from(d: old_x::Descriptor) -> Self {
        new_x::Descriptor {
            name: d.name,
            version: d.version,
            platform: d.platform,
            url_patterns: d.url_patterns,
            allowed_hosts: d.allowed_hosts,
            insecure_hosts: d.insecure_hosts,
            download_headers: d.download_headers.into_iter().map(header_up).collect(),
            media_hosts: Vec::new(),
        }
    }
}

impl From<old_x::Media> for new_x::Media {
    fn from(m: old_x::Media) -> Self {
        use new::grabkit::plugin::types as n;
        let source = |s: types::VideoSource| match s {
            types::VideoSource::Direct => n::VideoSource::Direct,
            types::VideoSource::Dash => n::VideoSource::Dash,
            types::VideoSource::Hls => n::VideoSource::Hls,
        };
        new_x::Media {
            platform: m.platform,
            id: m.id,
            title: m.title,
            author: m.author,
            thumbnail: m.thumbnail,
            duration: m.duration,
            images: m
                .images
                .into_iter()
                .map(|i| n::Image {
                    url: i.url,
                    width: i.width,
                    height: i.height,
                })
                .collect(),
            videos: m
                .videos
                .into_iter()
                .map(|v| n::Video {
                    url: v.url,
                    quality: v.quality,
                    mime_type: v.mime_type,
                    codec: v.codec,
                    width: v.width,
                    height: v.height,
                    has_audio: v.has_audio,
                    source: source(v.source),
                    bitrate: v.bitrate,
                    backup_urls: v.backup_urls,
                    decryption_key: v.decryption_key,
                })
                .collect(),
            audios: m
                .audios
                .into_iter()
                .map(|a| n::Audio {
                    url: a.url,
                    quality: a.quality,
                    mime_type: a.mime_type,
                    codec: a.codec,
                    bitrate: a.bitrate,
                    backup_urls: a.backup_urls,
                })
                .collect(),
            headers: m.headers.into_iter().map(header_up).collect(),
        }
    }
}

impl From<old_x::ExtractError> for new_x::ExtractError {
    fn from(e: old_x::ExtractError) -> Self {
        use new_x::ExtractError as N;
        use old_x::ExtractError as O;
        match e {
            O::UnsupportedUrl(m) => N::UnsupportedUrl(m),
            O::NotFound(m) => N::NotFound(m),
            O::Private(m) => N::Private(m),
            O::LoginRequired(m) => N::LoginRequired(m),
            O::GeoBlocked(m) => N::GeoBlocked(m),
            O::RateLimited(m) => N::RateLimited(m),
            O::UpstreamFailed(m) => N::UpstreamFailed(m),
            O::ParseFailed(m) => N::ParseFailed(m),
        }
    }
}
