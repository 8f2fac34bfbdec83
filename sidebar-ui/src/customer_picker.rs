//! The dev bridge's list: the guide's customers, searchable by name or remark.

use leptos::prelude::*;
use shared::customer::{CustomerListItem, Relation};

use crate::api;
use crate::load_error::LoadError;
use crate::reading::Reading;
use crate::skeleton::skeleton;

#[component]
pub fn CustomerPicker(on_pick: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let customers = LocalResource::new(move || api::my_customers(query.get()));
    let retry = Callback::new(move |()| customers.refetch());
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
            <Reading fallback=skeleton>
                {move || Suspend::new(async move {
                    match customers.await {
                        Ok(list) if list.customers.is_empty() => view! {
                            <p class="muted" data-testid="no-customers">"没有找到客户"</p>
                        }
                        .into_any(),
                        Ok(list) => view! {
                            <ul class="list">
                                {list
                                    .customers
                                    .into_iter()
                                    .map(|c| customer_row(c, on_pick))
                                    .collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(failure) => {
                            view! { <LoadError message=failure.message() retry /> }.into_any()
                        }
                    }
                })}
            </Reading>
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
