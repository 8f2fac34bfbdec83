//! WeCom's protocol, as a library that knows nothing of the app: the callback crypto, request
//! checks and events; the API client with its token and ticket cache (kept in whatever
//! [`credentials::CredentialStore`] it is given); JS-SDK signing.

pub mod api;
pub mod api_error;
pub mod callback;
mod calls;
pub mod client;
pub mod credentials;
pub mod crypto;
mod event_fields;
pub mod events;
pub mod flat_xml;
pub mod jssdk;
pub mod outbound;
