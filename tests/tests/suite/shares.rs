//! Shares, the record of every send: prepared once per idempotency key (64 taps at once give
//! one share, on either database), stamped with the guide's store at that moment (a stamp
//! that verifies), and reported sent or cancelled only by the guide who prepared it.

use std::sync::Arc;

use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use server::commerce::batch::{Kind, apply_batch};
use server::config::StampSettings;
use server::entity::share;
use server::shares::{Sender, ShareError, SharedItem, prepare_share};
use server::stamp::{ParamNames, Recipient, StampKeys, verify_link};
use tests::guide_session::{SessionCookie, sign_in, spawn_app_on};
use tests::simulator::TestSimulator;
use tests::sql::number;
use tests::{TestApp, count_rows};
use tokio::sync::Barrier;

const KEYS: &str = "k1:the-stamp-key-of-the-test-brand-000000001";

fn stamping() -> StampSettings {
    StampSettings {
        keys: StampKeys::parse(KEYS).unwrap(),
        params: ParamNames::default(),
        max_age_secs: 90 * 86_400,
    }
}

fn coupon() -> SharedItem {
    SharedItem {
        kind: "coupon",
        id: "CT-100".into(),
        target: "https://mall.example.com/coupon/claim?template=CT-100".into(),
    }
}

struct Setup {
    _simulator: TestSimulator,
    app: TestApp,
    li: (Sender, SessionCookie),
    wang: (Sender, SessionCookie),
}

/// The sample corp's guide.li (assigned to store S001) and guide.wang, signed in.
async fn setup() -> Setup {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let db = app.db().await;
    let now = Utc::now();
    let store =
        json!({"id": "S001", "updated_at": "2026-01-01T00:00:00Z", "name": "上海南京西路店"});
    apply_batch(&db, Kind::Stores, vec![store], now)
        .await
        .unwrap();
    let staff = json!({"id": "E001", "updated_at": "2026-01-01T00:00:00Z",
        "wecom_userid": "guide.li", "store_id": "S001", "role": "guide"});
    apply_batch(&db, Kind::Staff, vec![staff], now)
        .await
        .unwrap();
    let mut signed_in = Vec::new();
    for userid in ["guide.li", "guide.wang"] {
        let cookie = sign_in(&app, &simulator, userid).await;
        let guide_id = number(
            &db,
            &format!("SELECT id FROM guides WHERE wecom_userid = '{userid}'"),
        )
        .await;
        let sender = Sender {
            guide_id,
            staff_userid: userid.into(),
        };
        signed_in.push((sender, cookie));
    }
    let wang = signed_in.pop().unwrap();
    let li = signed_in.pop().unwrap();
    Setup {
        _simulator: simulator,
        app,
        li,
        wang,
    }
}

