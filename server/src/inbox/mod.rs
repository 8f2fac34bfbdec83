//! The durable inbox of WeCom callbacks: a callback is acknowledged only after its decrypted
//! payload is stored here, once, whatever number of times WeCom delivers it.

pub mod admin;
mod apply;
mod backlog;
mod intake;
pub(crate) mod receive;
mod store;
pub mod worker;

pub use apply::{Outcome, apply_event};
pub use backlog::{Backlog, backlog};
pub use intake::{Intake, IntakeError};
pub use receive::{ReceiveError, receive_callback, verify_callback_url};
pub use store::{Stored, dedupe_key};
pub use worker::{Dependents, WorkerSettings};

/// Row states. `processing` rows carry a lease (`locked_until`); a row whose lease ran out
/// (its server died) is due again.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const PROCESSING: &str = "processing";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
    pub const IGNORED: &str = "ignored";
}
