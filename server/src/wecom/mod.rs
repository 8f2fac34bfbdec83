//! Everything that speaks WeCom's protocol: the callback crypto, endpoint and events; the
//! API client with its token and ticket cache; JS-SDK signing.

pub mod api;
pub mod callback;
pub mod client;
pub mod credentials;
pub mod crypto;
pub mod events;
pub mod flat_xml;
pub mod jssdk;
