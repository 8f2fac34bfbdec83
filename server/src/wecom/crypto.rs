//! WeCom's callback crypto (the scheme of Tencent's "WXBizMsgCrypt" samples).
//!
//! - signature: `hex(sha1(concat(sort([token, timestamp, nonce, encrypt]))))`
//! - key: `base64(EncodingAESKey + "=")`, 32 bytes; AES-256-CBC with IV = key[..16]
//! - plaintext: `random(16) || len(msg) as u32 BE || msg || receiveid`, PKCS#7 padded to a
//!   multiple of **32** bytes (not AES's 16), then base64.
//!
//! Every failure is a [`CryptoError`] carrying the official error code, and no input, however
//! malformed, can make these functions panic (see the property tests and the fuzz target).

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, InnerIvInit, KeyInit};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use crate::secret::Secret;

type Aes256CbcEncryptor = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDecryptor = cbc::Decryptor<aes::Aes256>;

/// WeCom pads to 32 bytes, whatever AES's own block size is.
const PAD_BLOCK: usize = 32;
const RANDOM_PREFIX: usize = 16;
const LENGTH_FIELD: usize = 4;

/// The failures of the official samples, with their codes (kept so logs and answers match
/// what WeCom's documentation and support staff talk about).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("signature mismatch (-40001)")]
    SignatureMismatch,
    #[error("the body is not the expected XML or JSON (-40002)")]
    ParseBody,
    #[error("computing the signature failed (-40003)")]
    ComputeSignature,
    #[error("the EncodingAESKey is not 43 base64 characters of a 32-byte key (-40004)")]
    IllegalAesKey,
    #[error("the message is addressed to another corp (receiveid mismatch, -40005)")]
    ReceiveIdMismatch,
    #[error("encryption failed (-40006)")]
    Encrypt,
    #[error("decryption failed (-40007)")]
    Decrypt,
    #[error("the decrypted buffer is malformed (-40008)")]
    IllegalBuffer,
    #[error("base64 encoding failed (-40009)")]
    EncodeBase64,
    #[error("the ciphertext is not valid base64 (-40010)")]
    DecodeBase64,
    #[error("building the reply XML failed (-40011)")]
    BuildReply,
}

impl CryptoError {
    /// The official numeric code, e.g. -40001.
    pub fn code(self) -> i32 {
        match self {
            Self::SignatureMismatch => -40001,
            Self::ParseBody => -40002,
            Self::ComputeSignature => -40003,
            Self::IllegalAesKey => -40004,
            Self::ReceiveIdMismatch => -40005,
            Self::Encrypt => -40006,
            Self::Decrypt => -40007,
            Self::IllegalBuffer => -40008,
            Self::EncodeBase64 => -40009,
            Self::DecodeBase64 => -40010,
            Self::BuildReply => -40011,
        }
    }
}

/// The callback crypto of one WeCom app: its Token, EncodingAESKey and receiveid (the CorpID
/// for a self-built app). Debug never shows the token or key.
#[derive(Clone)]
pub struct CallbackCrypto {
    token: Secret,
    key: [u8; 32],
    /// The key schedule, expanded once: per message it cost as much as decrypting 1 KB.
    cipher: aes::Aes256,
    receive_id: String,
}

impl std::fmt::Debug for CallbackCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackCrypto")
            .field("receive_id", &self.receive_id)
            .finish_non_exhaustive()
    }
}

/// Decodes the 43-character EncodingAESKey. Its last character usually carries non-zero
/// padding bits (WeCom's own sample key does), which a strict base64 decoder rejects.
pub fn decode_aes_key(encoding_aes_key: &str) -> Result<[u8; 32], CryptoError> {
    if encoding_aes_key.len() != 43 {
        return Err(CryptoError::IllegalAesKey);
    }
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    let bytes = lenient
        .decode(format!("{encoding_aes_key}="))
        .map_err(|_| CryptoError::IllegalAesKey)?;
    bytes.try_into().map_err(|_| CryptoError::IllegalAesKey)
}

/// `hex(sha1(concat(sort(parts))))`: the msg_signature of a callback, and (with the same
/// shape) of a passive reply.
pub fn signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    hex::encode(signature_digest(token, timestamp, nonce, encrypt))
}

/// The SHA-1 behind [`signature`], before hex encoding.
fn signature_digest(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> [u8; 20] {
    let mut parts = [token, timestamp, nonce, encrypt];
    parts.sort_unstable();
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part.as_bytes());
    }
    hasher.finalize().into()
}

