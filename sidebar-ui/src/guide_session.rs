use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiFailure};
use crate::current_customer::CurrentCustomer;
use crate::wecom_bridge;

/// Who is using the sidebar. WeCom opens it with `?code=` (straight from its OAuth page, or
/// after `/auth/wecom/start`); the code becomes a server-side session, and the guide shown
/// here is the one the server decided on. The first request is already under way when this
/// runs: `index.html` starts it before the WASM arrives (`window.guidedeskSession`).
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
    let signing_out = RwSignal::new(false);
    let sign_out_failed = RwSignal::new(None::<String>);
    let sign_out = move |_| {
        if signing_out.get_untracked() {
            return;
        }
        signing_out.set(true);
        spawn_local(async move {
            match api::sign_out().await {
                Ok(()) => signed_out.set(true),
                Err(failure) => sign_out_failed.set(Some(failure.message())),
            }
            signing_out.set(false);
        });
    };

    view! {
        <section class="card" data-testid="guide-session">
            {move || {
                if signed_out.get() {
                    return sign_in_prompt("已退出登录".into()).into_any();
                }
                match session.get() {
                    None => view! {
                        <div aria-busy="true">
                            <div class="skeleton-line short"></div>
                            <p class="muted">"正在登录…"</p>
                        </div>
                    }
                        .into_any(),
                    Some(Ok(guide)) => {
                        let initial = guide.name.chars().next().unwrap_or('导').to_string();
                        view! {
                            <div class="guide" data-testid="signed-in">
                                <span class="avatar" aria-hidden="true">{initial}</span>
                                <div class="guide-text">
                                    <strong data-testid="guide-name">{guide.name}</strong>
                                    <span class="muted">{guide.position.unwrap_or_default()}</span>
                                </div>
                                <button
                                    class="quiet"
                                    data-testid="sign-out"
                                    disabled=move || signing_out.get()
                                    on:click=sign_out
                                >
                                    "退出登录"
                                </button>
                            </div>
                            {move || sign_out_failed.get().map(|message| view! {
                                <p class="error-text">{message}</p>
                            })}
                        }
                            .into_any()
                    }
                    Some(Err(failure)) if failure.needs_sign_in() => {
                        sign_in_prompt(failure.message()).into_any()
                    }
                    Some(Err(failure)) if failure.is_refusal() => view! {
                        <div data-testid="sign-in-refused">
                            <p class="status failed"><span class="dot"></span>"无法使用导购助手"</p>
                            <p class="error-text">{failure.message()}</p>
                        </div>
                    }
                        .into_any(),
                    Some(Err(failure)) => failed(failure, session).into_any(),
                }
            }}
        </section>
        {move || match session.get() {
            Some(Ok(info)) if !signed_out.get() => {
                Some(view! { <CurrentCustomer signatures=info.jssdk /> })
            }
            _ => None,
        }}
    }
}

fn sign_in_prompt(message: String) -> impl IntoView {
    view! {
        <div data-testid="sign-in-needed">
            <p class="muted">{message}</p>
            <a class="button" href="/auth/wecom/start">"通过企业微信登录"</a>
        </div>
    }
}

fn failed<T: 'static>(failure: ApiFailure, session: LocalResource<T>) -> impl IntoView {
    view! {
        <div data-testid="sign-in-error">
            <p class="error-text">{failure.message()}</p>
            <button on:click=move |_| session.refetch()>"重试"</button>
        </div>
    }
}
