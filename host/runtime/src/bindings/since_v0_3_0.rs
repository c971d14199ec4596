//! Contract 0.3.0 (`wit/since_v0.3.0/`): 0.2.0 plus the optional
//! capability interfaces (`comments`, `profile`, `posts`, `search`, `live`)
//! and a richer media record. Bound from the `full` world, so every
//! capability has its types here; which ones a plugin exports is looked up
//! per component (`PluginPre`). Its types are the host's own (0.4 shares
//! them); its imports hand over to 0.4's (`forward.rs`).

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

super::forward::forward_imports!(self::grabkit::plugin, super::since_v0_4_0::grabkit::plugin);

impl self::grabkit::plugin::types::Host for crate::state::RequestState {}

impl self::grabkit::plugin::data::Host for crate::state::RequestState {}
