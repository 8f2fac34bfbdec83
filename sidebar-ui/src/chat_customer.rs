//! Inside WeCom: the customer (or the customer group chat) of the open chat, asked of the
//! JS-SDK with the page's signatures (those the session brought, from context; a retry asks
//! for fresh ones). Sends go through WeCom's `sendChatMessage`.

use leptos::prelude::*;

use crate::context::Session;
use crate::customer_view::CustomerView;
use crate::group_chat_view::GroupChatView;
use crate::load_error::LoadError;
use crate::reading::Reading;
use crate::skeleton::skeleton;
use crate::wecom_bridge::{self, OpenChat};

#[component]
pub fn ChatCustomer() -> impl IntoView {
    provide_context(crate::context::Delivery::Wecom);
    // The signatures serve the first attempt only.
    let signatures = StoredValue::new(use_context::<Session>().and_then(|session| session.0.jssdk));
    let customer = LocalResource::new(move || {
        let mut signed = None;
        signatures.update_value(|value| signed = value.take());
        wecom_bridge::current_chat(signed)
    });
    let retry = Callback::new(move |()| customer.refetch());
    view! {
        <Reading fallback=|| view! {
            <section class="card" data-testid="finding-customer">
                {skeleton()}
                <p class="muted">"正在识别当前聊天的客户…"</p>
            </section>
        }>
            {move || Suspend::new(async move {
                match customer.await {
                    Ok(OpenChat::Customer(id)) => view! { <CustomerView customer=id /> }.into_any(),
                    Ok(OpenChat::Group(chat)) => view! { <GroupChatView chat /> }.into_any(),
                    Err(message) => view! {
                        <section class="card">
                            <LoadError message retry testid="chat-customer-error" />
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Reading>
    }
}
