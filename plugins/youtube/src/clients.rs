//! The innertube clients grabkit can speak as. The client decides what
//! YouTube answers: which formats, whether their URLs need the player
//! script's transforms, whether a PO token is required.
//!
//! Default order (yt-dlp's current choice): `visionos` first (plain URLs, no
//! player script, no PO token; cannot play "made for kids" videos), then
//! `web` (signature and `n` solved by the player script; its https formats
//! want a PO token, set as `po_token`), then `web_embedded` for age-restricted
//! videos that allow embedding. Operators reorder with `clients = "web,visionos"`.

/// One innertube client identity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientKind {
    pub key: &'static str,
    pub name: &'static str,
    /// `X-YouTube-Client-Name`.
    pub id: u32,
    pub version: &'static str,
    pub user_agent: Option<&'static str>,
    /// Device fields of `context.client`.
    pub device: &'static [(&'static str, &'static str)],
    /// Its formats need the player script (signature, `n`).
    pub needs_player: bool,
    /// Sent as an embed on youtube.com (`thirdParty.embedUrl`).
    pub embedded: bool,
}

pub const VISIONOS: ClientKind = ClientKind {
    key: "visionos",
    name: "VISIONOS",
    id: 101,
    version: "1.02",
    user_agent: Some(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 15_7_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15",
    ),
    device: &[
        ("deviceMake", "Apple"),
        ("deviceModel", "RealityDevice17,1"),
        ("osName", "visionOS"),
        ("osVersion", "26.5.23O471"),
    ],
    needs_player: false,
    embedded: false,
};

pub const WEB: ClientKind = ClientKind {
    key: "web",
    name: "WEB",
    id: 1,
    version: "2.20260114.08.00",
    user_agent: None,
    device: &[],
    needs_player: true,
    embedded: false,
};

pub const WEB_EMBEDDED: ClientKind = ClientKind {
    key: "web_embedded",
    name: "WEB_EMBEDDED_PLAYER",
    id: 56,
    version: "1.20260115.01.00",
    user_agent: None,
    device: &[],
    needs_player: true,
    embedded: true,
};

pub const TV: ClientKind = ClientKind {
    key: "tv",
    name: "TVHTML5",
    id: 7,
    version: "7.20260114.12.00",
    user_agent: Some(
        "Mozilla/5.0 (ChromiumStylePlatform) Cobalt/25.lts.30.1034943-gold (unlike Gecko), Unknown_TV_Unknown_0/Unknown (Unknown, Unknown)",
    ),
    device: &[],
    needs_player: true,
    embedded: false,
};

pub const ANDROID_VR: ClientKind = ClientKind {
    key: "android_vr",
    name: "ANDROID_VR",
    id: 28,
    version: "1.71.26",
    user_agent: Some(
        "com.google.android.apps.youtube.vr.oculus/1.71.26 (Linux; U; Android 12L; eureka-user Build/SQ3A.220605.009.A1) gzip",
    ),
    device: &[
        ("deviceMake", "Oculus"),
        ("deviceModel", "Quest 3"),
        ("androidSdkVersion", "32"),
        ("osName", "Android"),
        ("osVersion", "12L"),
    ],
    needs_player: false,
    embedded: false,
};

const ALL: &[ClientKind] = &[VISIONOS, WEB, WEB_EMBEDDED, TV, ANDROID_VR];
pub const DEFAULT: &[ClientKind] = &[VISIONOS, WEB, WEB_EMBEDDED];

/// The clients to try, in order: the operator's `clients` list, else the default.
pub fn chosen(setting: Option<&str>) -> Vec<ClientKind> {
    let picked: Vec<ClientKind> = setting
        .into_iter()
        .flat_map(|s| s.split(','))
        .filter_map(|k| ALL.iter().find(|c| c.key == k.trim()).copied())
        .collect();
    if picked.is_empty() {
        DEFAULT.to_vec()
    } else {
        picked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_order_and_unknown_names() {
        assert_eq!(chosen(None), DEFAULT);
        assert_eq!(chosen(Some("tv, web")), [TV, WEB]);
        assert_eq!(chosen(Some("nonsense")), DEFAULT);
    }
}
