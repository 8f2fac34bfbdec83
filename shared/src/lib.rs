//! The wire types of GuideDesk: what travels between the server, the sidebar page and the
//! tests. Only serde lives here so that the crate compiles to `wasm32-unknown-unknown` and the
//! sidebar never pulls in anything server-only.

pub mod credit;
pub mod customer;
pub mod error;
pub mod health;
pub mod ingest;
pub mod offer;
pub mod report;
pub mod session;
pub mod share;

pub use error::ApiError;
pub use health::{Health, Readiness, ReadinessCheck};
pub use ingest::{IngestAnswer, IngestRejection};
pub use session::{AgentSignature, CorpSignature, JssdkConfig, SessionInfo, SignIn};
