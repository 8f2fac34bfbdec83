//! The inbox worker applies each stored callback once, and what it applies is right.

use reqwest::StatusCode;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use server::entity::{
    callback_inbox, customer, customer_transfer, follow_history, guide, guide_customer,
    wecom_sync_queue,
};
use shared::ApiError;
use tests::backends::test_database_url;
use tests::wecom::spawn_callback_app as spawn;
use tests::wecom::{add_contact_event, callback_env, event_request};
use tests::{TestApp, TestOptions, spawn_app_with};

async fn deliver(app: &TestApp, payload: &str) {
    let (query, body) = event_request(payload);
    let response = app.post_callback(&query, body).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
}

fn all_settled(rows: &[callback_inbox::Model]) -> bool {
    !rows.is_empty()
        && rows
            .iter()
            .all(|r| r.status != "pending" && r.status != "processing")
}

fn contact_event(change: &str, user: &str, customer: &str, time: i64, extra: &str) -> String {
    format!(
        "<xml><ToUserName>ww</ToUserName><CreateTime>{time}</CreateTime><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>{change}</ChangeType><UserID>{user}</UserID><ExternalUserID>{customer}</ExternalUserID>{extra}</xml>"
    )
}

fn contact_change(change: &str, user: &str, time: i64, extra: &str) -> String {
    format!(
        "<xml><ToUserName>ww</ToUserName><CreateTime>{time}</CreateTime><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>{change}</ChangeType><UserID>{user}</UserID>{extra}</xml>"
    )
}

async fn relation(db: &DatabaseConnection, user: &str, customer_id: &str) -> guide_customer::Model {
    let guide = guide::Entity::find()
        .filter(guide::Column::WecomUserid.eq(user))
        .one(db)
        .await
        .unwrap()
        .expect("guide");
    let customer = customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq(customer_id))
        .one(db)
        .await
        .unwrap()
        .expect("customer");
    guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(guide.id))
        .filter(guide_customer::Column::CustomerId.eq(customer.id))
        .one(db)
        .await
        .unwrap()
        .expect("relation")
}

async fn history(db: &DatabaseConnection) -> Vec<(String, Option<String>, i64)> {
    follow_history::Entity::find()
        .order_by_asc(follow_history::Column::HappenedAt)
        .order_by_asc(follow_history::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.change, h.changed_by, h.happened_at.timestamp()))
        .collect()
}

async fn sync_queue(db: &DatabaseConnection) -> Vec<(String, String)> {
    let mut queued: Vec<_> = wecom_sync_queue::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|q| (q.kind, q.target))
        .collect();
    queued.sort();
    queued
}

#[tokio::test]
async fn an_added_customer_becomes_a_relation_with_its_state_and_welcome_code() {
    let app = spawn(vec![]).await;
    deliver(&app, &add_contact_event("zhangsan", "wmADD", 1_700_000_000)).await;
    let rows = app
        .wait_for_inbox("the add to be applied", all_settled)
        .await;
    assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("done", 1));
    assert!(rows[0].processed_at.is_some() && rows[0].last_error.is_none());

    let db = app.db().await;
    let relation = relation(&db, "zhangsan", "wmADD").await;
    assert_eq!(relation.status, "active");
    assert_eq!(
        relation.state.as_deref(),
        Some("store-0101"),
        "the contact-me state is kept for attribution"
    );
    assert_eq!(relation.welcome_code.as_deref(), Some("WELCOMEwmADD"));
    assert_eq!(
        relation.added_at.timestamp(),
        1_700_000_000,
        "WeCom's time, not ours"
    );
    assert_eq!(history(&db).await, [("added".into(), None, 1_700_000_000)]);
    assert_eq!(
        sync_queue(&db).await,
        [
            ("contact".into(), "wmADD".into()),
            ("user".into(), "zhangsan".into())
        ],
        "unknown guide and customer are queued for a details fetch"
    );
}

