//! The signed ingest API: nothing stored without a valid, fresh signature; each record
//! validated on its own; upserts idempotent and order-aware; money exact; members matched to
//! WeCom customers.

use chrono::Utc;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::commerce::member_link::mobile_hash;
use server::commerce::signature::sign;
use server::entity::{
    behaviour_event, coupon_grant, customer, member, member_customer, member_tag, order,
    order_item, shipment, shipment_event, store,
};
use tests::{TestApp, count_rows};

const SECRET: &str = "test-ingest-secret-0123456789";

async fn spawn() -> TestApp {
    tests::spawn_app_with(tests::TestOptions {
        env: vec![("GUIDEDESK_INGEST_SECRET", SECRET.into())],
        ..Default::default()
    })
    .await
}

/// A signed POST; `skew` moves the timestamp away from now.
async fn ingest_raw(app: &TestApp, kind: &str, body: &str, skew: i64) -> (StatusCode, Value) {
    let timestamp = (Utc::now().timestamp() + skew).to_string();
    let response = app
        .http
        .post(app.url(&format!("/api/v1/ingest/{kind}")))
        .header("content-type", "application/json")
        .header("X-GuideDesk-Timestamp", &timestamp)
        .header(
            "X-GuideDesk-Signature",
            sign(SECRET, &timestamp, body.as_bytes()),
        )
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn ingest(app: &TestApp, kind: &str, records: Value) -> Value {
    let (status, answer) =
        ingest_raw(app, kind, &json!({ "records": records }).to_string(), 0).await;
    assert_eq!(status, StatusCode::OK, "{kind}: {answer}");
    answer
}

fn stores() -> Value {
    json!([
        {"id": "S001", "updated_at": "2026-01-01T00:00:00Z", "name": "上海南京西路店", "region": "华东", "city": "上海"},
        {"id": "S002", "updated_at": "2026-01-01T00:00:00Z", "name": "北京三里屯店", "region": "华北", "city": "北京"}
    ])
}

fn order_record(id: &str, updated_at: &str, items: Value, total: i64) -> Value {
    json!({
        "id": id, "updated_at": updated_at, "member_id": "M001", "channel": "online",
        "store_id": "S001", "status": "paid", "total_fen": total, "discount_fen": 0,
        "paid_fen": total, "ordered_at": "2026-03-01T10:00:00+08:00", "items": items
    })
}

#[tokio::test]
async fn unsigned_wrongly_signed_or_stale_batches_are_refused_and_store_nothing() {
    let app = spawn().await;
    let body = json!({ "records": stores() }).to_string();
    let url = app.url("/api/v1/ingest/stores");
    let now = Utc::now().timestamp().to_string();
    let cases = [
        (None, None, "signature_missing", "no headers"),
        (
            Some(now.clone()),
            Some("0".repeat(64)),
            "invalid_signature",
            "a wrong signature",
        ),
        (
            Some(now.clone()),
            Some(sign("another-secret-0123456789", &now, body.as_bytes())),
            "invalid_signature",
            "signed with another secret",
        ),
        (
            Some(now.clone()),
            Some(sign(SECRET, &now, b"{\"records\":[]}")),
            "invalid_signature",
            "the signature of another body",
        ),
    ];
    for (timestamp, signature, code, what) in cases {
        let mut request = app
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(timestamp) = timestamp {
            request = request.header("X-GuideDesk-Timestamp", timestamp);
        }
        if let Some(signature) = signature {
            request = request.header("X-GuideDesk-Signature", signature);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["code"], code, "{what}");
    }
    for skew in [-301, 301] {
        let (status, answer) = ingest_raw(&app, "stores", &body, skew).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{skew} s away");
        assert_eq!(answer["code"], "stale_timestamp");
    }
    assert_eq!(
        count_rows::<store::Entity>(&app.db().await).await,
        0,
        "nothing stored"
    );
    let (status, _) = ingest_raw(&app, "stores", &body, -250).await;
    assert_eq!(status, StatusCode::OK, "within 300 s is fine");
}

#[tokio::test]
async fn the_same_batches_twice_give_the_same_state() {
    let app = spawn().await;
    let db = app.db().await;
    for _ in 0..2 {
        assert_eq!(ingest(&app, "stores", stores()).await["accepted"], 2);
        let members = json!([{"id": "M001", "updated_at": "2026-02-01T00:00:00Z", "name": "张小姐", "mobile": "13800000001", "level": "金卡", "points": 1200, "balance_fen": 5000, "home_store_id": "S001", "birthday": "1990-05-20"}]);
        assert_eq!(ingest(&app, "members", members).await["accepted"], 1);
        let items = json!([
            {"sku": "SKU-1", "title": "保湿面霜 50ml", "quantity": 2, "price_fen": 19900},
            {"sku": "SKU-2", "title": "洁面乳", "quantity": 1, "price_fen": 8900, "amount_fen": 7900}
        ]);
        let orders = json!([order_record("O001", "2026-03-01T02:00:00Z", items, 47700)]);
        assert_eq!(ingest(&app, "orders", orders).await["accepted"], 1);
        let shipments = json!([{
            "id": "SH001", "updated_at": "2026-03-02T00:00:00Z", "order_id": "O001",
            "carrier_code": "SF", "carrier_name": "顺丰速运", "tracking_no": "SF1234567890123",
            "status": "in_transit", "shipped_at": "2026-03-01T08:00:00Z",
            "events": [
                {"at": "2026-03-01T08:00:00Z", "location": "上海", "description": "已揽收"},
                {"at": "2026-03-01T20:00:00Z", "location": "上海转运中心", "description": "运输中"}
            ]
        }]);
        assert_eq!(ingest(&app, "shipments", shipments).await["accepted"], 1);
        let events = json!([{"id": "E001", "updated_at": "2026-03-01T00:00:00Z", "member_id": "M001", "kind": "browse_product", "at": "2026-02-28T12:00:00Z", "details": {"product_id": "P1", "title": "保湿面霜"}}]);
        assert_eq!(ingest(&app, "events", events).await["accepted"], 1);
    }
    assert_eq!(count_rows::<store::Entity>(&db).await, 2);
    assert_eq!(count_rows::<member::Entity>(&db).await, 1);
    assert_eq!(count_rows::<order::Entity>(&db).await, 1);
    assert_eq!(count_rows::<order_item::Entity>(&db).await, 2);
    assert_eq!(count_rows::<shipment::Entity>(&db).await, 1);
    assert_eq!(count_rows::<shipment_event::Entity>(&db).await, 2);
    assert_eq!(count_rows::<behaviour_event::Entity>(&db).await, 1);
    let stored = member::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(stored.mobile_last4.as_deref(), Some("0001"));
    assert_eq!(
        stored.mobile_hash.as_deref(),
        Some(mobile_hash("13800000001").as_str())
    );
    assert_ne!(
        stored.mobile_hash.as_deref(),
        Some("13800000001"),
        "the number is not stored"
    );
}

#[tokio::test]
async fn an_older_update_after_a_newer_one_changes_nothing() {
    let app = spawn().await;
    let db = app.db().await;
    ingest(&app, "stores", stores()).await;
    let member = |name: &str, updated_at: &str| json!([{"id": "M001", "updated_at": updated_at, "name": name, "points": 10}]);
    ingest(&app, "members", member("新名字", "2026-02-02T00:00:00Z")).await;
    let answer = ingest(&app, "members", member("旧名字", "2026-02-01T00:00:00Z")).await;
    assert_eq!(answer["accepted"], 1, "valid, just not newer");
    let stored = member::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(stored.name, "新名字");

    let two_items = json!([
        {"sku": "A", "title": "甲", "quantity": 1, "price_fen": 100},
        {"sku": "B", "title": "乙", "quantity": 1, "price_fen": 200}
    ]);
    let one_item = json!([{"sku": "A", "title": "甲", "quantity": 1, "price_fen": 100}]);
    ingest(
        &app,
        "orders",
        json!([order_record("O1", "2026-03-02T00:00:00Z", two_items, 300)]),
    )
    .await;
    ingest(
        &app,
        "orders",
        json!([order_record(
            "O1",
            "2026-03-01T00:00:00Z",
            one_item.clone(),
            100
        )]),
    )
    .await;
    let stored = order::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(stored.total_fen, 300);
    assert_eq!(
        count_rows::<order_item::Entity>(&db).await,
        2,
        "the older version's items did not replace the newer's"
    );
    // A newer version does replace them.
    ingest(
        &app,
        "orders",
        json!([order_record("O1", "2026-03-03T00:00:00Z", one_item, 100)]),
    )
    .await;
    assert_eq!(count_rows::<order_item::Entity>(&db).await, 1);
}

#[tokio::test]
async fn bad_records_are_refused_one_by_one_and_the_rest_are_stored() {
    let app = spawn().await;
    ingest(&app, "stores", stores()).await;
    let records = json!([
        {"id": "M1", "updated_at": "2026-02-01T00:00:00Z", "name": "好记录"},
        {"id": "M2", "updated_at": "2026-02-01T00:00:00Z"},
        {"id": "M3", "updated_at": "2026-02-01T00:00:00Z", "name": "浮点余额", "balance_fen": 12.5},
        {"id": "M4", "updated_at": "2026-02-01T00:00:00Z", "name": "负余额", "balance_fen": -1},
        {"id": "M5", "updated_at": "2026-02-01T00:00:00Z", "name": "坏手机", "mobile": "12345"},
        {"id": "M6", "updated_at": "2026-02-01T00:00:00Z", "name": "未知门店", "home_store_id": "S999"},
        {"id": "M7", "updated_at": "yesterday", "name": "坏时间"},
        {"id": "", "updated_at": "2026-02-01T00:00:00Z", "name": "无编号"},
        "not an object",
        {"id": "M8", "updated_at": "2026-02-01T00:00:00Z", "name": "多余字段", "nickname": "x"}
    ]);
    let answer = ingest(&app, "members", records).await;
    assert_eq!(answer["accepted"], 1, "{answer}");
    let rejected = answer["rejected"].as_array().unwrap();
    let codes: Vec<(u64, &str)> = rejected
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (1, "invalid_record"),
            (2, "invalid_record"),
            (3, "invalid_amount"),
            (4, "invalid_mobile"),
            (5, "unknown_reference"),
            (6, "invalid_record"),
            (7, "invalid_id"),
            (8, "invalid_record"),
            (9, "invalid_record"),
        ]
    );
    assert_eq!(rejected[0]["id"], "M2");
    assert!(
        rejected[4]["message"].as_str().unwrap().contains("S999"),
        "{}",
        rejected[4]
    );
    assert_eq!(count_rows::<member::Entity>(&app.db().await).await, 1);
}

