//! The wire types of GuideDesk: what travels between the server, the sidebar page and the
//! tests. Only serde lives here so that the crate compiles to `wasm32-unknown-unknown` and the
//! sidebar never pulls in anything server-only.

pub mod error;
pub mod health;

pub use error::ApiError;
pub use health::{Health, Readiness, ReadinessCheck};
