//! Describes itself as platform `probe` with a malformed URL pattern, so
//! the host must refuse it (and keep any serving `probe` version).

use grabkit_sdk::prelude::*;

struct Bad;

impl Plugin for Bad {
    fn describe() -> Descriptor {
        Descriptor {
            name: "grabkit-bad-descriptor".into(),
            version: "9.9.9".into(),
            platform: "probe".into(),
            url_patterns: vec!["https://probe.test/{unclosed".into()],
            allowed_hosts: vec!["*.probe.test".into()],
            ..Default::default()
        }
    }

    fn parse(_url: &str) -> Result<Media> {
        Err(Error::unsupported("never routed"))
    }
}

grabkit_sdk::export_plugin!(Bad);
