//! One customer: the profile fetched once, shown under three tabs (客户, 订单, 动态).

use leptos::prelude::*;

use crate::api;
use crate::orders_tab::OrdersTab;
use crate::profile_tab::ProfileTab;
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
    let id = StoredValue::new(customer);
    let profile = LocalResource::new(move || api::profile(id.get_value()));
    let tab = RwSignal::new(Tab::Customer);
    let tab_button = move |which: Tab, label: &'static str, testid: &'static str| {
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
    };
    view! {
        <nav class="tabs" role="tablist">
            {tab_button(Tab::Customer, "客户", "tab-customer")}
            {tab_button(Tab::Orders, "订单", "tab-orders")}
            {tab_button(Tab::Timeline, "动态", "tab-timeline")}
        </nav>
        {move || match profile.get() {
            None => view! { <section class="card">{skeleton()}</section> }.into_any(),
            Some(Err(failure)) => {
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
                            view! {
                                <p class="error-text">{failure.message()}</p>
                                <button on:click=move |_| profile.refetch()>"重试"</button>
                            }
                                .into_any()
                        }}
                    </section>
                }
                    .into_any()
            }
            Some(Ok(loaded)) => match tab.get() {
                Tab::Customer => view! {
                    <ProfileTab profile=loaded on_show_orders=move || tab.set(Tab::Orders) />
                }
                    .into_any(),
                Tab::Orders => view! {
                    <OrdersTab customer=id.get_value() linked=loaded.member.is_some() />
                }
                    .into_any(),
                Tab::Timeline => view! {
                    <TimelineTab customer=id.get_value() linked=loaded.member.is_some() />
                }
                    .into_any(),
            },
        }}
    }
}
