//! Host bindings, one module per released contract version, generated from
//! its frozen copy under `wit/since_vX.Y.Z/` (Zed's extension API is the
//! model). The newest is `latest`; the host's own code speaks only its
//! types, and an older plugin's answers are converted on the way in.
//! A new contract version adds a folder, a module and an arm here.

mod forward;
pub mod since_v0_1_0;
pub mod since_v0_2_0;
pub mod since_v0_3_0;
pub mod since_v0_4_0;

/// Where the newest contract's types and the host's own implementation of
/// the imports live: 0.3.0's module, since 0.4.0 shares its types.
pub use since_v0_3_0 as latest;

pub use latest::exports::grabkit::plugin::extractor::{Descriptor, ExtractError, Media};
pub use latest::grabkit::plugin::data::{
    Author, Comment, CommentPage, LiveRoom, LiveStatus, LiveStream, PageRequest, Post, PostKind,
    PostPage, SearchKind, SearchPage, StreamFormat, User,
};
pub use latest::grabkit::plugin::types::{
    Audio, Capability, CapabilityKind, Clip, Header, Image, Part, Stats, Subtitle, Video,
    VideoSource,
};

use super::state::RequestState;
use wasmtime::Store;
use wasmtime::component::{InstancePre, Linker};

/// The interface every plugin exports, without its version.
pub const EXTRACTOR: &str = "grabkit:plugin/extractor";

/// The contract versions this host speaks, newest first.
pub const VERSIONS: &[ContractVersion] = &[
    ContractVersion::new(0, 4, 0),
    ContractVersion::new(0, 3, 0),
    ContractVersion::new(0, 2, 0),
    ContractVersion::new(0, 1, 0),
];

/// The newest contract (what the SDK builds against).
pub const LATEST: ContractVersion = VERSIONS[0];

/// A contract (WIT package) version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ContractVersion {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl ContractVersion {
    pub const fn new(major: u64, minor: u64, patch: u64) -> Self {
        ContractVersion {
            major,
            minor,
            patch,
        }
    }

    /// `0.2.0` from text.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('.').map(|p| p.parse::<u64>().ok());
        let v = Self::new(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(v)
    }

    /// Semver compatibility as the component model reads it: the same
    /// major, and for 0.x the same minor too.
    pub fn compatible(self, other: Self) -> bool {
        self.major == other.major && (self.major != 0 || self.minor == other.minor)
    }

    /// The host version that serves a plugin exporting this one, if any.
    pub fn served_by(self) -> Option<ContractVersion> {
        VERSIONS.iter().copied().find(|v| v.compatible(self))
    }

    /// The full export name, e.g. `grabkit:plugin/extractor@0.2.0`.
    pub fn export_name(self) -> String {
        format!("{EXTRACTOR}@{self}")
    }
}

impl std::fmt::Display for ContractVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Every version's host imports, side by side in one linker.
pub fn add_to_linker(linker: &mut Linker<RequestState>) -> wasmtime::Result<()> {
    use wasmtime::component::HasSelf;
    since_v0_4_0::Full::add_to_linker::<RequestState, HasSelf<RequestState>>(linker, |s| s)?;
    // 0.4's shared types are 0.3's Rust types; a 0.4 component still
    // imports the two type-only interfaces under their 0.4 names.
    linker.instance("grabkit:plugin/types@0.4.0")?;
    linker.instance("grabkit:plugin/data@0.4.0")?;
    since_v0_3_0::Full::add_to_linker::<RequestState, HasSelf<RequestState>>(linker, |s| s)?;
    since_v0_2_0::Plugin::add_to_linker::<RequestState, HasSelf<RequestState>>(linker, |s| s)?;
    since_v0_1_0::Plugin::add_to_linker::<RequestState, HasSelf<RequestState>>(linker, |s| s)?;
    Ok(())
}

/// One call into a plugin: `parse`, or one of the capabilities.
#[derive(Debug, Clone)]
pub enum Call {
    Parse(String),
    Comments(String, PageRequest),
    Replies(String, String, PageRequest),
    Profile(String),
    Posts(String, PageRequest),
    Search(String, SearchKind, PageRequest),
    Live(String),
}

impl Call {
    /// The capability the call needs (none for `parse`).
    pub fn capability(&self) -> Option<CapabilityKind> {
        Some(match self {
            Call::Parse(_) => return None,
            Call::Comments(..) | Call::Replies(..) => CapabilityKind::Comments,
            Call::Profile(_) => CapabilityKind::Profile,
            Call::Posts(..) => CapabilityKind::Posts,
            Call::Search(..) => CapabilityKind::Search,
            Call::Live(_) => CapabilityKind::Live,
        })
    }
}

