//! `grabkit plugin new <platform>`: a plugin crate that builds to a
//! component as it stands, with a link-table unit test and one replayable
//! case (a cassette and its golden), ready to be changed into the real thing.

use std::path::{Path, PathBuf};

/// Where and how to create the crate.
pub struct NewPlugin {
    pub platform: String,
    /// The folder the crate goes in (as `<dir>/<platform>`).
    pub dir: PathBuf,
    /// The SDK to depend on, for crates outside grabkit's workspace.
    pub sdk: PathBuf,
}

/// What was created.
pub struct Created {
    pub crate_dir: PathBuf,
    pub package: String,
    /// Added to grabkit's workspace (built with the other plugins).
    pub in_workspace: bool,
}

/// The SDK of the grabkit tree this binary was built from.
pub fn default_sdk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../sdk")
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sdk"))
}

pub fn create(req: &NewPlugin) -> anyhow::Result<Created> {
    let p = &req.platform;
    if p.is_empty()
        || !p.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        || !p
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        anyhow::bail!(
            "platform id `{p}` must start with a letter and hold only lowercase letters, digits and `_`"
        );
    }
    let crate_dir = req.dir.join(p);
    if crate_dir.exists() {
        anyhow::bail!("{} already exists", crate_dir.display());
    }
    let package = format!("grabkit-plugin-{}", p.replace('_', "-"));
    std::fs::create_dir_all(&req.dir)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", req.dir.display()))?;
    // Inside grabkit's own tree (`<root>/plugins`): a workspace member.
    let root = std::fs::canonicalize(&req.dir)
        .ok()
        .and_then(|d| d.parent().map(Path::to_path_buf))
        .filter(|r| is_grabkit_root(r) && req.dir.file_name().is_some_and(|n| n == "plugins"));
    let manifest = match &root {
        Some(_) => in_tree_manifest(&package, p),
        None => out_of_tree_manifest(&package, p, &req.sdk),
    };
    write(&crate_dir.join("Cargo.toml"), &manifest)?;
    write(&crate_dir.join("src/lib.rs"), &lib_rs(p))?;
    let case = crate_dir.join("cases/example");
    write(
        &case.join("case.json"),
        &format!(
            "{{\n  \"url\": \"Look at this: https://www.{p}.example/video/42 !\",\n  \"about\": \"a video, from share text\"\n}}\n"
        ),
    )?;
    let host = format!("api.{p}.example");
    let stem = format!("001-GET-{host}");
    let exchange = serde_json::json!({
        "request": {"method": "GET", "url": format!("https://{host}/v1/video/42"), "headers": [["User-Agent", "<any browser>"]]},
        "response": {"status": 200, "headers": [["content-type", "application/json"]], "body_file": format!("{stem}.body")},
    });
    write(
        &case.join(format!("cassette/{stem}.json")),
        &(serde_json::to_string_pretty(&exchange)? + "\n"),
    )?;
    write(
        &case.join(format!("cassette/{stem}.body")),
        &format!(
            "{{\"id\":\"42\",\"title\":\"An example video\",\"play_url\":\"https://v.cdn.{p}.example/42.mp4?sig=abc&expires=1700000000\",\"width\":1280,\"height\":720}}\n"
        ),
    )?;
    let expected = serde_json::json!({
        "platform": p, "id": "42", "title": "An example video", "author": "", "thumbnail": "", "duration": 0, "images": [],
        "videos": [{"url": format!("https://v.cdn.{p}.example/42.mp4?<any>"), "quality": "720p", "mimeType": "video/mp4", "width": 1280, "height": 720, "hasAudio": true, "source": "direct"}],
        "audios": [],
        "headers": {"Referer": format!("https://www.{p}.example/"), "User-Agent": "<any>"},
    });
    write(
        &case.join("expected.json"),
        &(serde_json::to_string_pretty(&expected)? + "\n"),
    )?;
    if let Some(root) = &root {
        add_member(&root.join("Cargo.toml"), &format!("plugins/{p}"))?;
    }
    Ok(Created {
        crate_dir,
        package,
        in_workspace: root.is_some(),
    })
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(path, text).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))
}

fn is_grabkit_root(dir: &Path) -> bool {
    dir.join("sdk/Cargo.toml").is_file()
        && std::fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|t| t.contains("[workspace]") && t.contains("\"sdk\""))
}

/// Insert `member` into the workspace's `members` list.
fn add_member(manifest: &Path, member: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(manifest)?;
    let Some(at) = text.find("members = [").map(|i| i + "members = [".len()) else {
        anyhow::bail!("no `members = [` in {}", manifest.display())
    };
    let updated = format!("{}\n    \"{member}\",{}", &text[..at], &text[at..]);
    std::fs::write(manifest, updated)?;
    Ok(())
}

