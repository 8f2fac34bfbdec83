//! One customer: the profile read once, shown under three tabs (客户, 订单, 动态), then the
//! sending tabs (券, 商品, 素材). The customer's id is provided to the tabs as context
//! (`CustomerId`), and as where sends go (`SendTo`).

use leptos::prelude::*;
use shared::customer::CustomerProfile;

use crate::api::{self, ApiFailure};
use crate::context::{CustomerId, SendTo};
use crate::coupons_tab::CouponsTab;
use crate::load_error::LoadError;
use crate::materials_tab::MaterialsTab;
use crate::orders_tab::OrdersTab;
use crate::products_tab::ProductsTab;
use crate::profile_tab::ProfileTab;
use crate::reading::Reading;
use crate::skeleton::skeleton;
use crate::timeline_tab::TimelineTab;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Customer,
    Orders,
    Timeline,
    Coupons,
    Products,
    Materials,
}

#[component]
pub fn CustomerView(customer: String) -> impl IntoView {
    let profile = LocalResource::new({
        let customer = customer.clone();
        move || api::profile(customer.clone())
    });
    provide_context(SendTo(shared::share::ShareRecipient::Customer(
        customer.clone(),
    )));
    provide_context(CustomerId(customer));
    let tab = RwSignal::new(Tab::Customer);
    let retry = Callback::new(move |()| profile.refetch());
    view! {
        <nav class="tabs" role="tablist">
            {tab_button(tab, Tab::Customer, "客户", "tab-customer")}
            {tab_button(tab, Tab::Orders, "订单", "tab-orders")}
            {tab_button(tab, Tab::Timeline, "动态", "tab-timeline")}
            {tab_button(tab, Tab::Coupons, "券", "tab-coupons")}
            {tab_button(tab, Tab::Products, "商品", "tab-products")}
            {tab_button(tab, Tab::Materials, "素材", "tab-materials")}
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

pub fn tab_button<T: Copy + PartialEq + Send + Sync + 'static>(
    tab: RwSignal<T>,
    which: T,
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
        Tab::Coupons => view! { <CouponsTab /> }.into_any(),
        Tab::Products => view! { <ProductsTab /> }.into_any(),
        Tab::Materials => view! { <MaterialsTab /> }.into_any(),
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