#[tokio::test]
async fn money_adds_up_to_the_fen() {
    let app = spawn().await;
    ingest(&app, "stores", stores()).await;
    ingest(
        &app,
        "members",
        json!([{"id": "M001", "updated_at": "2026-02-01T00:00:00Z", "name": "张小姐"}]),
    )
    .await;
    let items = json!([
        {"sku": "A", "title": "甲", "quantity": 3, "price_fen": 3333},
        {"sku": "B", "title": "乙", "quantity": 1, "price_fen": 1}
    ]);
    let wrong = ingest(
        &app,
        "orders",
        json!([order_record(
            "O-WRONG",
            "2026-03-01T00:00:00Z",
            items.clone(),
            9_999
        )]),
    )
    .await;
    assert_eq!(wrong["rejected"][0]["code"], "amounts_mismatch", "{wrong}");
    let right = ingest(
        &app,
        "orders",
        json!([order_record(
            "O-RIGHT",
            "2026-03-01T00:00:00Z",
            items,
            10_000
        )]),
    )
    .await;
    assert_eq!(right["accepted"], 1, "{right}");
    let db = app.db().await;
    let stored = order::Entity::find().one(&db).await.unwrap().unwrap();
    let lines = order_item::Entity::find()
        .filter(order_item::Column::OrderId.eq(stored.id))
        .all(&db)
        .await
        .unwrap();
    let sum: i64 = lines.iter().map(|l| l.amount_fen).sum();
    assert_eq!((sum, stored.total_fen), (10_000, 10_000));
    let overpaid = json!([{
        "id": "O-OVER", "updated_at": "2026-03-01T00:00:00Z", "channel": "pos", "status": "paid",
        "total_fen": 100, "paid_fen": 101, "ordered_at": "2026-03-01T00:00:00Z"
    }]);
    assert_eq!(
        ingest(&app, "orders", overpaid).await["rejected"][0]["code"],
        "amounts_mismatch"
    );
}

