//! 发送: one tap prepares a share on the server (stamped, quota taken), then sends its
//! messages in order through WeCom and reports `sent`, or (outside WeCom) shows them as they
//! will look and waits for the person to confirm. Disabled while a send is under way, and the
//! same idempotency key is used until the send ends, so a double tap or a retry sends once.

use leptos::prelude::*;
use shared::share::{PreparedShare, ShareRequest};

use crate::api;
use crate::context::{Delivery, SendTo};
use crate::format::local_time;
use crate::message_preview::MessagePreview;
use crate::wecom_bridge;

#[derive(Clone, PartialEq)]
enum Outcome {
    Ready,
    /// Outside WeCom: the messages, waiting for 确认发送 or 取消.
    Previewing(PreparedShare),
    /// When it was sent, in local time.
    Sent(String),
    Failed(String),
}

#[component]
pub fn SendButton(kind: &'static str, id: String) -> impl IntoView {
    let to = StoredValue::new(use_context::<SendTo>().map(|to| to.0));
    let delivery = use_context::<Delivery>().unwrap_or(Delivery::Preview);
    let outcome = RwSignal::new(Outcome::Ready);
    let busy = RwSignal::new(false);
    let key = StoredValue::new(new_key());
    let id = StoredValue::new(id);
    // The button is disabled from the tap until the send ends: a second tap sends nothing.
    let send = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let request = to.get_value().map(|to| ShareRequest {
            to,
            kind: kind.to_owned(),
            id: id.get_value(),
            idempotency_key: key.get_value(),
        });
        leptos::task::spawn_local(async move {
            let done = prepare_and_deliver(request, delivery).await;
            if !matches!(done, Outcome::Previewing(_)) {
                key.set_value(new_key());
            }
            outcome.set(done);
            busy.set(false);
        });
    };
    let confirm = Callback::new(move |sent: bool| {
        let Outcome::Previewing(prepared) = outcome.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            outcome.set(report(&prepared.token, sent).await);
            key.set_value(new_key());
        });
    });
    view! {
        <div class="send">
            <button
                class="primary small"
                data-testid="send"
                disabled=move || busy.get() || matches!(outcome.get(), Outcome::Previewing(_))
                on:click=send
            >
                {move || if busy.get() { "发送中…" } else { "发送" }}
            </button>
            {move || match outcome.get() {
                Outcome::Ready => ().into_any(),
                Outcome::Sent(at) => view! { <span class="sent" data-testid="sent">"已发送 " {at}</span> }.into_any(),
                Outcome::Failed(message) => view! { <p class="error-text" data-testid="send-error">{message}</p> }.into_any(),
                Outcome::Previewing(prepared) => view! { <MessagePreview prepared confirm /> }.into_any(),
            }}
        </div>
    }
}

/// The share prepared on the server, then sent through WeCom (or held for the preview).
async fn prepare_and_deliver(request: Option<ShareRequest>, delivery: Delivery) -> Outcome {
    let Some(request) = request else {
        return Outcome::Failed("不知道要发给谁：请在聊天窗口中打开侧边栏".into());
    };
    match (api::create_share(&request).await, delivery) {
        (Err(failure), _) => Outcome::Failed(failure.message()),
        (Ok(prepared), Delivery::Preview) => Outcome::Previewing(prepared),
        (Ok(prepared), Delivery::Wecom) => deliver(prepared).await,
    }
}

/// Sends each message through WeCom, in order; the first refusal cancels the share.
async fn deliver(prepared: PreparedShare) -> Outcome {
    for message in &prepared.messages {
        if let Err(why) = wecom_bridge::send_message(message).await {
            let _ = api::report_share(&prepared.token, "cancel").await;
            return Outcome::Failed(why);
        }
    }
    report(&prepared.token, true).await
}

/// `sent` (or `cancel`): the share's state as the server now has it.
async fn report(token: &str, sent: bool) -> Outcome {
    match api::report_share(token, if sent { "sent" } else { "cancel" }).await {
        Ok(status) if status.state == "sent" => Outcome::Sent(
            status
                .sent_at
                .as_deref()
                .map(local_time)
                .unwrap_or_default(),
        ),
        Ok(_) => Outcome::Ready,
        Err(failure) => Outcome::Failed(failure.message()),
    }
}

/// A fresh idempotency key: time and randomness, well within 64 characters.
fn new_key() -> String {
    let random = (js_sys::Math::random() * 1e15) as u64;
    format!("{}-{random:x}", js_sys::Date::now() as u64)
}