/// A plugin's successful answer to a [`Call`].
#[derive(Debug, Clone)]
pub enum Answer {
    Media(Media),
    Comments(CommentPage),
    User(User),
    Posts(PostPage),
    Search(SearchPage),
    Live(LiveRoom),
}

/// A pre-linked plugin of a contract with capabilities (0.3 and later):
/// its `extractor` and whichever capability interfaces it exports, looked
/// up once. A macro, so each such version is one line; their answers are
/// all the newest types (0.4 shares 0.3's).
macro_rules! capable_pre {
    ($name:ident, $($x:ident)::+) => {
        pub struct $name {
            pre: InstancePre<RequestState>,
            extractor: $($x)::+::extractor::GuestIndices,
            comments: Option<$($x)::+::comments::GuestIndices>,
            profile: Option<$($x)::+::profile::GuestIndices>,
            posts: Option<$($x)::+::posts::GuestIndices>,
            search: Option<$($x)::+::search::GuestIndices>,
            live: Option<$($x)::+::live::GuestIndices>,
        }

        impl $name {
            fn new(pre: InstancePre<RequestState>) -> wasmtime::Result<Self> {
                Ok($name {
                    extractor: $($x)::+::extractor::GuestIndices::new(&pre)?,
                    comments: $($x)::+::comments::GuestIndices::new(&pre).ok(),
                    profile: $($x)::+::profile::GuestIndices::new(&pre).ok(),
                    posts: $($x)::+::posts::GuestIndices::new(&pre).ok(),
                    search: $($x)::+::search::GuestIndices::new(&pre).ok(),
                    live: $($x)::+::live::GuestIndices::new(&pre).ok(),
                    pre,
                })
            }

            fn exported(&self) -> Vec<CapabilityKind> {
                [
                    (self.comments.is_some(), CapabilityKind::Comments),
                    (self.profile.is_some(), CapabilityKind::Profile),
                    (self.posts.is_some(), CapabilityKind::Posts),
                    (self.search.is_some(), CapabilityKind::Search),
                    (self.live.is_some(), CapabilityKind::Live),
                ]
                .into_iter()
                .filter_map(|(has, k)| has.then_some(k))
                .collect()
            }

            /// Also type-checks every exported capability, so a mismatch
            /// fails the load.
            async fn describe(
                &self,
                store: &mut Store<RequestState>,
            ) -> wasmtime::Result<Descriptor> {
                let i = self.pre.instantiate_async(&mut *store).await?;
                if let Some(x) = &self.comments {
                    x.load(&mut *store, &i)?;
                }
                if let Some(x) = &self.profile {
                    x.load(&mut *store, &i)?;
                }
                if let Some(x) = &self.posts {
                    x.load(&mut *store, &i)?;
                }
                if let Some(x) = &self.search {
                    x.load(&mut *store, &i)?;
                }
                if let Some(x) = &self.live {
                    x.load(&mut *store, &i)?;
                }
                let x = self.extractor.load(&mut *store, &i)?;
                x.call_describe(store).await
            }

            async fn call(
                &self,
                store: &mut Store<RequestState>,
                call: &Call,
            ) -> wasmtime::Result<Result<Answer, ExtractError>> {
                let i = self.pre.instantiate_async(&mut *store).await?;
                let missing = || Ok(Err(not_exported(call)));
                Ok(match call {
                    Call::Parse(url) => {
                        let x = self.extractor.load(&mut *store, &i)?;
                        x.call_parse(store, url).await?.map(Answer::Media)
                    }
                    Call::Comments(url, page) => {
                        let Some(x) = &self.comments else { return missing() };
                        let x = x.load(&mut *store, &i)?;
                        x.call_comments(store, url, page).await?.map(Answer::Comments)
                    }
                    Call::Replies(url, id, page) => {
                        let Some(x) = &self.comments else { return missing() };
                        let x = x.load(&mut *store, &i)?;
                        let r = x.call_replies(store, url, id, page).await?;
                        r.map(Answer::Comments)
                    }
                    Call::Profile(url) => {
                        let Some(x) = &self.profile else { return missing() };
                        let x = x.load(&mut *store, &i)?;
                        x.call_profile(store, url).await?.map(Answer::User)
                    }
                    Call::Posts(url, page) => {
                        let Some(x) = &self.posts else { return missing() };
                        let x = x.load(&mut *store, &i)?;
                        x.call_posts(store, url, page).await?.map(Answer::Posts)
                    }
                    Call::Search(query, kind, page) => {
                        let Some(x) = &self.search else { return missing() };
                        let x = x.load(&mut *store, &i)?;
                        let r = x.call_search(store, query, *kind, page).await?;
                        r.map(Answer::Search)
                    }
                    Call::Live(url) => {
                        let Some(x) = &self.live else { return missing() };
                        let x = x.load(&mut *store, &i)?;
                        x.call_live(store, url).await?.map(Answer::Live)
                    }
                })
            }
        }
    };
}

