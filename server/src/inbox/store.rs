use sha2::{Digest, Sha256};

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
