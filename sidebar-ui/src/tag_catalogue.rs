//! The corp tag catalogue to add from, minus the tags the customer already has.

use leptos::prelude::*;
use shared::customer::{TagCatalogue as Catalogue, TagGroup};

use crate::api;
use crate::load_error::LoadError;
use crate::reading::Reading;

#[component]
pub fn TagCatalogue(
    tags: RwSignal<Vec<TagGroup>>,
    busy: Memo<bool>,
    on_add: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let catalogue = LocalResource::new(api::tag_catalogue);
    let retry = Callback::new(move |()| catalogue.refetch());
    view! {
        <div class="catalogue" data-testid="tag-catalogue">
            <Reading fallback=|| view! { <p class="muted">"正在加载标签…"</p> }>
                {move || {
                    let have = tags.get();
                    Suspend::new(async move {
                        match catalogue.await {
                            Ok(all) => choices(all, have, busy, on_add).into_any(),
                            Err(failure) => {
                                view! { <LoadError message=failure.message() retry /> }.into_any()
                            }
                        }
                    })
                }}
            </Reading>
        </div>
    }
}

fn choices(
    all: Catalogue,
    have: Vec<TagGroup>,
    busy: Memo<bool>,
    on_add: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let have: Vec<String> = have
        .iter()
        .flat_map(|g| g.tags.iter().map(|t| t.tag_id.clone()))
        .collect();
    all.groups
        .into_iter()
        .map(|group| {
            let choices: Vec<_> = group
                .tags
                .into_iter()
                .filter(|t| !have.contains(&t.tag_id))
                .collect();
            view! {
                <div class="tag-group">
                    <span class="muted">{group.name}</span>
                    <div class="chips">
                        {choices.into_iter().map(|tag| {
                            let id = tag.tag_id.clone();
                            view! {
                                <button
                                    class="chip choice"
                                    data-testid="tag-choice"
                                    data-tag=tag.tag_id.clone()
                                    disabled=move || busy.get()
                                    on:click=move |_| on_add(id.clone())
                                >
                                    "+ " {tag.name}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                </div>
            }
        })
        .collect_view()
}
