//! Contract 0.2.0 (`wit/since_v0.2.0/`), the latest: 0.1.0 plus the
//! descriptor's `media-hosts`. The host's imports are implemented against
//! these types (`imports.rs`).

wasmtime::component::bindgen!({
    world: "plugin",
    path: "../../wit/since_v0.2.0",
    imports: {
        // The one import that waits on the network.
        "grabkit:plugin/http.send": async,
        // The plugin kv sits behind an async store interface.
        "grabkit:plugin/kv.get": async,
        "grabkit:plugin/kv.set": async,
        "grabkit:plugin/kv.delete": async,
        default: tracing,
    },
    exports: { default: async },
});