#[tokio::test]
async fn malformed_oversize_and_unknown_requests_are_refused() {
    let app = spawn().await;
    let (status, answer) = ingest_raw(&app, "stores", "{\"records\": [", 0).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["code"], "invalid_json");
    let (status, _) = ingest_raw(&app, "stores", "{\"rows\": []}", 0).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the records are under `records`"
    );
    let many: Vec<Value> = (0..1001)
        .map(|n| json!({"id": format!("S{n}"), "updated_at": "2026-01-01T00:00:00Z", "name": "店"}))
        .collect();
    let (status, answer) =
        ingest_raw(&app, "stores", &json!({"records": many}).to_string(), 0).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    let huge = format!("{{\"records\": [\"{}\"]}}", "x".repeat(9 * 1024 * 1024));
    let (status, _) = ingest_raw(&app, "stores", &huge, 0).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = ingest_raw(&app, "planets", "{\"records\": []}", 0).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(count_rows::<store::Entity>(&app.db().await).await, 0);

    let unconfigured = tests::spawn_app().await;
    let (status, answer) = ingest_raw(&unconfigured, "stores", "{\"records\": []}", 0).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer["code"], "ingest_not_configured");
}

#[tokio::test]
async fn members_are_matched_to_wecom_customers_by_id_unionid_or_mobile() {
    let app = spawn().await;
    let db = app.db().await;
    let now = Utc::now();
    let contact = |id: &str, unionid: Option<&str>| server::wecom::api::ExternalContact {
        external_userid: id.into(),
        name: format!("客户{id}"),
        avatar: None,
        contact_type: 1,
        gender: 2,
        unionid: unionid.map(str::to_owned),
        corp_name: None,
    };
    server::directory::upsert_contact(&db, &contact("wmUNION", Some("oUNION-1")), now)
        .await
        .unwrap();
    let by_mobile = server::directory::upsert_contact(&db, &contact("wmMOBILE", None), now)
        .await
        .unwrap();
    server::directory::upsert_contact(&db, &contact("wmEXPLICIT", Some("oOTHER")), now)
        .await
        .unwrap();
    // What a sync records when the guide noted the customer's number.
    server::directory::set_customer_mobile(&db, by_mobile.id, "13900000002")
        .await
        .unwrap();

    let members = json!([
        {"id": "M-U", "updated_at": "2026-02-01T00:00:00Z", "name": "甲", "unionid": "oUNION-1"},
        {"id": "M-M", "updated_at": "2026-02-01T00:00:00Z", "name": "乙", "mobile": "+86 139-0000-0002"},
        {"id": "M-E", "updated_at": "2026-02-01T00:00:00Z", "name": "丙", "external_userid": "wmEXPLICIT"},
        {"id": "M-N", "updated_at": "2026-02-01T00:00:00Z", "name": "丁", "mobile": "13700000000"}
    ]);
    assert_eq!(ingest(&app, "members", members).await["accepted"], 4);
    let links = member_customer::Entity::find().all(&db).await.unwrap();
    let mut found = Vec::new();
    for link in links {
        let m = member::Entity::find_by_id(link.member_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let c = customer::Entity::find_by_id(link.customer_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        found.push((m.source_id, c.external_userid, link.matched_by));
    }
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "M-E".to_owned(),
                "wmEXPLICIT".to_owned(),
                "explicit".to_owned()
            ),
            ("M-M".to_owned(), "wmMOBILE".to_owned(), "mobile".to_owned()),
            ("M-U".to_owned(), "wmUNION".to_owned(), "unionid".to_owned()),
        ]
    );
}

