//! Which customer the sidebar is about. Inside WeCom the chat decides (the JS-SDK's
//! `getCurExternalContact`, `ChatCustomer`); in a normal browser (the demo, a developer) the
//! dev bridge lets the person pick one of the signed-in guide's customers (`DevBridge`).

use leptos::prelude::*;

use crate::chat_customer::ChatCustomer;
use crate::dev_bridge::DevBridge;
use crate::wecom_bridge;

#[component]
pub fn CurrentCustomer() -> impl IntoView {
    if wecom_bridge::is_wecom() {
        view! { <ChatCustomer /> }.into_any()
    } else {
        view! { <DevBridge /> }.into_any()
    }
}
