//! One order in the 订单 list: its summary; a tap opens it in full (`OrderDetails`).

use leptos::prelude::*;
use shared::customer::OrderSummary;

use crate::format::{channel, local_time, order_status, shipment_status, yuan};
use crate::order_details::OrderDetails;

#[component]
pub fn OrderRow(order: OrderSummary) -> impl IntoView {
    let open = RwSignal::new(false);
    let id = order.id;
    view! {
        <li class="order-line" data-testid="order" data-order=order.order_no.clone()>
            <button class="row plain" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                <span class="grow">
                    <span class="between">
                        <span>{channel(order.channel)} " · " {order_status(&order.status)}</span>
                        <strong>{yuan(order.paid_fen)}</strong>
                    </span>
                    <span class="muted block">
                        {local_time(&order.ordered_at)} " · " {order.store_name.clone().unwrap_or_else(|| "线上".into())}
                    </span>
                    <span class="muted block">
                        {order.first_item.clone().unwrap_or_default()}
                        {(order.item_count > 1).then(|| format!(" 等 {} 件", order.item_count))}
                    </span>
                    {order.shipment.clone().map(|s| view! {
                        <span class="muted block">
                            {s.carrier_name} " " {shipment_status(&s.status)}
                            {s.latest.map(|l| format!(" · {l}"))}
                        </span>
                    })}
                </span>
            </button>
            <Show when=move || open.get()>
                <OrderDetails id=id />
            </Show>
        </li>
    }
}
