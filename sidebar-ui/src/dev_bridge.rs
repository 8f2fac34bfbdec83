//! In a normal browser: the person picks one of the guide's customers. The choice sits in the
//! address bar (`?customer=`), so a reload shows the same customer; `?chat=` opens a group
//! chat's sending tabs. Sends are previewed, not sent (no WeCom here).

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::customer_picker::CustomerPicker;
use crate::customer_view::CustomerView;
use crate::group_chat_view::GroupChatView;

#[component]
pub fn DevBridge() -> impl IntoView {
    provide_context(crate::context::Delivery::Preview);
    if let Some(chat) = from_address("chat") {
        return view! {
            <div class="bridge-bar"><span class="muted">"演示模式 · 群聊"</span></div>
            <GroupChatView chat />
        }
        .into_any();
    }
    let chosen = RwSignal::new(from_address("customer"));
    let choose = move |customer: Option<String>| {
        set_address(customer.as_deref());
        chosen.set(customer);
    };
    view! {
        {move || match chosen.get() {
            Some(customer) => view! {
                <div class="bridge-bar">
                    <span class="muted">"演示模式"</span>
                    <button class="quiet" data-testid="change-customer" on:click=move |_| choose(None)>
                        "切换客户"
                    </button>
                </div>
                <CustomerView customer=customer />
            }
                .into_any(),
            None => view! { <CustomerPicker on_pick=move |id| choose(Some(id)) /> }.into_any(),
        }}
    }
    .into_any()
}

/// `?customer=` (or `?chat=`, a group chat's id) in the address.
fn from_address(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|c| !c.is_empty())
}

fn set_address(customer: Option<&str>) {
    let window = window();
    let location = window.location();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&location.search().unwrap_or_default())
    else {
        return;
    };
    match customer {
        Some(id) => params.set("customer", id),
        None => params.delete("customer"),
    }
    let rest: String = params.to_string().into();
    let mut url = location.pathname().unwrap_or_default();
    if !rest.is_empty() {
        url.push('?');
        url.push_str(&rest);
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}
