//! Which customer the sidebar is about. Inside WeCom the chat decides (the JS-SDK's
//! `getCurExternalContact`); in a normal browser (the demo, a developer) this dev bridge lets
//! the person pick one of the signed-in guide's customers. The choice sits in the address bar
//! (`?customer=`), so a reload shows the same customer.

use leptos::prelude::*;
use shared::JssdkConfig;
use shared::customer::{CustomerListItem, Relation};
use wasm_bindgen::JsValue;

use crate::api;
use crate::customer_view::CustomerView;
use crate::skeleton::skeleton;
use crate::wecom_bridge;

/// `signatures`: the page's JS-SDK signatures, when the session's answer brought them.
#[component]
pub fn CurrentCustomer(signatures: Option<JssdkConfig>) -> impl IntoView {
    if wecom_bridge::is_wecom() {
        view! { <ChatCustomer signatures=signatures /> }.into_any()
    } else {
        view! { <DevBridge /> }.into_any()
    }
}

/// Inside WeCom: the customer of the open chat.
#[component]
fn ChatCustomer(signatures: Option<JssdkConfig>) -> impl IntoView {
    // The signatures serve the first attempt; a retry asks for fresh ones.
    let signatures = StoredValue::new(signatures);
    let customer = LocalResource::new(move || {
        let mut signed = None;
        signatures.update_value(|value| signed = value.take());
        wecom_bridge::current_customer(signed)
    });
    view! {
        {move || match customer.get() {
            None => view! {
                <section class="card" data-testid="finding-customer">
                    {skeleton()}
                    <p class="muted">"正在识别当前聊天的客户…"</p>
                </section>
            }
                .into_any(),
            Some(Ok(id)) => view! { <CustomerView customer=id /> }.into_any(),
            Some(Err(message)) => view! {
                <section class="card" data-testid="chat-customer-error">
                    <p class="error-text">{message}</p>
                    <button on:click=move |_| customer.refetch()>"重试"</button>
                </section>
            }
                .into_any(),
        }}
    }
}

/// In a normal browser: the person picks one of the guide's customers.
#[component]
fn DevBridge() -> impl IntoView {
    let chosen = RwSignal::new(customer_from_address());
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
}

/// The guide's customers, searchable by name or remark.
#[component]
fn CustomerPicker(on_pick: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let customers = LocalResource::new(move || api::my_customers(query.get()));
    view! {
        <section class="card" data-testid="customer-picker">
            <h2>"演示模式：选择一位客户"</h2>
            <p class="muted">"在企业微信中打开时，侧边栏会自动显示当前聊天的客户。"</p>
            <input
                class="search"
                type="search"
                placeholder="搜索客户姓名或备注"
                data-testid="customer-search"
                prop:value=move || query.get()
                on:change=move |ev| query.set(event_target_value(&ev))
            />
            {move || match customers.get() {
                None => skeleton().into_any(),
                Some(Ok(list)) if list.customers.is_empty() => view! {
                    <p class="muted" data-testid="no-customers">"没有找到客户"</p>
                }
                    .into_any(),
                Some(Ok(list)) => view! {
                    <ul class="list">
                        {list
                            .customers
                            .into_iter()
                            .map(|c| customer_row(c, on_pick))
                            .collect_view()}
                    </ul>
                }
                    .into_any(),
                Some(Err(failure)) => view! {
                    <div>
                        <p class="error-text">{failure.message()}</p>
                        <button on:click=move |_| customers.refetch()>"重试"</button>
                    </div>
                }
                    .into_any(),
            }}
        </section>
    }
}

fn customer_row(
    customer: CustomerListItem,
    on_pick: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = customer.external_userid.clone();
    let initial = customer.name.chars().next().unwrap_or('客').to_string();
    let lost = customer.relation != Relation::Active;
    view! {
        <li>
            <button
                class="row"
                data-testid="pick-customer"
                data-customer=customer.external_userid.clone()
                on:click=move |_| on_pick(id.clone())
            >
                <span class="avatar small" aria-hidden="true">{initial}</span>
                <span class="grow">
                    <strong>{customer.name}</strong>
                    {customer.remark.map(|r| view! { <span class="muted">" · " {r}</span> })}
                </span>
                {lost.then(|| view! { <span class="badge">"已流失"</span> })}
            </button>
        </li>
    }
}

fn customer_from_address() -> Option<String> {
    let search = window().location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("customer").filter(|c| !c.is_empty())
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
