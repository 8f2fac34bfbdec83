use chrono::Utc;
use sea_orm::{ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait, TryInsertResult};
use sha2::{Digest, Sha256};

use super::status;
use crate::entity::callback_inbox;

/// Whether this delivery was new or a repeat of one already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    Duplicate,
}

/// SHA-256 of the whole decrypted payload. WeCom's retries repeat the payload byte for byte
/// and collapse into one row; two customers added in the same second differ in their
/// ExternalUserID and stay two rows (deduplicating on sender + time has lost real events).
pub fn dedupe_key(payload: &str) -> String {
    hex::encode(Sha256::digest(payload.as_bytes()))
}

/// Stores a verified, decrypted callback unless the same payload is stored already. The
/// unique index on `dedupe_key` decides, so concurrent deliveries cannot both insert.
pub async fn store_callback(
    db: &DatabaseConnection,
    payload: &str,
    event_kind: Option<String>,
) -> Result<Stored, DbErr> {
    let now = Utc::now();
    let row = callback_inbox::ActiveModel {
        dedupe_key: Set(dedupe_key(payload)),
        payload: Set(payload.to_owned()),
        event_kind: Set(event_kind),
        status: Set(status::PENDING.to_owned()),
        attempts: Set(0),
        last_error: Set(None),
        next_attempt_at: Set(now),
        received_at: Set(now),
        processed_at: Set(None),
        locked_until: Set(None),
        ..Default::default()
    };
    let result = callback_inbox::Entity::insert(row)
        .on_conflict_do_nothing_on([callback_inbox::Column::DedupeKey])
        .exec_without_returning(db)
        .await?;
    Ok(match result {
        TryInsertResult::Inserted(rows) if rows > 0 => Stored::New,
        _ => Stored::Duplicate,
    })
}