fn in_tree_manifest(package: &str, p: &str) -> String {
    format!(
        r#"[package]
name = "{package}"
description = "grabkit extractor for {p}"
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
grabkit-sdk.workspace = true
"#
    )
}

fn out_of_tree_manifest(package: &str, p: &str, sdk: &Path) -> String {
    format!(
        r#"[package]
name = "{package}"
description = "grabkit extractor for {p}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
grabkit-sdk = {{ path = "{}" }}

# Its own workspace, so it builds wherever it lives.
[workspace]

# Small components: a plugin is shipped as one file.
[profile.release]
opt-level = "s"
lto = true
codegen-units = 1
strip = true
"#,
        sdk.display().to_string().replace('\\', "/")
    )
}

fn camel(p: &str) -> String {
    p.split('_')
        .filter(|s| !s.is_empty())
        .map(|s| s[..1].to_ascii_uppercase() + &s[1..])
        .collect()
}

fn lib_rs(p: &str) -> String {
    let ty = camel(p);
    format!(
        r#"//! grabkit extractor for `{p}`. A recipe: match the link, fetch, pick
//! fields, return media. Replace the example API with the platform's own
//! (its case in `cases/example/` shows the shape this code reads).

use grabkit_sdk::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Link {{
    Video,
}}

/// The link forms this plugin takes; share text containing one works too.
const LINKS: Links<Link> = &[(Link::Video, "*.{p}.example/video/{{id:num}}")];

const API: &str = "https://api.{p}.example";

struct {ty};

impl Plugin for {ty} {{
    fn describe() -> Descriptor {{
        Descriptor {{
            name: "grabkit-{p}".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: "{p}".into(),
            url_patterns: patterns(LINKS),
            // The only hosts the plugin may call.
            allowed_hosts: vec!["api.{p}.example".into()],
            // Where its media lives: the download proxy fetches only from here.
            media_hosts: vec!["*.cdn.{p}.example".into()],
            download_headers: vec![("Referer".into(), "https://www.{p}.example/".into()), ("User-Agent".into(), ua::DESKTOP.into())],
            ..Default::default()
        }}
    }}

    fn parse(input: &str) -> Result<Media> {{
        let link = route(input, LINKS)?;
        let id = link.cap("id");
        let info: Value = Client::new().user_agent(ua::DESKTOP).get(format!("{{API}}/v1/video/{{id}}")).json_response()?;
        let mut media = Media::new("{p}", id);
        media.title = info["title"].as_str().unwrap_or_default().into();
        let size = |k: &str| info[k].as_u64().map(|n| n as u32);
        let play = info["play_url"].as_str().required("play_url")?;
        media.videos.push(Video::new(play).quality(format!("{{}}p", size("height").unwrap_or(0))).size(size("width"), size("height")));
        Ok(media)
    }}
}}

grabkit_sdk::export_plugin!({ty});

#[cfg(test)]
mod tests {{
    use super::*;

    #[test]
    fn link_forms() {{
        assert_eq!(kind_of("https://www.{p}.example/video/42", LINKS), Some(Link::Video));
        assert_eq!(kind_of("watch this https://m.{p}.example/video/42?share=1", LINKS), Some(Link::Video));
        assert_eq!(kind_of("https://www.{p}.example/user/someone", LINKS), None);
    }}
}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_a_grabkit_tree_it_joins_the_workspace() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(
            root.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\n    \"sdk\",\n]\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.path().join("sdk")).unwrap();
        std::fs::write(
            root.path().join("sdk/Cargo.toml"),
            "[package]\nname = \"grabkit-sdk\"\n",
        )
        .unwrap();
        let c = create(&NewPlugin {
            platform: "my_site".into(),
            dir: root.path().join("plugins"),
            sdk: default_sdk(),
        })
        .unwrap();
        assert!(c.in_workspace);
        assert_eq!(c.package, "grabkit-plugin-my-site");
        let ws = std::fs::read_to_string(root.path().join("Cargo.toml")).unwrap();
        assert!(ws.contains("\"plugins/my_site\","), "{ws}");
        let manifest = std::fs::read_to_string(c.crate_dir.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("grabkit-sdk.workspace = true") && !manifest.contains("[workspace]")
        );
        assert!(
            std::fs::read_to_string(c.crate_dir.join("src/lib.rs"))
                .unwrap()
                .contains("struct MySite;")
        );
        assert!(
            create(&NewPlugin {
                platform: "my_site".into(),
                dir: root.path().join("plugins"),
                sdk: default_sdk()
            })
            .is_err(),
            "never overwrites"
        );
        assert!(
            create(&NewPlugin {
                platform: "Bad-Name".into(),
                dir: root.path().join("plugins"),
                sdk: default_sdk()
            })
            .is_err()
        );
    }
}
