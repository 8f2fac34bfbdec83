//! One customer: the profile read once, shown under three tabs (客户, 订单, 动态). The
//! customer's id is provided to the tabs as context (`CustomerId`).

use leptos::prelude::*;
use shared::customer::CustomerProfile;

use crate::api::{self, ApiFailure};
use crate::context::CustomerId;
use crate::load_error::LoadError;
use crate::orders_tab::OrdersTab;
use crate::profile_tab::ProfileTab;
use crate::reading::Reading;
use crate::skeleton::skeleton;
use crate::timeline_tab::TimelineTab;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Customer,
    Orders,
    Timeline,
}

#[component]
pub fn CustomerView(customer: String) -> impl IntoView {
    let profile = LocalResource::new({
        let customer = customer.clone();
        move || api::profile(customer.clone())
    });
    provide_context(CustomerId(customer));
    let tab = RwSignal::new(Tab::Customer);
    let retry = Callback::new(move |()| profile.refetch());
    view! {
        <nav class="tabs" role="tablist">
            {tab_button(tab, Tab::Customer, "客户", "tab-customer")}
            {tab_button(tab, Tab::Orders, "订单", "tab-orders")}
            {tab_button(tab, Tab::Timeline, "动态", "tab-timeline")}
        </nav>
        <Reading fallback=|| view! { <section class="card">{skeleton()}</section> }>
            {move || {
                let shown = tab.get();
                Suspend::new(async move {
                    match profile.await {
                        Ok(loaded) => tab_content(loaded, shown, tab),
                        Err(failure) => unreadable(failure, retry).into_any(),
                    }
                })
            }}
        </Reading>
    }
}

fn tab_button(
    tab: RwSignal<Tab>,
    which: Tab,
    label: &'static str,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <button
            role="tab"
            class="tab"
            data-testid=testid
            class:active=move || tab.get() == which
            aria-selected=move || (tab.get() == which).to_string()
            on:click=move |_| tab.set(which)
        >
            {label}
        </button>
    }
}

fn tab_content(loaded: CustomerProfile, shown: Tab, tab: RwSignal<Tab>) -> AnyView {
    let linked = loaded.member.is_some();
    match shown {
        Tab::Customer => view! {
            <ProfileTab profile=loaded on_show_orders=move || tab.set(Tab::Orders) />
        }
        .into_any(),
        Tab::Orders => view! { <OrdersTab linked /> }.into_any(),
        Tab::Timeline => view! { <TimelineTab linked /> }.into_any(),
    }
}

/// The profile could not be read: not this guide's customer (no retry helps), or a failure.
fn unreadable(failure: ApiFailure, retry: Callback<()>) -> impl IntoView {
    let not_mine = failure.code() == Some("not_found");
    view! {
        <section class="card" data-testid="customer-error">
            {if not_mine {
                view! {
                    <p class="error-text" data-testid="customer-refused">
                        "无法查看该客户：TA 不是你的企业微信客户"
                    </p>
                }
                    .into_any()
            } else {
                view! { <LoadError message=failure.message() retry /> }.into_any()
            }}
        </section>
    }
}
