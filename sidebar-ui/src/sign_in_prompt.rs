//! Signing in again: WeCom's OAuth page, through `/auth/wecom/start`.

use leptos::prelude::*;

#[component]
pub fn SignInPrompt(message: String) -> impl IntoView {
    view! {
        <div data-testid="sign-in-needed">
            <p class="muted">{message}</p>
            <a class="button" href="/auth/wecom/start">"通过企业微信登录"</a>
        </div>
    }
}
