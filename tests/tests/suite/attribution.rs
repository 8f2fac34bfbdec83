//! Crediting sales from the mall's stamped reports, on both databases: a stamped order of a
//! member a guide added on WeCom is credited to that guide (binding), a partial refund
//! reversed in the same proportions, the credit explained at `GET /api/v1/orders/{id}/credit`
//! to that guide only; forged, foreign-key and forwarded stamps credit no one; a repeated or
//! reordered report changes nothing.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use server::attribution::replay::replay;
use server::attribution::{Attribution, policy};
use server::commerce::batch::{Kind, apply_batch};
use server::config::{AttributionPolicy, CreditRule, StampSettings};
use server::stamp::{ParamNames, StampKeys, stamp_link, verify_link};

use crate::sending::{INGEST_SECRET, KEYS, brand, ingest, open_once, send, template, to};
use server::commerce::signature::sign;

pub(crate) async fn crediting(db: &DatabaseConnection, policy: AttributionPolicy) -> Attribution {
    Attribution {
        stamping: Some(StampSettings {
            keys: StampKeys::parse(KEYS).unwrap(),
            params: ParamNames::default(),
            max_age_secs: 30 * 86_400,
        }),
        version: policy::register(db, &policy).await.unwrap(),
        policy,
    }
}

pub(crate) async fn report(
    db: &DatabaseConnection,
    after: &Attribution,
    kind: Kind,
    records: Vec<Value>,
) {
    let answer = apply_batch(db, kind, records, Utc::now(), after)
        .await
        .unwrap();
    assert!(answer.rejected.is_empty(), "{:?}", answer.rejected);
}

