//! What a failed read shows: the reason, in words a guide can act on, and 重试.
//!
//! A read's failure is rendered by the `Suspend` that awaited it, not thrown to an
//! `ErrorBoundary`: Leptos 0.8.23 hands a `Suspend`'s error to whichever boundary's hook is
//! current when it resolves, and with two reads resolving at once (the session and the
//! server's health, at start) one read's error showed in the other's card (the browser test
//! caught it).

use leptos::prelude::*;

#[component]
pub fn LoadError(
    message: String,
    /// Reads again (the resource's refetch).
    retry: Callback<()>,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div data-testid=testid>
            <p class="error-text">{message}</p>
            <button on:click=move |_| retry.run(())>"重试"</button>
        </div>
    }
}
