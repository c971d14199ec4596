//! The plugin authoring kit: `grabkit plugin new` (scaffold), `grabkit
//! check` (cases: a link, a cassette, a golden), `grabkit inspect`, and
//! the golden-file rules they share. Record and replay itself lives at the
//! HTTP capability, in `grabkit_egress::cassette`.

pub mod check;
pub mod golden;
pub mod inspect;
pub mod scaffold;
