//! 订单: the customer's orders, newest first, a page at a time; one expands to its items and
//! every parcel's tracking timeline, with 复制单号 for the tracking number.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::customer::{OrderDetail, OrderSummary, Shipment};

use crate::api;
use crate::clipboard;
use crate::format::{channel, local_time, order_status, shipment_status, yuan};
use crate::paged::Paged;
use crate::skeleton::skeleton;

#[component]
pub fn OrdersTab(customer: String, linked: bool) -> impl IntoView {
    if !linked {
        return view! {
            <section class="card" data-testid="orders-unlinked">
                <p class="muted">"未关联会员，暂无订单信息"</p>
            </section>
        }
        .into_any();
    }
    let customer = StoredValue::new(customer);
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

#[component]
fn OrderRow(order: OrderSummary) -> impl IntoView {
    let open = RwSignal::new(false);
    let id = order.id;
    let detail = LocalResource::new(move || async move {
        if open.get() {
            Some(api::order(id).await)
        } else {
            None
        }
    });
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
            {move || open.get().then(|| match detail.get().flatten() {
                None => skeleton().into_any(),
                Some(Ok(detail)) => order_detail(detail).into_any(),
                Some(Err(failure)) => view! {
                    <p class="error-text">{failure.message()}</p>
                    <button on:click=move |_| detail.refetch()>"重试"</button>
                }
                    .into_any(),
            })}
        </li>
    }
}

fn order_detail(detail: OrderDetail) -> impl IntoView {
    view! {
        <div class="detail" data-testid="order-detail">
            <p class="muted">"订单号 " {detail.order_no}</p>
            <ul class="items">
                {detail.items.into_iter().map(|item| view! {
                    <li class="between">
                        <span>{item.title} <span class="muted">{format!(" ×{}", item.quantity)}</span></span>
                        <span>{yuan(item.amount_fen)}</span>
                    </li>
                }).collect_view()}
            </ul>
            <p class="between muted"><span>"商品合计"</span><span>{yuan(detail.total_fen)}</span></p>
            {(detail.discount_fen > 0).then(|| view! {
                <p class="between muted"><span>"优惠"</span><span>{format!("-{}", yuan(detail.discount_fen))}</span></p>
            })}
            <p class="between"><span>"实付"</span><strong>{yuan(detail.paid_fen)}</strong></p>
            {if detail.shipments.is_empty() {
                view! { <p class="muted">"暂无物流信息"</p> }.into_any()
            } else {
                detail.shipments.into_iter().map(parcel).collect_view().into_any()
            }}
        </div>
    }
}

fn parcel(shipment: Shipment) -> impl IntoView {
    let copied = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let number = StoredValue::new(shipment.tracking_no.clone());
    let copy = move |_| {
        spawn_local(async move {
            let ok = clipboard::copy(&number.get_value()).await;
            copied.set(ok);
            failed.set(!ok);
        });
    };
    view! {
        <div class="parcel" data-testid="parcel">
            <div class="between">
                <span>
                    <strong>{shipment.carrier_name}</strong>
                    " " <span class="badge">{shipment_status(&shipment.status)}</span>
                </span>
            </div>
            <div class="between">
                <span class="mono" data-testid="tracking-no">{shipment.tracking_no}</span>
                <button class="quiet" data-testid="copy-tracking" on:click=copy>
                    {move || if copied.get() { "已复制" } else { "复制单号" }}
                </button>
            </div>
            {move || failed.get().then(|| view! { <p class="error-text">"复制失败，请长按单号手动复制"</p> })}
            <ol class="timeline" data-testid="tracking-timeline">
                {shipment.events.into_iter().map(|event| view! {
                    <li>
                        <span class="muted">{local_time(&event.at)} {event.location.map(|l| format!(" · {l}"))}</span>
                        <span>{event.description}</span>
                    </li>
                }).collect_view()}
            </ol>
        </div>
    }
}
