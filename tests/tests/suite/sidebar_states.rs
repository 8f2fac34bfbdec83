//! The sidebar's less travelled paths, driven in headless Chromium on a seeded brand: a read
//! that fails and is retried (the profile, then a page of orders), paging through orders,
//! amounts of ¥1,000 and more (grouped by thousands), removing a tag (gone after a reload, and
//! WeCom was asked), and a customer with no mall member.

use chromiumoxide::Page;
use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use server::commerce::batch::{Kind, apply_batch};
use tests::browser::{
    HeadlessBrowser, click, screenshot, wait_for_count, wait_for_exact, wait_for_text,
    wait_until_gone, yuan,
};
use tests::seeded::{SeededBrand, seeded_brand};
use tests::sql::{number, texts};

const GUIDE: &str = "guide.li";
/// Orders added to the customer, on top of the seed's: more than two pages of 20.
const ADDED_ORDERS: usize = 45;

/// The network fails once for the first request to the customer's profile and once for
/// the first request of a further page of orders (as a phone's network does); everything
/// else goes through. Installed before the page's own scripts run, in every document of the
/// tab; what already failed is remembered in the tab's sessionStorage.
const FLAKY_NETWORK: &str = r"(() => {
  // Once per tab, not once per document: a reload must not fail again.
  const failOnce = [/\/profile$/, /\/orders\?cursor=/];
  const fetchNow = window.fetch;
  window.fetch = function (input, init) {
    const url = String(input instanceof Request ? input.url : input);
    const failed = JSON.parse(sessionStorage.getItem('failed') || '[]');
    const i = failOnce.findIndex((pattern, n) => pattern.test(url) && !failed.some((f) => f.n === n));
    if (i >= 0) {
      failed.push({ n: i, url });
      sessionStorage.setItem('failed', JSON.stringify(failed));
      return Promise.reject(new TypeError('Failed to fetch'));
    }
    return fetchNow.apply(this, arguments);
  };
})();";

async fn one_text(brand: &SeededBrand, sql: &str) -> String {
    texts(&brand.db, sql)
        .await
        .pop()
        .unwrap_or_else(|| panic!("the seed has none: {sql}"))
}

/// The guide's customer with a member and the most corp tags, with the member's id.
async fn tagged_member_customer(brand: &SeededBrand) -> (String, String) {
    let row = one_text(
        brand,
        &format!(
            "SELECT c.external_userid || '|' || m.source_id FROM customers c
             JOIN guide_customers r ON r.customer_id = c.id AND r.status = 'active'
             JOIN guides g ON g.id = r.guide_id AND g.wecom_userid = '{GUIDE}'
             JOIN member_customers mc ON mc.customer_id = c.id
             JOIN members m ON m.id = mc.member_id
             JOIN guide_customer_tags t ON t.guide_customer_id = r.id
             GROUP BY c.external_userid, m.source_id
             ORDER BY COUNT(*) DESC, c.external_userid LIMIT 1"
        ),
    )
    .await;
    let (customer, member) = row.split_once('|').unwrap();
    (customer.to_owned(), member.to_owned())
}

/// `ADDED_ORDERS` orders for `member`, newer than the seed's, the newest worth ¥12,345,678.00
/// and the rest ¥1,234.56 plus their number in fen; returns the amounts, newest first.
async fn add_orders(brand: &SeededBrand, member: &str) -> Vec<i64> {
    let store = one_text(brand, "SELECT source_id FROM stores ORDER BY id LIMIT 1").await;
    let first = Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap();
    let mut amounts = Vec::new();
    let records: Vec<Value> = (0..ADDED_ORDERS)
        .map(|i| {
            let paid = if i + 1 == ADDED_ORDERS {
                1_234_567_800
            } else {
                123_456 + i64::try_from(i).unwrap()
            };
            amounts.insert(0, paid);
            let at = (first + ChronoDuration::minutes(i64::try_from(i).unwrap())).to_rfc3339();
            json!({
                "id": format!("TEST-PAGING-{i:03}"), "updated_at": at, "member_id": member,
                "channel": "online", "store_id": store, "status": "paid", "total_fen": paid,
                "discount_fen": 0, "paid_fen": paid, "ordered_at": at,
                "items": [{"sku": "SKU-T", "title": "羊绒大衣", "quantity": 1, "price_fen": paid}]
            })
        })
        .collect();
    let answer = apply_batch(
        &brand.db,
        Kind::Orders,
        records,
        Utc::now(),
        &server::commerce::stamped::NothingAfter,
    )
    .await
    .unwrap();
    assert_eq!(answer.accepted, ADDED_ORDERS as u64, "{answer:?}");
    amounts
}

async fn open_signed_in(browser: &HeadlessBrowser, brand: &SeededBrand) -> Page {
    let page = browser.open(&brand.app.url("/auth/wecom/start")).await;
    page.evaluate_on_new_document(FLAKY_NETWORK).await.unwrap();
    click(&page, &format!("a[data-userid='{GUIDE}']")).await;
    wait_for_text(&page, "[data-testid=signed-in]").await;
    page
}

