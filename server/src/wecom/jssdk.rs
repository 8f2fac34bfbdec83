//! JS-SDK signatures, as WeCom defines them: what `ww.register` needs so the sidebar may read
//! the current chat and send messages. Which pages may be signed is the app's decision.

use sha1::{Digest, Sha1};

/// WeCom's formula: `sha1("jsapi_ticket=T&noncestr=N&timestamp=TS&url=U")`, hex, fields in
/// this order and not URL-escaped; the same for the corp and the agent signature.
pub fn signature(ticket: &str, nonce: &str, timestamp: i64, url: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(b"jsapi_ticket=");
    hasher.update(ticket.as_bytes());
    hasher.update(b"&noncestr=");
    hasher.update(nonce.as_bytes());
    hasher.update(b"&timestamp=");
    hasher.update(timestamp.to_string().as_bytes());
    hasher.update(b"&url=");
    hasher.update(url.as_bytes());
    hex::encode(hasher.finalize())
}

/// The URL as WeCom signs it: without its `#fragment`.
pub fn signed_form(url: &str) -> &str {
    url.split_once('#').map_or(url, |(page, _)| page)
}

/// One signature of a page with one ticket, and the nonce and timestamp it was made with.
pub struct PageSignature {
    pub timestamp: i64,
    pub nonce: String,
    pub signature: String,
}

/// Signs `url` (already in [`signed_form`]) with `ticket`, with a fresh nonce.
pub fn sign_page(
    ticket: &str,
    url: &str,
    timestamp: i64,
) -> Result<PageSignature, getrandom::Error> {
    let nonce = nonce()?;
    Ok(PageSignature {
        signature: signature(ticket, &nonce, timestamp, url),
        timestamp,
        nonce,
    })
}

/// 16 random letters and digits.
fn nonce() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut random = [0u8; 16];
    getrandom::fill(&mut random)?;
    Ok(random
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_official_example() {
        // The worked example of WeChat's JS-SDK signing document (WeCom uses the same formula).
        let ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
        assert_eq!(
            signature(
                ticket,
                "Wm3WZYTPz0wzccnW",
                1_414_587_457,
                "http://mp.weixin.qq.com?params=value"
            ),
            "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
        );
    }

    #[test]
    fn the_fragment_is_not_signed() {
        assert_eq!(
            signed_form("https://g.example.com/sidebar/?code=1#/orders"),
            "https://g.example.com/sidebar/?code=1"
        );
        assert_eq!(
            signed_form("https://g.example.com/"),
            "https://g.example.com/"
        );
    }

    #[test]
    fn nonces_are_sixteen_alphanumerics_and_differ() {
        let (a, b) = (nonce().unwrap(), nonce().unwrap());
        assert_eq!(a.len(), 16);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
