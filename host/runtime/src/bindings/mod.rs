//! Host bindings, one module per released contract version, generated from
//! its frozen copy under `wit/since_vX.Y.Z/` (Zed's extension API is the
//! model). The newest is `latest`; the host's own code speaks only its
//! types, and an older plugin's answers are converted on the way in.
//! A new contract version adds a folder, a module and an arm here.

pub mod since_v0_1_0;
pub mod since_v0_2_0;

pub use since_v0_2_0 as latest;

pub use latest::exports::grabkit::plugin::extractor::{Descriptor, ExtractError, Media};
pub use latest::grabkit::plugin::types::{Audio, Header, Image, Video, VideoSource};

use super::state::RequestState;
use wasmtime::Store;
use wasmtime::component::{InstancePre, Linker};

/// The interface every plugin exports, without its version.
pub const EXTRACTOR: &str = "grabkit:plugin/extractor";

/// The contract versions this host speaks, newest first.
pub const VERSIONS: &[ContractVersion] =
    &[ContractVersion::new(0, 2, 0), ContractVersion::new(0, 1, 0)];

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
    since_v0_2_0::Plugin::add_to_linker::<RequestState, HasSelf<RequestState>>(linker, |s| s)?;
    since_v0_1_0::Plugin::add_to_linker::<RequestState, HasSelf<RequestState>>(linker, |s| s)?;
    Ok(())
}

/// A pre-linked plugin of one contract version.
pub enum PluginPre {
    V0_2(since_v0_2_0::PluginPre<RequestState>),
    V0_1(since_v0_1_0::PluginPre<RequestState>),
}

impl PluginPre {
    /// Type-check the component against the bindings of `version`.
    pub fn new(version: ContractVersion, pre: InstancePre<RequestState>) -> wasmtime::Result<Self> {
        Ok(match (version.major, version.minor) {
            (0, 2) => PluginPre::V0_2(since_v0_2_0::PluginPre::new(pre)?),
            (0, 1) => PluginPre::V0_1(since_v0_1_0::PluginPre::new(pre)?),
            _ => wasmtime::bail!("contract {version} is not served by this host"),
        })
    }

    /// Instantiate and ask for the self-description.
    pub async fn describe(&self, store: &mut Store<RequestState>) -> wasmtime::Result<Descriptor> {
        match self {
            PluginPre::V0_2(pre) => {
                let i = pre.instantiate_async(&mut *store).await?;
                i.grabkit_plugin_extractor().call_describe(store).await
            }
            PluginPre::V0_1(pre) => {
                let i = pre.instantiate_async(&mut *store).await?;
                let d = i.grabkit_plugin_extractor().call_describe(store).await?;
                Ok(d.into())
            }
        }
    }

    /// Instantiate and parse one link.
    pub async fn parse(
        &self,
        store: &mut Store<RequestState>,
        url: &str,
    ) -> wasmtime::Result<Result<Media, ExtractError>> {
        match self {
            PluginPre::V0_2(pre) => {
                let i = pre.instantiate_async(&mut *store).await?;
                i.grabkit_plugin_extractor().call_parse(store, url).await
            }
            PluginPre::V0_1(pre) => {
                let i = pre.instantiate_async(&mut *store).await?;
                let r = i.grabkit_plugin_extractor().call_parse(store, url).await?;
                Ok(r.map(Into::into).map_err(Into::into))
            }
        }
    }
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
        assert_eq!(v("0.3.0").served_by(), None, "newer than the host");
        assert_eq!(v("1.0.0").served_by(), None);
        assert!(ContractVersion::parse("0.2").is_none());
        assert!(ContractVersion::parse("0.2.0.1").is_none());
        assert_eq!(LATEST.export_name(), "grabkit:plugin/extractor@0.2.0");
    }
}