async fn report(
    app: &TestApp,
    cookie: &SessionCookie,
    token: &str,
    what: &str,
) -> (StatusCode, Value) {
    let response = app
        .http
        .post(app.url(&format!("/api/v1/shares/{token}/{what}")))
        .header(COOKIE, &cookie.0)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_share_per_idempotency_key_even_for_64_taps_at_once_stamped_with_the_store() {
    let setup = setup().await;
    let db = setup.app.db().await;
    let customer = Recipient::Customer("wmCUSTOMER0001".into());
    let start = Arc::new(Barrier::new(64));
    let taps: Vec<_> = (0..64)
        .map(|_| {
            let (db, sender, customer) = (db.clone(), setup.li.0.clone(), customer.clone());
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                prepare_share(&db, &stamping(), &sender, &customer, &coupon(), "tap-1").await
            })
        })
        .collect();
    let mut shares = Vec::new();
    for tap in taps {
        shares.push(tap.await.unwrap().expect("every tap gets the share"));
    }
    let created = shares.iter().filter(|(_, created)| *created).count();
    assert_eq!(created, 1, "one tap created it, the others got it back");
    assert!(
        shares
            .iter()
            .all(|(share, _)| share.token == shares[0].0.token)
    );
    assert_eq!(count_rows::<share::Entity>(&db).await, 1);

    let share = &shares[0].0;
    assert!(share.token.len() >= 16, "an opaque token: {}", share.token);
    assert_eq!(share.state, "prepared");
    let store = number(&db, "SELECT id FROM stores WHERE source_id = 'S001'").await;
    assert_eq!(share.store_id, Some(store));
    let (stamp, _) = verify_link(
        &share.link,
        &stamping().keys,
        &ParamNames::default(),
        Utc::now().timestamp(),
        90 * 86_400,
    )
    .expect("the link's stamp verifies");
    assert_eq!(stamp.share, share.token);
    assert_eq!(stamp.recipient, customer);
    assert_eq!(
        (stamp.staff.as_str(), stamp.guide),
        ("guide.li", setup.li.0.guide_id)
    );
    assert_eq!(stamp.store, Some(store));
    assert!(
        share
            .link
            .starts_with("https://mall.example.com/coupon/claim?template=CT-100&")
    );

    // The same key for something else is refused; another key is another share.
    let product = SharedItem {
        kind: "product",
        id: "P-1".into(),
        target: "https://mall.example.com/p/1".into(),
    };
    let reused = prepare_share(&db, &stamping(), &setup.li.0, &customer, &product, "tap-1").await;
    assert!(matches!(reused, Err(ShareError::KeyReused)), "{reused:?}");
    let chat = Recipient::Chat("wrCHAT0001".into());
    let (other, created) = prepare_share(&db, &stamping(), &setup.li.0, &chat, &coupon(), "tap-2")
        .await
        .unwrap();
    assert!(created && other.token != share.token);
    assert_eq!(
        (other.recipient_kind.as_str(), other.recipient_id.as_str()),
        ("chat", "wrCHAT0001")
    );
    // A guide with no store assignment: no store in the stamp.
    let (theirs, _) = prepare_share(
        &db,
        &stamping(),
        &setup.wang.0,
        &customer,
        &coupon(),
        "tap-1",
    )
    .await
    .unwrap();
    assert_ne!(theirs.token, share.token, "keys are per guide");
    assert_eq!(theirs.store_id, None);
    assert!(!theirs.link.contains("gd_store="));
}

#[tokio::test]
async fn only_the_guide_who_prepared_a_share_reports_it_sent_or_cancelled() {
    let setup = setup().await;
    let db = setup.app.db().await;
    let customer = Recipient::Customer("wmCUSTOMER0002".into());
    let (li, li_cookie) = &setup.li;
    let (_, wang_cookie) = &setup.wang;
    let (sent, _) = prepare_share(&db, &stamping(), li, &customer, &coupon(), "a")
        .await
        .unwrap();
    let (dropped, _) = prepare_share(&db, &stamping(), li, &customer, &coupon(), "b")
        .await
        .unwrap();

    // Another guide's share reads as no share at all.
    let (status, body) = report(&setup.app, wang_cookie, &sent.token, "sent").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = report(&setup.app, li_cookie, "nosuchtoken", "sent").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = report(&setup.app, li_cookie, &sent.token, "sent").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "sent");
    let first_sent_at = body["sent_at"].clone();
    assert!(first_sent_at.is_string(), "{body}");
    let (status, again) = report(&setup.app, li_cookie, &sent.token, "sent").await;
    assert_eq!(
        (status, &again["sent_at"]),
        (StatusCode::OK, &first_sent_at),
        "reported twice: unchanged"
    );
    let (status, body) = report(&setup.app, li_cookie, &sent.token, "cancel").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("share_state"))
    );
    assert!(
        body["message"].as_str().unwrap().contains("无法撤回"),
        "{body}"
    );

    let (status, body) = report(&setup.app, li_cookie, &dropped.token, "cancel").await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let (status, body) = report(&setup.app, li_cookie, &dropped.token, "sent").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Without a session: refused before anything is read.
    let response = setup
        .app
        .http
        .post(
            setup
                .app
                .url(&format!("/api/v1/shares/{}/sent", dropped.token)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
