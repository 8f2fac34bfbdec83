//! 素材: the brand's library by group (activity pages, mini-program pages, images, files and
//! scripts 话术), searchable; a script sends its text, then its attached material.

use leptos::prelude::*;
use shared::offer::{MaterialCard, MaterialGroup};

use crate::api;
use crate::load_error::LoadError;
use crate::send_button::SendButton;
use crate::skeleton::skeleton;

#[component]
pub fn MaterialsTab() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let library = LocalResource::new(move || api::materials(query.get()));
    let retry = Callback::new(move |()| library.refetch());
    view! {
        <section class="card" data-testid="materials">
            <input
                type="search"
                class="search"
                placeholder="搜索素材或话术"
                data-testid="material-search"
                on:change=move |event| query.set(event_target_value(&event))
            />
            {move || match library.get() {
                None => skeleton().into_any(),
                Some(Err(failure)) => view! { <LoadError message=failure.message() retry /> }.into_any(),
                Some(Ok(found)) if found.groups.is_empty() => {
                    view! { <p class="muted" data-testid="no-materials">"没有找到素材"</p> }.into_any()
                }
                Some(Ok(found)) => found.groups.into_iter().map(group).collect_view().into_any(),
            }}
        </section>
    }
}

fn group(group: MaterialGroup) -> impl IntoView {
    view! {
        <h2>{group.name}</h2>
        {group.materials.into_iter().map(material).collect_view()}
    }
}

fn material(card: MaterialCard) -> impl IntoView {
    let kind = match card.kind.as_str() {
        "page" => "活动页",
        "miniprogram" => "小程序",
        "image" => "图片",
        "file" => "文件",
        _ => "话术",
    };
    let attachment = card.attachment.map(|a| format!("附：{}", a.title));
    let row_id = card.id.clone();
    view! {
        <div class="item" data-testid="material" data-id=row_id>
            <div class="grow">
                <span class="kind">{kind}</span>" "<strong>{card.title}</strong>
                {card.content.map(|text| view! { <p class="script">{text}</p> })}
                {card.description.map(|text| view! { <p class="muted">{text}</p> })}
                {attachment.map(|text| view! { <p class="muted">{text}</p> })}
            </div>
            <SendButton kind="material" id=card.id />
        </div>
    }
}
