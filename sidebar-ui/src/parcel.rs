//! One parcel: carrier, status, the tracking number with 复制单号, and its timeline.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::customer::Shipment;

use crate::clipboard;
use crate::format::{local_time, shipment_status};

#[component]
pub fn Parcel(shipment: Shipment) -> impl IntoView {
    let copied = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let number = StoredValue::new(shipment.tracking_no.clone());
    // The clipboard is the browser's, not the server's: no Action, just the outcome shown.
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
