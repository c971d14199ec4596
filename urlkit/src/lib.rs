//! URL chores shared by the grabkit host and the plugin SDK, so both sides
//! agree byte for byte on which link goes where:
//!
//! - [`Pattern`]: the URL pattern syntax plugins declare (`*.bilibili.com/video/BV{bvid}`).
//! - [`find_url`]: pull the first link out of a pasted share text.
//! - [`host_matches`]: the allowlist rule (`exact` or `*.suffix`).

mod find;
mod pattern;

pub use find::{FindError, find_url};
pub use pattern::{Captures, Pattern, PatternError, PatternSet, domain_matches, host_matches};
