//! 商品: what is on sale in the guide's store and in stock, searched by title or SKU code,
//! a page at a time, each with its price range and stock, sent as a stamped card.

use leptos::prelude::*;
use shared::offer::ProductCard;

use crate::api;
use crate::format::yuan;
use crate::paged::Paged;
use crate::send_button::SendButton;

#[component]
pub fn ProductsTab() -> impl IntoView {
    let query = RwSignal::new(String::new());
    view! {
        <section class="card" data-testid="products">
            <input
                type="search"
                class="search"
                placeholder="搜索商品名称或货号"
                data-testid="product-search"
                on:change=move |event| query.set(event_target_value(&event))
            />
            {move || {
                let q = StoredValue::new(query.get());
                let fetch = move |cursor: Option<String>| {
                    let q = q.get_value();
                    async move {
                        api::products(q, cursor)
                            .await
                            .map(|page| (page.products, page.next_cursor))
                    }
                };
                product_list(fetch)
            }}
        </section>
    }
}

fn product_list<F, Fut>(fetch: F) -> impl IntoView
where
    F: Fn(Option<String>) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<(Vec<ProductCard>, Option<String>), api::ApiFailure>> + 'static,
{
    let products = Paged::start(fetch);
    view! {
        {move || {
            if products.is_empty() {
                return view! { <p class="muted" data-testid="no-products">"没有找到在售商品"</p> }.into_any();
            }
            products.items.get().into_iter().map(product).collect_view().into_any()
        }}
        {products.footer(fetch, "more-products")}
    }
}

fn product(card: ProductCard) -> impl IntoView {
    let price = if card.price_max_fen > card.price_min_fen {
        format!(
            "{} – {}",
            yuan(card.price_min_fen),
            yuan(card.price_max_fen)
        )
    } else {
        yuan(card.price_min_fen)
    };
    let stock = card.stock.map(|units| format!("库存 {units}"));
    let row_id = card.id.clone();
    view! {
        <div class="item" data-testid="product" data-id=row_id>
            {card.image_url.map(|src| view! { <img class="thumb" src=src alt="" loading="lazy" /> })}
            <div class="grow">
                <strong>{card.title}</strong>
                <p class="muted">{price}" "{stock}</p>
            </div>
            <SendButton kind="product" id=card.id />
        </div>
    }
}