#[tokio::test]
async fn within_one_batch_the_newest_version_of_an_order_wins_and_bad_references_are_refused_alone()
{
    let app = spawn().await;
    let db = app.db().await;
    ingest(&app, "stores", stores()).await;
    ingest(
        &app,
        "members",
        json!([{"id": "M001", "updated_at": "2026-02-01T00:00:00Z", "name": "张小姐"}]),
    )
    .await;
    let item = |price: i64| json!([{"sku": "A", "title": "甲", "quantity": 1, "price_fen": price}]);
    let mut stranger = order_record("O-X", "2026-03-01T00:00:00Z", item(50), 50);
    stranger["member_id"] = json!("M404");
    let answer = ingest(
        &app,
        "orders",
        json!([
            order_record("O1", "2026-03-02T00:00:00Z", item(200), 200),
            stranger,
            order_record("O1", "2026-03-01T00:00:00Z", item(100), 100),
            order_record("O2", "2026-03-01T00:00:00Z", item(300), 300)
        ]),
    )
    .await;
    assert_eq!(answer["accepted"], 3, "{answer}");
    assert_eq!(answer["rejected"][0]["index"], 1);
    assert_eq!(answer["rejected"][0]["code"], "unknown_reference");
    let o1 = order::Entity::find()
        .filter(order::Column::SourceId.eq("O1"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        o1.total_fen, 200,
        "the newer of the two versions in the batch"
    );
    assert_eq!(count_rows::<order::Entity>(&db).await, 2);
    assert_eq!(count_rows::<order_item::Entity>(&db).await, 2);
}

#[tokio::test]
async fn a_customer_who_arrives_after_their_member_is_matched_then() {
    let app = spawn().await;
    let db = app.db().await;
    let members = json!([
        {"id": "M-U", "updated_at": "2026-02-01T00:00:00Z", "name": "甲", "unionid": "oLATE-1"},
        {"id": "M-M", "updated_at": "2026-02-01T00:00:00Z", "name": "乙", "mobile": "13900000009"}
    ]);
    assert_eq!(ingest(&app, "members", members).await["accepted"], 2);
    assert_eq!(
        count_rows::<member_customer::Entity>(&db).await,
        0,
        "no customers yet"
    );

    let now = Utc::now();
    let contact = |id: &str, unionid: Option<&str>| server::wecom::api::ExternalContact {
        external_userid: id.into(),
        name: id.into(),
        avatar: None,
        contact_type: 1,
        gender: 0,
        unionid: unionid.map(str::to_owned),
        corp_name: None,
    };
    // A sync (or a callback's re-fetch) brings the customers.
    server::directory::upsert_contact(&db, &contact("wmLATE-U", Some("oLATE-1")), now)
        .await
        .unwrap();
    let by_mobile = server::directory::upsert_contact(&db, &contact("wmLATE-M", None), now)
        .await
        .unwrap();
    assert_eq!(
        count_rows::<member_customer::Entity>(&db).await,
        1,
        "matched by unionid at once"
    );
    // The guide noted the customer's number in WeCom.
    server::directory::set_customer_mobile(&db, by_mobile.id, "139 0000 0009")
        .await
        .unwrap();
    let links = member_customer::Entity::find().all(&db).await.unwrap();
    let mut how: Vec<&str> = links.iter().map(|l| l.matched_by.as_str()).collect();
    how.sort_unstable();
    assert_eq!(how, vec!["mobile", "unionid"]);
    // Seen again, nothing changes.
    server::directory::upsert_contact(&db, &contact("wmLATE-U", Some("oLATE-1")), now)
        .await
        .unwrap();
    assert_eq!(count_rows::<member_customer::Entity>(&db).await, 2);
    // Another contact with the same unionid: its member is linked already, so it stays unlinked;
    // a member nobody is linked to yet is still found.
    server::directory::upsert_contact(&db, &contact("wmLATE-U2", Some("oLATE-1")), now)
        .await
        .unwrap();
    assert_eq!(count_rows::<member_customer::Entity>(&db).await, 2);
    let third = json!([{"id": "M-3", "updated_at": "2026-02-01T00:00:00Z", "name": "丙", "unionid": "oLATE-3"}]);
    assert_eq!(ingest(&app, "members", third).await["accepted"], 1);
    server::directory::upsert_contact(&db, &contact("wmLATE-3", Some("oLATE-3")), now)
        .await
        .unwrap();
    assert_eq!(count_rows::<member_customer::Entity>(&db).await, 3);
}

#[tokio::test]
async fn shipments_and_events_in_one_batch_newest_wins_older_never_overwrites_repeats_stored_once()
{
    let app = spawn().await;
    let db = app.db().await;
    ingest(&app, "stores", stores()).await;
    ingest(
        &app,
        "members",
        json!([{"id": "M001", "updated_at": "2026-02-01T00:00:00Z", "name": "张小姐"}]),
    )
    .await;
    let item = json!([{"sku": "A", "title": "甲", "quantity": 1, "price_fen": 100}]);
    ingest(
        &app,
        "orders",
        json!([order_record("O1", "2026-03-01T00:00:00Z", item, 100)]),
    )
    .await;
    let parcel = |id: &str, order: &str, updated_at: &str, status: &str, events: usize| {
        let timeline: Vec<Value> = (0..events)
            .map(|n| json!({"at": format!("2026-03-0{}T08:00:00Z", n + 1), "description": format!("第{n}站")}))
            .collect();
        json!({"id": id, "updated_at": updated_at, "order_id": order, "carrier_code": "SF",
               "carrier_name": "顺丰速运", "tracking_no": "SF1234567890123", "status": status,
               "events": timeline})
    };
    let answer = ingest(
        &app,
        "shipments",
        json!([
            parcel("SH1", "O1", "2026-03-03T00:00:00Z", "delivered", 4),
            parcel("SH-X", "O404", "2026-03-03T00:00:00Z", "shipped", 1),
            parcel("SH1", "O1", "2026-03-02T00:00:00Z", "in_transit", 2),
            parcel("SH2", "O1", "2026-03-02T00:00:00Z", "lost", 1)
        ]),
    )
    .await;
    assert_eq!(answer["accepted"], 2, "{answer}");
    let refused: Vec<(u64, &str)> = answer["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        refused,
        vec![(1, "unknown_reference"), (3, "invalid_field")]
    );
    let stored = shipment::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(
        stored.status, "delivered",
        "the newer of the two versions in the batch"
    );
    assert_eq!(count_rows::<shipment_event::Entity>(&db).await, 4);
    // An older version later changes nothing; a newer one replaces the timeline.
    let older = json!([parcel("SH1", "O1", "2026-03-01T00:00:00Z", "shipped", 1)]);
    assert_eq!(ingest(&app, "shipments", older).await["accepted"], 1);
    assert_eq!(count_rows::<shipment_event::Entity>(&db).await, 4);
    let newer = json!([parcel("SH1", "O1", "2026-03-04T00:00:00Z", "returned", 5)]);
    ingest(&app, "shipments", newer).await;
    assert_eq!(count_rows::<shipment_event::Entity>(&db).await, 5);

    let event = |id: &str, member: &str| {
        json!({"id": id, "updated_at": "2026-03-01T00:00:00Z", "member_id": member,
               "kind": "browse_product", "at": "2026-03-01T09:00:00Z",
               "details": {"product_id": "P1", "title": "精华"}})
    };
    let answer = ingest(
        &app,
        "events",
        json!([
            event("E1", "M001"),
            event("E2", "M404"),
            event("E1", "M001"),
            event("E3", "M001")
        ]),
    )
    .await;
    assert_eq!(answer["accepted"], 3, "{answer}");
    assert_eq!(answer["rejected"][0]["index"], 1);
    assert_eq!(count_rows::<behaviour_event::Entity>(&db).await, 2);
    let again = json!([event("E1", "M001"), event("E3", "M001")]);
    assert_eq!(ingest(&app, "events", again).await["accepted"], 2);
    assert_eq!(count_rows::<behaviour_event::Entity>(&db).await, 2);
}

#[tokio::test]
async fn members_in_one_batch_newest_wins_and_an_unknown_home_store_is_refused_alone() {
    let app = spawn().await;
    let db = app.db().await;
    ingest(&app, "stores", stores()).await;
    let member = |id: &str, updated_at: &str, name: &str, store: &str| {
        json!({"id": id, "updated_at": updated_at, "name": name, "home_store_id": store,
               "mobile": "138 0000 0001", "points": 5})
    };
    let stored_store = stores()[0]["id"].as_str().unwrap().to_owned();
    let answer = ingest(
        &app,
        "members",
        json!([
            member("M1", "2026-02-02T00:00:00Z", "新名字", &stored_store),
            member("M2", "2026-02-02T00:00:00Z", "乙", "S404"),
            member("M1", "2026-02-01T00:00:00Z", "旧名字", &stored_store)
        ]),
    )
    .await;
    assert_eq!(answer["accepted"], 2, "{answer}");
    assert_eq!(answer["rejected"][0]["index"], 1);
    assert_eq!(answer["rejected"][0]["code"], "unknown_reference");
    let stored = member::Entity::find().all(&db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].name, "新名字",
        "the newer of the two versions in the batch"
    );
    assert_eq!(stored[0].mobile_last4.as_deref(), Some("0001"));
    assert_eq!(
        stored[0].mobile_hash.as_deref(),
        Some(mobile_hash("13800000001").as_str())
    );
}