#[tokio::test]
async fn a_lost_customer_is_marked_lost_with_who_and_when_and_never_deleted() {
    let app = spawn(vec![]).await;
    deliver(&app, &add_contact_event("lisi", "wmLOSE", 1_700_000_000)).await;
    deliver(
        &app,
        &contact_event("del_follow_user", "lisi", "wmLOSE", 1_700_000_500, ""),
    )
    .await;
    deliver(&app, &add_contact_event("lisi", "wmGONE", 1_700_000_000)).await;
    deliver(
        &app,
        &contact_event("del_external_contact", "lisi", "wmGONE", 1_700_000_600, ""),
    )
    .await;
    deliver(&app, &add_contact_event("lisi", "wmMOVED", 1_700_000_000)).await;
    deliver(
        &app,
        &contact_event(
            "del_external_contact",
            "lisi",
            "wmMOVED",
            1_700_000_700,
            "<Source>DELETE_BY_TRANSFER</Source>",
        ),
    )
    .await;
    app.wait_for_inbox("six events", |rows| rows.len() == 6 && all_settled(rows))
        .await;

    let db = app.db().await;
    for (customer_id, by, at) in [
        ("wmLOSE", "customer", 1_700_000_500),
        ("wmGONE", "guide", 1_700_000_600),
        ("wmMOVED", "transfer", 1_700_000_700),
    ] {
        let relation = relation(&db, "lisi", customer_id).await;
        assert_eq!(relation.status, "lost", "{customer_id}");
        assert_eq!(relation.lost_by.as_deref(), Some(by), "{customer_id}");
        assert_eq!(
            relation.lost_at.map(|t| t.timestamp()),
            Some(at),
            "{customer_id}"
        );
    }
    assert_eq!(
        history(&db).await.len(),
        6,
        "every add and loss is in the history"
    );
}

#[tokio::test]
async fn a_delayed_add_does_not_revive_a_relation_lost_after_it() {
    let app = spawn(vec![]).await;
    // The loss (t=200) arrives before the add (t=100) it follows.
    deliver(
        &app,
        &contact_event("del_follow_user", "wangwu", "wmLATE", 1_700_000_200, ""),
    )
    .await;
    app.wait_for_inbox("the loss", all_settled).await;
    deliver(&app, &add_contact_event("wangwu", "wmLATE", 1_700_000_100)).await;
    app.wait_for_inbox("the add", |rows| rows.len() == 2 && all_settled(rows))
        .await;
    let db = app.db().await;
    assert_eq!(relation(&db, "wangwu", "wmLATE").await.status, "lost");

    // A real re-add, later than the loss, does revive it.
    deliver(&app, &add_contact_event("wangwu", "wmLATE", 1_700_000_300)).await;
    app.wait_for_inbox("the re-add", |rows| rows.len() == 3 && all_settled(rows))
        .await;
    let revived = relation(&db, "wangwu", "wmLATE").await;
    assert_eq!((revived.status.as_str(), revived.lost_by), ("active", None));
}

#[tokio::test]
async fn staff_changes_upsert_guides_and_a_resignation_lists_customers_for_transfer() {
    let app = spawn(vec![]).await;
    deliver(&app, &contact_change("create_user", "zhaoliu", 1_700_000_000, "<Name>赵六</Name><Department>7</Department><Position>导购</Position><Status>1</Status>")).await;
    deliver(&app, &add_contact_event("zhaoliu", "wmT1", 1_700_000_000)).await;
    deliver(&app, &add_contact_event("zhaoliu", "wmT2", 1_700_000_001)).await;
    deliver(
        &app,
        &contact_event("del_follow_user", "zhaoliu", "wmT2", 1_700_000_002, ""),
    )
    .await;
    app.wait_for_inbox("staff and contacts", |rows| {
        rows.len() == 4 && all_settled(rows)
    })
    .await;
    deliver(
        &app,
        &contact_change("delete_user", "zhaoliu", 1_700_000_900, ""),
    )
    .await;
    app.wait_for_inbox("the resignation", |rows| {
        rows.len() == 5 && all_settled(rows)
    })
    .await;

    let db = app.db().await;
    let guide = guide::Entity::find()
        .filter(guide::Column::WecomUserid.eq("zhaoliu"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            guide.name.as_str(),
            guide.position.as_deref(),
            guide.status.as_str()
        ),
        ("赵六", Some("导购"), "resigned")
    );
    assert!(guide.resigned_at.is_some());
    let transfers = customer_transfer::Entity::find().all(&db).await.unwrap();
    assert_eq!(
        transfers.len(),
        1,
        "only the customer still served awaits transfer"
    );
    assert_eq!(
        (transfers[0].status.as_str(), transfers[0].reason.as_str()),
        ("awaiting", "resigned")
    );
}

