//! Handing a departed guide's customers over, against the simulator: batches of at most 100,
//! each customer's answer recorded, relations moved when WeCom reports the transfer done, and
//! refusals (answers, results, `transfer_fail` callbacks) kept visible.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;
use server::cache::MemoryCache;
use server::commerce::batch::Kind;
use server::config::AttributionPolicy;
use server::directory::transfer::{
    TransferError, check_results, request_transfer, transfer_report,
};
use server::directory::{self};
use server::entity::{customer, guide_customer};

use crate::attribution::{crediting, report};
use server::progress::ShowProgress;
use server::sync::{SyncOptions, sync_contacts};
use server::wecom::api::{ContactDetails, ExternalContact, FollowUser};
use server::wecom_sim::SimulatorData;
use tests::guide_session::spawn_app_on;
use tests::simulator::TestSimulator;

/// M-T's open binding: guide and source.
async fn binding_now(db: &DatabaseConnection) -> Vec<String> {
    tests::sql::texts(
        db,
        "SELECT g.wecom_userid || ':' || b.source FROM bindings b
        JOIN guides g ON g.id = b.guide_id JOIN members m ON m.id = b.member_id
        WHERE m.source_id = 'M-T' AND b.ended_at IS NULL",
    )
    .await
}

/// The sample corp, with guide.zhao serving 250 more customers.
fn corp_with_a_big_book() -> SimulatorData {
    let mut data = SimulatorData::sample();
    for n in 0..250 {
        data.contacts.push(ContactDetails {
            external_contact: ExternalContact {
                external_userid: format!("wmBULK{n:04}"),
                name: format!("客户{n}"),
                avatar: None,
                contact_type: 1,
                gender: 1,
                unionid: None,
                corp_name: None,
            },
            follow_user: vec![FollowUser {
                userid: "guide.zhao".into(),
                remark: None,
                description: None,
                createtime: 1_700_001_000 + n,
                tags: Vec::new(),
                tag_id: Vec::new(),
                add_way: Some(1),
                state: None,
                remark_mobiles: Vec::new(),
            }],
            next_cursor: None,
        });
    }
    data
}

async fn relation_status(
    db: &DatabaseConnection,
    userid: &str,
    external: &str,
) -> Option<(String, Option<String>)> {
    let guide = directory::find_guide(db, userid).await.unwrap()?;
    let customer = customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq(external))
        .one(db)
        .await
        .unwrap()?;
    guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(guide.id))
        .filter(guide_customer::Column::CustomerId.eq(customer.id))
        .one(db)
        .await
        .unwrap()
        .map(|r| (r.status, r.lost_by))
}

