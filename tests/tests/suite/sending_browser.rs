//! The sending tabs in headless Chromium on a seeded brand: inside WeCom (the client's bridge
//! faked, the real JS-SDK on top) each tab's send hands WeCom's `sendChatMessage` exactly the
//! payload the server prepared, the share is reported sent and the card shows 已发送, and the
//! link redirects to the target with a stamp that verifies; from a group chat the stamp names
//! the chat; WeCom refusing a send is said in Chinese and cancels the share; outside WeCom the
//! messages are previewed and a double tap sends once.

use chromiumoxide::Page;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::commerce::batch::{Kind, apply_batch};
use server::stamp::{ParamNames, Recipient, Stamp, StampKeys, verify_link};
use tests::browser::{HeadlessBrowser, click, wait_for_text};
use tests::seeded::{SeededBrand, seeded_brand_with};
use tests::sql::{number, texts};

use super::sidebar_browser::{fake_wecom_bridge_in, fake_wecom_bridge_sending};

const GUIDE: &str = "guide.li";
/// guide.li's customer group in the demo's WeCom (the first guide's).
const CHAT: &str = "wrDEMOCHAT0001";
const KEYS: &str = "k1:the-stamp-key-of-the-test-brand-000000001";

async fn brand() -> SeededBrand {
    let brand = seeded_brand_with(
        20,
        vec![
            ("GUIDEDESK_STAMP_KEYS", KEYS.into()),
            (
                "GUIDEDESK_MALL_COUPON_URL",
                "https://mall.example.com/coupon/claim?template={id}".into(),
            ),
            (
                "GUIDEDESK_MALL_PRODUCT_URL",
                "https://mall.example.com/product/{id}".into(),
            ),
        ],
    )
    .await;
    let records = vec![
        json!({"id": "CT-BROWSER", "updated_at": "2026-01-01T00:00:00Z",
        "name": "到店礼券", "kind": "cash", "value": 5000, "threshold_fen": 30000,
        "valid_days": 7, "guide_quota": 10, "per_customer_limit": 3}),
    ];
    ingest(&brand, Kind::CouponTemplates, records).await;
    let materials = vec![
        json!({"id": "M-WINTER", "updated_at": "2026-01-01T00:00:00Z", "kind": "page",
               "title": "冬季会员日", "group": "活动", "url": "https://mall.example.com/activity/winter",
               "description": "满300减50"}),
        json!({"id": "M-HELLO", "updated_at": "2026-01-01T00:00:00Z", "kind": "text",
               "title": "会员日邀请", "group": "话术", "content": "您好，会员日开始啦～",
               "attachment_id": "M-WINTER"}),
    ];
    ingest(&brand, Kind::Materials, materials).await;
    brand
}

async fn ingest(brand: &SeededBrand, kind: Kind, records: Vec<Value>) {
    let answer = apply_batch(
        &brand.db,
        kind,
        records,
        Utc::now(),
        &server::commerce::stamped::NothingAfter,
    )
    .await
    .unwrap();
    assert!(answer.rejected.is_empty(), "{answer:?}");
}

async fn a_customer(brand: &SeededBrand) -> String {
    texts(
        &brand.db,
        &format!(
            "SELECT c.external_userid FROM customers c
             JOIN guide_customers r ON r.customer_id = c.id AND r.status = 'active'
             JOIN guides g ON g.id = r.guide_id AND g.wecom_userid = '{GUIDE}'
             ORDER BY c.external_userid LIMIT 1"
        ),
    )
    .await
    .pop()
    .unwrap()
}

/// The `sendChatMessage` payloads the page handed WeCom, in order.
async fn sent_payloads(page: &Page) -> Vec<Value> {
    page.evaluate(
        "window.__wecomCalls.filter(c => c.name === 'sendChatMessage').map(c => c.params)",
    )
    .await
    .unwrap()
    .into_value()
    .unwrap()
}

/// The share's messages as the server stores them: the share's link and token.
async fn last_share(brand: &SeededBrand) -> (String, String, String) {
    let row = texts(
        &brand.db,
        "SELECT token || '|' || state || '|' || link FROM shares ORDER BY id DESC LIMIT 1",
    )
    .await
    .pop()
    .unwrap();
    let mut parts = row.splitn(3, '|');
    let mut next = || parts.next().unwrap().to_owned();
    (next(), next(), next())
}

