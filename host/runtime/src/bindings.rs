//! Host-side bindings generated from `wit/grabkit.wit`.
wasmtime::component::bindgen!({
    world: "plugin",
    path: "../../wit",
    imports: {
        // The one import that waits on the network.
        "grabkit:plugin/http.send": async,
        default: tracing,
    },
    exports: { default: async },
});

pub use exports::grabkit::plugin::extractor::{Descriptor, ExtractError, Media};
pub use grabkit::plugin::types::{Audio, Header, Image, Video, VideoSource};

/// The contract version this host speaks (the WIT package version).
pub const CONTRACT: &str = "grabkit:plugin/extractor@0.2.0";
