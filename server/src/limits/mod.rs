//! Limits on the public doors. Sign-in, the session check and the short-link redirect are
//! rate-limited per address and in all (`door_rate`): a flood gets 429 with `Retry-After`
//! before any work is done. The callback door is never limited per address (WeCom sends from
//! few shared addresses); past the callbacks it can take in at once it sheds the surplus with
//! 503 before reading the body (`callback_load`), so WeCom sends them again later and no
//! callback it was told was stored is lost.

pub mod callback_load;
pub mod door_rate;

pub use callback_load::{CallbackLoad, shed_callbacks};
pub use door_rate::{DoorRate, limit_door};
