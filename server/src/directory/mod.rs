//! Who serves whom: guides (WeCom members), customers (external contacts) and the follow
//! relations between them, as WeCom's callbacks (and later its API) report them.
//!
//! Every operation is idempotent and order-aware: applying the same fact twice changes
//! nothing, and a fact older than what is recorded (a delayed callback) does not overwrite it.

mod customers;
pub mod group_chats;
mod guides;
pub mod relation_hook;
mod relations;
pub mod scope;
mod sync_queue;
pub mod tags;
pub mod transfer;

pub use customers::*;
pub use guides::*;
pub use relations::*;
pub use sync_queue::*;
pub use transfer::record_transfer_failed;

pub mod relation_status {
    pub const ACTIVE: &str = "active";
    pub const LOST: &str = "lost";
}

pub mod transfer_status {
    /// The guide left; nobody has asked WeCom to move the customer yet.
    pub const AWAITING: &str = "awaiting";
    /// WeCom accepted the request; it completes about a day later.
    pub const REQUESTED: &str = "requested";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
}

/// Why a customer must move to another guide.
pub mod transfer_reason {
    pub const RESIGNED: &str = "resigned";
    pub const REASSIGNED: &str = "reassigned";
}

pub mod guide_status {
    pub const ACTIVE: &str = "active";
    pub const DISABLED: &str = "disabled";
    pub const RESIGNED: &str = "resigned";
}
