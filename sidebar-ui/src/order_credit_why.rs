//! Under an opened order: whose sale it is and why (`GET /api/v1/orders/{id}/credit`), headed
//! 为什么算给我 when the order's net credit to the signed-in guide is above zero, else
//! 为什么不算给我; each row names who is credited, the amount (a refund's reversal negative)
//! and the ledger's own reason.
//!
//! Read with `spawn_local` into a signal, like 我的业绩, and from the browser's `JSON.parse`
//! rather than serde: both keep code out of the WASM, which is at its size budget
//! (BENCHMARKS.md); only the five fields shown are read.

use js_sys::{Array, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::api::{self, ApiFailure};
use crate::format::yuan;
use crate::load_error::LoadError;

/// One credit row, as shown.
#[derive(Clone)]
struct Line {
    amount_fen: i64,
    reason: String,
    mine: bool,
    guide: Option<String>,
    store: Option<String>,
}

#[component]
pub fn OrderCreditWhy(id: i64) -> impl IntoView {
    let credit: RwSignal<Option<Result<Vec<Line>, ApiFailure>>> = RwSignal::new(None);
    let read = move || {
        spawn_local(async move {
            let lines = api::order_credit(id).await.map(|answer| lines_of(&answer));
            credit.set(Some(lines));
        })
    };
    read();
    let retry = Callback::new(move |()| read());
    view! {
        <section class="credit-why" data-testid="order-credit">
            {move || match credit.get() {
                None => view! { <p class="muted">"正在查询业绩归属…"</p> }.into_any(),
                Some(Ok(lines)) => credit_view(lines).into_any(),
                Some(Err(failure)) => view! { <LoadError message=failure.message() retry /> }.into_any(),
            }}
        </section>
    }
}

fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A party's `name`, when the row names one.
fn name_of(object: &JsValue, party: &str) -> Option<String> {
    field(&field(object, party), "name").as_string()
}

fn lines_of(answer: &JsValue) -> Vec<Line> {
    Array::from(&field(answer, "credits"))
        .iter()
        .map(|row| Line {
            amount_fen: field(&row, "amountFen").as_f64().unwrap_or_default() as i64,
            reason: field(&row, "reason").as_string().unwrap_or_default(),
            mine: field(&row, "mine").as_bool().unwrap_or_default(),
            guide: name_of(&row, "guide"),
            store: name_of(&row, "store"),
        })
        .collect()
}

fn credit_view(lines: Vec<Line>) -> impl IntoView {
    let mine: i64 = lines.iter().filter(|l| l.mine).map(|l| l.amount_fen).sum();
    let (title, summary) = if mine > 0 {
        ("为什么算给我", format!("本单计入你的业绩 {}", yuan(mine)))
    } else if lines.is_empty() {
        (
            "为什么不算给我",
            "订单未付款或已取消，不计入任何人的业绩".to_owned(),
        )
    } else {
        ("为什么不算给我", "本单没有计入你的业绩".to_owned())
    };
    view! {
        <h4 data-testid="credit-title">{title}</h4>
        <p data-testid="credit-summary">{summary}</p>
        <ul class="items">
            {lines.into_iter().map(credit_line).collect_view()}
        </ul>
    }
}

fn credit_line(line: Line) -> impl IntoView {
    let who = match (line.guide, line.store) {
        (Some(guide), _) if line.mine => format!("我（{guide}）"),
        (Some(guide), _) => format!("导购 {guide}"),
        (None, Some(store)) => format!("门店 {store}"),
        (None, None) => "未计入任何人".to_owned(),
    };
    view! {
        <li data-testid="credit-line" data-mine=line.mine.to_string()>
            <p class="between"><span>{who}</span><strong>{yuan(line.amount_fen)}</strong></p>
            <p class="muted" data-testid="credit-reason">{line.reason}</p>
        </li>
    }
}
