//! WeCom's callback requests, as the protocol defines them: the signature parameters of the
//! query string, the replay window, the envelope and its decryption. What the app does with
//! an authentic payload (the inbox stores it) is not this module's business.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use super::crypto::{CallbackCrypto, CryptoError};
use super::events;
use super::flat_xml;

/// WeCom's payloads are a few KB; anything near this is not from WeCom.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How this app's callbacks are checked: its crypto (Token, EncodingAESKey, CorpID) and
/// the replay window.
#[derive(Debug)]
pub struct CallbackVerifier {
    pub crypto: CallbackCrypto,
    /// A request whose timestamp is further than this from now is refused; 0 disables.
    pub max_skew_secs: u64,
}

/// Why a request is not an authentic callback.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("missing query parameter `{0}`")]
    MissingParameter(&'static str),
    #[error("the timestamp is not a number of seconds")]
    InvalidTimestamp,
    #[error("the timestamp is {0} s away from now")]
    StaleTimestamp(i64),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl CallbackError {
    /// A stable, machine-readable name for the refusal: WeCom's own code (`-40001`) for a
    /// crypto failure.
    pub fn code(&self) -> String {
        match self {
            Self::MissingParameter(_) => "missing_parameter".into(),
            Self::InvalidTimestamp => "invalid_timestamp".into(),
            Self::StaleTimestamp(_) => "stale_timestamp".into(),
            Self::Crypto(error) => error.code().to_string(),
        }
    }
}

/// The query parameters, percent-decoded but with `+` kept as `+`: `echostr` is base64, and
/// form decoding (`+` as space) would corrupt it.
struct CallbackQuery {
    params: Vec<(String, String)>,
}

impl CallbackQuery {
    fn parse(query: &str) -> Self {
        let params = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(name), decode(value))
            })
            .collect();
        Self { params }
    }

    fn required(&self, name: &'static str) -> Result<&str, CallbackError> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
            .ok_or(CallbackError::MissingParameter(name))
    }
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Refuses replays of old requests: a captured request stays valid only this long.
fn check_timestamp(timestamp: &str, max_skew_secs: u64) -> Result<(), CallbackError> {
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| CallbackError::InvalidTimestamp)?;
    if max_skew_secs == 0 {
        return Ok(());
    }
    let skew = chrono::Utc::now().timestamp().saturating_sub(sent);
    if skew.unsigned_abs() > max_skew_secs {
        return Err(CallbackError::StaleTimestamp(skew));
    }
    Ok(())
}

/// A request whose signature parameters are present and whose timestamp is in the replay
/// window: checked before its body is read.
pub struct SignedRequest<'v> {
    verifier: &'v CallbackVerifier,
    query: CallbackQuery,
}

impl CallbackVerifier {
    /// The query string's signature parameters, checked against the replay window.
    pub fn signed_request(&self, query_string: &str) -> Result<SignedRequest<'_>, CallbackError> {
        let query = CallbackQuery::parse(query_string);
        for name in ["msg_signature", "timestamp", "nonce"] {
            query.required(name)?;
        }
        check_timestamp(query.required("timestamp")?, self.max_skew_secs)?;
        Ok(SignedRequest {
            verifier: self,
            query,
        })
    }
}

impl SignedRequest<'_> {
    fn open(&self, encrypt: &str) -> Result<String, CallbackError> {
        Ok(self.verifier.crypto.verify_and_decrypt(
            self.query.required("msg_signature")?,
            self.query.required("timestamp")?,
            self.query.required("nonce")?,
            encrypt,
        )?)
    }

    /// URL verification (`GET ...&echostr=`): the decrypted echo, to be answered as is.
    pub fn verified_echo(&self) -> Result<String, CallbackError> {
        self.open(self.query.required("echostr")?)
    }

    /// An event delivery: the decrypted payload of the envelope `body`.
    pub fn open_envelope(&self, body: &[u8]) -> Result<String, CallbackError> {
        let encrypt = envelope_encrypt(body)?;
        self.open(&encrypt)
    }
}

