//! Who is using the sidebar. WeCom opens it with `?code=` (straight from its OAuth page, or
//! after `/auth/wecom/start`); the code becomes a server-side session, and the guide shown
//! here is the one the server decided on. The first request is already under way when this
//! runs: `index.html` starts it before the WASM arrives (`window.guidedeskSession`).

use leptos::prelude::*;

use crate::api::{self, ApiFailure};
use crate::load_error::LoadError;
use crate::reading::Reading;
use crate::sign_in_prompt::SignInPrompt;
use crate::signed_in_guide::SignedInGuide;
use crate::wecom_bridge;

#[component]
pub fn GuideSession() -> impl IntoView {
    // Inside WeCom the session's answer brings the page's JS-SDK signatures: the page
    // registers without a round trip of its own.
    let page_url = wecom_bridge::is_wecom().then(wecom_bridge::page_url);
    let session = LocalResource::new(move || {
        let early = api::take_early_session();
        let page_url = page_url.clone();
        async move {
            match early {
                Some(answer) => answer.await,
                None => api::current_session(page_url).await,
            }
        }
    });
    let signed_out = RwSignal::new(false);
    let retry = Callback::new(move |()| session.refetch());
    view! {
        <Show
            when=move || !signed_out.get()
            fallback=|| view! {
                <section class="card" data-testid="guide-session">
                    <SignInPrompt message="已退出登录".to_owned() />
                </section>
            }
        >
            <Reading fallback=|| view! {
                <section class="card" data-testid="guide-session">
                    <div aria-busy="true">
                        <div class="skeleton-line short"></div>
                        <p class="muted">"正在登录…"</p>
                    </div>
                </section>
            }>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(info) => view! { <SignedInGuide info signed_out /> }.into_any(),
                        Err(failure) => view! {
                            <section class="card" data-testid="guide-session">
                                {not_signed_in(failure, retry)}
                            </section>
                        }
                        .into_any(),
                    }
                })}
            </Reading>
        </Show>
    }
}

/// Why there is no session: sign in (again), refused for good, or a failure worth a retry.
fn not_signed_in(failure: ApiFailure, retry: Callback<()>) -> AnyView {
    if failure.needs_sign_in() {
        return view! { <SignInPrompt message=failure.message() /> }.into_any();
    }
    if failure.is_refusal() {
        return view! {
            <div data-testid="sign-in-refused">
                <p class="status failed"><span class="dot"></span>"无法使用导购助手"</p>
                <p class="error-text">{failure.message()}</p>
            </div>
        }
        .into_any();
    }
    view! { <LoadError message=failure.message() retry testid="sign-in-error" /> }.into_any()
}
