//! The brand's crediting policy, rule by rule, on both databases: a lock period that lapses
//! lets another guide's touch rebind (orders before stay with the first guide, after go to
//! the second); a binding guide of another store is not credited when the store must match;
//! the last-share window holds its edge to the second; a stamped purchase binds a member no
//! guide has added only when the policy says so; a binding made by hand takes over at once.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::{Value, json};
use server::attribution::manual_binding::{ByHand, bind_by_hand};
use server::commerce::batch::Kind;
use server::config::{AttributionPolicy, CreditRule};
use server::entity::guide_customer;
use tests::guide_session::SessionCookie;

use crate::attribution::{crediting, order, report};
use crate::performance_browser::reason_of;
use crate::sending::{Brand, brand, ingest, open_once, send, template, to};

/// The stamp of a coupon `guide` sends customer 1 (member M1), as the mall receives it.
async fn stamp_from(brand: &Brand, guide: &SessionCookie, key: &str) -> String {
    let id = format!("CT-{key}");
    ingest(
        &brand.db,
        Kind::CouponTemplates,
        vec![template(&id, json!({}))],
    )
    .await;
    let (status, sent) = send(&brand.app, guide, to(1), "coupon", &id, key).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let (_, target) = open_once(&brand.app, sent["link"].as_str().unwrap()).await;
    target.split_once('?').unwrap().1.to_owned()
}

fn paid_at(id: &str, store: &str, at: DateTime<Utc>) -> Value {
    let at = at.to_rfc3339();
    order(
        id,
        "M1",
        1_000,
        json!({"store_id": store, "paid_at": at, "ordered_at": at, "updated_at": at}),
    )
}

fn visit(id: &str, stamp: &str, at: DateTime<Utc>) -> Value {
    let at = at.to_rfc3339();
    json!({"id": id, "updated_at": at, "member_id": "M1", "kind": "visit", "at": at, "stamp": stamp})
}

/// Every binding in time order: `guide's userid:source:how it ended or open`.
async fn binding_history(db: &DatabaseConnection) -> Vec<String> {
    tests::sql::texts(
        db,
        "SELECT g.wecom_userid || ':' || b.source || ':' || COALESCE(b.ended_by, 'open')
        FROM bindings b JOIN guides g ON g.id = b.guide_id ORDER BY b.started_at",
    )
    .await
}

/// Each order's credit: `order:rule:guide's userid or -`.
async fn credited(db: &DatabaseConnection) -> Vec<String> {
    tests::sql::texts(db, "SELECT o.source_id || ':' || c.rule || ':' || COALESCE(g.wecom_userid, '-')
        FROM order_credits c JOIN orders o ON o.id = c.order_id LEFT JOIN guides g ON g.id = c.guide_id
        WHERE c.entry = 'credit' ORDER BY o.source_id").await
}

#[tokio::test]
async fn a_lapsed_lock_lets_another_guides_touch_rebind() {
    let brand = brand().await;
    // guide.wang adds customer 1 too, after guide.li: li's binding stands.
    let ids = |userid: &str| format!("SELECT id FROM guides WHERE wecom_userid = '{userid}'");
    let wang = tests::sql::number(&brand.db, &ids("guide.wang")).await;
    let customer = tests::sql::number(&brand.db, "SELECT MIN(id) FROM customers").await;
    let now = Utc::now();
    guide_customer::Entity::insert(guide_customer::ActiveModel {
        guide_id: Set(wang),
        customer_id: Set(customer),
        added_at: Set(now),
        status: Set("active".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&brand.db)
    .await
    .unwrap();
    let policy = AttributionPolicy {
        lock_days: Some(1),
        rules: vec![CreditRule::Binding, CreditRule::Store],
        ..AttributionPolicy::default()
    };
    let after = crediting(&brand.db, policy).await;
    let stamp = stamp_from(&brand, &brand.wang, "lock").await;
    // Two days on, without guide.li: guide.wang's share is visited, and rebinds.
    let rebound = now + Duration::days(2);
    report(
        &brand.db,
        &after,
        Kind::Events,
        vec![visit("E-W", &stamp, rebound)],
    )
    .await;
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![
            paid_at("O-1-BEFORE", "S001", now + Duration::hours(1)),
            paid_at("O-2-AFTER", "S001", rebound + Duration::hours(1)),
        ],
    )
    .await;
    assert_eq!(
        credited(&brand.db).await,
        [
            "O-1-BEFORE:binding:guide.li",
            "O-2-AFTER:binding:guide.wang"
        ]
    );
    let history = binding_history(&brand.db).await;
    assert_eq!(
        history,
        [
            "guide.li:wecom_add:lock_lapsed",
            "guide.wang:stamped_touch:open"
        ]
    );
}

#[tokio::test]
async fn a_binding_guide_of_another_store_is_not_credited_when_the_store_must_match() {
    let brand = brand().await;
    let policy = AttributionPolicy {
        store_must_match: true,
        rules: vec![CreditRule::Binding, CreditRule::Store],
        ..AttributionPolicy::default()
    };
    let after = crediting(&brand.db, policy).await;
    let now = Utc::now();
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![
            paid_at("O-S001", "S001", now),
            paid_at("O-S002", "S002", now),
        ],
    )
    .await;
    // guide.li is of S001.
    assert_eq!(
        credited(&brand.db).await,
        ["O-S001:binding:guide.li", "O-S002:store:-"]
    );
}

#[tokio::test]
async fn the_last_share_window_holds_to_the_second() {
    let brand = brand().await;
    let policy = AttributionPolicy {
        last_share_days: 7,
        rules: vec![CreditRule::LastShare, CreditRule::Store],
        ..AttributionPolicy::default()
    };
    let after = crediting(&brand.db, policy).await;
    let stamp = stamp_from(&brand, &brand.li, "window").await;
    let touched = Utc::now().trunc_subsecs(0) + Duration::minutes(1);
    report(
        &brand.db,
        &after,
        Kind::Events,
        vec![visit("E-L", &stamp, touched)],
    )
    .await;
    let edge = touched + Duration::days(7);
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![
            paid_at("O-1-INSIDE", "S002", edge - Duration::seconds(1)),
            paid_at("O-2-EDGE", "S002", edge),
            paid_at("O-3-OUTSIDE", "S002", edge + Duration::seconds(1)),
            paid_at("O-0-BEFORE", "S002", touched - Duration::seconds(1)),
        ],
    )
    .await;
    assert_eq!(
        credited(&brand.db).await,
        [
            "O-0-BEFORE:store:-",
            "O-1-INSIDE:last_share:guide.li",
            "O-2-EDGE:last_share:guide.li",
            "O-3-OUTSIDE:store:-",
        ]
    );
}

