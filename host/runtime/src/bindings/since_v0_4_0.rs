//! Contract 0.4.0 (`wit/since_v0.4.0/`), the latest: 0.3.0 plus the
//! read-only `account` import and `http.send-all`. Its shared types are
//! 0.3.0's, unchanged, so they are bound to 0.3.0's Rust types (`with`): a
//! 0.4 plugin's answers need no conversion. The host implements 0.4's
//! imports (`imports.rs`); 0.3's hand over to them (`forward.rs`).

wasmtime::component::bindgen!({
    world: "full",
    path: "../../wit/since_v0.4.0",
    with: {
        "grabkit:plugin/types@0.4.0": super::since_v0_3_0::grabkit::plugin::types,
        "grabkit:plugin/data@0.4.0": super::since_v0_3_0::grabkit::plugin::data,
    },
    imports: {
        "grabkit:plugin/http.send": async,
        "grabkit:plugin/http.send-all": async,
        "grabkit:plugin/kv.get": async,
        "grabkit:plugin/kv.set": async,
        "grabkit:plugin/kv.delete": async,
        default: tracing,
    },
    exports: { default: async },
});
