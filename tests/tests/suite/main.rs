//! The end-to-end suite, one test binary: every module below starts the real server (and, where
//! it needs them, the WeCom simulator, PostgreSQL, Redis or headless Chromium) and drives it from
//! outside. One binary rather than one per file because each test binary links the whole server:
//! twenty of them filled a CI machine's disk. The three log-capture tests stay in binaries of their
//! own (`session_logs.rs`, `json_logs.rs`, `wecom_logs.rs`): they install process-wide log subscribers.

mod api_description;
mod attribution;
mod attribution_policies;
mod browser;
mod cache;
mod callback;
mod crypto_interop;
mod demo;
mod door_limits;
mod health;
mod import;
mod inbox;
mod ingest;
mod jssdk;
mod migrations;
mod monitoring;
mod performance_browser;
mod readiness;
mod reports;
mod sending;
mod sending_browser;
mod shares;
mod sidebar_api;
mod sidebar_assets;
mod sidebar_browser;
mod sidebar_states;
mod sign_in;
mod simulator_push;
mod storage;
mod sync;
mod sync_race;
mod transfer;
mod wecom_client;