#[tokio::test]
async fn edits_and_tag_changes_queue_fetches_and_other_events_are_ignored() {
    let app = spawn(vec![]).await;
    deliver(
        &app,
        &contact_event(
            "edit_external_contact",
            "qianqi",
            "wmEDIT",
            1_700_000_000,
            "",
        ),
    )
    .await;
    deliver(&app, "<xml><MsgType>event</MsgType><Event>change_external_tag</Event><Id>etX</Id><TagType>tag</TagType><ChangeType>update</ChangeType></xml>").await;
    deliver(&app, "<xml><MsgType>event</MsgType><Event>change_external_chat</Event><ChatId>wrC</ChatId><ChangeType>dismiss</ChangeType></xml>").await;
    deliver(
        &app,
        "<xml><MsgType>event</MsgType><Event>some_future_event</Event></xml>",
    )
    .await;
    let rows = app
        .wait_for_inbox("four events", |rows| rows.len() == 4 && all_settled(rows))
        .await;
    let statuses: Vec<_> = rows.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(
        statuses,
        ["done", "done", "ignored", "ignored"],
        "unknown events are ignored, never failed"
    );

    let db = app.db().await;
    let queued = sync_queue(&db).await;
    assert!(
        queued.contains(&("contact".into(), "wmEDIT".into())),
        "{queued:?}"
    );
    assert!(
        queued.contains(&("tag_catalogue".into(), String::new())),
        "{queued:?}"
    );
}

#[tokio::test]
async fn a_signed_payload_that_is_not_xml_is_parked_as_failed_with_its_error() {
    let app = spawn(vec![]).await;
    deliver(&app, "this is not xml").await;
    let rows = app.wait_for_inbox("the bad payload", all_settled).await;
    assert_eq!(rows[0].status, "failed");
    assert!(
        rows[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("XML"),
        "{:?}",
        rows[0].last_error
    );
}

/// Everything the effects write, as comparable text (ids and times included).
async fn snapshot(db: &DatabaseConnection) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        guide::Entity::find()
            .order_by_asc(guide::Column::Id)
            .all(db)
            .await
            .unwrap(),
        customer::Entity::find()
            .order_by_asc(customer::Column::Id)
            .all(db)
            .await
            .unwrap(),
        guide_customer::Entity::find()
            .order_by_asc(guide_customer::Column::Id)
            .all(db)
            .await
            .unwrap(),
        follow_history::Entity::find()
            .order_by_asc(follow_history::Column::Id)
            .all(db)
            .await
            .unwrap(),
        customer_transfer::Entity::find()
            .order_by_asc(customer_transfer::Column::Id)
            .all(db)
            .await
            .unwrap(),
    )
}

#[tokio::test]
async fn applying_every_event_a_second_time_changes_nothing() {
    let app = spawn(vec![]).await;
    let events = [
        contact_change(
            "create_user",
            "sunba",
            1_699_999_999,
            "<Name>孙八</Name><Status>1</Status>",
        ),
        add_contact_event("sunba", "wmTWICE1", 1_700_000_000),
        add_contact_event("sunba", "wmTWICE2", 1_700_000_001),
        contact_event(
            "del_external_contact",
            "sunba",
            "wmTWICE1",
            1_700_000_050,
            "",
        ),
        contact_event(
            "transfer_fail",
            "sunba",
            "wmTWICE2",
            1_700_000_060,
            "<FailReason>customer_refused</FailReason>",
        ),
        contact_change("delete_user", "sunba", 1_700_000_900, ""),
    ];
    for event in &events {
        deliver(&app, event).await;
        // In order, one at a time, as WeCom would have sent them.
        app.wait_for_inbox("the event", all_settled).await;
    }
    let db = app.db().await;
    let before = snapshot(&db).await;

    for row in app.inbox().await {
        server::inbox::admin::retry(&db, row.id).await.unwrap();
    }
    app.wait_for_inbox("every event applied again", |rows| {
        rows.iter().all(|r| r.status == "done" && r.attempts == 1)
    })
    .await;
    assert_eq!(
        snapshot(&db).await,
        before,
        "a second application changed something"
    );
}

