//! What the page provides as context to every component below the one that knows it: the
//! signed-in guide's session (from `signed_in_guide`), the customer being looked at (from
//! `customer_view`), and where a send goes and how (`SendTo`, `Delivery`). A leaf: the components that provide and read them import it, and
//! nothing else.

use shared::SessionInfo;

/// The signed-in guide's session: who they are, and the page's JS-SDK signatures when the
/// session's answer brought them.
#[derive(Clone)]
pub struct Session(pub SessionInfo);

/// The external userid of the customer the sidebar is about.
#[derive(Clone)]
pub struct CustomerId(pub String);

/// Where the sending tabs send: the customer or the group chat of the open chat.
#[derive(Clone)]
pub struct SendTo(pub shared::share::ShareRecipient);

/// How a prepared share leaves: through WeCom's `sendChatMessage`, or (outside WeCom) shown
/// as a preview the person confirms.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Wecom,
    Preview,
}
