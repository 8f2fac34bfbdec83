//! The 业绩 panel in headless Chromium: after a stamped order is credited to guide.li, 我的业绩
//! shows the month's net sales, the rank in the store, a bar for the day, and the order with
//! the reason it counts for her; an opened order says 为什么算给我 (a stamped order, hers by the
//! last share) or 为什么不算给我 (an order without a stamp, credited to the store), each with the
//! ledger's reason.

use chrono::{Duration, Utc};
use serde_json::json;
use server::commerce::batch::{Kind, apply_batch};
use server::commerce::stamped::NothingAfter;
use server::config::{AttributionPolicy, CreditRule};
use tests::browser::{
    HeadlessBrowser, click, screenshot, wait_for_count, wait_for_exact, wait_for_text,
};
use tests::seeded::seeded_brand_with;
use tests::sql::texts;

use crate::attribution::{crediting, order, report};
use crate::reports::share_from_li;
use crate::sending::{brand, customer_id};

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
    // The reason as the ledger stores it (every reason names 导购: the whole sentence must show).
    let reason = texts(
        &brand.db,
        "SELECT c.reason FROM order_credits c
        JOIN orders o ON o.id = c.order_id WHERE o.source_id = 'O-PANEL'",
    )
    .await;
    assert!(reason[0].starts_with("客户的专属导购"), "{reason:?}");
    assert!(credit.contains(&reason[0]), "the reason is shown: {credit}");
    // Tapped again, the panel closes.
    click(&page, "[data-testid=my-performance]").await;
    wait_for_count(&page, "[data-testid=performance]", 0).await;
    browser.close().await;
}

/// The ledger's reason for `order_no`'s credit.
pub(crate) async fn reason_of(db: &sea_orm::DatabaseConnection, order_no: &str) -> String {
    let sql = format!(
        "SELECT c.reason FROM order_credits c
        JOIN orders o ON o.id = c.order_id WHERE o.source_id = '{order_no}'"
    );
    texts(db, &sql).await.pop().unwrap()
}

#[tokio::test]
async fn an_opened_order_says_why_it_is_or_is_not_credited_to_the_guide() {
    let brand = brand().await;
    let policy = AttributionPolicy {
        rules: vec![CreditRule::LastShare, CreditRule::Store],
        ..AttributionPolicy::default()
    };
    let after = crediting(&brand.db, policy).await;
    let (stamp, _) = share_from_li(&brand).await;
    let paid = |minutes: i64| {
        let at = (Utc::now() + Duration::minutes(minutes)).to_rfc3339();
        json!({"paid_at": at, "ordered_at": at, "updated_at": at, "store_id": "S002"})
    };
    let mut stamped = paid(1);
    stamped["stamp"] = json!(stamp);
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![
            order("O-WHY-MINE", "M1", 12_345, stamped),
            // Before the share existed: no touch to credit, so the store's.
            order("O-WHY-STORE", "M1", 6_789, paid(-60)),
        ],
    )
    .await;

    let browser = HeadlessBrowser::launch().await;
    let page = browser.open(&brand.app.url("/auth/wecom/start")).await;
    click(&page, "a[data-userid='guide.li']").await;
    wait_for_text(&page, "[data-testid=signed-in]").await;
    page.goto(
        brand
            .app
            .url(&format!("/sidebar/?customer={}", customer_id(1))),
    )
    .await
    .unwrap();
    click(&page, "[data-testid=tab-orders]").await;
    for (order_no, title, summary, who) in [
        (
            "O-WHY-MINE",
            "为什么算给我",
            "本单计入你的业绩 ¥123.45",
            "我（李娜）",
        ),
        (
            "O-WHY-STORE",
            "为什么不算给我",
            "本单没有计入你的业绩",
            "门店 杭州湖滨店",
        ),
    ] {
        let at = format!("[data-order='{order_no}']");
        click(&page, &format!("{at} button.row")).await;
        wait_for_exact(&page, &format!("{at} [data-testid=credit-title]"), title).await;
        wait_for_exact(
            &page,
            &format!("{at} [data-testid=credit-summary]"),
            summary,
        )
        .await;
        let line = wait_for_text(&page, &format!("{at} [data-testid=credit-line]")).await;
        assert!(line.starts_with(who), "{order_no}: {line}");
        let reason = reason_of(&brand.db, order_no).await;
        wait_for_exact(&page, &format!("{at} [data-testid=credit-reason]"), &reason).await;
    }
    screenshot(&page, "sidebar-order-credit-why").await;
    browser.close().await;
}