/// Follows the short link once; the stamp on where it leads, verified.
async fn stamp_behind(brand: &SeededBrand, short_link: &str) -> (String, Stamp) {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(short_link)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND, "{short_link}");
    let target = response.headers()["location"].to_str().unwrap().to_owned();
    let keys = StampKeys::parse(KEYS).unwrap();
    let (stamp, _) = verify_link(
        &target,
        &keys,
        &ParamNames::default(),
        Utc::now().timestamp(),
        86_400,
    )
    .unwrap_or_else(|why| panic!("{target}: {why}"));
    let _ = brand;
    (target, stamp)
}

async fn open_in_wecom(browser: &HeadlessBrowser, brand: &SeededBrand, bridge: &str) -> Page {
    let page = browser
        .open_in_wecom(&brand.app.url("/auth/wecom/start"), "4.1.22", bridge)
        .await;
    click(&page, &format!("a[data-userid='{GUIDE}']")).await;
    page
}

#[tokio::test]
async fn inside_wecom_each_tab_sends_the_servers_payload_and_its_link_carries_a_valid_stamp() {
    let brand = brand().await;
    let customer = a_customer(&brand).await;
    let browser = HeadlessBrowser::launch().await;
    let page = open_in_wecom(
        &browser,
        &brand,
        &fake_wecom_bridge_in(&customer, "single_chat_tools"),
    )
    .await;
    wait_for_text(&page, "[data-testid=customer-name]").await;

    // 券: the coupon, sent as a news card with the short link.
    click(&page, "[data-testid=tab-coupons]").await;
    let row = wait_for_text(&page, "[data-testid=sendable-coupon][data-id=CT-BROWSER]").await;
    assert!(
        row.contains("满300减50") && row.contains("剩余额度 10"),
        "{row}"
    );
    click(
        &page,
        "[data-testid=sendable-coupon][data-id=CT-BROWSER] [data-testid=send]",
    )
    .await;
    let sent = wait_for_text(
        &page,
        "[data-testid=sendable-coupon][data-id=CT-BROWSER] [data-testid=sent]",
    )
    .await;
    assert!(sent.starts_with("已发送"), "{sent}");
    let (token, state, _) = last_share(&brand).await;
    assert_eq!(state, "sent");
    let payloads = sent_payloads(&page).await;
    let link = brand.app.url(&format!("/s/{token}"));
    assert_eq!(payloads.len(), 1, "{payloads:?}");
    assert_eq!(payloads[0]["msgtype"], "news");
    assert_eq!(payloads[0]["news"]["link"], link.as_str());
    let (target, stamp) = stamp_behind(&brand, &link).await;
    assert!(target.starts_with("https://mall.example.com/coupon/claim?template=CT-BROWSER&"));
    assert_eq!(
        (stamp.share.as_str(), stamp.recipient.clone()),
        (token.as_str(), Recipient::Customer(customer.clone()))
    );

    // 商品: the first product, its card and stamped page.
    click(&page, "[data-testid=tab-products]").await;
    wait_for_text(&page, "[data-testid=product]").await;
    click(&page, "[data-testid=product] [data-testid=send]").await;
    wait_for_text(&page, "[data-testid=product] [data-testid=sent]").await;
    let (token, _, _) = last_share(&brand).await;
    let payloads = sent_payloads(&page).await;
    assert_eq!(payloads.len(), 2);
    let link = brand.app.url(&format!("/s/{token}"));
    assert_eq!(payloads[1]["news"]["link"], link.as_str());
    let (target, _) = stamp_behind(&brand, &link).await;
    assert!(
        target.starts_with("https://mall.example.com/product/P"),
        "{target}"
    );

    // 素材: a script is its text, then its page.
    click(&page, "[data-testid=tab-materials]").await;
    wait_for_text(&page, "[data-testid=material][data-id=M-HELLO]").await;
    click(
        &page,
        "[data-testid=material][data-id=M-HELLO] [data-testid=send]",
    )
    .await;
    wait_for_text(
        &page,
        "[data-testid=material][data-id=M-HELLO] [data-testid=sent]",
    )
    .await;
    let payloads = sent_payloads(&page).await;
    assert_eq!(payloads.len(), 4, "{payloads:?}");
    // The SDK adds its own verify* fields to what the page handed it; the message is ours.
    assert_eq!(
        (&payloads[2]["msgtype"], &payloads[2]["text"]),
        (&json!("text"), &json!({"content": "您好，会员日开始啦～"}))
    );
    let (token, _, _) = last_share(&brand).await;
    assert_eq!(
        payloads[3]["news"]["link"],
        brand.app.url(&format!("/s/{token}")).as_str()
    );
    browser.close().await;
}

