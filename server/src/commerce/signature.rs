//! The ingest API's authentication: `X-GuideDesk-Signature` is the lowercase hex
//! HMAC-SHA256 of `"{timestamp}.{raw body}"` under `GUIDEDESK_INGEST_SECRET`, and
//! `X-GuideDesk-Timestamp` (unix seconds) must be within 300 s of now, so a captured request
//! cannot be replayed later.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far the timestamp may be from now.
pub const MAX_SKEW_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("X-GuideDesk-Timestamp or X-GuideDesk-Signature is missing")]
    Missing,
    #[error("X-GuideDesk-Timestamp is not unix seconds")]
    BadTimestamp,
    #[error("X-GuideDesk-Timestamp is more than 300 s from now")]
    Stale,
    #[error("the signature does not match")]
    Mismatch,
}

/// The signature a sender computes (also what the tests and the docs use).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // `Hmac` is `KeyInit`: any key length is accepted, so this never fails.
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| <Hmac<Sha256> as hmac::digest::KeyInit>::new(&Default::default()));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Checks a request's headers against its raw body, in constant time.
pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(SignatureError::Missing);
    };
    let seconds: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    if (now - seconds).abs() > MAX_SKEW_SECS {
        return Err(SignatureError::Stale);
    }
    let given = hex::decode(signature.trim()).map_err(|_| SignatureError::Mismatch)?;
    mac(secret, timestamp, body)
        .verify_slice(&given)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_body_verifies_and_any_change_does_not() {
        let body = br#"{"records":[]}"#;
        let signature = sign("s3cret", "1700000000", body);
        assert_eq!(signature.len(), 64);
        assert_eq!(
            verify(
                "s3cret",
                Some("1700000000"),
                Some(&signature),
                body,
                1_700_000_100
            ),
            Ok(())
        );
        let cases = [
            (
                Some("1700000000"),
                Some(signature.as_str()),
                &b"{}"[..],
                SignatureError::Mismatch,
            ),
            (
                Some("1700000001"),
                Some(signature.as_str()),
                &body[..],
                SignatureError::Mismatch,
            ),
            (
                Some("1700000000"),
                Some("zz"),
                &body[..],
                SignatureError::Mismatch,
            ),
            (
                None,
                Some(signature.as_str()),
                &body[..],
                SignatureError::Missing,
            ),
            (Some("1700000000"), None, &body[..], SignatureError::Missing),
            (
                Some("soon"),
                Some(signature.as_str()),
                &body[..],
                SignatureError::BadTimestamp,
            ),
        ];
        for (timestamp, signature, body, expected) in cases {
            assert_eq!(
                verify("s3cret", timestamp, signature, body, 1_700_000_100),
                Err(expected)
            );
        }
        assert_eq!(
            verify(
                "s3cret",
                Some("1700000000"),
                Some(&signature),
                body,
                1_700_000_301
            ),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(
                "other",
                Some("1700000000"),
                Some(&signature),
                body,
                1_700_000_000
            ),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn the_signature_matches_an_independent_hmac_sha256() {
        // Python: hmac.new(b"s3cret", b'1700000000.{"records":[]}', hashlib.sha256).hexdigest()
        assert_eq!(
            sign("s3cret", "1700000000", br#"{"records":[]}"#),
            "a1e4c252fafa884b23f6d6e3e0366d76841fcf9f697341eb351407e91003fffa"
        );
    }
}