/// The demo loop a newcomer follows, in the browser: guide.li sends a coupon from the
/// sidebar; the customer opens the link, lands on the demo mall, which verifies the stamp and
/// reports the visit, and orders; the mall reports the order through the signed ingest API
/// with the stamp; 我的业绩 shows the order credited to guide.li with its reason.
#[tokio::test]
async fn the_demo_loop_send_open_order_and_see_it_credited() {
    const KEYS: &str = "k1:the-stamp-key-of-the-test-brand-000000001";
    let brand = seeded_brand_with(
        20,
        vec![
            ("GUIDEDESK_STAMP_KEYS", KEYS.into()),
            (
                "GUIDEDESK_INGEST_SECRET",
                "the-ingest-secret-of-the-demo-loop-0001".into(),
            ),
            (
                "GUIDEDESK_MALL_COUPON_URL",
                "https://mall.example.com/demo/mall/coupon/{id}".into(),
            ),
        ],
    )
    .await;
    let template = json!({"id": "CT-LOOP", "updated_at": "2026-01-01T00:00:00Z",
        "name": "新客礼券", "kind": "cash", "value": 2000, "threshold_fen": 10000,
        "valid_days": 7, "guide_quota": 10, "per_customer_limit": 3});
    let answer = apply_batch(
        &brand.db,
        Kind::CouponTemplates,
        vec![template],
        Utc::now(),
        &NothingAfter,
    )
    .await
    .unwrap();
    assert!(answer.rejected.is_empty());
    let customer = texts(
        &brand.db,
        "SELECT c.external_userid FROM customers c
        JOIN guide_customers r ON r.customer_id = c.id AND r.status = 'active'
        JOIN guides g ON g.id = r.guide_id AND g.wecom_userid = 'guide.li'
        JOIN member_customers l ON l.customer_id = c.id
        ORDER BY c.external_userid LIMIT 1",
    )
    .await
    .pop()
    .unwrap();

    // guide.li sends the coupon (outside WeCom: previewed, then confirmed).
    let browser = HeadlessBrowser::launch().await;
    let page = browser.open(&brand.app.url("/auth/wecom/start")).await;
    click(&page, "a[data-userid='guide.li']").await;
    wait_for_text(&page, "[data-testid=signed-in]").await;
    page.goto(brand.app.url(&format!("/sidebar/?customer={customer}")))
        .await
        .unwrap();
    click(&page, "[data-testid=tab-coupons]").await;
    click(
        &page,
        "[data-testid=sendable-coupon][data-id=CT-LOOP] [data-testid=send]",
    )
    .await;
    wait_for_text(&page, "[data-testid=preview]").await;
    let link: String = page
        .evaluate("document.querySelector('[data-testid=preview-news]').href")
        .await
        .unwrap()
        .into_value()
        .unwrap();
    click(&page, "[data-testid=confirm-send]").await;
    wait_for_text(
        &page,
        "[data-testid=sendable-coupon][data-id=CT-LOOP] [data-testid=sent]",
    )
    .await;

    // The customer opens it: the short link leads to the brand's mall (here, the demo mall
    // this server serves; the test machine reaches no mall.example.com).
    let opened = brand.app.http.get(&link).send().await.unwrap();
    let target = opened.headers()["location"].to_str().unwrap().to_owned();
    let target = target.replace(
        "https://mall.example.com",
        brand.app.url("").trim_end_matches('/'),
    );
    page.goto(target).await.unwrap();
    let verdict = wait_for_text(&page, "[data-testid=stamp]").await;
    assert!(verdict.starts_with("签名有效"), "{verdict}");
    wait_for_exact(&page, "[data-testid=mall-note]", "已记录访问").await;
    click(&page, "[data-testid=order]").await;
    // The form posts and a new page loads: until it has, the note is the visit's.
    let mut note = String::new();
    for _ in 0..100 {
        note = wait_for_text(&page, "[data-testid=mall-note]").await;
        if note.starts_with("已下单") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(note.starts_with("已下单：订单 DEMO-O-"), "{note}");
    let number = note
        .split(' ')
        .nth(1)
        .unwrap()
        .trim_end_matches('，')
        .to_owned();
    let number = number.split('，').next().unwrap().to_owned();

    // 我的业绩 shows it, with why it is guide.li's.
    page.goto(brand.app.url("/sidebar/")).await.unwrap();
    click(&page, "[data-testid=my-performance]").await;
    let credit = wait_for_text(&page, "[data-testid=perf-credit]").await;
    assert!(
        credit.contains(&number) && credit.contains("¥199.00"),
        "{number}: {credit}"
    );
    let reason = texts(
        &brand.db,
        &format!(
            "SELECT c.reason FROM order_credits c
        JOIN orders o ON o.id = c.order_id WHERE o.source_id = '{number}'"
        ),
    )
    .await;
    assert!(credit.contains(&reason[0]), "with its reason: {credit}");
    let credited = texts(
        &brand.db,
        &format!(
            "SELECT g.wecom_userid || ':' || c.amount_fen FROM order_credits c
        JOIN orders o ON o.id = c.order_id JOIN guides g ON g.id = c.guide_id
        WHERE o.source_id = '{number}'"
        ),
    )
    .await;
    assert_eq!(credited, ["guide.li:19900"]);
    browser.close().await;
}
