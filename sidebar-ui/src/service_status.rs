use leptos::prelude::*;

use crate::api;

/// Whether the sidebar can reach its server: the round trip page → server → page, through
/// the `shared` types.
#[component]
pub fn ServiceStatus() -> impl IntoView {
    let health = LocalResource::new(api::health);
    view! {
        <section class="card" data-testid="service-status">
            <h2>"服务状态"</h2>
            {move || match health.get() {
                None => view! {
                    <div aria-busy="true">
                        <div class="skeleton-line"></div>
                        <p class="muted">"正在连接服务器…"</p>
                    </div>
                }
                    .into_any(),
                Some(Ok(health)) => view! {
                    <p class="status" data-testid="health-ok">
                        <span class="dot"></span>
                        "服务正常"
                        <span class="muted">" · 版本 " {health.version}</span>
                    </p>
                }
                    .into_any(),
                Some(Err(failure)) => view! {
                    <div data-testid="health-error">
                        <p class="status failed">
                            <span class="dot"></span>
                            "无法连接服务器"
                        </p>
                        <p class="error-text">{failure.message()}</p>
                        <button on:click=move |_| health.refetch()>"重试"</button>
                    </div>
                }
                    .into_any(),
            }}
        </section>
    }
}