impl CallbackCrypto {
    pub fn new(
        token: Secret,
        encoding_aes_key: &str,
        receive_id: &str,
    ) -> Result<Self, CryptoError> {
        let key = decode_aes_key(encoding_aes_key)?;
        Ok(Self {
            token,
            key,
            cipher: aes::Aes256::new(&key.into()),
            receive_id: receive_id.to_owned(),
        })
    }

    pub fn receive_id(&self) -> &str {
        &self.receive_id
    }

    /// Checks `msg_signature` in constant time, so timing reveals nothing of the expected value.
    pub fn verify_signature(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<(), CryptoError> {
        let expected = signature_digest(self.token.expose(), timestamp, nonce, encrypt);
        // Compared as bytes, so hex case does not matter (WeCom sends lowercase, some proxies
        // do not); anything that is not 40 hex digits cannot match.
        let mut given = [0u8; 20];
        if hex::decode_to_slice(msg_signature, &mut given).is_ok()
            && bool::from(given.ct_eq(&expected))
        {
            Ok(())
        } else {
            Err(CryptoError::SignatureMismatch)
        }
    }

    /// Verifies the signature, then decrypts: the order WeCom's samples use, so that nothing
    /// unsigned is ever decrypted.
    pub fn verify_and_decrypt(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<String, CryptoError> {
        self.verify_signature(msg_signature, timestamp, nonce, encrypt)?;
        self.decrypt(encrypt)
    }

    /// Decrypts an `Encrypt` value (or a URL-verification `echostr`) and checks the receiveid.
    /// One buffer throughout: base64 decodes into it, AES decrypts it in place, and the
    /// message becomes the returned `String` without another copy.
    pub fn decrypt(&self, encrypt: &str) -> Result<String, CryptoError> {
        let mut buffer = STANDARD
            .decode(encrypt.trim())
            .map_err(|_| CryptoError::DecodeBase64)?;
        if buffer.is_empty() || buffer.len() % 16 != 0 {
            return Err(CryptoError::Decrypt);
        }
        let (iv, _) = self.key.split_at(16);
        Aes256CbcDecryptor::inner_iv_init(self.cipher.clone(), iv.into())
            .decrypt_padded_mut::<NoPadding>(&mut buffer)
            .map_err(|_| CryptoError::Decrypt)?;
        let message = self.message_range(&buffer)?;
        buffer.truncate(message.end);
        buffer.drain(..message.start);
        String::from_utf8(buffer).map_err(|_| CryptoError::IllegalBuffer)
    }

    /// The message inside a decrypted buffer: padding removed, the length field checked
    /// against the buffer, the receiveid checked. Public for the fuzz target, which feeds it
    /// arbitrary buffers that no AES decryption would produce on purpose.
    pub fn unframe(&self, plain: &[u8]) -> Result<String, CryptoError> {
        let message = plain
            .get(self.message_range(plain)?)
            .ok_or(CryptoError::IllegalBuffer)?;
        std::str::from_utf8(message)
            .map(str::to_owned)
            .map_err(|_| CryptoError::IllegalBuffer)
    }

    /// Where the message lies in a decrypted buffer (see [`CallbackCrypto::unframe`]).
    fn message_range(&self, plain: &[u8]) -> Result<std::ops::Range<usize>, CryptoError> {
        let content = unpad(plain)?;
        let (header, rest) = content
            .split_at_checked(RANDOM_PREFIX + LENGTH_FIELD)
            .ok_or(CryptoError::IllegalBuffer)?;
        let length_bytes: [u8; 4] = header[RANDOM_PREFIX..]
            .try_into()
            .map_err(|_| CryptoError::IllegalBuffer)?;
        let length = usize::try_from(u32::from_be_bytes(length_bytes))
            .map_err(|_| CryptoError::IllegalBuffer)?;
        let (_, receive_id) = rest
            .split_at_checked(length)
            .ok_or(CryptoError::IllegalBuffer)?;
        if receive_id != self.receive_id.as_bytes() {
            return Err(CryptoError::ReceiveIdMismatch);
        }
        let start = RANDOM_PREFIX + LENGTH_FIELD;
        Ok(start..start + length)
    }

    /// Encrypts a message with fresh random bytes: for passive replies and the simulator.
    pub fn encrypt(&self, message: &str) -> Result<String, CryptoError> {
        let mut random = [0u8; RANDOM_PREFIX];
        getrandom::fill(&mut random).map_err(|_| CryptoError::Encrypt)?;
        self.encrypt_with_random(message, random)
    }

    /// Like [`CallbackCrypto::encrypt`] with the 16 random bytes given (tests, fuzzing).
    pub fn encrypt_with_random(
        &self,
        message: &str,
        random: [u8; 16],
    ) -> Result<String, CryptoError> {
        let length = u32::try_from(message.len()).map_err(|_| CryptoError::Encrypt)?;
        let mut plain = Vec::with_capacity(
            RANDOM_PREFIX + LENGTH_FIELD + message.len() + self.receive_id.len() + PAD_BLOCK,
        );
        plain.extend_from_slice(&random);
        plain.extend_from_slice(&length.to_be_bytes());
        plain.extend_from_slice(message.as_bytes());
        plain.extend_from_slice(self.receive_id.as_bytes());
        pad(&mut plain);
        let (iv, _) = self.key.split_at(16);
        let ciphertext = Aes256CbcEncryptor::inner_iv_init(self.cipher.clone(), iv.into())
            .encrypt_padded_vec_mut::<NoPadding>(&plain);
        Ok(STANDARD.encode(ciphertext))
    }

    /// The signature of `encrypt` with this app's token.
    pub fn sign(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        signature(self.token.expose(), timestamp, nonce, encrypt)
    }

    /// An encrypted passive reply, as WeCom expects it.
    pub fn encrypted_reply(
        &self,
        message: &str,
        timestamp: &str,
        nonce: &str,
    ) -> Result<String, CryptoError> {
        let encrypt = self.encrypt(message)?;
        let signature = self.sign(timestamp, nonce, &encrypt);
        if [&encrypt, &signature, timestamp, nonce]
            .iter()
            .any(|v| v.contains("]]>"))
        {
            return Err(CryptoError::BuildReply);
        }
        Ok(format!(
            "<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt><MsgSignature><![CDATA[{signature}]]></MsgSignature><TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        ))
    }
}

/// PKCS#7 to a multiple of 32: an aligned input gets a whole block of 32 bytes of 32.
fn pad(buffer: &mut Vec<u8>) {
    let pad = PAD_BLOCK - buffer.len() % PAD_BLOCK;
    // `pad` is 1..=32, so it fits a byte.
    buffer.extend(std::iter::repeat_n(pad as u8, pad));
}

/// Removes WeCom's padding; a pad byte outside 1..=32 (or longer than the buffer) is an error.
fn unpad(buffer: &[u8]) -> Result<&[u8], CryptoError> {
    let pad = usize::from(*buffer.last().ok_or(CryptoError::IllegalBuffer)?);
    if !(1..=PAD_BLOCK).contains(&pad) || pad > buffer.len() {
        return Err(CryptoError::IllegalBuffer);
    }
    Ok(&buffer[..buffer.len() - pad])
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::KeyIvInit;
    use proptest::prelude::*;

    /// The values of Tencent's own sample (WXBizMsgCrypt, "验证回调URL").
    const SAMPLE_TOKEN: &str = "QDG6eK";
    const SAMPLE_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    const SAMPLE_CORP: &str = "wx5823bf96d3bd56c7";

    fn sample() -> CallbackCrypto {
        CallbackCrypto::new(Secret::new(SAMPLE_TOKEN), SAMPLE_KEY, SAMPLE_CORP).unwrap()
    }

    #[test]
    fn tencents_url_verification_sample_decrypts_to_its_echo() {
        let echo = sample()
            .verify_and_decrypt(
                "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
                "1409659589",
                "263014780",
                "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
            )
            .unwrap();
        assert_eq!(echo, "1616140317555161061");
    }

    #[test]
    fn an_aligned_message_gets_a_whole_block_of_padding() {
        for len in [0usize, 1, 31, 32, 33, 64] {
            let mut buffer = vec![7u8; len];
            pad(&mut buffer);
            assert_eq!(buffer.len() % PAD_BLOCK, 0);
            let added = buffer.len() - len;
            assert!((1..=PAD_BLOCK).contains(&added), "len {len}: added {added}");
            assert_eq!(unpad(&buffer).unwrap().len(), len);
        }
    }

    #[test]
    fn each_failure_carries_its_official_code() {
        let crypto = sample();
        let good = crypto.encrypt_with_random("<xml/>", [1; 16]).unwrap();
        let signed = crypto.sign("1", "n", &good);
        let cases: Vec<(&str, Result<String, CryptoError>, i32)> = vec![
            (
                "wrong signature",
                crypto.verify_and_decrypt("0".repeat(40).as_str(), "1", "n", &good),
                -40001,
            ),
            (
                "signature for other nonce",
                crypto.verify_and_decrypt(&signed, "1", "m", &good),
                -40001,
            ),
            ("not base64", crypto.decrypt("%%%%"), -40010),
            (
                "truncated ciphertext",
                crypto.decrypt(&STANDARD.encode([0u8; 15])),
                -40007,
            ),
            ("empty ciphertext", crypto.decrypt(""), -40007),
        ];
        for (what, result, code) in cases {
            assert_eq!(result.map_err(CryptoError::code), Err(code), "{what}");
        }
        let other_corp =
            CallbackCrypto::new(Secret::new(SAMPLE_TOKEN), SAMPLE_KEY, "wwother").unwrap();
        assert_eq!(other_corp.decrypt(&good).unwrap_err().code(), -40005);
        assert_eq!(decode_aes_key("short").unwrap_err().code(), -40004);
        assert_eq!(decode_aes_key(&"!".repeat(43)).unwrap_err().code(), -40004);
    }

    #[test]
    fn a_pad_byte_outside_1_to_32_is_an_error_not_a_panic() {
        let crypto = sample();
        let (iv, _) = crypto.key.split_at(16);
        for bad_pad in [0u8, 33, 200, 255] {
            let mut plain = vec![0u8; 64];
            plain[63] = bad_pad;
            let ciphertext = Aes256CbcEncryptor::new(&crypto.key.into(), iv.into())
                .encrypt_padded_vec_mut::<NoPadding>(&plain);
            let result = crypto.decrypt(&STANDARD.encode(ciphertext));
            assert_eq!(
                result.unwrap_err(),
                CryptoError::IllegalBuffer,
                "pad {bad_pad}"
            );
        }
    }

    #[test]
    fn a_length_field_beyond_the_buffer_is_an_error() {
        let crypto = sample();
        let (iv, _) = crypto.key.split_at(16);
        let mut plain = vec![0u8; 16];
        plain.extend_from_slice(&u32::MAX.to_be_bytes());
        plain.extend_from_slice(b"hello");
        pad(&mut plain);
        let ciphertext = Aes256CbcEncryptor::new(&crypto.key.into(), iv.into())
            .encrypt_padded_vec_mut::<NoPadding>(&plain);
        assert_eq!(
            crypto.decrypt(&STANDARD.encode(ciphertext)).unwrap_err(),
            CryptoError::IllegalBuffer
        );
    }

    #[test]
    fn debug_output_hides_token_and_key() {
        let debug = format!("{:?}", sample());
        assert!(
            !debug.contains(SAMPLE_TOKEN) && !debug.contains("jWmYm7"),
            "{debug}"
        );
    }

    /// Messages around multiples of 32 bytes, multibyte UTF-8 and the empty string.
    fn messages() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "[a-z]{0,100}",
            "[一-龥]{0,40}",
            (0usize..5, 1usize..5)
                .prop_map(|(delta, blocks)| "x".repeat((blocks * 32 + delta).saturating_sub(2))),
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn encrypt_then_decrypt_gives_the_message_back(message in messages(), random in any::<[u8; 16]>()) {
            let crypto = sample();
            let encrypted = crypto.encrypt_with_random(&message, random).unwrap();
            let signature = crypto.sign("1409659589", "263014780", &encrypted);
            let decrypted = crypto.verify_and_decrypt(&signature, "1409659589", "263014780", &encrypted).unwrap();
            prop_assert_eq!(decrypted, message);
        }

        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300), text in any::<String>()) {
            let crypto = sample();
            let _ = crypto.decrypt(&STANDARD.encode(&bytes));
            let _ = crypto.decrypt(&text);
            let _ = crypto.verify_and_decrypt(&text, &text, &text, &text);
            let _ = decode_aes_key(&text);
        }

        #[test]
        fn tampering_with_any_byte_of_the_ciphertext_is_caught(message in "[a-z]{1,64}", position in any::<prop::sample::Index>(), flip in 1u8..=255) {
            let crypto = sample();
            let encrypted = crypto.encrypt_with_random(&message, [9; 16]).unwrap();
            let mut raw = STANDARD.decode(&encrypted).unwrap();
            let at = position.index(raw.len());
            raw[at] ^= flip;
            let tampered = STANDARD.encode(raw);
            // Unsigned tampering is refused by the signature before anything is decrypted.
            let signature = crypto.sign("1", "n", &encrypted);
            prop_assert_eq!(crypto.verify_and_decrypt(&signature, "1", "n", &tampered), Err(CryptoError::SignatureMismatch));
        }
    }
}
