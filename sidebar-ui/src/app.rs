use leptos::prelude::*;

use crate::guide_session::GuideSession;
use crate::service_status::ServiceStatus;

/// The page shell: the title bar, who is signed in, and the server's status.
#[component]
pub fn App() -> impl IntoView {
    // The static skeleton in index.html covered the WASM download; the app takes over now.
    if let Some(boot) = document().get_element_by_id("boot") {
        boot.remove();
    }
    view! {
        <div class="page">
            <header class="topbar">
                <h1>"导购助手"</h1>
            </header>
            <GuideSession />
            <ServiceStatus />
        </div>
    }
}
