//! Sending from the sidebar, over HTTP as the page does it: the 优惠券 tab's lists (held,
//! sendable with why not), coupon sends held to the guide quota under 1,000 concurrent sends,
//! the daily and per-customer limits, a repeated idempotency key, a cancel and a lapse giving
//! quota back, a claim reported by the mall; the 商品 tab's products (store, stock, search,
//! paging) and their cards; each message's link stamped and verifying. On both databases.

use std::sync::Arc;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::{Value, json};
use server::commerce::batch::{Kind, apply_batch};
use server::entity::{customer, guide_customer, member_customer};
use server::stamp::{ParamNames, StampKeys, verify_link};
use tests::TestApp;
use tests::guide_session::{SessionCookie, sign_in, spawn_app_on};
use tests::simulator::TestSimulator;
use tests::sql::number;
use tokio::sync::Barrier;

pub(crate) const INGEST_SECRET: &str = "the-ingest-secret-of-the-test-brand-01";
pub(crate) const KEYS: &str = "k1:the-stamp-key-of-the-test-brand-000000001";
const CUSTOMERS: usize = 1000;

pub(crate) struct Brand {
    pub(crate) simulator: TestSimulator,
    pub(crate) app: TestApp,
    pub(crate) db: DatabaseConnection,
    pub(crate) li: SessionCookie,
    pub(crate) wang: SessionCookie,
}

pub(crate) fn customer_id(n: usize) -> String {
    format!("wmC{n:04}")
}

/// Two stores; guide.li of S001 follows `CUSTOMERS` customers (the first linked to member
/// M1), guide.wang of S002 follows one other; coupons and products as each test needs.
pub(crate) async fn brand() -> Brand {
    brand_with(Vec::new()).await
}

