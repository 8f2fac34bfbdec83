//! The test harness: the real server on port 0 with a fresh database and cache namespace,
//! a typed client, and the helpers end-to-end tests share (a headless Chromium, a TCP proxy
//! that can take a dependency "down" for one app).
//!
//! Backends come from the environment, so the same tests run on both:
//! - SQLite temp file and the in-process cache by default;
//! - `TEST_DATABASE_URL=postgres://...`: a fresh PostgreSQL database per test, dropped after;
//! - `TEST_REDIS_URL=redis://...`: the Redis cache, under a fresh key prefix per test.
//!
//! A test that needs one of them fails without it, unless `TEST_BACKENDS=sqlite` says the run
//! is SQLite-only (`backends::without_backend`).

pub mod app;
pub mod backends;
pub mod browser;
pub mod guide_session;
pub mod log_capture;
pub mod seeded;
pub mod simulator;
pub mod sql;
pub mod tcp_proxy;
pub mod wecom;

pub use app::{TestApp, TestOptions, spawn_app, spawn_app_with};

/// How many rows the entity's table holds.
pub async fn count_rows<E>(db: &sea_orm::DatabaseConnection) -> u64
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
{
    use sea_orm::PaginatorTrait;
    E::find().count(db).await.expect("count rows")
}