/// The stamp of a coupon guide.li sends customer 1 (member M1), as the mall receives it.
async fn stamp_from_li(brand: &crate::sending::Brand, key: &str) -> String {
    ingest(
        &brand.db,
        Kind::CouponTemplates,
        vec![template(&format!("CT-{key}"), json!({}))],
    )
    .await;
    let (status, sent) = send(
        &brand.app,
        &brand.li,
        to(1),
        "coupon",
        &format!("CT-{key}"),
        key,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let (_, target) = open_once(&brand.app, sent["link"].as_str().unwrap()).await;
    target.split_once('?').unwrap().1.to_owned()
}

/// `records` posted to `POST /api/v1/ingest/orders`, signed as the mall signs them.
pub(crate) async fn orders_through_the_ingest_api(
    app: &tests::TestApp,
    records: Vec<Value>,
) -> reqwest::Response {
    let body = json!({ "records": records }).to_string();
    let timestamp = Utc::now().timestamp().to_string();
    app.http
        .post(app.url("/api/v1/ingest/orders"))
        .header("content-type", "application/json")
        .header("X-GuideDesk-Timestamp", &timestamp)
        .header(
            "X-GuideDesk-Signature",
            sign(INGEST_SECRET, &timestamp, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A paid order of `member`, paid now (after the brand's WeCom adds).
pub(crate) fn order(id: &str, member: &str, paid_fen: i64, extra: Value) -> Value {
    let at = Utc::now();
    let mut record = json!({"id": id, "updated_at": Utc::now().to_rfc3339(), "member_id": member,
        "channel": "online", "store_id": "S002", "status": "paid", "total_fen": paid_fen,
        "paid_fen": paid_fen, "ordered_at": at.to_rfc3339(), "paid_at": at.to_rfc3339()});
    for (key, value) in extra.as_object().unwrap() {
        record[key] = value.clone();
    }
    record
}

pub(crate) async fn order_id(db: &DatabaseConnection, source: &str) -> i64 {
    tests::sql::number(
        db,
        &format!("SELECT id FROM orders WHERE source_id = '{source}'"),
    )
    .await
}

async fn credit_of(
    brand: &crate::sending::Brand,
    cookie: &tests::guide_session::SessionCookie,
    id: i64,
) -> (StatusCode, Value) {
    let response = brand
        .app
        .http
        .get(brand.app.url(&format!("/api/v1/orders/{id}/credit")))
        .header(COOKIE, &cookie.0)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_stamped_sale_goes_to_the_binding_guide_and_a_partial_refund_is_reversed() {
    let brand = brand().await;
    let after = crediting(&brand.db, AttributionPolicy::default()).await;
    let stamp = stamp_from_li(&brand, "a1").await;
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![order("O1", "M1", 10_001, json!({"stamp": stamp}))],
    )
    .await;
    let id = order_id(&brand.db, "O1").await;

    let (status, credit) = credit_of(&brand, &brand.li, id).await;
    assert_eq!(status, StatusCode::OK, "{credit}");
    let lines = credit["credits"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{credit}");
    assert_eq!(lines[0]["amountFen"], 10_001);
    assert_eq!(lines[0]["rule"], "binding");
    assert_eq!(lines[0]["guide"]["name"], "李娜");
    assert_eq!(lines[0]["mine"], true, "guide.li asked: the row is theirs");
    assert!(
        lines[0]["reason"].as_str().unwrap().contains("专属导购"),
        "{credit}"
    );
    assert!(
        lines[0]["reason"]
            .as_str()
            .unwrap()
            .contains("首次添加企业微信"),
        "{credit}"
    );
    assert_eq!(lines[0]["evidence"]["entry"], "credit");

    // A partial refund: the credit stays, a reversing row takes the refund back.
    let later = (Utc::now() + Duration::seconds(5)).to_rfc3339();
    let refunded = order(
        "O1",
        "M1",
        10_001,
        json!({"stamp": stamp, "status": "completed",
        "refunded_fen": 3_333, "updated_at": later}),
    );
    report(&brand.db, &after, Kind::Orders, vec![refunded.clone()]).await;
    // The same report again, and an older version after it: nothing changes.
    report(&brand.db, &after, Kind::Orders, vec![refunded]).await;
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![order(
            "O1",
            "M1",
            10_001,
            json!({"updated_at": "2026-01-01T00:00:00Z"}),
        )],
    )
    .await;
    let (_, credit) = credit_of(&brand, &brand.li, id).await;
    let amounts: Vec<i64> = credit["credits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amountFen"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, [10_001, -3_333], "{credit}");
    assert!(
        credit["credits"][1]["reason"]
            .as_str()
            .unwrap()
            .starts_with("退款冲回")
    );

    // The mall's own door (the signed ingest API) credits the same way, under the server's
    // policy version.
    let records = vec![order("O-HTTP", "M1", 250, json!({"stamp": stamp}))];
    let response = orders_through_the_ingest_api(&brand.app, records).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (_, credit) = credit_of(&brand, &brand.li, order_id(&brand.db, "O-HTTP").await).await;
    assert_eq!(credit["credits"][0]["amountFen"], 250, "{credit}");
    assert_eq!(credit["credits"][0]["rule"], "binding");
    assert_eq!(
        credit["credits"][0]["evidence"]["policyVersion"],
        after.version
    );

    // Another guide neither follows the customer nor is credited: not found.
    let (status, _) = credit_of(&brand, &brand.wang, id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = credit_of(&brand, &brand.li, 987_654).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn forged_foreign_and_forwarded_stamps_credit_no_one() {
    let brand = brand().await;
    ingest(
        &brand.db,
        Kind::Members,
        vec![json!({"id": "M2", "updated_at": "2026-01-01T00:00:00Z", "name": "陌生人"})],
    )
    .await;
    let policy = AttributionPolicy {
        rules: vec![CreditRule::LastShare, CreditRule::Store],
        ..AttributionPolicy::default()
    };
    let after = crediting(&brand.db, policy).await;
    let stamp = stamp_from_li(&brand, "f1").await;
    let forged = stamp.replace("gd_store=", "gd_store=9");
    // The same stamp, genuinely signed, by a key of another deployment.
    let foreign = {
        let names = ParamNames::default();
        let ours = StampKeys::parse(KEYS).unwrap();
        let (said, _) = verify_link(
            &format!("?{stamp}"),
            &ours,
            &names,
            Utc::now().timestamp(),
            86_400,
        )
        .unwrap();
        let other = StampKeys::parse("k9:a-key-this-server-has-never-seen-0000000009").unwrap();
        let link = stamp_link("https://mall.example.com/x", &said, &other, &names).unwrap();
        link.split_once('?').unwrap().1.to_owned()
    };
    let at = (Utc::now() - Duration::minutes(2)).to_rfc3339();
    let event = |id: &str, member: &str, stamp: &str| {
        json!({"id": id, "updated_at": at, "member_id": member,
        "kind": "browse_product", "at": at, "stamp": stamp})
    };
    report(
        &brand.db,
        &after,
        Kind::Events,
        vec![
            event("E-GENUINE", "M1", &stamp),
            event("E-FORGED", "M1", &forged),
            event("E-FOREIGN", "M1", &foreign),
            event("E-FORWARDED", "M2", &stamp),
        ],
    )
    .await;
    let verdicts = tests::sql::texts(&brand.db,
        "SELECT source_id || ':' || CASE WHEN valid THEN 'valid' ELSE refusal END FROM touches ORDER BY source_id").await;
    assert_eq!(verdicts.len(), 4, "{verdicts:?}");
    assert!(
        verdicts[0].starts_with("E-FOREIGN:") && verdicts[0].contains("k9"),
        "{verdicts:?}"
    );
    assert!(
        verdicts[1].starts_with("E-FORGED:") && verdicts[1].contains("forged or altered"),
        "{verdicts:?}"
    );
    assert!(
        verdicts[2].starts_with("E-FORWARDED:") && verdicts[2].contains("another customer"),
        "{verdicts:?}"
    );
    assert_eq!(verdicts[3], "E-GENUINE:valid");

    // The stranger's order with the forwarded stamp goes to the store; M1's to guide.li's share.
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![
            order("O-STRANGER", "M2", 5_000, json!({"stamp": stamp})),
            order("O-M1", "M1", 7_777, json!({})),
        ],
    )
    .await;
    let rows = tests::sql::texts(&brand.db,
        "SELECT o.source_id || ':' || c.rule || ':' || c.amount_fen FROM order_credits c JOIN orders o ON o.id = c.order_id ORDER BY o.source_id").await;
    assert_eq!(rows, ["O-M1:last_share:7777", "O-STRANGER:store:5000"]);
}

/// The ledger, without its row ids: order, entry, line, amount, rule, guide, store, share.
async fn ledger(db: &DatabaseConnection) -> Vec<String> {
    tests::sql::texts(
        db,
        "SELECT o.source_id || '|' || c.entry || '|' || c.line || '|' || c.amount_fen || '|' || c.rule
            || '|' || COALESCE(CAST(c.guide_id AS TEXT), '-') || '|' || COALESCE(CAST(c.store_id AS TEXT), '-')
            || '|' || COALESCE(c.share_token, '-')
         FROM order_credits c JOIN orders o ON o.id = c.order_id
         ORDER BY o.source_id, c.entry, c.line",
    )
    .await
}

#[tokio::test]
async fn replay_equals_live_crediting_and_arrival_order_changes_nothing() {
    let brand = brand().await;
    let policy = AttributionPolicy {
        split: Some((70, 30)),
        rules: vec![
            CreditRule::LastShare,
            CreditRule::Binding,
            CreditRule::Store,
        ],
        ..AttributionPolicy::default()
    };
    let after = crediting(&brand.db, policy.clone()).await;
    let first = stamp_from_li(&brand, "r1").await;
    let second = stamp_from_li(&brand, "r2").await;
    let at = |minutes: i64| (Utc::now() + Duration::minutes(minutes)).to_rfc3339();
    let event = |id: &str, stamp: &str, when: String| json!({"id": id, "updated_at": when, "member_id": "M1", "kind": "add_to_cart", "at": when, "stamp": stamp});
    let events = vec![event("E1", &first, at(1)), event("E2", &second, at(3))];
    let mut orders = vec![
        order(
            "O-A",
            "M1",
            12_345,
            json!({"paid_at": at(2), "ordered_at": at(2), "updated_at": at(2)}),
        ),
        order(
            "O-B",
            "M1",
            999,
            json!({"paid_at": at(4), "ordered_at": at(4), "updated_at": at(4)}),
        ),
        order(
            "O-B",
            "M1",
            999,
            json!({"paid_at": at(4), "ordered_at": at(4), "updated_at": at(9),
            "status": "refunded"}),
        ),
        order(
            "O-GUEST",
            "M1",
            5_001,
            json!({"member_id": null, "stamp": first, "paid_at": at(5),
            "ordered_at": at(5), "updated_at": at(5)}),
        ),
        order(
            "O-C",
            "M1",
            101,
            json!({"status": "cancelled", "updated_at": at(6)}),
        ),
    ];
    report(&brand.db, &after, Kind::Events, events.clone()).await;
    for one in &orders {
        report(&brand.db, &after, Kind::Orders, vec![one.clone()]).await;
    }
    let live = ledger(&brand.db).await;
    assert_eq!(live.len(), 4, "{live:#?}");
    let total: i64 = tests::sql::number(
        &brand.db,
        "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM order_credits",
    )
    .await;
    assert_eq!(total, 12_345 + 5_001, "paid minus refunded, to the fen");

    // A dry-run replay under the same policy changes nothing; applied, it writes the same rows.
    let version = after.version;
    let from = Utc::now() - Duration::days(1);
    let dry = replay(&brand.db, &policy, version, from, false)
        .await
        .unwrap();
    assert!(
        dry.by_guide.values().all(|(before, after)| before == after),
        "{dry:?}"
    );
    replay(&brand.db, &policy, version, from, true)
        .await
        .unwrap();
    assert_eq!(ledger(&brand.db).await, live);

    // The same reports again, newest first, repeated, in other batches: the same ledger.
    for table in [
        "order_credits",
        "bindings",
        "touches",
        "order_items",
        "orders",
        "behaviour_events",
    ] {
        tests::sql::execute(&brand.db, &format!("DELETE FROM {table}")).await;
    }
    orders.reverse();
    report(&brand.db, &after, Kind::Orders, orders.clone()).await;
    let mut again = events.clone();
    again.reverse();
    report(&brand.db, &after, Kind::Events, again).await;
    report(&brand.db, &after, Kind::Orders, orders[..2].to_vec()).await;
    assert_eq!(ledger(&brand.db).await, live);

    // Another policy, replayed: a dry run shows the change, and writes nothing.
    let binding_first = AttributionPolicy {
        rules: vec![CreditRule::Store],
        ..AttributionPolicy::default()
    };
    let other = policy::register(&brand.db, &binding_first).await.unwrap();
    assert_ne!(other, version);
    let dry = replay(&brand.db, &binding_first, other, from, false)
        .await
        .unwrap();
    assert_eq!(
        dry.by_guide.get(&None),
        Some(&(0, 12_345 + 5_001)),
        "{dry:?}"
    );
    assert_eq!(ledger(&brand.db).await, live);
}

#[tokio::test]
async fn batches_crediting_one_member_at_once_take_turns_and_each_order_is_credited_once() {
    let brand = brand().await;
    let after = crediting(&brand.db, AttributionPolicy::default()).await;
    let stamp = stamp_from_li(&brand, "c1").await;
    // Eight transactions at once on the pool's connections, all crediting member M1.
    let batches = (0..8).map(|batch| {
        let records = (0..20)
            .map(|n| {
                order(
                    &format!("O-{batch}-{n}"),
                    "M1",
                    100 + n,
                    json!({"stamp": stamp}),
                )
            })
            .collect();
        apply_batch(&brand.db, Kind::Orders, records, Utc::now(), &after)
    });
    for answer in futures_util::future::join_all(batches).await {
        assert!(answer.unwrap().rejected.is_empty());
    }
    let credited = tests::sql::number(&brand.db, "SELECT COUNT(*) FROM order_credits").await;
    assert_eq!(credited, 160, "one credit row per order");
    let total = tests::sql::number(
        &brand.db,
        "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM order_credits",
    )
    .await;
    assert_eq!(total, 8 * (20 * 100 + 190));
}

#[tokio::test]
async fn a_wecom_add_rebuilds_the_binding_as_the_callback_is_applied() {
    let brand = crate::sending::brand().await;
    ingest(
        &brand.db,
        Kind::Members,
        vec![
            json!({"id": "M-NEW", "updated_at": "2026-01-01T00:00:00Z", "name": "新客",
            "external_userid": crate::sending::customer_id(2)}),
        ],
    )
    .await;
    // WeCom's event time is in whole seconds: a second later, guide.wang's add is surely
    // after guide.li's (made when the brand was).
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let customer = crate::sending::customer_id(2);
    crate::sending::push_contact_added(&brand, "guide.wang", &customer).await;
    let bound = "SELECT g.wecom_userid || ':' || b.source FROM bindings b
        JOIN guides g ON g.id = b.guide_id JOIN members m ON m.id = b.member_id
        WHERE m.source_id = 'M-NEW' AND b.ended_at IS NULL";
    let mut found = Vec::new();
    for _ in 0..100 {
        found = tests::sql::texts(&brand.db, bound).await;
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        found,
        ["guide.li:wecom_add"],
        "bound without waiting for an order, to the first guide who added them"
    );
    let counted = tests::sql::number(
        &brand.db,
        "SELECT CAST(SUM(r.new_bindings) AS BIGINT)
        FROM report_days r JOIN guides g ON g.id = r.guide_id WHERE g.wecom_userid = 'guide.li'",
    )
    .await;
    assert_eq!(counted, 1, "one new binding in guide.li's figures");
}

/// Shuffled and repeated arrivals of the same reports, in batches of one to three: the ledger
/// is the same row for row each time. Cases drawn by proptest (its deterministic runner; each
/// case is a fresh crediting of the same brand).
#[tokio::test]
async fn shuffled_and_duplicated_report_streams_give_identical_ledgers() {
    use proptest::strategy::{Just, Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    let brand = brand().await;
    let policy = AttributionPolicy {
        split: Some((70, 30)),
        rules: vec![
            CreditRule::LastShare,
            CreditRule::Binding,
            CreditRule::Store,
        ],
        ..AttributionPolicy::default()
    };
    let after = crediting(&brand.db, policy).await;
    let first = stamp_from_li(&brand, "p1").await;
    let second = stamp_from_li(&brand, "p2").await;
    // After the shares were made: a stamp counts only from its issue on.
    let at = |minutes: i64| (Utc::now() + Duration::minutes(minutes)).to_rfc3339();
    let event = |id: &str, stamp: &str, when: String| {
        (
            Kind::Events,
            json!({"id": id,
        "updated_at": when, "member_id": "M1", "kind": "add_to_cart", "at": when, "stamp": stamp}),
        )
    };
    let paid = |id: &str, fen: i64, minute: i64, extra: Value| {
        let mut fields =
            json!({"paid_at": at(minute), "ordered_at": at(minute), "updated_at": at(minute)});
        for (key, value) in extra.as_object().unwrap() {
            fields[key] = value.clone();
        }
        (Kind::Orders, order(id, "M1", fen, fields))
    };
    let stream = vec![
        event("E1", &first, at(1)),
        event("E2", &second, at(3)),
        paid("O-A", 12_345, 2, json!({})),
        paid("O-B", 999, 4, json!({})),
        paid(
            "O-B",
            999,
            4,
            json!({"updated_at": at(9), "status": "completed", "refunded_fen": 333}),
        ),
        paid("O-G", 5_001, 5, json!({"member_id": null, "stamp": first})),
        paid("O-C", 101, 6, json!({"status": "cancelled"})),
        paid("O-D", 7_777, 7, json!({"stamp": second})),
    ];
    for (kind, record) in &stream {
        report(&brand.db, &after, *kind, vec![record.clone()]).await;
    }
    let expected = ledger(&brand.db).await;
    assert_eq!(expected.len(), 5, "{expected:#?}");
    assert!(
        expected.iter().all(|row| row.contains("|last_share|")),
        "{expected:#?}"
    );

    let n = stream.len();
    let cases = (
        Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        proptest::collection::vec(0..n, 0..4),
        proptest::collection::vec(1..4usize, 12),
    );
    let mut runner = TestRunner::deterministic();
    for case in 0..12 {
        let (order_of, repeats, batch_sizes) = cases.new_tree(&mut runner).unwrap().current();
        for table in [
            "order_credits",
            "bindings",
            "touches",
            "order_items",
            "orders",
            "behaviour_events",
        ] {
            tests::sql::execute(&brand.db, &format!("DELETE FROM {table}")).await;
        }
        let arrivals: Vec<usize> = order_of.into_iter().chain(repeats).collect();
        let mut pending = arrivals.as_slice();
        for size in batch_sizes.iter().cycle() {
            if pending.is_empty() {
                break;
            }
            // A batch holds one kind: it ends where the kind changes.
            let kind = stream[pending[0]].0;
            let take = pending
                .iter()
                .take(*size)
                .take_while(|i| stream[**i].0 == kind)
                .count();
            let batch = pending[..take]
                .iter()
                .map(|i| stream[*i].1.clone())
                .collect();
            report(&brand.db, &after, kind, batch).await;
            pending = &pending[take..];
        }
        assert_eq!(
            ledger(&brand.db).await,
            expected,
            "case {case}: arrivals {arrivals:?}"
        );
    }
}