/// The `Encrypt` value of the envelope: `<xml>...<Encrypt>..</Encrypt></xml>`, or the JSON
/// variant `{"tousername", "encrypt", "agentid"}` some callback kinds use.
pub fn envelope_encrypt(body: &[u8]) -> Result<Cow<'_, str>, CryptoError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| CryptoError::ParseBody)?
        .trim();
    let encrypt = if text.starts_with('<') {
        match simple_envelope_encrypt(text) {
            Some(encrypt) => Some(Cow::Borrowed(encrypt)),
            None => events::top_level_text(text, "Encrypt").map_err(|_| CryptoError::ParseBody)?,
        }
    } else if text.starts_with('{') {
        #[derive(serde::Deserialize)]
        struct JsonEnvelope {
            #[serde(alias = "Encrypt")]
            encrypt: Option<String>,
        }
        serde_json::from_str::<JsonEnvelope>(text)
            .map_err(|_| CryptoError::ParseBody)?
            .encrypt
            .map(Cow::Owned)
    } else {
        None
    };
    encrypt
        .filter(|value| !value.is_empty())
        .ok_or(CryptoError::ParseBody)
}

/// The `Encrypt` of an envelope in the shape WeCom sends (see [`flat_xml`]), `Encrypt` once;
/// `None` for any other shape, which the XML parser then reads.
fn simple_envelope_encrypt(text: &str) -> Option<&str> {
    let mut encrypt = None;
    flat_xml::for_each_child(text, |name, value| {
        if name != "Encrypt" {
            return true;
        }
        let first = encrypt.is_none();
        encrypt = Some(value);
        first
    })?;
    encrypt.map(str::trim)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn wecoms_envelopes_take_the_direct_path() {
        for body in [
            "<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>",
            "<xml><ToUserName>ww1</ToUserName><AgentID>218</AgentID><Encrypt>abc+/=</Encrypt></xml>",
            "<xml>\n  <Encrypt><![CDATA[abc+/=]]></Encrypt>\n</xml>",
        ] {
            assert_eq!(simple_envelope_encrypt(body), Some("abc+/="), "{body}");
            assert_eq!(envelope_encrypt(body.as_bytes()).unwrap(), "abc+/=");
        }
    }

    #[test]
    fn other_shapes_are_left_to_the_parser() {
        for body in [
            "<?xml version=\"1.0\"?><xml><Encrypt>abc</Encrypt></xml>",
            "<xml><Encrypt>a&amp;b</Encrypt></xml>",
            "<xml><Encrypt>abc</Encrypt><Encrypt>def</Encrypt></xml>",
            "<xml><Encrypt a=\"1\">abc</Encrypt></xml>",
            "<xml><Encrypt>abc</Other></xml>",
            "<xml><Encrypt>abc</Encrypt>",
            "<xml><Encrypt><![CDATA[abc]]> </Encrypt></xml>",
            "<xml><Outer><Encrypt>abc</Encrypt></Outer></xml>",
        ] {
            assert_eq!(simple_envelope_encrypt(body), None, "{body}");
        }
        // The parser still reads the well-formed ones, and refuses the rest.
        assert_eq!(
            envelope_encrypt(b"<xml><Encrypt>abc</Encrypt><Encrypt>def</Encrypt></xml>").unwrap(),
            "abc"
        );
        assert_eq!(
            envelope_encrypt(b"<xml><Encrypt>a&amp;b</Encrypt></xml>").unwrap(),
            "a&b"
        );
        assert_eq!(
            envelope_encrypt(b"<xml><Encrypt>abc</Encrypt>").unwrap_err(),
            CryptoError::ParseBody
        );
    }

    proptest! {
        /// Whatever the direct path accepts, the XML parser reads the same way.
        #[test]
        fn the_direct_path_agrees_with_the_parser(
            parts in proptest::collection::vec(
                (
                    prop_oneof!["Encrypt", "ToUserName", "AgentID", "[A-Za-z][A-Za-z0-9_]{0,6}", ".{0,4}"],
                    prop_oneof!["[A-Za-z0-9+/= ]{0,12}", ".{0,8}", "[<>&\\]\\[! \r\n]{0,6}"],
                    any::<bool>(),
                    prop_oneof!["", " ", "\n", "x"],
                ),
                0..5,
            )
        ) {
            let mut body = String::from("<xml>");
            for (name, value, cdata, gap) in &parts {
                body.push_str(gap);
                if *cdata {
                    body.push_str(&format!("<{name}><![CDATA[{value}]]></{name}>"));
                } else {
                    body.push_str(&format!("<{name}>{value}</{name}>"));
                }
            }
            body.push_str("</xml>");
            if let Some(direct) = simple_envelope_encrypt(&body) {
                let parsed = events::top_level_text(&body, "Encrypt").ok().flatten();
                prop_assert_eq!(parsed.as_deref().unwrap_or(""), direct, "{}", body);
            }
        }
    }
}
