//! Embedding the portal in other pages: badges (images that work anywhere, even in a
//! README), drawn as shields.io draws them and answered in Backstage's shapes.
//!
//! - [`badge`]: what each badge of an entity says, and its spec for the "badges" list.
//! - [`badge_svg`]: a badge drawn as SVG, text measured so it never overflows.

pub mod badge;
pub mod badge_svg;