#[tokio::test]
async fn coupon_grants_are_checked_one_by_one_and_an_older_version_changes_nothing() {
    let app = spawn().await;
    let db = app.db().await;
    ingest(&app, "stores", stores()).await;
    ingest(
        &app,
        "members",
        json!([{"id": "M001", "updated_at": "2026-02-01T00:00:00Z", "name": "张小姐"}]),
    )
    .await;
    let template = json!([{"id": "C1", "updated_at": "2026-02-01T00:00:00Z", "name": "满300减50",
                           "kind": "cash", "value": 5000, "threshold_fen": 30000}]);
    assert_eq!(
        ingest(&app, "coupon-templates", template).await["accepted"],
        1
    );
    let grant = |id: &str, updated_at: &str, template: &str, member: &str, status: &str| {
        json!({"id": id, "updated_at": updated_at, "template_id": template, "member_id": member,
               "status": status, "issued_at": "2026-03-01T00:00:00Z",
               "expires_at": "2026-03-31T00:00:00Z"})
    };
    let answer = ingest(
        &app,
        "coupon-grants",
        json!([
            grant("G1", "2026-03-02T00:00:00Z", "C1", "M001", "claimed"),
            grant("G2", "2026-03-02T00:00:00Z", "C404", "M001", "issued"),
            grant("G3", "2026-03-02T00:00:00Z", "C1", "M404", "issued"),
            grant("G4", "2026-03-02T00:00:00Z", "C1", "M001", "used"),
            grant("G5", "2026-03-02T00:00:00Z", "C1", "M001", "lost"),
            grant("G1", "2026-03-01T00:00:00Z", "C1", "M001", "issued")
        ]),
    )
    .await;
    assert_eq!(answer["accepted"], 2, "{answer}");
    let refused: Vec<(u64, &str)> = answer["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        refused,
        vec![
            (1, "unknown_reference"),
            (2, "unknown_reference"),
            (3, "invalid_field"),
            (4, "invalid_field")
        ]
    );
    let stored = coupon_grant::Entity::find().all(&db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].status, "claimed",
        "the newer of the two versions in the batch"
    );
    // Later: an older version changes nothing, a newer one is taken.
    let older = json!([grant("G1", "2026-03-01T12:00:00Z", "C1", "M001", "expired")]);
    assert_eq!(ingest(&app, "coupon-grants", older).await["accepted"], 1);
    let mut used = grant("G1", "2026-03-05T00:00:00Z", "C1", "M001", "used");
    used["used_at"] = json!("2026-03-04T10:00:00Z");
    assert_eq!(
        ingest(&app, "coupon-grants", json!([used])).await["accepted"],
        1
    );
    let stored = coupon_grant::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, "used");
    assert!(stored.used_at.is_some());
}

