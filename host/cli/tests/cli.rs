//! The `grabkit` command line, offline.

use std::process::Command;

fn grabkit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_grabkit"))
        .args(args)
        .env("GRABKIT_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn plugins_lists_what_the_build_made() {
    let (code, out, err) = grabkit(&["plugins", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let p = v["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "bilibili")
        .expect("bilibili is built by default");
    assert_eq!(p["digest"].as_str().unwrap().len(), 64);
    assert!(p["urlPatterns"].as_array().unwrap().len() > 5);
    let (code, out, _) = grabkit(&["plugins"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("bilibili") && out.contains("links:") && out.contains("hosts:"),
        "{out}"
    );
}

#[test]
fn parse_errors_exit_non_zero_with_a_reason() {
    let (code, out, err) = grabkit(&["parse", "https://www.bilibili.com/"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("unsupported_link"), "{err}");
    // A profile link names the endpoint that takes it.
    let (code, _, err) = grabkit(&["parse", "https://space.bilibili.com/1"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("wrong_endpoint") && err.contains("/api/v1/profile"),
        "{err}"
    );
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

#[test]
fn keys_lifecycle_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let json = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--data-dir", d]);
        let (code, out, err) = grabkit(&all);
        assert_eq!(code, 0, "{args:?}: {err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let k = json(&[
        "keys",
        "create",
        "--name",
        "ops",
        "--platforms",
        "bilibili,douyin",
        "--credits",
        "5",
        "--expires",
        "2030-01-01T00:00:00Z",
    ]);
    let (id, token) = (
        k["id"].to_string(),
        k["token"].as_str().unwrap().to_string(),
    );
    assert!(
        token.starts_with("gk_live_") && token.len() >= 8 + 32,
        "≥128 bits of randomness"
    );
    assert_eq!(k["platforms"], serde_json::json!(["bilibili", "douyin"]));
    let list = json(&["keys", "list"]);
    assert_eq!(list[0]["name"], "ops");
    assert!(list[0].get("token").is_none());
    let k = json(&[
        "keys",
        "edit",
        &id,
        "--name",
        "ops2",
        "--expires",
        "never",
        "--platforms",
        "all",
        "--disable",
    ]);
    assert_eq!(
        (
            k["name"].as_str(),
            k["expiresAt"].is_null(),
            k["enabled"].as_bool()
        ),
        (Some("ops2"), true, Some(false))
    );
    assert_eq!(k["platforms"], serde_json::json!(["all"]));
    assert_eq!(json(&["keys", "credits", &id, "--add", "-2"])["credits"], 3);
    assert!(json(&["keys", "credits", &id, "--unlimited"])["credits"].is_null());
    let r = json(&["keys", "reset", &id]);
    assert_ne!(r["token"].as_str().unwrap(), token);
    assert_eq!(r["name"], "ops2");
    json(&["keys", "delete", &id]);
    let (code, _, err) = grabkit(&["keys", "delete", &id, "--data-dir", d]);
    assert_ne!(code, 0);
    assert!(err.contains("no key with id"), "{err}");
    let (code, _, err) = grabkit(&[
        "keys",
        "create",
        "--name",
        "x",
        "--expires",
        "soon",
        "--data-dir",
        d,
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("RFC 3339"), "{err}");
}
