//! Inside WeCom: the customer of the open chat, asked of the JS-SDK with the page's
//! signatures (those the session brought, from context; a retry asks for fresh ones).

use leptos::prelude::*;

use crate::context::Session;
use crate::customer_view::CustomerView;
use crate::load_error::LoadError;
use crate::reading::Reading;
use crate::skeleton::skeleton;
use crate::wecom_bridge;

#[component]
pub fn ChatCustomer() -> impl IntoView {
    // The signatures serve the first attempt only.
    let signatures = StoredValue::new(use_context::<Session>().and_then(|session| session.0.jssdk));
    let customer = LocalResource::new(move || {
        let mut signed = None;
        signatures.update_value(|value| signed = value.take());
        wecom_bridge::current_customer(signed)
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
                    Ok(id) => view! { <CustomerView customer=id /> }.into_any(),
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
