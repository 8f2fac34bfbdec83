//! Mirrors WeCom into the directory: the corp tag catalogue, every guide's external contacts
//! with their tags, and the fetches callbacks queue (a contact edited, a member changed).
//!
//! Run by hand (`guidedesk sync contacts|tags`), nightly by the server, and the queue every
//! minute. Calls are paced (WeCom rate-limits per corp and per app), a contacts run records
//! where it is after every page so an interrupted run resumes, and relations WeCom no longer
//! lists are marked lost (a callback that never arrived), never deleted.

mod contacts;
mod pacer;
mod queue;
mod run_claim;
pub mod schedule;
mod tag_catalogue;

pub use contacts::{ContactSyncSummary, sync_contacts};
pub use pacer::Pacer;
pub use queue::{DrainCounts, MAX_ATTEMPTS as MAX_QUEUE_ATTEMPTS, drain_queue};
pub use tag_catalogue::{apply_follow, sync_catalogue};

use crate::wecom::client::WecomError;

/// How a sync run is carried out.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    /// WeCom calls per second, at most.
    pub calls_per_sec: u32,
    /// Start over even if an unfinished run could be resumed.
    pub restart: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            calls_per_sec: 20,
            restart: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("WeCom: {0}")]
    Wecom(#[from] WecomError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// Another run is moving (it saved its position recently).
    #[error("another contacts sync is running (run {run_id}); try again when it has finished")]
    AlreadyRunning { run_id: i64 },
    #[error("{0}")]
    Position(String),
}
