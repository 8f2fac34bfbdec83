//! The guide's corp tags on the customer, grouped, with removing (×) and adding from the
//! catalogue. Every edit goes to WeCom first (through the server); on failure nothing changes
//! and the reason is shown.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::customer::TagGroup;

use crate::api;

#[component]
pub fn TagEditor(
    customer: String,
    tags: RwSignal<Vec<TagGroup>>,
    editable: bool,
    /// The brand's own tags on the member: read-only here.
    mall: Vec<TagGroup>,
) -> impl IntoView {
    let customer = StoredValue::new(customer);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let picking = RwSignal::new(false);
    let edit = move |tag_id: String, add: bool| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::edit_tags(customer.get_value(), vec![tag_id], add).await {
                Ok(now) => {
                    tags.set(now);
                    picking.set(false);
                }
                Err(failure) => error.set(Some(failure.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" data-testid="tags">
            <div class="between">
                <h2>"标签"</h2>
                {editable.then(|| view! {
                    <button
                        class="quiet"
                        data-testid="add-tag"
                        disabled=move || busy.get()
                        on:click=move |_| picking.update(|p| *p = !*p)
                    >
                        {move || if picking.get() { "收起" } else { "+ 添加标签" }}
                    </button>
                })}
            </div>
            {move || error.get().map(|message| view! {
                <p class="error-text" data-testid="tag-error">{message}</p>
            })}
            {move || {
                let groups = tags.get();
                if groups.is_empty() {
                    return view! { <p class="muted">"还没有企业微信标签"</p> }.into_any();
                }
                groups
                    .into_iter()
                    .map(|group| view! {
                        <div class="tag-group">
                            <span class="muted">{group.name}</span>
                            <div class="chips">
                                {group.tags.into_iter().map(|tag| {
                                    let id = tag.tag_id.clone();
                                    view! {
                                        <span class="chip" data-testid="tag" data-tag=tag.tag_id.clone()>
                                            {tag.name}
                                            {editable.then(|| view! {
                                                <button
                                                    class="chip-x"
                                                    aria-label="移除标签"
                                                    disabled=move || busy.get()
                                                    on:click=move |_| edit(id.clone(), false)
                                                >
                                                    "×"
                                                </button>
                                            })}
                                        </span>
                                    }
                                }).collect_view()}
                            </div>
                        </div>
                    })
                    .collect_view()
                    .into_any()
            }}
            {(!mall.is_empty()).then(|| view! {
                <div data-testid="mall-tags">
                    {mall.into_iter().map(|group| view! {
                        <div class="tag-group">
                            <span class="muted">"商城 · " {group.name}</span>
                            <div class="chips">
                                {group.tags.into_iter().map(|tag| view! {
                                    <span class="chip muted-chip" data-testid="mall-tag">{tag.name}</span>
                                }).collect_view()}
                            </div>
                        </div>
                    }).collect_view()}
                </div>
            })}
            {move || picking.get().then(|| view! { <TagCatalogue tags=tags busy=busy on_add=move |id| edit(id, true) /> })}
        </section>
    }
}

/// The catalogue, minus the tags the customer already has.
#[component]
fn TagCatalogue(
    tags: RwSignal<Vec<TagGroup>>,
    busy: RwSignal<bool>,
    on_add: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let catalogue = LocalResource::new(api::tag_catalogue);
    view! {
        <div class="catalogue" data-testid="tag-catalogue">
            {move || match catalogue.get() {
                None => view! { <p class="muted">"正在加载标签…"</p> }.into_any(),
                Some(Err(failure)) => view! {
                    <p class="error-text">{failure.message()}</p>
                    <button on:click=move |_| catalogue.refetch()>"重试"</button>
                }
                    .into_any(),
                Some(Ok(all)) => {
                    let have: Vec<String> = tags
                        .get()
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
                        .into_any()
                }
            }}
        </div>
    }
}