/// [`brand`] with more settings.
pub(crate) async fn brand_with(more: Vec<(&'static str, String)>) -> Brand {
    let simulator = TestSimulator::start().await;
    let mut settings = vec![
        ("GUIDEDESK_STAMP_KEYS", KEYS.into()),
        (
            "GUIDEDESK_MALL_COUPON_URL",
            "https://mall.example.com/coupon/claim?template={id}".into(),
        ),
        (
            "GUIDEDESK_MALL_PRODUCT_URL",
            "https://mall.example.com/product/{id}".into(),
        ),
        (
            "GUIDEDESK_CARD_IMAGE_URL",
            "https://mall.example.com/card.png".into(),
        ),
        ("GUIDEDESK_INGEST_SECRET", INGEST_SECRET.into()),
        ("WECOM_CALLBACK_TOKEN", tests::wecom::TOKEN.into()),
        ("WECOM_CALLBACK_AES_KEY", tests::wecom::AES_KEY.into()),
    ];
    settings.extend(more);
    let app = spawn_app_on(&simulator, settings).await;
    let db = app.db().await;
    ingest(
        &db,
        Kind::Stores,
        vec![
            json!({"id": "S001", "updated_at": "2026-01-01T00:00:00Z", "name": "上海南京西路店"}),
            json!({"id": "S002", "updated_at": "2026-01-01T00:00:00Z", "name": "杭州湖滨店"}),
        ],
    )
    .await;
    ingest(
        &db,
        Kind::Staff,
        vec![
            json!({"id": "E001", "updated_at": "2026-01-01T00:00:00Z",
               "wecom_userid": "guide.li", "store_id": "S001", "role": "guide"}),
            json!({"id": "E002", "updated_at": "2026-01-01T00:00:00Z",
               "wecom_userid": "guide.wang", "store_id": "S002", "role": "guide"}),
        ],
    )
    .await;
    ingest(
        &db,
        Kind::Members,
        vec![json!({
        "id": "M1", "updated_at": "2026-01-01T00:00:00Z", "name": "王小姐"})],
    )
    .await;
    let li = sign_in(&app, &simulator, "guide.li").await;
    let wang = sign_in(&app, &simulator, "guide.wang").await;
    follow_customers(&db).await;
    Brand {
        simulator,
        app,
        db,
        li,
        wang,
    }
}

pub(crate) async fn ingest(db: &DatabaseConnection, kind: Kind, records: Vec<Value>) {
    let answer = apply_batch(
        db,
        kind,
        records,
        Utc::now(),
        &server::commerce::stamped::NothingAfter,
    )
    .await
    .unwrap();
    assert!(answer.rejected.is_empty(), "{:?}", answer.rejected);
}

async fn follow_customers(db: &DatabaseConnection) {
    let now = Utc::now();
    let guide = |userid: &str| format!("SELECT id FROM guides WHERE wecom_userid = '{userid}'");
    let (li, wang) = (
        number(db, &guide("guide.li")).await,
        number(db, &guide("guide.wang")).await,
    );
    let ids: Vec<String> = (1..=CUSTOMERS)
        .map(customer_id)
        .chain(["wmOTHER".into()])
        .collect();
    let rows = ids.iter().map(|id| customer::ActiveModel {
        external_userid: Set(id.clone()),
        name: Set(format!("客户{id}")),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    });
    for chunk in rows.collect::<Vec<_>>().chunks(500) {
        customer::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await
            .unwrap();
    }
    let first = number(db, "SELECT MIN(id) FROM customers").await;
    let relations = (0..=CUSTOMERS as i64).map(|offset| guide_customer::ActiveModel {
        guide_id: Set(if offset == CUSTOMERS as i64 { wang } else { li }),
        customer_id: Set(first + offset),
        added_at: Set(now),
        status: Set("active".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    });
    for chunk in relations.collect::<Vec<_>>().chunks(500) {
        guide_customer::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await
            .unwrap();
    }
    let member = number(db, "SELECT id FROM members WHERE source_id = 'M1'").await;
    member_customer::Entity::insert(member_customer::ActiveModel {
        member_id: Set(member),
        customer_id: Set(first),
        matched_by: Set("mobile".into()),
        matched_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await
    .unwrap();
}

pub(crate) fn template(id: &str, extra: Value) -> Value {
    let mut record = json!({"id": id, "updated_at": "2026-01-01T00:00:00Z", "name": format!("券{id}"),
        "kind": "cash", "value": 3000, "threshold_fen": 20000, "valid_days": 7});
    for (key, value) in extra.as_object().unwrap() {
        record[key] = value.clone();
    }
    record
}

pub(crate) async fn send(
    app: &TestApp,
    cookie: &SessionCookie,
    to: Value,
    kind: &str,
    id: &str,
    key: &str,
) -> (StatusCode, Value) {
    let response = app
        .http
        .post(app.url("/api/v1/shares"))
        .header(COOKIE, &cookie.0)
        .json(&json!({"to": to, "kind": kind, "id": id, "idempotency_key": key}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Opens a short link once, without following it: the status and where it leads.
pub(crate) async fn open_once(app: &TestApp, link: &str) -> (StatusCode, String) {
    let opened = app.http.get(link).send().await.unwrap();
    let target = opened
        .headers()
        .get("location")
        .map(|to| to.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (opened.status(), target)
}

pub(crate) fn to(n: usize) -> Value {
    json!({"customer": customer_id(n)})
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    number(db, sql).await
}

fn stamp_checks(link: &str) -> server::stamp::Stamp {
    let keys = StampKeys::parse(KEYS).unwrap();
    verify_link(
        link,
        &keys,
        &ParamNames::default(),
        Utc::now().timestamp(),
        86_400,
    )
    .unwrap_or_else(|why| panic!("{link}: {why}"))
    .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_coupon_sends_against_a_quota_of_100_make_exactly_100_shares() {
    let brand = brand().await;
    ingest(
        &brand.db,
        Kind::CouponTemplates,
        vec![template("CT-HOT", json!({"guide_quota": 100}))],
    )
    .await;
    let start = Arc::new(Barrier::new(CUSTOMERS));
    let sends: Vec<_> = (1..=CUSTOMERS)
        .map(|n| {
            let (app_http, url, cookie) = (
                brand.app.http.clone(),
                brand.app.url("/api/v1/shares"),
                brand.li.0.clone(),
            );
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                let response = app_http
                    .post(url)
                    .header(COOKIE, cookie)
                    .json(&json!({"to": to(n), "kind": "coupon", "id": "CT-HOT",
                                  "idempotency_key": format!("tap-{n}")}))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (
                    status,
                    response.json::<Value>().await.unwrap_or(Value::Null),
                )
            })
        })
        .collect();
    let mut created = 0;
    let mut refused = 0;
    for send in sends {
        let (status, body) = send.await.unwrap();
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(body["code"], "coupon_quota", "{body}");
                assert!(
                    body["message"].as_str().unwrap().contains("额度已用完"),
                    "{body}"
                );
                refused += 1;
            }
            other => panic!("a send answered {other}: {body}"),
        }
    }
    assert_eq!((created, refused), (100, CUSTOMERS - 100));
    let shares = count(
        &brand.db,
        "SELECT COUNT(*) FROM shares WHERE item_id = 'CT-HOT'",
    )
    .await;
    assert_eq!(shares, 100, "exactly the quota, never over-issued");
    let used = count(
        &brand.db,
        "SELECT guide_quota_used FROM coupon_templates WHERE source_id = 'CT-HOT'",
    )
    .await;
    assert_eq!(used, 100);
}

#[tokio::test]
async fn a_coupon_send_is_stamped_counted_and_held_to_its_limits() {
    let brand = brand().await;
    let soon = (Utc::now() + Duration::hours(20)).to_rfc3339();
    let later = (Utc::now() + Duration::days(3)).to_rfc3339();
    ingest(
        &brand.db,
        Kind::CouponTemplates,
        vec![
            template("CT-ONE", json!({"guide_quota": 2})),
            template(
                "CT-DAY",
                json!({"guide_daily_limit": 1, "per_customer_limit": 5}),
            ),
            template("CT-TWO", json!({"per_customer_limit": 2})),
            template("CT-HZ", json!({"store_ids": ["S002"]})),
            template("CT-LATER", json!({"valid_from": later})),
        ],
    )
    .await;
    ingest(
        &brand.db,
        Kind::CouponGrants,
        vec![
            json!({"id": "G1", "updated_at": "2026-01-01T00:00:00Z", "template_id": "CT-TWO",
               "member_id": "M1", "status": "issued", "issued_at": "2026-11-30T00:00:00Z",
               "expires_at": soon}),
            json!({"id": "G2", "updated_at": "2026-01-01T00:00:00Z", "template_id": "CT-ONE",
               "member_id": "M1", "status": "used", "issued_at": "2026-10-01T00:00:00Z",
               "used_at": "2026-10-02T00:00:00Z"}),
        ],
    )
    .await;

    // The tab: held coupons, usable first and flagged as lapsing soon; then what can be sent.
    let (status, tab) = brand
        .app
        .get_as(
            &brand.li,
            &format!("/api/v1/customers/{}/coupons", customer_id(1)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tab}");
    let held: Vec<(&str, &str, bool)> = tab["held"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                c["expiring_soon"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(held, [("G1", "usable", true), ("G2", "used", false)]);
    let offers: Vec<(&str, bool)> = tab["sendable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["sendable"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        offers,
        [
            ("CT-DAY", true),
            ("CT-TWO", true),
            ("CT-LATER", false),
            ("CT-ONE", false)
        ],
        "S002's coupon is not listed for S001's guide; M1 already holds CT-ONE (limit 1)"
    );
    let one = &tab["sendable"][3];
    assert_eq!(one["face"], "满200减30");
    assert_eq!(one["quota_left"], 2);
    assert_eq!(one["customer_left"], 0);
    assert!(
        one["reason"].as_str().unwrap().contains("每人限 1 张"),
        "{one}"
    );

    // A send: a news card whose link is the short link, which redirects to the stamped claim page.
    let (status, sent) = send(&brand.app, &brand.li, to(1), "coupon", "CT-TWO", "k-1").await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let token = sent["token"].as_str().unwrap();
    let link = sent["link"].as_str().unwrap();
    assert_eq!(link, brand.app.url(&format!("/s/{token}")));
    let news = &sent["messages"][0];
    assert_eq!(news["msgtype"], "news");
    assert_eq!(news["news"]["link"], link);
    assert_eq!(news["news"]["imgUrl"], "https://mall.example.com/card.png");
    assert!(news["news"]["title"].as_str().unwrap().contains("券CT-TWO"));
    let (status, target) = open_once(&brand.app, link).await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(
        target.starts_with("https://mall.example.com/coupon/claim?template=CT-TWO&"),
        "{target}"
    );
    let stamp = stamp_checks(&target);
    assert_eq!(stamp.share, token);
    assert_eq!(
        stamp.recipient,
        server::stamp::Recipient::Customer(customer_id(1))
    );
    assert_eq!(stamp.staff, "guide.li");
    // The demo's mall reads the stamp as a brand's would: genuine; altered, refused.
    let query = target.split_once('?').unwrap().1;
    let mall = |query: String| {
        let url = brand.app.url(&format!("/demo/mall/coupon/CT-TWO?{query}"));
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    assert!(mall(query.to_owned()).await.contains("签名有效"));
    let altered = query.replace("gd_staff=guide.li", "gd_staff=guide.wang");
    assert!(mall(altered).await.contains("签名无效"));

    // The same key: the same share, 200. The per-customer limit (2, one held, one sent): 409.
    let (status, again) = send(&brand.app, &brand.li, to(1), "coupon", "CT-TWO", "k-1").await;
    assert_eq!((status, &again["token"]), (StatusCode::OK, &sent["token"]));
    let (status, over) = send(&brand.app, &brand.li, to(1), "coupon", "CT-TWO", "k-2").await;
    assert_eq!(status, StatusCode::CONFLICT, "{over}");
    assert_eq!(over["code"], "coupon_customer_limit");
    // The same key for something else is refused, not mistaken for the first send.
    let (status, reused) = send(&brand.app, &brand.li, to(2), "coupon", "CT-TWO", "k-1").await;
    assert_eq!(
        (status, reused["code"].as_str()),
        (StatusCode::CONFLICT, Some("idempotency_key_reused"))
    );

    // The daily limit: one a day for this guide, whoever the customer.
    let (status, _) = send(&brand.app, &brand.li, to(2), "coupon", "CT-DAY", "d-1").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, day) = send(&brand.app, &brand.li, to(3), "coupon", "CT-DAY", "d-2").await;
    assert_eq!(
        (status, day["code"].as_str()),
        (StatusCode::CONFLICT, Some("coupon_daily_limit"))
    );

    // Not sendable here or not yet, unknown, another guide's customer: refused, nothing stored.
    let (status, _) = send(&brand.app, &brand.li, to(2), "coupon", "CT-HZ", "x-1").await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = send(&brand.app, &brand.li, to(2), "coupon", "CT-LATER", "x-2").await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = send(&brand.app, &brand.li, to(2), "coupon", "CT-NONE", "x-3").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(&brand.app, &brand.wang, to(2), "coupon", "CT-TWO", "x-4").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "guide.wang does not follow this customer"
    );
    let (status, _) = send(
        &brand.app,
        &brand.li,
        json!({"customer": "wmOTHER"}),
        "coupon",
        "CT-TWO",
        "x-5",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(count(&brand.db, "SELECT COUNT(*) FROM shares").await, 2);
}

#[tokio::test]
async fn a_cancel_or_a_lapse_gives_the_quota_back_and_a_claim_keeps_it() {
    let brand = brand().await;
    ingest(
        &brand.db,
        Kind::CouponTemplates,
        vec![template(
            "CT-ONE",
            json!({"guide_quota": 1, "guide_daily_limit": 1}),
        )],
    )
    .await;
    let used = || {
        count(
            &brand.db,
            "SELECT guide_quota_used FROM coupon_templates WHERE source_id = 'CT-ONE'",
        )
    };

    let (status, first) = send(&brand.app, &brand.li, to(1), "coupon", "CT-ONE", "a").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = send(&brand.app, &brand.li, to(2), "coupon", "CT-ONE", "b").await;
    assert_eq!(status, StatusCode::CONFLICT, "the quota of 1 is taken");
    let cancel = brand
        .app
        .http
        .post(brand.app.url(&format!(
            "/api/v1/shares/{}/cancel",
            first["token"].as_str().unwrap()
        )))
        .header(COOKIE, &brand.li.0)
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), StatusCode::OK);
    assert_eq!(used().await, 0, "the cancel gave the quota back");
    let (status, second) = send(&brand.app, &brand.li, to(2), "coupon", "CT-ONE", "c").await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{second}; the daily quota came back too"
    );

    // Unclaimed past its window: lapsed by the sweep, quota back.
    let gate = server::database::WriteGate::for_database(&brand.db);
    let lapsed =
        server::shares::lapse_unclaimed(&brand.db, &gate, Utc::now() + Duration::hours(73))
            .await
            .unwrap();
    assert_eq!(lapsed, 1);
    assert_eq!(used().await, 0);
    let (status, third) = send(&brand.app, &brand.li, to(3), "coupon", "CT-ONE", "d").await;
    assert_eq!(status, StatusCode::CREATED, "{third}");

    // Claimed (the mall reports the grant with the share token): it keeps its quota.
    ingest(
        &brand.db,
        Kind::CouponGrants,
        vec![json!({
        "id": "G-CLAIM", "updated_at": "2026-12-01T00:00:00Z", "template_id": "CT-ONE",
        "member_id": "M1", "status": "claimed", "issued_at": "2026-12-01T00:00:00Z",
        "share_token": third["token"]})],
    )
    .await;
    let lapsed =
        server::shares::lapse_unclaimed(&brand.db, &gate, Utc::now() + Duration::hours(73))
            .await
            .unwrap();
    assert_eq!(lapsed, 0, "a claimed coupon does not lapse");
    assert_eq!(used().await, 1);
    let states = tests::sql::texts(&brand.db, "SELECT state FROM shares ORDER BY id").await;
    assert_eq!(states, ["cancelled", "lapsed", "prepared"]);
}

#[tokio::test]
async fn the_products_tab_lists_what_is_on_sale_here_in_stock_and_sends_it_stamped() {
    let brand = brand().await;
    let product = |id: &str, title: &str, extra: Value| {
        let mut record = json!({"id": id, "updated_at": "2026-01-01T00:00:00Z", "title": title,
            "price_fen": 19900, "image_url": format!("https://img.example.com/{id}.jpg")});
        for (key, value) in extra.as_object().unwrap() {
            record[key] = value.clone();
        }
        record
    };
    let mut products = vec![
        product(
            "P-CASH",
            "羊绒围巾",
            json!({"skus": [
            {"sku": "SC-RED", "spec": "红色", "price_fen": 19900, "stock": 5},
            {"sku": "SC-GREY", "spec": "灰色", "price_fen": 25900, "stock": 0}]}),
        ),
        product(
            "P-GONE",
            "羊绒手套",
            json!({"skus": [{"sku": "GL-1", "price_fen": 9900, "stock": 0}]}),
        ),
        product("P-HZ", "西湖限定帆布包", json!({"store_ids": ["S002"]})),
        product("P-OFF", "下架羊绒衫", json!({"on_sale": false})),
    ];
    for n in 0..25 {
        products.push(product(
            &format!("P-{n:02}"),
            &format!("基础款T恤{n:02}"),
            json!({}),
        ));
    }
    ingest(&brand.db, Kind::Products, products).await;

    let (status, found) = brand.app.get_as(&brand.li, "/api/v1/products?q=羊绒").await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let ids: Vec<&str> = found["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["P-CASH"], "in stock, on sale, sold here");
    let cash = &found["products"][0];
    assert_eq!(
        (
            cash["price_min_fen"].as_i64(),
            cash["price_max_fen"].as_i64(),
            cash["stock"].as_i64()
        ),
        (Some(19900), Some(25900), Some(5))
    );
    let (_, by_sku) = brand
        .app
        .get_as(&brand.li, "/api/v1/products?q=sc-grey")
        .await;
    assert_eq!(
        by_sku["products"][0]["id"], "P-CASH",
        "SKU codes match, ignoring case"
    );
    let (_, here) = brand
        .app
        .get_as(&brand.wang, "/api/v1/products?q=帆布")
        .await;
    assert_eq!(
        here["products"][0]["id"], "P-HZ",
        "S002's guide sees S002's product"
    );

    // Paged: 26 sendable for S001, 20 and 6, no repeats.
    let (_, first) = brand.app.get_as(&brand.li, "/api/v1/products").await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (_, second) = brand
        .app
        .get_as(&brand.li, &format!("/api/v1/products?cursor={cursor}"))
        .await;
    let mut all: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|page| {
            page["products"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        (
            first["products"].as_array().unwrap().len(),
            second["next_cursor"].clone()
        ),
        (20, Value::Null)
    );
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 26, "{first}\n{second}");
    let (status, _) = brand
        .app
        .get_as(&brand.li, "/api/v1/products?cursor=nonsense")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Sent: a news card with the product's picture, its short link to the stamped page.
    let (status, sent) = send(&brand.app, &brand.li, to(5), "product", "P-CASH", "p-1").await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let news = &sent["messages"][0]["news"];
    assert_eq!(news["title"], "羊绒围巾");
    assert_eq!(news["desc"], "¥199 起");
    assert_eq!(news["imgUrl"], "https://img.example.com/P-CASH.jpg");
    let (_, target) = open_once(&brand.app, news["link"].as_str().unwrap()).await;
    assert!(
        target.starts_with("https://mall.example.com/product/P-CASH?"),
        "{target}"
    );
    assert_eq!(stamp_checks(&target).share, sent["token"].as_str().unwrap());
    // Out of stock, another store's, off sale: not sendable.
    for id in ["P-GONE", "P-HZ", "P-OFF"] {
        let (status, _) = send(
            &brand.app,
            &brand.li,
            to(5),
            "product",
            id,
            &format!("x-{id}"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
    }
}

/// Replicas share no lanes: the database alone must keep the count. 200 sends prepared at
/// once straight through `prepare_share` (no lane, no write gate) against a quota of 50.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_database_alone_holds_the_quota_when_replicas_send_at_once() {
    use server::config::StampSettings;
    use server::shares::{CouponHold, Sender, SharedItem, prepare_share};
    let brand = brand().await;
    ingest(
        &brand.db,
        Kind::CouponTemplates,
        vec![template("CT-RACE", json!({"guide_quota": 50}))],
    )
    .await;
    let template_id = count(
        &brand.db,
        "SELECT id FROM coupon_templates WHERE source_id = 'CT-RACE'",
    )
    .await;
    let guide_id = count(
        &brand.db,
        "SELECT id FROM guides WHERE wecom_userid = 'guide.li'",
    )
    .await;
    let stamping = Arc::new(StampSettings {
        keys: StampKeys::parse(KEYS).unwrap(),
        params: ParamNames::default(),
        max_age_secs: 86_400,
    });
    let start = Arc::new(Barrier::new(200));
    let sends: Vec<_> = (1..=200)
        .map(|n| {
            let (db, stamping, start) =
                (brand.db.clone(), Arc::clone(&stamping), Arc::clone(&start));
            tokio::spawn(async move {
                let item = SharedItem {
                    kind: "coupon",
                    id: "CT-RACE".into(),
                    target: "https://mall.example.com/coupon/claim?template=CT-RACE".into(),
                    coupon: Some(CouponHold {
                        template_id,
                        per_customer_limit: 1,
                        daily_limit: None,
                        member_id: None,
                        claim_by: Utc::now() + Duration::hours(72),
                    }),
                };
                let sender = Sender::now(&db, guide_id, "guide.li").await.unwrap();
                let recipient = server::stamp::Recipient::Customer(customer_id(n));
                start.wait().await;
                let gate = server::database::WriteGate::default();
                prepare_share(
                    &db,
                    &gate,
                    &stamping,
                    &sender,
                    &recipient,
                    &item,
                    &format!("r-{n}"),
                )
                .await
            })
        })
        .collect();
    let mut created = 0;
    for send in sends {
        match send.await.unwrap() {
            Ok((_, true)) => created += 1,
            Err(server::shares::ShareError::Refused {
                code: "coupon_quota",
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(created, 50);
    assert_eq!(count(&brand.db, "SELECT COUNT(*) FROM shares").await, 50);
}

#[tokio::test]
async fn materials_and_scripts_are_listed_by_group_and_sent_stamped_with_images_uploaded_once() {
    let brand = brand().await;
    let picture = brand.app.url("/demo/images/P0001.svg");
    let material = |id: &str, kind: &str, group: &str, extra: Value| {
        let mut record = json!({"id": id, "updated_at": "2026-01-01T00:00:00Z", "kind": kind,
            "title": format!("素材{id}"), "group": group});
        for (key, value) in extra.as_object().unwrap() {
            record[key] = value.clone();
        }
        record
    };
    ingest(&brand.db, Kind::Materials, vec![
        material("M-PAGE", "page", "活动", json!({"url": "https://mall.example.com/activity/winter",
            "description": "冬季会员日，满300减50", "image_url": "https://img.example.com/winter.jpg"})),
        material("M-MINI", "miniprogram", "活动", json!({"page": "pages/activity/index.html?id=7",
            "appid": "wx0123456789abcdef"})),
        material("M-IMG", "image", "海报", json!({"url": picture})),
        material("M-IMG2", "image", "海报", json!({"url": picture})),
        material("M-SCRIPT", "text", "话术", json!({"content": "您好，冬季会员日开始啦，点开看看～",
            "attachment_id": "M-PAGE"})),
        material("M-OLD", "page", "活动", json!({"url": "https://mall.example.com/old", "active": false})),
    ])
    .await;

    let (status, library) = brand.app.get_as(&brand.li, "/api/v1/materials").await;
    assert_eq!(status, StatusCode::OK, "{library}");
    let groups: Vec<(&str, usize)> = library["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap(),
                g["materials"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [("活动", 2), ("海报", 2), ("话术", 1)],
        "the inactive one is not listed"
    );
    let script = &library["groups"][2]["materials"][0];
    assert_eq!(script["attachment"]["title"], "素材M-PAGE");
    let (_, found) = brand
        .app
        .get_as(&brand.li, "/api/v1/materials?q=会员日")
        .await;
    assert_eq!(found["groups"].as_array().unwrap().len(), 1, "{found}");

    // A script: its text, then its page as a news card through the short link, stamped.
    let (status, sent) = send(&brand.app, &brand.li, to(1), "material", "M-SCRIPT", "m-1").await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(
        sent["messages"][0],
        json!({"msgtype": "text", "text": {"content": "您好，冬季会员日开始啦，点开看看～"}})
    );
    let news = &sent["messages"][1]["news"];
    assert_eq!(news["link"], sent["link"]);
    assert_eq!(news["desc"], "冬季会员日，满300减50");
    let (_, target) = open_once(&brand.app, sent["link"].as_str().unwrap()).await;
    assert!(
        target.starts_with("https://mall.example.com/activity/winter?"),
        "{target}"
    );
    assert_eq!(stamp_checks(&target).share, sent["token"].as_str().unwrap());

    // A mini-program page: a mini-program card, the stamp on its page, no short link.
    let (status, mini) = send(&brand.app, &brand.li, to(1), "material", "M-MINI", "m-2").await;
    assert_eq!(status, StatusCode::CREATED, "{mini}");
    assert!(mini.get("link").is_none(), "{mini}");
    let card = &mini["messages"][0]["miniprogram"];
    assert_eq!(card["appid"], "wx0123456789abcdef");
    let page = card["page"].as_str().unwrap();
    assert!(
        page.starts_with("pages/activity/index.html?id=7&gd_share="),
        "{page}"
    );
    assert_eq!(stamp_checks(page).share, mini["token"].as_str().unwrap());

    // Images: uploaded to WeCom once per content, then the media id is reused.
    let mut media = Vec::new();
    for (n, id) in ["M-IMG", "M-IMG", "M-IMG2"].iter().enumerate() {
        let (status, image) = send(
            &brand.app,
            &brand.li,
            to(2),
            "material",
            id,
            &format!("i-{n}"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{image}");
        assert_eq!(image["messages"][0]["msgtype"], "image");
        media.push(
            image["messages"][0]["image"]["mediaid"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(media.iter().all(|id| *id == media[0]), "{media:?}");
    assert_eq!(
        brand.simulator.outbound("cgi-bin/media/upload").await.len(),
        1
    );
    // Older than 60 hours: uploaded again before WeCom's three days run out.
    server::entity::wecom_media::Entity::update_many()
        .col_expr(
            server::entity::wecom_media::Column::UploadedAt,
            sea_orm::sea_query::Expr::value(Some(Utc::now() - Duration::hours(61))),
        )
        .exec(&brand.db)
        .await
        .unwrap();
    let (_, again) = send(&brand.app, &brand.li, to(2), "material", "M-IMG", "i-9").await;
    assert_ne!(
        again["messages"][0]["image"]["mediaid"].as_str().unwrap(),
        media[0]
    );
    assert_eq!(
        brand.simulator.outbound("cgi-bin/media/upload").await.len(),
        2
    );

    let (status, _) = send(&brand.app, &brand.li, to(2), "material", "M-OLD", "o-1").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an inactive material is not sent"
    );
}

#[tokio::test]
async fn a_group_chat_gets_the_chat_id_in_its_stamp_and_only_its_own_guide_sends_there() {
    let brand = brand().await;
    ingest(
        &brand.db,
        Kind::CouponTemplates,
        vec![template("CT-GROUP", json!({}))],
    )
    .await;
    let chat = json!({"chat": "wrSIMCHAT0001"});
    let (status, sent) = send(
        &brand.app,
        &brand.li,
        chat.clone(),
        "coupon",
        "CT-GROUP",
        "g-1",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let (_, target) = open_once(&brand.app, sent["link"].as_str().unwrap()).await;
    let stamp = stamp_checks(&target);
    assert_eq!(
        stamp.recipient,
        server::stamp::Recipient::Chat("wrSIMCHAT0001".into())
    );
    assert!(
        target.contains("gd_chat=wrSIMCHAT0001") && !target.contains("gd_customer"),
        "{target}"
    );
    let (status, tab) = brand
        .app
        .get_as(&brand.li, "/api/v1/chats/wrSIMCHAT0001/coupons")
        .await;
    assert_eq!(status, StatusCode::OK, "{tab}");
    assert_eq!(tab["sendable"][0]["id"], "CT-GROUP");
    let (status, _) = brand
        .app
        .get_as(&brand.wang, "/api/v1/chats/wrSIMCHAT0001/coupons")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // guide.wang is not in that chat; an unknown chat is nobody's.
    let (status, _) = send(&brand.app, &brand.wang, chat, "coupon", "CT-GROUP", "g-2").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(
        &brand.app,
        &brand.li,
        json!({"chat": "wrNOSUCHCHAT"}),
        "coupon",
        "CT-GROUP",
        "g-3",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(count(&brand.db, "SELECT COUNT(*) FROM shares").await, 1);
}

/// Polls the simulator until `count` messages of `path` arrived (or 10 s passed).
async fn outbound_after(simulator: &TestSimulator, path: &str, count: usize) -> Vec<Value> {
    for _ in 0..100 {
        let sent = simulator.outbound(path).await;
        if sent.len() >= count {
            return sent;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    simulator.outbound(path).await
}

#[tokio::test]
async fn ten_opens_by_one_person_tell_the_guide_once_and_a_link_preview_tells_nobody() {
    let brand = brand().await;
    ingest(
        &brand.db,
        Kind::CouponTemplates,
        vec![template("CT-RADAR", json!({}))],
    )
    .await;
    let (status, sent) = send(&brand.app, &brand.li, to(1), "coupon", "CT-RADAR", "r-1").await;
    assert_eq!(status, StatusCode::CREATED);
    let link = sent["link"].as_str().unwrap().to_owned();
    let client = brand.app.http.clone();
    const WECOM_UA: &str =
        "Mozilla/5.0 (iPhone) AppleWebKit (KHTML, like Gecko) wxwork/4.1.22 MicroMessenger/7.0.1";

    // WeCom drawing the card: a HEAD and a preview fetcher. Nobody is told.
    client.head(&link).send().await.unwrap();
    client
        .get(&link)
        .header("user-agent", "facebookexternalhit/1.1")
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(
        brand
            .simulator
            .outbound("cgi-bin/message/send")
            .await
            .is_empty(),
        "a preview is not a person"
    );

    // One person, ten opens (their visitor cookie kept): one card.
    let first = client
        .get(&link)
        .header("user-agent", WECOM_UA)
        .send()
        .await
        .unwrap();
    let cookie = first.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    for _ in 0..9 {
        client
            .get(&link)
            .header("user-agent", WECOM_UA)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
    }
    let told = outbound_after(&brand.simulator, "cgi-bin/message/send", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let told_now = brand.simulator.outbound("cgi-bin/message/send").await;
    assert_eq!((told.len(), told_now.len()), (1, 1), "{told_now:?}");
    let card = &told_now[0]["body"];
    assert_eq!(card["touser"], "guide.li");
    assert_eq!(card["msgtype"], "textcard");
    let description = card["textcard"]["description"].as_str().unwrap();
    assert!(
        description.contains(&format!("客户{}", customer_id(1)))
            && description.contains("券CT-RADAR"),
        "{description}"
    );

    // Another person within the hour: the guide was told already.
    client
        .get(&link)
        .header("user-agent", WECOM_UA)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        brand.simulator.outbound("cgi-bin/message/send").await.len(),
        1
    );

    // Both people's first opens are in the customer's 动态.
    let (status, trail) = brand
        .app
        .get_as(
            &brand.li,
            &format!("/api/v1/customers/{}/timeline", customer_id(1)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    let opens = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "open_share")
        .count();
    assert_eq!(opens, 2, "{trail}");
}

#[tokio::test]
async fn a_customer_who_adds_a_guide_is_welcomed_within_the_window_with_a_stamped_page() {
    let brand = brand().await;
    ingest(
        &brand.db,
        Kind::Materials,
        vec![
            json!({"id": "M-WELCOME", "updated_at": "2026-01-01T00:00:00Z",
        "kind": "page", "title": "新客礼", "url": "https://mall.example.com/welcome"}),
        ],
    )
    .await;
    ingest(&brand.db, Kind::WelcomeMessages, vec![
        json!({"id": "W-BRAND", "updated_at": "2026-01-01T00:00:00Z", "content": "欢迎关注品牌"}),
        json!({"id": "W-S001", "updated_at": "2026-01-01T00:00:00Z", "store_id": "S001",
               "content": "欢迎光临南京西路店", "material_id": "M-WELCOME"}),
    ])
    .await;
    let (pushed_at, sent) = contact_added(&brand, "wmWELCOME1").await;
    let at = sent[0]["at_ms"].as_i64().unwrap();
    assert!(
        at - pushed_at < 20_000,
        "within WeCom's 20 seconds: {} ms",
        at - pushed_at
    );
    let body = &sent[0]["body"];
    assert!(
        body["welcome_code"]
            .as_str()
            .unwrap()
            .starts_with("WELCOME")
    );
    assert_eq!(
        body["text"]["content"], "欢迎光临南京西路店",
        "guide.li's store's own welcome"
    );
    let link = body["attachments"][0]["link"]["url"].as_str().unwrap();
    let (_, target) = open_once(&brand.app, link).await;
    let stamp = stamp_checks(&target);
    assert_eq!(
        stamp.recipient,
        server::stamp::Recipient::Customer("wmWELCOME1".into())
    );
    assert_eq!(stamp.staff, "guide.li");
    // The worker records the send after WeCom's answer, which the simulator logged first.
    let states = texts_once_written(&brand.db, "SELECT state FROM welcome_sends").await;
    assert_eq!(states, ["sent"]);
    let share_state = tests::sql::texts(&brand.db, "SELECT state FROM shares").await;
    assert_eq!(share_state, ["sent"]);
}

/// The simulated WeCom tells the server (its callback) that `external_userid` added `userid`.
pub(crate) async fn push_contact_added(brand: &Brand, userid: &str, external_userid: &str) {
    let http = reqwest::Client::new();
    let target = json!({"url": brand.app.url("/wecom/callback"), "token": tests::wecom::TOKEN,
        "encoding_aes_key": tests::wecom::AES_KEY});
    http.post(format!("{}sim/callback-target", brand.simulator.base_url))
        .json(&target)
        .send()
        .await
        .unwrap();
    let pushed = http
        .post(format!("{}sim/push", brand.simulator.base_url))
        .json(&json!({"event": "add_external_contact", "userid": userid,
            "external_userid": external_userid}))
        .send()
        .await
        .unwrap();
    assert_eq!(pushed.status(), StatusCode::OK);
}

/// guide.li's WeCom tells the server that `external_userid` added them; when, and the
/// welcome messages WeCom then received.
async fn contact_added(brand: &Brand, external_userid: &str) -> (i64, Vec<Value>) {
    let pushed_at = Utc::now().timestamp_millis();
    push_contact_added(brand, "guide.li", external_userid).await;
    let sent = outbound_after(
        &brand.simulator,
        "cgi-bin/externalcontact/send_welcome_msg",
        1,
    )
    .await;
    (pushed_at, sent)
}

#[tokio::test]
async fn a_welcome_with_a_mini_program_sends_its_cover_as_media_and_its_page_stamped() {
    let brand = brand().await;
    ingest(
        &brand.db,
        Kind::Materials,
        vec![json!({"id": "M-MINIWELCOME", "updated_at": "2026-01-01T00:00:00Z",
            "kind": "miniprogram", "title": "新客专享", "appid": "wx0123456789abcdef",
            "page": "pages/welcome/index.html", "image_url": brand.app.url("/demo/images/P0001.svg")})],
    )
    .await;
    ingest(
        &brand.db,
        Kind::WelcomeMessages,
        vec![
            json!({"id": "W-BRAND", "updated_at": "2026-01-01T00:00:00Z", "content": "欢迎关注品牌",
               "material_id": "M-MINIWELCOME"}),
        ],
    )
    .await;
    let (_, sent) = contact_added(&brand, "wmWELCOME2").await;
    assert_eq!(sent.len(), 1, "welcomed once");
    let body = &sent[0]["body"];
    assert_eq!(body["text"]["content"], "欢迎关注品牌");
    let card = &body["attachments"][0]["miniprogram"];
    assert_eq!(body["attachments"][0]["msgtype"], "miniprogram", "{body}");
    assert_eq!(card["appid"], "wx0123456789abcdef");
    assert_eq!(card["title"], "新客专享");
    let uploads = brand.simulator.outbound("cgi-bin/media/upload").await;
    assert_eq!(uploads.len(), 1, "the cover uploaded once");
    let media_id = card["pic_media_id"].as_str().unwrap();
    assert!(!media_id.is_empty());
    let page = card["page"].as_str().unwrap();
    assert!(page.starts_with("pages/welcome/index.html?"), "{page}");
    let stamp = stamp_checks(page);
    assert_eq!(
        stamp.recipient,
        server::stamp::Recipient::Customer("wmWELCOME2".into())
    );
    assert_eq!(stamp.staff, "guide.li");
    let states = texts_once_written(&brand.db, "SELECT state FROM welcome_sends").await;
    assert_eq!(states, ["sent"]);
}

/// What `sql` reads once it reads anything (the worker writes after the simulator answers).
async fn texts_once_written(db: &sea_orm::DatabaseConnection, sql: &str) -> Vec<String> {
    for _ in 0..100 {
        let read = tests::sql::texts(db, sql).await;
        if !read.is_empty() {
            return read;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tests::sql::texts(db, sql).await
}

#[tokio::test]
async fn a_welcome_handed_over_after_the_window_is_recorded_late_and_not_sent() {
    use server::shares::welcome::{NewContact, WelcomeFeed, Welcomer};
    let brand = brand().await;
    ingest(&brand.db, Kind::WelcomeMessages, vec![
        json!({"id": "W-BRAND", "updated_at": "2026-01-01T00:00:00Z", "content": "欢迎关注品牌"})])
    .await;
    let welcomer = Welcomer {
        db: brand.db.clone(),
        gate: server::database::WriteGate::default(),
        stamping: None,
        mall: server::config::MallSettings::default(),
        public_url: brand.app.address.clone(),
        wecom: brand
            .simulator
            .client(tests::simulator::cache_for(None, "welcome").await),
        media: Default::default(),
    };
    let feed = WelcomeFeed::start(welcomer);
    feed.welcome(NewContact {
        welcome_code: "WELCOME-LATE".into(),
        userid: "guide.li".into(),
        external_userid: customer_id(1),
        added_at: Utc::now() - Duration::seconds(25),
    });
    for _ in 0..50 {
        if !tests::sql::texts(&brand.db, "SELECT state FROM welcome_sends")
            .await
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        tests::sql::texts(&brand.db, "SELECT state FROM welcome_sends").await,
        ["late"]
    );
    assert!(
        brand
            .simulator
            .outbound("cgi-bin/externalcontact/send_welcome_msg")
            .await
            .is_empty()
    );
}
