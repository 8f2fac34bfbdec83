//! The keys stamps are signed with: `id:secret` pairs, the first the one new stamps are
//! signed with, the others kept so that links signed before a rotation still verify.

use crate::secret::Secret;

/// At least this many characters of secret (HMAC-SHA256 wants 32 bytes of key material).
pub const MIN_SECRET_CHARS: usize = 32;

#[derive(Debug, Clone)]
pub struct StampKeys {
    keys: Vec<(String, Secret)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("no key: give at least one id:secret")]
    Empty,
    #[error("{0:?} is not id:secret")]
    NotAPair(String),
    #[error("key id {0:?}: 1 to 16 letters, digits, '-' or '_'")]
    BadId(String),
    #[error("key {0:?}: the secret must be at least 32 characters (it is not shown)")]
    ShortSecret(String),
    #[error("key id {0:?} is given twice")]
    Repeated(String),
}

impl StampKeys {
    /// Reads `id:secret,id:secret,…` (the first signs; all verify).
    pub fn parse(list: &str) -> Result<Self, KeyError> {
        let mut keys: Vec<(String, Secret)> = Vec::new();
        for pair in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, secret) = pair
                .split_once(':')
                .ok_or_else(|| KeyError::NotAPair(pair.chars().take(16).collect()))?;
            let id = id.trim();
            let valid_id = (1..=16).contains(&id.len())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid_id {
                return Err(KeyError::BadId(id.chars().take(16).collect()));
            }
            if secret.chars().count() < MIN_SECRET_CHARS {
                return Err(KeyError::ShortSecret(id.into()));
            }
            if keys.iter().any(|(known, _)| known == id) {
                return Err(KeyError::Repeated(id.into()));
            }
            keys.push((id.to_owned(), Secret::new(secret)));
        }
        if keys.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(Self { keys })
    }

    /// The key new stamps are signed with: `(id, secret)`.
    pub fn current(&self) -> (&str, &[u8]) {
        // `parse` never returns an empty list.
        self.keys.first().map_or(("", &[][..]), |(id, secret)| {
            (id.as_str(), secret.expose().as_bytes())
        })
    }

    /// The secret of key `id`, if this server has it.
    pub fn secret(&self, id: &str) -> Option<&[u8]> {
        self.keys
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, secret)| secret.expose().as_bytes())
    }
}
