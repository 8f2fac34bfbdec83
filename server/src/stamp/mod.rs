//! The stamp on whatever a guide sends: who it was sent to, by whom, from which store, when,
//! under which share, signed so that nobody can forge or alter it.
//!
//! A stamp is a set of readable query parameters added to a link or a mini-program page
//! (the brand's mall reads them as they are) and a signature over them: HMAC-SHA256, under
//! the key its `key id` names, of the canonical string ([`canonical`]), base64url without
//! padding. Keys rotate: links signed with an older key verify as long as that key is still
//! configured. Parameter names have defaults ([`ParamNames`]) and can be renamed per brand;
//! the signature does not depend on them.
//!
//! This room knows nothing of WeCom, sessions or the database: sending paths build a
//! [`Stamp`] and call [`stamp_link`]; whoever receives a link calls [`verify_link`].

mod link;
mod signing_keys;

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use link::{ParamNames, stamp_link, verify_link};
pub use signing_keys::{KeyError, StampKeys};

/// Who a share went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A customer, by their WeCom `external_userid`.
    Customer(String),
    /// A group chat, by its WeCom `chat_id`.
    Chat(String),
}

impl Recipient {
    /// `customer` or `chat`: how the canonical string and the shares table name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Customer(_) => "customer",
            Self::Chat(_) => "chat",
        }
    }

    /// The external_userid or chat_id.
    pub fn id(&self) -> &str {
        match self {
            Self::Customer(id) | Self::Chat(id) => id,
        }
    }
}

/// What a stamp says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The share's opaque token.
    pub share: String,
    pub recipient: Recipient,
    /// The sender's WeCom userid.
    pub staff: String,
    /// The sender's guide id (GuideDesk's).
    pub guide: i64,
    /// The guide's store at the moment of sending, if they had one.
    pub store: Option<i64>,
    /// When it was signed, unix seconds.
    pub issued_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StampError {
    #[error("the link has no {0} parameter: it carries no stamp, or not all of it")]
    Missing(String),
    #[error("the {0} parameter appears more than once")]
    Repeated(String),
    #[error("the {0} parameter is malformed: {1}")]
    Malformed(String, String),
    #[error("the link names both a customer and a chat")]
    TwoRecipients,
    #[error(
        "signed with key {0:?}, which this server does not have (another deployment's, or retired)"
    )]
    UnknownKey(String),
    #[error("the signature does not match what the link says: forged or altered")]
    Forged,
    #[error("signed {age_days} days ago; stamps are accepted for {max_days} days")]
    Expired { age_days: i64, max_days: i64 },
    #[error("signed in the future (issued-at {0}): the signer's clock, or a forgery")]
    FromTheFuture(i64),
    #[error("a stamp value may not contain a line break")]
    LineBreak,
}

/// The string a stamp's signature covers, version 1: nine lines, in this order, whatever the
/// parameters are called: `GDSTAMP1`, key id, share token, `customer` or `chat`, the
/// recipient's id, staff userid, guide id, store id (empty without a store), issued-at.
pub fn canonical(key_id: &str, stamp: &Stamp) -> Result<String, StampError> {
    let store = stamp.store.map(|id| id.to_string()).unwrap_or_default();
    let fields = [
        "GDSTAMP1",
        key_id,
        &stamp.share,
        stamp.recipient.kind(),
        stamp.recipient.id(),
        &stamp.staff,
        &stamp.guide.to_string(),
        &store,
        &stamp.issued_at.to_string(),
    ];
    if fields.iter().any(|field| field.contains(['\n', '\r'])) {
        return Err(StampError::LineBreak);
    }
    Ok(fields.join("\n"))
}

fn mac(secret: &[u8], canonical: &str) -> Hmac<Sha256> {
    // `Hmac` accepts keys of any length, so this never fails.
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| <Hmac<Sha256> as hmac::digest::KeyInit>::new(&Default::default()));
    mac.update(canonical.as_bytes());
    mac
}

/// The signature of `stamp` under the key `key_id` with `secret`: base64url, no padding.
pub fn signature(key_id: &str, secret: &[u8], stamp: &Stamp) -> Result<String, StampError> {
    use base64::Engine as _;
    let canonical = canonical(key_id, stamp)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(mac(secret, &canonical).finalize().into_bytes()))
}

/// Checks `given` (base64url) against `stamp` in constant time.
fn check(key_id: &str, secret: &[u8], stamp: &Stamp, given: &str) -> Result<(), StampError> {
    use base64::Engine as _;
    let given = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(given)
        .map_err(|_| StampError::Forged)?;
    mac(secret, &canonical(key_id, stamp)?)
        .verify_slice(&given)
        .map_err(|_| StampError::Forged)
}

#[cfg(test)]
mod stamp_tests;
