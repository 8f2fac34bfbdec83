//! sea-orm entities, one file per table (the schema itself lives in `migrations`).

pub mod callback_inbox;
pub mod customer;
pub mod customer_transfer;
pub mod follow_history;
pub mod guide;
pub mod guide_customer;
pub mod wecom_sync_queue;
