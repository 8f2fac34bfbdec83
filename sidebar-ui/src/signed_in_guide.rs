//! The signed-in guide, with 退出登录; below them, the customer the sidebar is about. The
//! session is provided to everything below as context (`Session`).

use leptos::prelude::*;
use shared::SessionInfo;

use crate::api;
use crate::context::Session;
use crate::current_customer::CurrentCustomer;
use crate::performance_panel::PerformancePanel;

#[component]
pub fn SignedInGuide(
    info: SessionInfo,
    /// Set once the server has ended the session.
    signed_out: RwSignal<bool>,
) -> impl IntoView {
    let initial = info.name.chars().next().unwrap_or('导').to_string();
    let (name, position) = (info.name.clone(), info.position.clone().unwrap_or_default());
    provide_context(Session(info));
    let sign_out = Action::new_local(|_: &()| api::sign_out());
    Effect::new(move || {
        if let Some(Ok(())) = sign_out.value().get() {
            signed_out.set(true);
        }
    });
    let performance = RwSignal::new(false);
    let failed = move || match sign_out.value().get() {
        Some(Err(failure)) => Some(failure.message()),
        _ => None,
    };
    view! {
        <section class="card" data-testid="guide-session">
            <div class="guide" data-testid="signed-in">
                <span class="avatar" aria-hidden="true">{initial}</span>
                <div class="guide-text">
                    <strong data-testid="guide-name">{name}</strong>
                    <span class="muted">{position}</span>
                </div>
                <button
                    class="quiet"
                    data-testid="my-performance"
                    aria-pressed=move || performance.get().to_string()
                    on:click=move |_| performance.update(|shown| *shown = !*shown)
                >
                    "我的业绩"
                </button>
                <button
                    class="quiet"
                    data-testid="sign-out"
                    disabled=move || sign_out.pending().get()
                    on:click=move |_| {
                        if !sign_out.pending().get_untracked() {
                            sign_out.dispatch(());
                        }
                    }
                >
                    "退出登录"
                </button>
            </div>
            {move || failed().map(|message| view! { <p class="error-text">{message}</p> })}
        </section>
        {move || performance.get().then(|| view! { <PerformancePanel /> })}
        <CurrentCustomer />
    }
}