/// Every optional field of an order and its items, absent and then present, reads back exactly
/// (on PostgreSQL the batch travels as one array per column, where an absent value has a
/// stand-in; times keep their microseconds).
#[tokio::test]
async fn an_orders_optional_fields_read_back_exactly_absent_or_present() {
    let app = spawn().await;
    let db = app.db().await;
    ingest(&app, "stores", stores()).await;
    ingest(
        &app,
        "members",
        json!([{"id": "M001", "updated_at": "2026-02-01T00:00:00Z", "name": "张小姐"}]),
    )
    .await;
    let guest = json!({
        "id": "O-G", "updated_at": "2026-03-01T00:00:00Z", "channel": "online",
        "status": "created", "total_fen": 300, "paid_fen": 0,
        "ordered_at": "2026-03-01T10:00:00.123456+08:00",
        "items": [{"sku": "A", "title": "甲", "quantity": 3, "price_fen": 100}]
    });
    ingest(&app, "orders", json!([guest])).await;
    let read = || async {
        let order = order::Entity::find()
            .filter(order::Column::SourceId.eq("O-G"))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let items = order_item::Entity::find()
            .filter(order_item::Column::OrderId.eq(order.id))
            .all(&db)
            .await
            .unwrap();
        (order, items)
    };
    let (order, items) = read().await;
    assert_eq!((order.member_id, order.store_id), (None, None));
    assert_eq!((order.paid_at, order.completed_at), (None, None));
    assert_eq!(order.discount_fen, 0);
    assert_eq!(
        order.ordered_at.to_rfc3339(),
        "2026-03-01T02:00:00.123456+00:00"
    );
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].product_source_id, None);
    assert_eq!((items[0].quantity, items[0].amount_fen), (3, 300));

    let full = json!({
        "id": "O-G", "updated_at": "2026-03-02T00:00:00Z", "member_id": "M001",
        "channel": "offline", "store_id": "S002", "status": "completed", "total_fen": 450,
        "discount_fen": 50, "paid_fen": 400,
        "ordered_at": "2026-03-01T10:00:00.123456+08:00",
        "paid_at": "2026-03-01T10:05:00.000001Z", "completed_at": "2026-03-02T09:00:00.5Z",
        "items": [
            {"sku": "B", "product_id": "P9", "title": "乙", "quantity": 1, "price_fen": 250},
            {"sku": "C", "title": "丙", "quantity": 2, "price_fen": 100}
        ]
    });
    ingest(&app, "orders", json!([full])).await;
    let (order, mut items) = read().await;
    items.sort_by_key(|item| item.line_no);
    let member = member::Entity::find().one(&db).await.unwrap().unwrap();
    let s002 = store::Entity::find()
        .filter(store::Column::SourceId.eq("S002"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (order.member_id, order.store_id),
        (Some(member.id), Some(s002.id))
    );
    assert_eq!(
        (order.channel.as_str(), order.status.as_str()),
        ("offline", "completed")
    );
    assert_eq!(
        (order.total_fen, order.discount_fen, order.paid_fen),
        (450, 50, 400)
    );
    assert_eq!(
        order.paid_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-03-01T10:05:00.000001+00:00")
    );
    assert_eq!(
        order.completed_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-03-02T09:00:00.500+00:00")
    );
    let lines: Vec<_> = items
        .iter()
        .map(|i| {
            (
                i.line_no,
                i.sku.as_str(),
                i.product_source_id.as_deref(),
                i.amount_fen,
            )
        })
        .collect();
    assert_eq!(lines, [(1, "B", Some("P9"), 250), (2, "C", None, 200)]);
    assert_eq!(
        count_rows::<order_item::Entity>(&db).await,
        2,
        "the old item is gone"
    );
}

