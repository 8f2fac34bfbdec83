//! Whether the sidebar can reach its server: the round trip page → server → page, through
//! the `shared` types.

use leptos::prelude::*;

use crate::api;
use crate::load_error::LoadError;
use crate::reading::Reading;

#[component]
pub fn ServiceStatus() -> impl IntoView {
    let health = LocalResource::new(api::health);
    let retry = Callback::new(move |()| health.refetch());
    view! {
        <section class="card" data-testid="service-status">
            <h2>"服务状态"</h2>
            <Reading fallback=|| view! {
                <div aria-busy="true">
                    <div class="skeleton-line"></div>
                    <p class="muted">"正在连接服务器…"</p>
                </div>
            }>
                {move || Suspend::new(async move {
                    match health.await {
                        Ok(health) => view! {
                            <p class="status" data-testid="health-ok">
                                <span class="dot"></span>
                                "服务正常"
                                <span class="muted">" · 版本 " {health.version}</span>
                            </p>
                        }
                        .into_any(),
                        Err(failure) => view! {
                            <p class="status failed">
                                <span class="dot"></span>
                                "无法连接服务器"
                            </p>
                            <LoadError message=failure.message() retry testid="health-error" />
                        }
                        .into_any(),
                    }
                })}
            </Reading>
        </section>
    }
}
