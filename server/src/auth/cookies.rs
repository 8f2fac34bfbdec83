//! The cookies of sign-in. HttpOnly so page scripts never see them; `Secure` unless the
//! server's public URL is plain http (a local run); `SameSite=Lax` because the sidebar and its
//! API share one origin and nothing else should ride on them.

use actix_web::cookie::{Cookie, SameSite, time};

use super::{OAUTH_STATE_COOKIE, SESSION_COOKIE};

/// How long a started OAuth round trip may take, as long as WeCom's code lives.
const OAUTH_STATE_LIFETIME_SECS: i64 = 600;

/// Whether cookies must be `Secure`: always, except when the public URL is plain http.
pub fn secure_for(public_url: &str) -> bool {
    !public_url.starts_with("http://")
}

pub fn session(token: String, ttl_secs: u64, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(
            i64::try_from(ttl_secs).unwrap_or(i64::MAX),
        ))
        .finish()
}

/// Tells the browser to forget a cookie (same name and path, expired).
pub fn expired(name: &'static str, path: &'static str, secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build(name, "")
        .path(path)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .finish();
    cookie.make_removal();
    cookie
}

/// Only the sign-in request needs the state back, so only its path gets it.
pub const OAUTH_STATE_PATH: &str = "/api/v1/session";

pub fn oauth_state(state: String, secure: bool) -> Cookie<'static> {
    Cookie::build(OAUTH_STATE_COOKIE, state)
        .path(OAUTH_STATE_PATH)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(OAUTH_STATE_LIFETIME_SECS))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_unless_the_public_url_is_plain_http() {
        assert!(secure_for("https://guide.example.com"));
        assert!(!secure_for("http://127.0.0.1:8080"));
        let text = session("t".into(), 60, true).to_string();
        for part in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=60"] {
            assert!(text.contains(part), "{text} has {part}");
        }
        assert!(
            !session("t".into(), 60, false)
                .to_string()
                .contains("Secure")
        );
    }
}