#[tokio::test]
async fn a_failed_read_is_retried_orders_page_amounts_group_by_thousands_and_a_tag_is_removed() {
    let brand = seeded_brand(80).await;
    let (customer, member) = tagged_member_customer(&brand).await;
    let name = one_text(
        &brand,
        &format!("SELECT name FROM customers WHERE external_userid = '{customer}'"),
    )
    .await;
    let amounts = add_orders(&brand, &member).await;
    let orders = number(
        &brand.db,
        &format!(
            "SELECT COUNT(*) FROM orders o JOIN members m ON m.id = o.member_id
             WHERE m.source_id = '{member}'"
        ),
    )
    .await;
    let orders = usize::try_from(orders).unwrap();
    assert!(orders > 40, "three pages at least: {orders}");

    let browser = HeadlessBrowser::launch().await;
    let page = open_signed_in(&browser, &brand).await;
    click(
        &page,
        &format!("[data-testid=pick-customer][data-customer='{customer}']"),
    )
    .await;

    // The profile's first read fails: the reason and 重试, which reads it again.
    let failed = wait_for_text(&page, "[data-testid=customer-error]").await;
    assert!(failed.contains("重试"), "{failed}");
    screenshot(&page, "sidebar-read-failed").await;
    click(&page, "[data-testid=customer-error] button").await;
    wait_for_exact(&page, "[data-testid=customer-name]", &name).await;

    // 订单: a page of 20, newest first, amounts grouped by thousands.
    click(&page, "[data-testid=tab-orders]").await;
    let row = "[data-testid=orders] [data-testid=order]";
    wait_for_count(&page, row, 20).await;
    let first = wait_for_text(&page, &format!("{row} button.row")).await;
    assert!(first.contains("¥12,345,678.00"), "{first}");
    let second = page
        .find_elements(format!("{row} button.row"))
        .await
        .unwrap()[1]
        .inner_text()
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        second.contains(&yuan(amounts[1])),
        "{} in {second}",
        yuan(amounts[1])
    );
    assert!(yuan(amounts[1]).starts_with("¥1,234."));

    // The next page fails once: the list keeps its rows, says why, and 重试 brings the page.
    click(&page, "[data-testid=more-orders]").await;
    wait_for_text(&page, "[data-testid=orders] .error-text").await;
    wait_for_count(&page, row, 20).await;
    click(&page, "[data-testid=orders] .error-text + button").await;
    wait_for_count(&page, row, 40).await;
    click(&page, "[data-testid=more-orders]").await;
    wait_for_count(&page, row, orders.min(60)).await;
    if orders <= 60 {
        wait_until_gone(&page, "[data-testid=more-orders]").await;
    }
    let failed: Vec<Value> = page
        .evaluate("JSON.parse(sessionStorage.getItem('failed') || '[]')")
        .await
        .unwrap()
        .into_value()
        .unwrap();
    assert_eq!(failed.len(), 2, "both failures happened: {failed:?}");
    screenshot(&page, "sidebar-orders-paged").await;

    // 客户: remove a tag with ×; gone after a reload, and WeCom was asked to remove it.
    click(&page, "[data-testid=tab-customer]").await;
    // A tag the guide may still edit (a tag WeCom deleted shows without ×).
    let chip = page
        .find_element("[data-testid=tag]:has(button.chip-x)")
        .await
        .unwrap();
    let tag_id = chip.attribute("data-tag").await.unwrap().unwrap();
    let tag = format!("[data-testid=tag][data-tag='{tag_id}']");
    click(&page, &format!("{tag} button")).await;
    wait_until_gone(&page, &tag).await;
    page.reload().await.unwrap();
    wait_for_exact(&page, "[data-testid=customer-name]", &name).await;
    wait_for_text(&page, "[data-testid=tags]").await;
    assert!(page.find_element(&tag).await.is_err(), "still gone");
    let marked = brand.simulator.mark_tags().await;
    let last = marked.last().expect("mark_tag was called");
    assert_eq!(
        (
            last.userid.as_str(),
            last.external_userid.as_str(),
            last.remove_tag.clone()
        ),
        (GUIDE, customer.as_str(), vec![tag_id])
    );
    browser.close().await;
}

#[tokio::test]
async fn a_customer_without_a_mall_member_says_so_on_every_tab() {
    let brand = seeded_brand(80).await;
    // Every customer of the demo guide has a member; one loses the link (as a customer whose
    // mobile and unionid match no member would be).
    let customer = one_text(
        &brand,
        &format!(
            "SELECT c.external_userid FROM customers c
             JOIN guide_customers r ON r.customer_id = c.id AND r.status = 'active'
             JOIN guides g ON g.id = r.guide_id AND g.wecom_userid = '{GUIDE}'
             ORDER BY c.external_userid LIMIT 1"
        ),
    )
    .await;
    brand
        .db
        .execute_unprepared(&format!(
            "DELETE FROM member_customers WHERE customer_id =
               (SELECT id FROM customers WHERE external_userid = '{customer}')"
        ))
        .await
        .unwrap();
    let browser = HeadlessBrowser::launch().await;
    let page = browser.open(&brand.app.url("/auth/wecom/start")).await;
    click(&page, &format!("a[data-userid='{GUIDE}']")).await;
    wait_for_text(&page, "[data-testid=signed-in]").await;
    page.goto(brand.app.url(&format!("/sidebar/?customer={customer}")))
        .await
        .unwrap();
    let member = wait_for_text(&page, "[data-testid=member-unlinked]").await;
    assert!(member.contains("未关联会员"), "{member}");
    assert!(
        page.find_element("[data-testid=member-level]")
            .await
            .is_err()
    );
    screenshot(&page, "sidebar-unlinked-member").await;
    click(&page, "[data-testid=tab-orders]").await;
    let orders = wait_for_text(&page, "[data-testid=orders-unlinked]").await;
    assert!(orders.contains("暂无订单信息"), "{orders}");
    click(&page, "[data-testid=tab-timeline]").await;
    let trail = wait_for_text(&page, "[data-testid=timeline-unlinked]").await;
    assert!(trail.contains("暂无动态"), "{trail}");
    browser.close().await;
}
