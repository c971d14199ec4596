//! The `grabkit` command line, offline.

use std::process::Command;

fn grabkit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_grabkit")).args(args).env("GRABKIT_LOG", "error").output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn plugins_lists_what_the_build_made() {
    let (code, out, err) = grabkit(&["plugins", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let p = v["plugins"].as_array().unwrap().iter().find(|p| p["platform"] == "bilibili").expect("bilibili is built by default");
    assert_eq!(p["digest"].as_str().unwrap().len(), 64);
    assert!(p["urlPatterns"].as_array().unwrap().len() > 5);
    let (code, out, _) = grabkit(&["plugins"]);
    assert_eq!(code, 0);
    assert!(out.contains("bilibili") && out.contains("links:") && out.contains("hosts:"), "{out}");
}

#[test]
fn parse_errors_exit_non_zero_with_a_reason() {
    let (code, out, err) = grabkit(&["parse", "https://space.bilibili.com/1"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("unsupported_link"), "{err}");
    let (code, _, err) = grabkit(&["parse", "javascript:alert(1)"]);
    assert_eq!(code, 1);
    assert!(err.contains("unsupported_scheme"), "{err}");
}

#[test]
fn bad_settings_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("grabkit.toml");
    std::fs::write(&cfg, "listen = 12\n").unwrap();
    let (code, _, err) = grabkit(&["plugins", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("grabkit.toml"), "{err}");
    let (code, _, err) = grabkit(&["parse", "https://b23.tv/x", "--resolve", "nonsense"]);
    assert_eq!(code, 2);
    assert!(err.contains("HOST=IP"), "{err}");
}
