//! Whatever arrives at /wecom/callback, no layer may panic: the envelope parser, base64,
//! AES-CBC, the padding and length framing, the receiveid check and the event parser.
#![no_main]

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use server::config::Secret;
use server::wecom::callback::envelope_encrypt;
use server::wecom::crypto::CallbackCrypto;
use server::wecom::events;

fuzz_target!(|data: &[u8]| {
    let Ok(crypto) = CallbackCrypto::new(
        Secret::new("QDG6eK"),
        "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        "ww5823bf96d3bd56c7",
    ) else {
        return;
    };
    // The body as an envelope, then its Encrypt through signature check and decryption.
    if let Ok(encrypt) = envelope_encrypt(data) {
        let _ = crypto.verify_and_decrypt("0", "1", "n", &encrypt);
        let _ = crypto.decrypt(&encrypt);
    }
    // The bytes as ciphertext (through AES), and as an already-decrypted buffer (framing).
    let _ = crypto.decrypt(&base64::engine::general_purpose::STANDARD.encode(data));
    let _ = crypto.unframe(data);
    // The bytes as a decrypted payload.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crypto.decrypt(text);
        if let Ok(event) = events::parse(text) {
            let _ = event.kind();
        }
        // What we encrypt we must be able to decrypt, whatever the message.
        if let Ok(sealed) = crypto.encrypt_with_random(text, [7; 16]) {
            assert_eq!(crypto.decrypt(&sealed).as_deref(), Ok(text));
        }
    }
});
