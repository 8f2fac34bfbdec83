//! The guide's corp tags on the customer, grouped, with removing (×) and adding from the
//! catalogue. Every edit goes to WeCom first (through the server); on failure nothing changes
//! and the reason is shown.

use leptos::prelude::*;
use shared::customer::TagGroup;

use crate::api;
use crate::context::CustomerId;
use crate::tag_catalogue::TagCatalogue;

/// One edit: the tag, and whether it is added (or removed).
type Edit = (String, bool);

#[component]
pub fn TagEditor(
    tags: RwSignal<Vec<TagGroup>>,
    editable: bool,
    /// The brand's own tags on the member: read-only here.
    mall: Vec<TagGroup>,
) -> impl IntoView {
    let customer = use_context::<CustomerId>()
        .map(|id| id.0)
        .unwrap_or_default();
    let picking = RwSignal::new(false);
    let edit = Action::new_local(move |(tag_id, add): &Edit| {
        api::edit_tags(customer.clone(), vec![tag_id.clone()], *add)
    });
    Effect::new(move || {
        if let Some(Ok(now)) = edit.value().get() {
            tags.set(now);
            picking.set(false);
        }
    });
    let busy = edit.pending();
    // A double tap while an edit is on its way sends nothing more.
    let send = move |tag_id: String, add: bool| {
        if !busy.get_untracked() {
            edit.dispatch((tag_id, add));
        }
    };
    let error = move || match edit.value().get() {
        Some(Err(failure)) if !busy.get() => Some(failure.message()),
        _ => None,
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
            {move || error().map(|message| view! {
                <p class="error-text" data-testid="tag-error">{message}</p>
            })}
            {move || corp_tags(tags.get(), editable, busy, send)}
            {mall_tags(mall)}
            {move || picking.get().then(|| view! {
                <TagCatalogue tags=tags busy=busy on_add=move |id| send(id, true) />
            })}
        </section>
    }
}

/// The guide's corp tags, each with × when the guide may still edit them.
fn corp_tags(
    groups: Vec<TagGroup>,
    editable: bool,
    busy: Memo<bool>,
    send: impl Fn(String, bool) + Copy + Send + Sync + 'static,
) -> AnyView {
    if groups.is_empty() {
        return view! { <p class="muted">"还没有企业微信标签"</p> }.into_any();
    }
    groups
        .into_iter()
        .map(|group| {
            view! {
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
                                            on:click=move |_| send(id.clone(), false)
                                        >
                                            "×"
                                        </button>
                                    })}
                                </span>
                            }
                        }).collect_view()}
                    </div>
                </div>
            }
        })
        .collect_view()
        .into_any()
}

/// The brand's own tags (商城标签), read-only.
fn mall_tags(mall: Vec<TagGroup>) -> impl IntoView {
    (!mall.is_empty()).then(|| view! {
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
    })
}