#[tokio::test]
async fn a_failing_effect_is_retried_with_backoff_then_parked_and_can_be_retried_by_hand() {
    let app = spawn(vec![("GUIDEDESK_INBOX_MAX_ATTEMPTS", "2".into())]).await;
    let db = app.db().await;
    // Break the effects: the history table is gone, so applying an add fails.
    db.execute_unprepared("ALTER TABLE follow_history RENAME TO follow_history_away")
        .await
        .unwrap();
    deliver(
        &app,
        &add_contact_event("zhoujiu", "wmRETRY", 1_700_000_000),
    )
    .await;

    let rows = app
        .wait_for_inbox("a first failed attempt", |rows| {
            rows.first()
                .is_some_and(|r| r.attempts == 1 && r.status == "pending")
        })
        .await;
    assert!(rows[0].last_error.is_some(), "the error is recorded");
    let wait = rows[0].next_attempt_at - rows[0].received_at;
    assert!(
        wait >= chrono::Duration::seconds(1),
        "the retry waits (backoff): {wait}"
    );
    assert!(
        relation_count(&db).await == 0,
        "a failed attempt leaves no half-applied effect"
    );

    let rows = app
        .wait_for_inbox("the row to be parked", |rows| {
            rows.first().is_some_and(|r| r.status == "failed")
        })
        .await;
    assert_eq!(rows[0].attempts, 2);

    db.execute_unprepared("ALTER TABLE follow_history_away RENAME TO follow_history")
        .await
        .unwrap();
    server::inbox::admin::retry(&db, rows[0].id).await.unwrap();
    app.wait_for_inbox("the retried row", |rows| {
        rows.first().is_some_and(|r| r.status == "done")
    })
    .await;
    assert_eq!(relation_count(&db).await, 1);
}

async fn relation_count(db: &DatabaseConnection) -> usize {
    guide_customer::Entity::find().all(db).await.unwrap().len()
}

/// Two servers on one database, each receiving half of 200 callbacks and each running a
/// worker: both claim rows (the race is real), and no row is claimed or applied twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_on_one_postgres_never_apply_a_row_twice() {
    if test_database_url().is_none() {
        tests::backends::without_backend("TEST_DATABASE_URL (PostgreSQL)");
        return;
    }
    let first = spawn(vec![]).await;
    let mut env = callback_env();
    env.push(("GUIDEDESK_LISTEN", "127.0.0.1:0".into()));
    let second = spawn_app_with(TestOptions {
        env,
        shared_database_url: Some(first.database_url.clone()),
        ..Default::default()
    })
    .await;
    let total = 200;
    let deliveries = (0..total).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        async move {
            deliver(
                app,
                &add_contact_event(
                    &format!("guide{}", i % 7),
                    &format!("wmREPLICA{i}"),
                    1_700_000_000 + i,
                ),
            )
            .await
        }
    });
    futures_util::future::join_all(deliveries).await;
    let rows = first
        .wait_for_inbox("every row applied", |rows| {
            rows.len() == total as usize && all_settled(rows)
        })
        .await;
    assert!(
        rows.iter()
            .all(|r| r.status == "done" && r.attempts == 1 && r.applications == 1),
        "each row was claimed once and applied once"
    );
    let workers: std::collections::BTreeMap<&str, usize> =
        rows.iter().fold(Default::default(), |mut counts, row| {
            *counts
                .entry(row.claimed_by.as_deref().unwrap_or("-"))
                .or_default() += 1;
            counts
        });
    assert_eq!(
        workers.len(),
        2,
        "both replicas' workers claimed rows: {workers:?}"
    );
    let db = first.db().await;
    assert_eq!(history(&db).await.len(), total as usize);
    assert_eq!(relation_count(&db).await, total as usize);
}

#[tokio::test]
async fn postgres_down_while_storing_answers_503_and_wecoms_retry_is_stored_once() {
    if test_database_url().is_none() {
        tests::backends::without_backend("TEST_DATABASE_URL (PostgreSQL)");
        return;
    }
    let app = spawn_app_with(TestOptions {
        proxy_database: true,
        env: callback_env(),
        ..Default::default()
    })
    .await;
    let payload = add_contact_event("guide-down", "wm-down", 1_763_000_000);
    let (query, body) = event_request(&payload);

    app.database_proxy.as_ref().unwrap().take_down();
    let refused = app.post_callback(&query, body.clone()).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    let error: ApiError = refused.json().await.unwrap();
    assert_eq!(error.code, "database_unavailable");

    // WeCom delivers again once we answer anything but 200; the same request now lands once.
    app.database_proxy.as_ref().unwrap().bring_up();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let response = app.post_callback(&query, body.clone()).await;
        if response.status() == StatusCode::OK {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still {} after the database came back",
            response.status()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        app.post_callback(&query, body).await.status(),
        StatusCode::OK
    );
    let rows = app.inbox().await;
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0].payload, payload);
}
