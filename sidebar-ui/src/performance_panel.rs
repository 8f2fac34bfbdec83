//! 我的业绩: the signed-in guide's month (`GET /api/v1/reports/mine`): net credited sales
//! against last month, the rank in their store, each day drawn as a bar, and the orders
//! credited to them with why.
//!
//! Read with `spawn_local` into a signal, not a `LocalResource` under `Reading`: each
//! resource's type is its own copy of Leptos' async machinery in the WASM (8 KB for this
//! panel), and the page is at its size budget (BENCHMARKS.md).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::report::{CreditedOrder, MyMonth};

use crate::api::{self, ApiFailure};
use crate::format::{local_time, yuan};
use crate::load_error::LoadError;
use crate::skeleton::skeleton;

#[component]
pub fn PerformancePanel() -> impl IntoView {
    let month: RwSignal<Option<Result<MyMonth, ApiFailure>>> = RwSignal::new(None);
    let read = move || spawn_local(async move { month.set(Some(api::my_month().await)) });
    read();
    let retry = Callback::new(move |()| read());
    view! {
        <section class="card" data-testid="performance">
            {move || match month.get() {
                None => skeleton().into_any(),
                Some(Ok(loaded)) => month_view(loaded).into_any(),
                Some(Err(failure)) => view! { <LoadError message=failure.message() retry /> }.into_any(),
            }}
        </section>
    }
}

fn month_view(month: MyMonth) -> impl IntoView {
    let (now, before) = (&month.this_month, &month.last_month);
    let change = now.net_fen - before.net_fen;
    let change = format!(
        "较上月 {}{}",
        if change >= 0 { "+" } else { "" },
        yuan(change)
    );
    let mut figures = format!(
        "订单 {} · 分享 {} · 点击 {}人 · 新增绑定 {}",
        now.orders, now.shares, now.clicks, now.new_bindings
    );
    if month.commission_bp > 0 {
        figures.push_str(&format!(" · 预计提成 {}", yuan(now.commission_fen)));
    }
    let rank = month
        .rank
        .map(|r| format!("店内排名：{} 第 {} / {} 名", r.store.name, r.position, r.of));
    let title = format!(
        "{}月业绩",
        month
            .month
            .get(5..)
            .unwrap_or_default()
            .trim_start_matches('0')
    );
    view! {
        <h2>{title}</h2>
        <p class="big" data-testid="perf-net">{yuan(now.net_fen)}</p>
        <p class="muted" data-testid="perf-change">{change}</p>
        <p data-testid="perf-figures">{figures}</p>
        <p data-testid="perf-rank">{rank}</p>
        {chart(&month.days)}
        <ul class="credits" data-testid="perf-credits">
            {month.credits.into_iter().map(credit_row).collect_view()}
        </ul>
    }
}

/// One bar per day, scaled to the month's best day; days without net sales draw none.
fn chart(days: &[i64]) -> impl IntoView + use<> {
    let best = days.iter().copied().max().unwrap_or(0).max(1);
    let bars = days
        .iter()
        .enumerate()
        .filter(|(_, net)| **net > 0)
        .map(|(day, net)| {
            let height = (net * 40 / best).max(1);
            view! { <rect x=day * 4 y=40 - height width="3" height=height /> }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {} 40", days.len() * 4)
            preserveAspectRatio="none" role="img" aria-label="每日业绩" data-testid="perf-chart">
            {bars}
        </svg>
    }
}

fn credit_row(credit: CreditedOrder) -> impl IntoView {
    let head = format!("{} · {}", credit.order_no, local_time(&credit.credited_at));
    view! {
        <li data-testid="perf-credit">
            <span>{head}</span>
            <strong>{yuan(credit.amount_fen)}</strong>
            <p class="muted">{credit.reason}</p>
        </li>
    }
}
