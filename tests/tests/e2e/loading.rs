//! Loading the plugins folder: broken files are reported and skipped, never
//! crash the host, never take a platform from a working plugin.

use grabkit_core::registry::{Registry, RegistryPaths};
use grabkit_runtime::{LoadError, LoadedPlugin, PluginOptions, Runtime, RuntimeSettings};
use grabkit_tests::server::{shipped_plugin, test_plugin};
use std::path::Path;
use std::sync::Arc;

/// The smallest valid component: header only, so it exports nothing.
const EMPTY_COMPONENT: &[u8] = &[0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
/// A valid core module (not a component).
const CORE_MODULE: &[u8] = &[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

fn runtime() -> Arc<Runtime> {
    Runtime::new(RuntimeSettings {
        max_instances: 8,
        ..Default::default()
    })
    .unwrap()
}

#[tokio::test]
async fn each_broken_file_gets_a_typed_error() {
    let rt = runtime();
    let good = std::fs::read(shipped_plugin("bilibili")).unwrap();
    let p = Path::new("x.wasm");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 2].to_vec()),
        ("not wasm", b"#!/bin/sh\necho hi\n".to_vec()),
        ("empty file", vec![]),
        ("core module", CORE_MODULE.to_vec()),
    ];
    for (what, bytes) in cases {
        let e = LoadedPlugin::from_bytes(&rt, &bytes, p)
            .await
            .err()
            .unwrap_or_else(|| panic!("{what} loaded"));
        assert!(matches!(e, LoadError::Invalid(_)), "{what}: {e}");
    }
    let e = LoadedPlugin::from_bytes(&rt, EMPTY_COMPONENT, p)
        .await
        .err()
        .unwrap();
    assert!(matches!(e, LoadError::WrongContract(_)), "{e}");
    assert!(
        e.to_string().contains("grabkit:plugin/extractor@0.4.0"),
        "{e}"
    );

    let ok = LoadedPlugin::from_bytes(&rt, &good, p).await.unwrap();
    assert_eq!(
        (ok.platform.as_str(), ok.name.as_str()),
        ("bilibili", "grabkit-bilibili")
    );
    assert_eq!(ok.digest.len(), 64, "sha256 hex");
}

#[tokio::test]
async fn folder_scan_reports_failures_and_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(shipped_plugin("bilibili"), dir.path().join("bilibili.wasm")).unwrap();
    std::fs::copy(
        shipped_plugin("bilibili"),
        dir.path().join("bilibili-copy.wasm"),
    )
    .unwrap();
    std::fs::copy(test_plugin("probe"), dir.path().join("probe.wasm")).unwrap();
    std::fs::write(dir.path().join("broken.wasm"), b"\0asm garbage").unwrap();
    std::fs::write(dir.path().join("README.txt"), b"not a plugin, ignored").unwrap();

    let registry = Registry::new(
        runtime(),
        RegistryPaths::in_dir(dir.path().to_path_buf()),
        Default::default(),
        PluginOptions {
            max_concurrency: 4,
            ..Default::default()
        },
        Default::default(),
        Default::default(),
    );
    assert_eq!(registry.rescan().await.unwrap(), 2);
    let table = registry.table();
    assert_eq!(
        table
            .plugins
            .iter()
            .map(|p| p.platform.as_str())
            .collect::<Vec<_>>(),
        ["bilibili", "probe"]
    );
    let failures = registry.failures();
    assert_eq!(failures.len(), 2, "{failures:?}");
    let err = |f: &grabkit_core::registry::FileStatus| f.error.clone().unwrap_or_default();
    assert!(
        failures.iter().any(|f| f.source.ends_with("broken.wasm")
            && err(f).contains("not a valid WebAssembly component")),
        "{failures:?}"
    );
    assert!(
        failures
            .iter()
            .any(|f| err(f).contains("platform `bilibili` is already served")),
        "{failures:?}"
    );

    let url = url::Url::parse("https://b23.tv/abc").unwrap();
    assert_eq!(table.route(&url).unwrap().platform, "bilibili");
}