#[tokio::test]
async fn a_departed_guides_customers_move_in_batches_and_relations_follow_when_wecom_is_done() {
    let simulator =
        TestSimulator::start_with(corp_with_a_big_book(), Duration::from_secs(7200)).await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let db = app.db().await;
    let wecom = simulator.client(Arc::new(MemoryCache::new()));
    let fast = SyncOptions {
        calls_per_sec: 1000,
        restart: false,
    };
    sync_contacts(&db, &wecom, fast, ShowProgress::Quiet)
        .await
        .unwrap();
    // What the delete_user callback does when guide.zhao leaves.
    directory::resign_guide(&db, "guide.zhao", Utc::now(), Utc::now())
        .await
        .unwrap();

    let summary = request_transfer(
        &db,
        &wecom,
        "guide.zhao",
        "guide.wang",
        Utc::now(),
        ShowProgress::Quiet,
    )
    .await
    .unwrap();
    assert_eq!(summary.requested, 251);
    assert_eq!(summary.batches, 3, "100 + 100 + 51");
    assert!(summary.refused.is_empty(), "{:?}", summary.refused);
    assert_eq!(
        simulator
            .calls("cgi-bin/externalcontact/resigned/transfer_customer")
            .await,
        3
    );

    // Running it again asks WeCom for nothing new.
    let again = request_transfer(
        &db,
        &wecom,
        "guide.zhao",
        "guide.wang",
        Utc::now(),
        ShowProgress::Quiet,
    )
    .await
    .unwrap();
    assert_eq!(
        (again.requested, again.already_requested, again.batches),
        (0, 251, 0)
    );
    // A member linked to one of guide.zhao's customers, bound to him by his WeCom add (the
    // binding is built when their first order is credited).
    let attribution = crediting(&db, AttributionPolicy::default()).await;
    let member = json!({"id": "M-T", "updated_at": "2026-01-01T00:00:00Z", "name": "转交客户",
        "external_userid": "wmSIM0003"});
    report(&db, &attribution, Kind::Members, vec![member]).await;
    let paid = Utc::now().to_rfc3339();
    let order = json!({"id": "O-T", "updated_at": paid, "member_id": "M-T", "channel": "online",
        "status": "paid", "total_fen": 500, "paid_fen": 500, "ordered_at": paid, "paid_at": paid});
    report(&db, &attribution, Kind::Orders, vec![order]).await;
    assert_eq!(binding_now(&db).await, ["guide.zhao:wecom_add"]);
    let waiting = check_results(
        (&db, &attribution),
        &wecom,
        "guide.zhao",
        "guide.wang",
        Utc::now(),
        ShowProgress::Quiet,
    )
    .await
    .unwrap();
    assert_eq!((waiting.done, waiting.waiting), (0, 251));
    assert_eq!(
        relation_status(&db, "guide.zhao", "wmSIM0003").await,
        Some(("active".into(), None)),
        "nothing moves before WeCom is done"
    );

    // A day later WeCom has moved them all but one customer, who refused.
    let completed: serde_json::Value = reqwest::Client::new()
        .post(format!("{}sim/transfers/complete", simulator.base_url))
        .json(&serde_json::json!({"refuse": ["wmBULK0007"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(completed["completed"], 250);
    let results = check_results(
        (&db, &attribution),
        &wecom,
        "guide.zhao",
        "guide.wang",
        Utc::now(),
        ShowProgress::Quiet,
    )
    .await
    .unwrap();
    assert_eq!((results.done, results.waiting, results.failed), (250, 0, 1));
    assert_eq!(
        binding_now(&db).await,
        ["guide.wang:transfer"],
        "the binding moved with the customer, before any new report"
    );
    assert_eq!(
        relation_status(&db, "guide.zhao", "wmSIM0003").await,
        Some(("lost".into(), Some("transfer".into()))),
        "the old relation is kept as history"
    );
    assert_eq!(
        relation_status(&db, "guide.wang", "wmSIM0003").await,
        Some(("active".into(), None))
    );
    assert_eq!(
        relation_status(&db, "guide.zhao", "wmBULK0007")
            .await
            .map(|r| r.0),
        Some("active".into())
    );

    // A transfer_fail callback for another customer shows in the report too.
    directory::record_transfer_failed(
        &db,
        "guide.zhao",
        "wmBULK0008",
        "customer_limit_exceed",
        Utc::now(),
    )
    .await
    .unwrap();
    let report = transfer_report(&db, "guide.zhao").await.unwrap();
    assert_eq!(report.len(), 251);
    let line = |id: &str| {
        report
            .iter()
            .find(|l| l.external_userid == id)
            .unwrap()
            .clone()
    };
    assert_eq!(line("wmBULK0007").status, "failed");
    assert_eq!(
        line("wmBULK0007").fail_reason.as_deref(),
        Some("customer_refused")
    );
    assert_eq!(
        line("wmBULK0008").fail_reason.as_deref(),
        Some("customer_limit_exceed")
    );
    assert_eq!(line("wmSIM0003").status, "done");
    assert_eq!(line("wmSIM0003").takeover.as_deref(), Some("guide.wang"));
    assert_eq!(report.iter().filter(|l| l.status == "done").count(), 249);
}

#[tokio::test]
async fn transfers_that_cannot_be_are_refused_before_wecom_is_asked() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let db = app.db().await;
    let wecom = simulator.client(Arc::new(MemoryCache::new()));
    let fast = SyncOptions {
        calls_per_sec: 1000,
        restart: false,
    };
    sync_contacts(&db, &wecom, fast, ShowProgress::Quiet)
        .await
        .unwrap();

    let err = request_transfer(
        &db,
        &wecom,
        "guide.li",
        "guide.wang",
        Utc::now(),
        ShowProgress::Quiet,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, TransferError::NotResigned(_)),
        "WeCom says guide.li still works: {err}"
    );
    let err = request_transfer(
        &db,
        &wecom,
        "guide.nobody",
        "guide.wang",
        Utc::now(),
        ShowProgress::Quiet,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, TransferError::UnknownGuide(_)), "{err}");
    let err = request_transfer(
        &db,
        &wecom,
        "guide.li",
        "guide.li",
        Utc::now(),
        ShowProgress::Quiet,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, TransferError::SameGuide), "{err}");
    directory::resign_guide(&db, "guide.zhao", Utc::now(), Utc::now())
        .await
        .unwrap();
    let err = request_transfer(
        &db,
        &wecom,
        "guide.zhao",
        "guide.sun",
        Utc::now(),
        ShowProgress::Quiet,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, TransferError::UnknownGuide(_)),
        "guide.sun is disabled, never synced: {err}"
    );
    assert_eq!(
        simulator
            .calls("cgi-bin/externalcontact/resigned/transfer_customer")
            .await,
        0
    );
}
