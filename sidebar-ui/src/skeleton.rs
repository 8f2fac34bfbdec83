//! The grey lines shown while something is on its way (the page never shows a blank).

use leptos::prelude::*;

pub fn skeleton() -> impl IntoView {
    view! {
        <div aria-busy="true" data-testid="loading">
            <div class="skeleton-line"></div>
            <div class="skeleton-line short"></div>
            <div class="skeleton-line"></div>
        </div>
    }
}
