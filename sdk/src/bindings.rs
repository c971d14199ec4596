//! Raw bindings generated from the latest contract's `full` world, `wit/since_v0.4.0/`. Plugin code should not
//! need these; the SDK wraps them in friendlier types.
wit_bindgen::generate!({
    world: "full",
    path: "../wit/since_v0.4.0",
    pub_export_macro: true,
    export_macro_name: "__export_plugin_world",
    default_bindings_module: "grabkit_sdk::bindings",
});
