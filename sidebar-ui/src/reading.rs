//! Every read's `<Transition>`, written once.

use leptos::prelude::*;

/// Shows `fallback` until the `Suspend`s among `children` first resolve; after that the view
/// stays until the new one is ready (a retry does not flash the skeleton). One `Transition`
/// for all the page's reads: each `<Transition>` written out is its own generic copy in the
/// WASM, and seven of them had grown it by a tenth (BENCHMARKS.md).
#[component]
pub fn Reading(#[prop(into)] fallback: ViewFn, children: ChildrenFn) -> impl IntoView {
    view! { <Transition fallback=move || fallback.run()>{children()}</Transition> }
}
