//! Embedding the portal in other pages: widgets (small pages for iframes) and badges
//! (images that work anywhere, even in a README), drawn as shields.io draws them and
//! answered in Backstage's shapes.
//!
//! - [`widget`]: which widgets there are, their options, what the entity ones show.
//! - [`oembed`]: a portal page's address → its widget, as an oEmbed answer.
//! - [`snippets`]: what the "Embed" dialog offers to copy for a widget.
//! - [`signed`]: signed, expiring links that read as the person who shared them.
//! - [`badge`]: what each badge of an entity says, and its spec for the "badges" list.
//! - [`badge_svg`]: a badge drawn as SVG, text measured so it never overflows.

pub mod badge;
pub mod badge_svg;
pub mod oembed;
pub mod signed;
pub mod snippets;
pub mod widget;
