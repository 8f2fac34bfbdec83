//! A list read a page at a time (orders, the behaviour trail): what is loaded so far, the
//! cursor of the next page, and whether a page is on its way or failed; with the list's
//! footer (skeleton, error with 重试, 加载更多).

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiFailure;
use crate::skeleton::skeleton;

#[derive(Clone, PartialEq, Eq)]
pub enum Load {
    Loading,
    Done,
    Failed(String),
}

pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    next: RwSignal<Option<String>>,
    pub state: RwSignal<Load>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Paged<T> {
    /// Starts reading the first page with `fetch` (a page's rows and the next cursor).
    pub fn start<F, Fut>(fetch: F) -> Self
    where
        F: Fn(Option<String>) -> Fut + Copy + 'static,
        Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiFailure>> + 'static,
    {
        let paged = Self {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            state: RwSignal::new(Load::Loading),
        };
        paged.load(fetch, None);
        paged
    }

    fn load<F, Fut>(self, fetch: F, cursor: Option<String>)
    where
        F: Fn(Option<String>) -> Fut + Copy + 'static,
        Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiFailure>> + 'static,
    {
        self.state.set(Load::Loading);
        spawn_local(async move {
            match fetch(cursor).await {
                Ok((rows, next)) => {
                    self.items.update(|list| list.extend(rows));
                    self.next.set(next);
                    self.state.set(Load::Done);
                }
                Err(failure) => self.state.set(Load::Failed(failure.message())),
            }
        });
    }

    /// Loaded, and nothing there.
    pub fn is_empty(self) -> bool {
        self.state.get() == Load::Done && self.items.with(Vec::is_empty)
    }

    /// Below the list: a skeleton while a page is on its way, the error with 重试, or
    /// 加载更多 (`more_testid`) while pages remain.
    pub fn footer<F, Fut>(self, fetch: F, more_testid: &'static str) -> impl IntoView
    where
        F: Fn(Option<String>) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiFailure>> + 'static,
    {
        move || {
            match self.state.get() {
            Load::Loading => skeleton().into_any(),
            Load::Failed(message) => view! {
                <p class="error-text">{message}</p>
                <button on:click=move |_| self.load(fetch, self.next.get_untracked())>"重试"</button>
            }
            .into_any(),
            Load::Done => self
                .next
                .get()
                .map(|cursor| {
                    view! {
                        <button
                            class="quiet wide"
                            data-testid=more_testid
                            on:click=move |_| self.load(fetch, Some(cursor.clone()))
                        >
                            "加载更多"
                        </button>
                    }
                })
                .into_any(),
        }
        }
    }
}
