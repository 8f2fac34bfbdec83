//! Outside WeCom (the demo, a browser): the prepared messages drawn as the chat would show
//! them, the stamped link clickable, with 确认发送 (the share is reported sent) and 取消.

use leptos::prelude::*;
use shared::share::{ChatMessage, PreparedShare};

#[component]
pub fn MessagePreview(prepared: PreparedShare, confirm: Callback<bool>) -> impl IntoView {
    view! {
        <div class="preview" data-testid="preview">
            <p class="muted">"将发送以下内容（演示模式：不经过企业微信）"</p>
            {prepared.messages.into_iter().map(message).collect_view()}
            <div class="actions">
                <button class="primary small" data-testid="confirm-send" on:click=move |_| confirm.run(true)>
                    "确认发送"
                </button>
                <button class="quiet small" data-testid="cancel-send" on:click=move |_| confirm.run(false)>
                    "取消"
                </button>
            </div>
        </div>
    }
}

fn message(message: ChatMessage) -> AnyView {
    match message {
        ChatMessage::Text { text } => view! { <p class="bubble" data-testid="preview-text">{text.content}</p> }.into_any(),
        ChatMessage::News { news } => view! {
            <a class="bubble news" data-testid="preview-news" href=news.link target="_blank" rel="noopener">
                <strong>{news.title}</strong>
                <span class="muted">{news.desc}</span>
            </a>
        }
        .into_any(),
        ChatMessage::Miniprogram { miniprogram } => view! {
            <div class="bubble" data-testid="preview-miniprogram">
                <strong>{miniprogram.title}</strong>
                <span class="muted">"小程序 · " {miniprogram.page}</span>
            </div>
        }
        .into_any(),
        ChatMessage::Image { image } => view! {
            <p class="bubble muted" data-testid="preview-image">"[图片] " {image.mediaid}</p>
        }
        .into_any(),
        ChatMessage::File { file } => view! {
            <p class="bubble muted" data-testid="preview-file">"[文件] " {file.mediaid}</p>
        }
        .into_any(),
    }
}
