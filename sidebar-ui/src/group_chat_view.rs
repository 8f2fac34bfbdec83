//! Opened from a customer group chat: no one customer's profile, only the sending tabs
//! (券, 商品, 素材), whose sends carry the chat's id in their stamp.

use leptos::prelude::*;
use shared::share::ShareRecipient;

use crate::context::SendTo;
use crate::coupons_tab::CouponsTab;
use crate::customer_view::tab_button;
use crate::materials_tab::MaterialsTab;
use crate::products_tab::ProductsTab;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Coupons,
    Products,
    Materials,
}

#[component]
pub fn GroupChatView(chat: String) -> impl IntoView {
    provide_context(SendTo(ShareRecipient::Chat(chat)));
    let tab = RwSignal::new(Tab::Products);
    view! {
        <p class="muted chat-note" data-testid="group-chat">"群聊：发送的内容将带上本群的标识"</p>
        <nav class="tabs" role="tablist">
            {tab_button(tab, Tab::Coupons, "券", "tab-coupons")}
            {tab_button(tab, Tab::Products, "商品", "tab-products")}
            {tab_button(tab, Tab::Materials, "素材", "tab-materials")}
        </nav>
        {move || match tab.get() {
            Tab::Coupons => view! { <CouponsTab /> }.into_any(),
            Tab::Products => view! { <ProductsTab /> }.into_any(),
            Tab::Materials => view! { <MaterialsTab /> }.into_any(),
        }}
    }
}
