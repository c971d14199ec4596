//! Contract 0.3.0 (`wit/since_v0.3.0/`), the latest: 0.2.0 plus the optional
//! capability interfaces (`comments`, `profile`, `posts`, `search`, `live`)
//! and a richer media record. Bound from the `full` world, so every
//! capability has its types here; which ones a plugin exports is looked up
//! per component (`PluginPre`). The host's imports are implemented against
//! these types (`imports.rs`).

wasmtime::component::bindgen!({
    world: "full",
    path: "../../wit/since_v0.3.0",
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
