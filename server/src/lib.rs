//! GuideDesk server: a WeCom chat-sidebar backend for retail shopping guides.
//!
//! Start with `app.rs` (how the server is put together) and `cli.rs` (what `guidedesk`
//! can do); each other module is named after the business concern it owns.

pub mod api_doc;
pub mod app;
pub mod attribution;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod commerce;
pub mod config;
pub mod database;
#[cfg(feature = "demo")]
pub mod demo;
pub mod directory;
pub mod entity;
pub mod error;
pub mod health;
pub mod inbox;
pub mod limits;
pub mod log_lines;
pub mod media;
pub mod monitoring;
pub mod progress;
pub mod reports;
pub mod request_log;
pub mod route_table;
pub mod secret;
pub mod shares;
pub mod sidebar;
pub mod stamp;
pub mod sync;
pub mod wecom;
#[cfg(feature = "demo")]
pub mod wecom_sim;
pub mod wire;

pub use app::Application;
pub use config::Settings;
