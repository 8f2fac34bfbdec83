//! What never prints: secrets and the passwords in connection URLs. A leaf, so that every
//! part (the WeCom protocol layer included) can hold a secret without knowing the settings.

use std::fmt;

use url::Url;

/// A value that must never be printed: Debug and Display show a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The only way to read the value; grep for it to audit where secrets go.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Removes the password (and user) from a URL so it can be logged.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() || !parsed.username().is_empty() => {
            let _ = parsed.set_password(None);
            let _ = parsed.set_username("***");
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) if url.starts_with("sqlite:") => url.to_owned(),
        Err(_) => "(unparseable URL)".to_owned(),
    }
}
