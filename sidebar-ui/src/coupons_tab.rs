//! 优惠券: first the coupons the customer holds (usable, lapsing ones flagged, then used and
//! expired), so the guide does not send what they have; then what this guide can send them,
//! with the quota left, or why not. In a group chat: only what can be sent to the chat.

use leptos::prelude::*;
use shared::offer::{CustomerCoupons, HeldCoupon, SendableCoupon};

use crate::api;
use crate::context::SendTo;
use crate::format::local_day;
use crate::load_error::LoadError;
use crate::send_button::SendButton;
use crate::skeleton::skeleton;

#[component]
pub fn CouponsTab() -> impl IntoView {
    let to = use_context::<SendTo>().map(|to| to.0);
    let coupons = LocalResource::new(move || api::coupons(to.clone()));
    let retry = Callback::new(move |()| coupons.refetch());
    view! {
        {move || match coupons.get() {
            None => view! { <section class="card">{skeleton()}</section> }.into_any(),
            Some(Err(failure)) => view! {
                <section class="card"><LoadError message=failure.message() retry /></section>
            }
            .into_any(),
            Some(Ok(loaded)) => coupon_lists(loaded).into_any(),
        }}
    }
}

fn coupon_lists(loaded: CustomerCoupons) -> impl IntoView {
    let held = loaded.held;
    let sendable = loaded.sendable;
    view! {
        <section class="card" data-testid="held-coupons">
            <h2>"客户已有"</h2>
            {if held.is_empty() {
                view! { <p class="muted">"暂无优惠券"</p> }.into_any()
            } else {
                held.into_iter().map(held_coupon).collect_view().into_any()
            }}
        </section>
        <section class="card" data-testid="sendable-coupons">
            <h2>"可发送"</h2>
            {if sendable.is_empty() {
                view! { <p class="muted">"本店暂无可发的券"</p> }.into_any()
            } else {
                sendable.into_iter().map(sendable_coupon).collect_view().into_any()
            }}
        </section>
    }
}

fn held_coupon(coupon: HeldCoupon) -> impl IntoView {
    let status = match coupon.status.as_str() {
        "usable" if coupon.expiring_soon => "即将过期",
        "usable" => "可使用",
        "used" => "已使用",
        _ => "已过期",
    };
    let until = coupon
        .expires_at
        .as_deref()
        .map(|at| format!("至 {}", local_day(at)));
    view! {
        <div class="item" data-testid="held-coupon" class:warn=coupon.expiring_soon>
            <div>
                <strong>{coupon.face}</strong>" "{coupon.name}
                <p class="muted">{until}</p>
            </div>
            <span class="kind">{status}</span>
        </div>
    }
}

fn sendable_coupon(coupon: SendableCoupon) -> impl IntoView {
    let quota = match (coupon.quota_left, coupon.daily_left) {
        (Some(all), Some(today)) => format!("剩余额度 {all}，今日还可发 {today}"),
        (Some(all), None) => format!("剩余额度 {all}"),
        (None, Some(today)) => format!("今日还可发 {today}"),
        (None, None) => String::new(),
    };
    let row_id = coupon.id.clone();
    view! {
        <div class="item" data-testid="sendable-coupon" data-id=row_id>
            <div>
                <strong>{coupon.face}</strong>" "{coupon.name}
                <p class="muted">{coupon.validity}" "{quota}</p>
                {coupon.reason.map(|why| view! { <p class="muted" data-testid="not-sendable">{why}</p> })}
            </div>
            {coupon.sendable.then(|| view! { <SendButton kind="coupon" id=coupon.id /> })}
        </div>
    }
}