/// Customer 1 as no guide's WeCom contact (guide.li sent the coupon, then the relation went),
/// ordering first with guide.li's stamp and later without: under `purchase_binds` the stamped
/// order binds them to guide.li and the later order follows the binding; without it neither
/// binds and both go to the store.
async fn unadded_member_orders_twice(purchase_binds: bool) -> (Vec<String>, Vec<String>) {
    let brand = brand().await;
    let policy = AttributionPolicy {
        purchase_binds,
        rules: vec![CreditRule::Binding, CreditRule::Store],
        ..AttributionPolicy::default()
    };
    let after = crediting(&brand.db, policy).await;
    let stamp = stamp_from(&brand, &brand.li, "purchase").await;
    tests::sql::execute(&brand.db, "DELETE FROM guide_customers").await;
    let now = Utc::now();
    let mut stamped = paid_at("O-1-STAMPED", "S001", now);
    stamped["stamp"] = json!(stamp);
    report(&brand.db, &after, Kind::Orders, vec![stamped]).await;
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![paid_at("O-2-LATER", "S001", now + Duration::days(3))],
    )
    .await;
    let bindings = tests::sql::texts(
        &brand.db,
        "SELECT g.wecom_userid || ':' || b.source FROM bindings b
        JOIN guides g ON g.id = b.guide_id ORDER BY b.started_at",
    )
    .await;
    (credited(&brand.db).await, bindings)
}

#[tokio::test]
async fn a_stamped_purchase_binds_an_unbound_member_only_when_the_policy_says_so() {
    let (credits, bindings) = unadded_member_orders_twice(true).await;
    assert_eq!(bindings, ["guide.li:purchase"]);
    assert_eq!(
        credits,
        ["O-1-STAMPED:binding:guide.li", "O-2-LATER:binding:guide.li"]
    );
    let (credits, bindings) = unadded_member_orders_twice(false).await;
    assert!(bindings.is_empty(), "{bindings:?}");
    assert_eq!(credits, ["O-1-STAMPED:store:-", "O-2-LATER:store:-"]);
}

#[tokio::test]
async fn a_binding_made_by_hand_takes_over_from_now_on() {
    let brand = brand().await;
    let policy = AttributionPolicy {
        rules: vec![CreditRule::Binding, CreditRule::Store],
        ..AttributionPolicy::default()
    };
    let after = crediting(&brand.db, policy.clone()).await;
    // Paid after the brand's WeCom adds, before the binding by hand.
    let earlier = Utc::now();
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![paid_at("O-1-BEFORE", "S001", earlier)],
    )
    .await;
    let asked = |member, guide, note| ByHand {
        member,
        guide,
        note,
        by: "it-ops",
    };
    for (wrong, refused) in [
        (asked("M-NONE", "guide.wang", "x"), "no member"),
        (asked("M1", "guide.none", "x"), "no guide"),
        (asked("M1", "guide.wang", "  "), "note"),
    ] {
        let Err(err) = bind_by_hand(&brand.db, &policy, after.version, wrong).await else {
            panic!("bound although {refused}");
        };
        assert!(err.to_string().contains(refused), "{err}");
    }
    let bound = bind_by_hand(
        &brand.db,
        &policy,
        after.version,
        asked("M1", "guide.wang", "顾客要求更换专属导购"),
    )
    .await
    .unwrap();
    assert_eq!(bound.guide_name, "王芳");
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![paid_at(
            "O-2-AFTER",
            "S001",
            Utc::now() + Duration::minutes(1),
        )],
    )
    .await;
    assert_eq!(
        credited(&brand.db).await,
        [
            "O-1-BEFORE:binding:guide.li",
            "O-2-AFTER:binding:guide.wang"
        ]
    );
    let history = binding_history(&brand.db).await;
    assert_eq!(
        history,
        ["guide.li:wecom_add:manual", "guide.wang:manual:open"]
    );
    let reason = reason_of(&brand.db, "O-2-AFTER").await;
    assert!(reason.contains("手动指定"), "{reason}");
}
