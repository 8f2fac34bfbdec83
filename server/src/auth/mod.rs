//! Who the guide is. WeCom opens the sidebar with an OAuth code; the server trades it for the
//! member's userid (never taking one from the browser), keeps the sign-in server-side in the
//! cache, and hands the browser only an opaque HttpOnly cookie. Handlers that serve a guide
//! take the [`Guide`] extractor, which is the only way to learn who is asking.

mod cookies;
mod guide;
pub(crate) mod page_signatures;
mod session;
pub(crate) mod sign_in;

pub use guide::{Guide, SignedIn};
pub use page_signatures::jssdk_config;
pub use session::{SessionRecord, Sessions};
pub use sign_in::{current_session, sign_in, sign_out, start_oauth};

/// The cookie that carries the session token.
pub const SESSION_COOKIE: &str = "guidedesk_session";
/// The cookie that remembers the OAuth `state` between `/auth/wecom/start` and the sign-in.
pub const OAUTH_STATE_COOKIE: &str = "guidedesk_oauth_state";
