//! Everything that speaks WeCom's protocol: the callback crypto and the callback events
//! (later: the callback endpoint, the API client, token and ticket caches, JS-SDK signing).

pub mod callback;
pub mod crypto;
pub mod events;