capable_pre!(PreV0_4, since_v0_4_0::exports::grabkit::plugin);
capable_pre!(PreV0_3, since_v0_3_0::exports::grabkit::plugin);

/// A pre-linked plugin of one contract version.
pub enum PluginPre {
    V0_4(Box<PreV0_4>),
    V0_3(Box<PreV0_3>),
    V0_2(since_v0_2_0::PluginPre<RequestState>),
    V0_1(since_v0_1_0::PluginPre<RequestState>),
}

impl PluginPre {
    /// Type-check the component against the bindings of `version`.
    pub fn new(version: ContractVersion, pre: InstancePre<RequestState>) -> wasmtime::Result<Self> {
        Ok(match (version.major, version.minor) {
            (0, 4) => PluginPre::V0_4(Box::new(PreV0_4::new(pre)?)),
            (0, 3) => PluginPre::V0_3(Box::new(PreV0_3::new(pre)?)),
            (0, 2) => PluginPre::V0_2(since_v0_2_0::PluginPre::new(pre)?),
            (0, 1) => PluginPre::V0_1(since_v0_1_0::PluginPre::new(pre)?),
            _ => wasmtime::bail!("contract {version} is not served by this host"),
        })
    }

    /// The capability interfaces the component exports.
    pub fn exported(&self) -> Vec<CapabilityKind> {
        match self {
            PluginPre::V0_4(p) => p.exported(),
            PluginPre::V0_3(p) => p.exported(),
            _ => Vec::new(),
        }
    }

    /// Instantiate and ask for the self-description.
    pub async fn describe(&self, store: &mut Store<RequestState>) -> wasmtime::Result<Descriptor> {
        match self {
            PluginPre::V0_4(p) => p.describe(store).await,
            PluginPre::V0_3(p) => p.describe(store).await,
            PluginPre::V0_2(pre) => {
                let i = pre.instantiate_async(&mut *store).await?;
                let d = i.grabkit_plugin_extractor().call_describe(store).await?;
                Ok(d.into())
            }
            PluginPre::V0_1(pre) => {
                let i = pre.instantiate_async(&mut *store).await?;
                let d = i.grabkit_plugin_extractor().call_describe(store).await?;
                Ok(Descriptor::from(
                    since_v0_2_0::exports::grabkit::plugin::extractor::Descriptor::from(d),
                ))
            }
        }
    }

    /// Instantiate and make one call.
    pub async fn call(
        &self,
        store: &mut Store<RequestState>,
        call: &Call,
    ) -> wasmtime::Result<Result<Answer, ExtractError>> {
        match self {
            PluginPre::V0_4(p) => p.call(store, call).await,
            PluginPre::V0_3(p) => p.call(store, call).await,
            PluginPre::V0_2(pre) => {
                let Call::Parse(url) = call else {
                    return Ok(Err(not_exported(call)));
                };
                let i = pre.instantiate_async(&mut *store).await?;
                let r = i.grabkit_plugin_extractor().call_parse(store, url).await?;
                Ok(r.map(|m| Answer::Media(m.into())).map_err(Into::into))
            }
            PluginPre::V0_1(pre) => {
                let Call::Parse(url) = call else {
                    return Ok(Err(not_exported(call)));
                };
                let i = pre.instantiate_async(&mut *store).await?;
                let r = i.grabkit_plugin_extractor().call_parse(store, url).await?;
                use since_v0_2_0::exports::grabkit::plugin::extractor as v2;
                Ok(r.map(|m| Answer::Media(v2::Media::from(m).into()))
                    .map_err(|e| v2::ExtractError::from(e).into()))
            }
        }
    }
}

fn not_exported(call: &Call) -> ExtractError {
    ExtractError::NotSupported(format!(
        "the plugin does not export the {:?} capability",
        call.capability()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_match_as_semver_does_for_0_x() {
        let v = |s| ContractVersion::parse(s).unwrap();
        assert_eq!(v("0.2.0").served_by(), Some(v("0.2.0")));
        assert_eq!(v("0.2.7").served_by(), Some(v("0.2.0")), "a patch release");
        assert_eq!(v("0.1.0").served_by(), Some(v("0.1.0")));
        assert_eq!(v("0.3.0").served_by(), Some(v("0.3.0")));
        assert_eq!(v("0.4.0").served_by(), Some(v("0.4.0")));
        assert_eq!(v("0.5.0").served_by(), None, "newer than the host");
        assert_eq!(v("1.0.0").served_by(), None);
        assert!(ContractVersion::parse("0.2").is_none());
        assert!(ContractVersion::parse("0.2.0.1").is_none());
        assert_eq!(LATEST.export_name(), "grabkit:plugin/extractor@0.4.0");
    }
}
