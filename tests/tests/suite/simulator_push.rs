//! The simulator as WeCom's callback sender: events encrypted and signed with the app's
//! Token and EncodingAESKey, POSTed to a running GuideDesk, which stores and applies them.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::directory;
use server::entity::{customer, guide_customer};
use tests::guide_session::spawn_app_on;
use tests::simulator::TestSimulator;
use tests::wecom::{AES_KEY, TOKEN};

async fn post(simulator: &TestSimulator, path: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", simulator.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn pushed_callbacks_reach_the_server_encrypted_and_are_applied() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(
        &simulator,
        vec![
            ("WECOM_CALLBACK_TOKEN", TOKEN.into()),
            ("WECOM_CALLBACK_AES_KEY", AES_KEY.into()),
        ],
    )
    .await;
    let (status, body) = post(
        &simulator,
        "sim/push",
        json!({"event": "delete_user", "userid": "x"}),
    )
    .await;
    assert_eq!(status, 409, "no target yet: {body}");

    let target =
        json!({"url": app.url("/wecom/callback"), "token": TOKEN, "encoding_aes_key": AES_KEY});
    assert_eq!(post(&simulator, "sim/callback-target", target).await.0, 204);
    let (status, answer) = post(
        &simulator,
        "sim/push",
        json!({"event": "add_external_contact", "userid": "guide.li", "external_userid": "wmNEW0001", "state": "store-0202"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer["status"], 200, "GuideDesk accepted it: {answer}");
    assert_eq!(answer["body"], "", "and answered with an empty body");

    app.wait_for_inbox("the add applied", |rows| {
        rows.len() == 1 && rows[0].status == "done"
    })
    .await;
    let db = app.db().await;
    let li = directory::find_guide(&db, "guide.li")
        .await
        .unwrap()
        .unwrap();
    let new = customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq("wmNEW0001"))
        .one(&db)
        .await
        .unwrap()
        .expect("the customer exists");
    let relation = guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(li.id))
        .filter(guide_customer::Column::CustomerId.eq(new.id))
        .one(&db)
        .await
        .unwrap()
        .expect("the relation exists");
    assert_eq!(relation.status, "active");
    assert_eq!(relation.state.as_deref(), Some("store-0202"));

    // The simulated corp changed too, so a sync agrees with what was pushed.
    let wecom = simulator.client(std::sync::Arc::new(server::cache::MemoryCache::new()));
    assert!(
        wecom
            .contact_ids("guide.li")
            .await
            .unwrap()
            .contains(&"wmNEW0001".to_owned())
    );

    let (_, answer) = post(
        &simulator,
        "sim/push",
        json!({"event": "del_follow_user", "userid": "guide.li", "external_userid": "wmNEW0001"}),
    )
    .await;
    assert_eq!(answer["status"], 200);
    app.wait_for_inbox("the loss applied", |rows| {
        rows.len() == 2 && rows.iter().all(|r| r.status == "done")
    })
    .await;
    let relation = guide_customer::Entity::find_by_id(relation.id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(relation.status, "lost");
    assert_eq!(relation.lost_by.as_deref(), Some("customer"));

    // A target with the wrong Token: GuideDesk refuses the signature.
    let wrong = json!({"url": app.url("/wecom/callback"), "token": "WrongToken1", "encoding_aes_key": AES_KEY});
    assert_eq!(post(&simulator, "sim/callback-target", wrong).await.0, 204);
    let (_, answer) = post(
        &simulator,
        "sim/push",
        json!({"event": "delete_user", "userid": "guide.wang"}),
    )
    .await;
    assert_eq!(answer["status"], 401, "{answer}");
    assert_eq!(app.inbox().await.len(), 2, "nothing stored");
}
