//! Contract 0.1.0 (`wit/since_v0.1.0/`): the first release. Its imports
//! are 0.2's under older names, so each call is handed to 0.2's
//! implementation; its answers convert into 0.2's types, and from there on
//! up (a 0.1 plugin declares no media hosts: the proxy then serves its API
//! hosts only).

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
use self::grabkit::plugin::types;
use super::since_v0_2_0 as new;
use super::since_v0_2_0::exports::grabkit::plugin::extractor as new_x;

super::forward::forward_imports!(self::grabkit::plugin, super::since_v0_2_0::grabkit::plugin);

impl self::grabkit::plugin::types::Host for crate::state::RequestState {}

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
