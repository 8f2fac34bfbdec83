//! What the guide sees: the sidebar page's files (and, in later issues, the guide-facing API).

pub mod assets;

pub use assets::SidebarAssets;