#[tokio::test]
async fn from_a_group_chat_the_sending_tabs_stamp_the_chat_and_a_refusal_is_explained() {
    let brand = brand().await;
    let browser = HeadlessBrowser::launch().await;
    let page = open_in_wecom(
        &browser,
        &brand,
        &fake_wecom_bridge_in(CHAT, "group_chat_tools"),
    )
    .await;
    wait_for_text(&page, "[data-testid=group-chat]").await;
    assert!(
        page.find_element("[data-testid=customer-name]")
            .await
            .is_err(),
        "no profile in a group"
    );
    wait_for_text(&page, "[data-testid=product]").await;
    click(&page, "[data-testid=product] [data-testid=send]").await;
    wait_for_text(&page, "[data-testid=product] [data-testid=sent]").await;
    let (token, _, _) = last_share(&brand).await;
    let (target, stamp) = stamp_behind(&brand, &brand.app.url(&format!("/s/{token}"))).await;
    assert_eq!(stamp.recipient, Recipient::Chat(CHAT.into()), "{target}");

    // WeCom refuses (the sidebar was not opened from the chat toolbar): said, share cancelled.
    let refusing = fake_wecom_bridge_sending(
        CHAT,
        "group_chat_tools",
        "sendChatMessage:fail_without context of external contact",
    );
    let page = open_in_wecom(&browser, &brand, &refusing).await;
    wait_for_text(&page, "[data-testid=product]").await;
    click(&page, "[data-testid=product] [data-testid=send]").await;
    let error = wait_for_text(&page, "[data-testid=product] [data-testid=send-error]").await;
    assert!(error.contains("工具栏"), "{error}");
    let (_, state, _) = last_share(&brand).await;
    assert_eq!(state, "cancelled");
    browser.close().await;
}

#[tokio::test]
async fn outside_wecom_the_send_is_previewed_and_a_double_tap_sends_once() {
    let brand = brand().await;
    let customer = a_customer(&brand).await;
    let browser = HeadlessBrowser::launch().await;
    let page = browser.open(&brand.app.url("/auth/wecom/start")).await;
    click(&page, &format!("a[data-userid='{GUIDE}']")).await;
    wait_for_text(&page, "[data-testid=signed-in]").await;
    page.goto(brand.app.url(&format!("/sidebar/?customer={customer}")))
        .await
        .unwrap();
    wait_for_text(&page, "[data-testid=customer-name]").await;
    click(&page, "[data-testid=tab-coupons]").await;
    wait_for_text(&page, "[data-testid=sendable-coupon][data-id=CT-BROWSER]").await;
    // Two taps in the same instant: the button is disabled by the first.
    page.evaluate("(() => { const b = document.querySelector('[data-testid=sendable-coupon][data-id=CT-BROWSER] [data-testid=send]'); b.click(); b.click(); })()")
        .await
        .unwrap();
    let preview = wait_for_text(&page, "[data-testid=preview]").await;
    assert!(preview.contains("到店礼券"), "{preview}");
    let (token, state, _) = last_share(&brand).await;
    assert_eq!(state, "prepared");
    let href: String = page
        .evaluate("document.querySelector('[data-testid=preview-news]').href")
        .await
        .unwrap()
        .into_value()
        .unwrap();
    assert_eq!(href, brand.app.url(&format!("/s/{token}")));
    stamp_behind(&brand, &href).await;
    click(&page, "[data-testid=confirm-send]").await;
    wait_for_text(
        &page,
        "[data-testid=sendable-coupon][data-id=CT-BROWSER] [data-testid=sent]",
    )
    .await;
    assert_eq!(
        number(&brand.db, "SELECT COUNT(*) FROM shares").await,
        1,
        "one share for two taps"
    );
    let (_, state, _) = last_share(&brand).await;
    assert_eq!(state, "sent");
    browser.close().await;
}
