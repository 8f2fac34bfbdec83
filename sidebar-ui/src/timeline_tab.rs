//! 动态: what the customer did in the mall and the stores, newest first.

use leptos::prelude::*;
use shared::customer::BehaviourEvent;

use crate::api;
use crate::context::CustomerId;
use crate::format::{behaviour, local_time};
use crate::paged::Paged;

#[component]
pub fn TimelineTab(linked: bool) -> impl IntoView {
    if !linked {
        return view! {
            <section class="card" data-testid="timeline-unlinked">
                <p class="muted">"未关联会员，暂无动态"</p>
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
        api::timeline(customer.get_value(), cursor)
            .await
            .map(|page| (page.events, page.next_cursor))
    };
    let events = Paged::start(fetch);
    view! {
        <section class="card" data-testid="timeline">
            {move || {
                if events.is_empty() {
                    return view! { <p class="muted" data-testid="no-events">"暂无动态"</p> }.into_any();
                }
                view! {
                    <ol class="timeline">
                        {events.items.get().into_iter().map(|event: BehaviourEvent| view! {
                            <li data-testid="event">
                                <span class="muted">{local_time(&event.happened_at)}</span>
                                <span>{behaviour(&event.kind)} {event.summary.map(|s| format!("：{s}"))}</span>
                            </li>
                        }).collect_view()}
                    </ol>
                }
                    .into_any()
            }}
            {events.footer(fetch, "more-events")}
        </section>
    }
    .into_any()
}
