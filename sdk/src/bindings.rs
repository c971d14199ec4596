//! Raw bindings generated from `wit/grabkit.wit`. Plugin code should not
//! need these; the SDK wraps them in friendlier types.
wit_bindgen::generate!({
    world: "plugin",
    path: "../wit",
    pub_export_macro: true,
    export_macro_name: "__export_plugin_world",
    default_bindings_module: "grabkit_sdk::bindings",
});
