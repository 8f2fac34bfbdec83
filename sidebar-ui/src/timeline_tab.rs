//! 动态: what the customer did in the mall and the stores, newest first.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::customer::BehaviourEvent;

use crate::api;
use crate::current_customer::skeleton;
use crate::format::{behaviour, local_time};
use crate::orders_tab::Load;

#[component]
pub fn TimelineTab(customer: String, linked: bool) -> impl IntoView {
    if !linked {
        return view! {
            <section class="card" data-testid="timeline-unlinked">
                <p class="muted">"未关联会员，暂无动态"</p>
            </section>
        }
        .into_any();
    }
    let customer = StoredValue::new(customer);
    let events = RwSignal::new(Vec::<BehaviourEvent>::new());
    let next = RwSignal::new(None::<String>);
    let state = RwSignal::new(Load::Loading);
    let load = move |cursor: Option<String>| {
        state.set(Load::Loading);
        spawn_local(async move {
            match api::timeline(customer.get_value(), cursor).await {
                Ok(page) => {
                    events.update(|list| list.extend(page.events));
                    next.set(page.next_cursor);
                    state.set(Load::Done);
                }
                Err(failure) => state.set(Load::Failed(failure.message())),
            }
        });
    };
    load(None);
    view! {
        <section class="card" data-testid="timeline">
            {move || {
                let list = events.get();
                if list.is_empty() && state.get() == Load::Done {
                    return view! { <p class="muted" data-testid="no-events">"暂无动态"</p> }.into_any();
                }
                view! {
                    <ol class="timeline">
                        {list.into_iter().map(|event| view! {
                            <li data-testid="event">
                                <span class="muted">{local_time(&event.happened_at)}</span>
                                <span>{behaviour(&event.kind)} {event.summary.map(|s| format!("：{s}"))}</span>
                            </li>
                        }).collect_view()}
                    </ol>
                }
                    .into_any()
            }}
            {move || match state.get() {
                Load::Loading => skeleton().into_any(),
                Load::Failed(message) => view! {
                    <p class="error-text">{message}</p>
                    <button on:click=move |_| load(next.get_untracked())>"重试"</button>
                }
                    .into_any(),
                Load::Done => next
                    .get()
                    .map(|cursor| view! {
                        <button class="quiet wide" data-testid="more-events" on:click=move |_| load(Some(cursor.clone()))>
                            "加载更多"
                        </button>
                    })
                    .into_any(),
            }}
        </section>
    }
    .into_any()
}
