//! The 业绩 panel in headless Chromium: after a stamped order is credited to guide.li, 我的业绩
//! shows the month's net sales, the rank in the store, a bar for the day, and the order with
//! the reason it counts for her.

use chrono::{Duration, Utc};
use serde_json::json;
use server::commerce::batch::Kind;
use server::config::AttributionPolicy;
use tests::browser::{HeadlessBrowser, click, wait_for_count, wait_for_exact, wait_for_text};

use crate::attribution::{crediting, order, report};
use crate::reports::share_from_li;
use crate::sending::brand;

#[tokio::test]
async fn my_performance_shows_the_credited_order_with_its_reason() {
    let brand = brand().await;
    let after = crediting(&brand.db, AttributionPolicy::default()).await;
    let (stamp, _) = share_from_li(&brand).await;
    let paid = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let extra = json!({"paid_at": paid, "ordered_at": paid, "updated_at": paid, "stamp": stamp});
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![order("O-PANEL", "M1", 8_888, extra)],
    )
    .await;

    let browser = HeadlessBrowser::launch().await;
    let page = browser.open(&brand.app.url("/auth/wecom/start")).await;
    click(&page, "a[data-userid='guide.li']").await;
    wait_for_text(&page, "[data-testid=signed-in]").await;
    click(&page, "[data-testid=my-performance]").await;
    wait_for_exact(&page, "[data-testid=perf-net]", "¥88.88").await;
    let rank = wait_for_text(&page, "[data-testid=perf-rank]").await;
    assert!(rank.contains("上海南京西路店 第 1 / 1 名"), "{rank}");
    let figures = wait_for_text(&page, "[data-testid=perf-figures]").await;
    assert!(
        figures.contains("订单 1") && figures.contains("分享 1"),
        "{figures}"
    );
    wait_for_count(&page, "[data-testid=perf-chart] rect", 1).await;
    let credit = wait_for_text(&page, "[data-testid=perf-credit]").await;
    assert!(
        credit.contains("O-PANEL") && credit.contains("¥88.88"),
        "{credit}"
    );
    assert!(credit.contains("专属导购"), "the reason is shown: {credit}");
    // Tapped again, the panel closes.
    click(&page, "[data-testid=my-performance]").await;
    wait_for_count(&page, "[data-testid=performance]", 0).await;
    browser.close().await;
}
