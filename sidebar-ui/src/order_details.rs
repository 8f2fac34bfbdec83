//! An order in full, read when its row opens: items, amounts, whose sale it is
//! (`OrderCreditWhy`) and every parcel (`Parcel`).

use leptos::prelude::*;
use shared::customer::OrderDetail;

use crate::api;
use crate::format::yuan;
use crate::load_error::LoadError;
use crate::order_credit_why::OrderCreditWhy;
use crate::parcel::Parcel;
use crate::reading::Reading;
use crate::skeleton::skeleton;

#[component]
pub fn OrderDetails(id: i64) -> impl IntoView {
    let detail = LocalResource::new(move || api::order(id));
    let retry = Callback::new(move |()| detail.refetch());
    view! {
        <Reading fallback=skeleton>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => order_detail(detail).into_any(),
                    Err(failure) => {
                        view! { <LoadError message=failure.message() retry /> }.into_any()
                    }
                }
            })}
        </Reading>
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
            <OrderCreditWhy id=detail.id />
            {if detail.shipments.is_empty() {
                view! { <p class="muted">"暂无物流信息"</p> }.into_any()
            } else {
                detail
                    .shipments
                    .into_iter()
                    .map(|shipment| view! { <Parcel shipment /> })
                    .collect_view()
                    .into_any()
            }}
        </div>
    }
}