/// The brand's own tags on a member: stored with the member, replaced whole by a newer
/// version, kept against an older one; a tag without its group is refused with the member.
#[tokio::test]
async fn a_members_own_tags_are_replaced_by_a_newer_version_only() {
    let app = spawn().await;
    let db = app.db().await;
    let tags_of = |db: sea_orm::DatabaseConnection| async move {
        let mut tags: Vec<(String, String)> = member_tag::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.group_name, t.tag_name))
            .collect();
        tags.sort();
        tags
    };
    let member = |updated_at: &str, tags: Value| json!([{"id": "M1", "updated_at": updated_at, "name": "王女士", "tags": tags}]);
    let pair = |g: &str, n: &str| (g.to_owned(), n.to_owned());
    ingest(
        &app,
        "members",
        member(
            "2026-03-01T00:00:00Z",
            json!([{"group": "肤质", "name": "敏感肌"}, {"group": "偏好品类", "name": "护肤"},
                   {"group": "肤质", "name": "敏感肌"}]),
        ),
    )
    .await;
    assert_eq!(
        tags_of(db.clone()).await,
        [pair("偏好品类", "护肤"), pair("肤质", "敏感肌")],
        "stored once each"
    );
    ingest(
        &app,
        "members",
        member(
            "2026-04-01T00:00:00Z",
            json!([{"group": "肤质", "name": "干性肌肤"}]),
        ),
    )
    .await;
    assert_eq!(
        tags_of(db.clone()).await,
        [pair("肤质", "干性肌肤")],
        "replaced"
    );
    ingest(
        &app,
        "members",
        member(
            "2026-02-01T00:00:00Z",
            json!([{"group": "肤质", "name": "油性肌肤"}]),
        ),
    )
    .await;
    assert_eq!(
        tags_of(db.clone()).await,
        [pair("肤质", "干性肌肤")],
        "an older version changes nothing"
    );
    let answer = ingest(
        &app,
        "members",
        member(
            "2026-05-01T00:00:00Z",
            json!([{"group": "", "name": "无分组"}]),
        ),
    )
    .await;
    assert_eq!(answer["rejected"][0]["code"], "invalid_field", "{answer}");
    assert_eq!(tags_of(db.clone()).await, [pair("肤质", "干性肌肤")]);
}
