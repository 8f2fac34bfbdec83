//! sea-orm entities, one file per table (the schema itself lives in `migrations`).

pub mod callback_inbox;
