//! 订单: the customer's orders, newest first, a page at a time (`Paged`); each row expands
//! to the order in full (`OrderRow`).

use leptos::prelude::*;

use crate::api;
use crate::context::CustomerId;
use crate::order_row::OrderRow;
use crate::paged::Paged;

#[component]
pub fn OrdersTab(linked: bool) -> impl IntoView {
    if !linked {
        return view! {
            <section class="card" data-testid="orders-unlinked">
                <p class="muted">"未关联会员，暂无订单信息"</p>
            </section>
        }
        .into_any();
    }
    let customer = StoredValue::new(
        use_context::<CustomerId>()
            .map(|id| id.0)
            .unwrap_or_default(),
    );
    let fetch = move |cursor: Option<String>| async move {
        api::orders(customer.get_value(), cursor)
            .await
            .map(|page| (page.orders, page.next_cursor))
    };
    let orders = Paged::start(fetch);
    view! {
        <section class="card" data-testid="orders">
            {move || {
                if orders.is_empty() {
                    return view! { <p class="muted" data-testid="no-orders">"暂无订单"</p> }.into_any();
                }
                view! {
                    <ul class="list">
                        {orders.items.get().into_iter().map(|order| view! { <OrderRow order=order /> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            {orders.footer(fetch, "more-orders")}
        </section>
    }
    .into_any()
}
