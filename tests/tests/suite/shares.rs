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
use server::database::WriteGate;
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
        coupon: None,
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
    apply_batch(
        &db,
        Kind::Stores,
        vec![store],
        now,
        &server::commerce::stamped::NothingAfter,
    )
    .await
    .unwrap();
    let staff = json!({"id": "E001", "updated_at": "2026-01-01T00:00:00Z",
        "wecom_userid": "guide.li", "store_id": "S001", "role": "guide"});
    apply_batch(
        &db,
        Kind::Staff,
        vec![staff],
        now,
        &server::commerce::stamped::NothingAfter,
    )
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
        let sender = Sender::now(&db, guide_id, userid).await.unwrap();
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
                prepare_share(
                    &db,
                    &WriteGate::default(),
                    &stamping(),
                    &sender,
                    &customer,
                    &coupon(),
                    "tap-1",
                )
                .await
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
        coupon: None,
    };
    let reused = prepare_share(
        &db,
        &WriteGate::default(),
        &stamping(),
        &setup.li.0,
        &customer,
        &product,
        "tap-1",
    )
    .await;
    assert!(matches!(reused, Err(ShareError::KeyReused)), "{reused:?}");
    let chat = Recipient::Chat("wrCHAT0001".into());
    let (other, created) = prepare_share(
        &db,
        &WriteGate::default(),
        &stamping(),
        &setup.li.0,
        &chat,
        &coupon(),
        "tap-2",
    )
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
        &WriteGate::default(),
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
    let (sent, _) = prepare_share(
        &db,
        &WriteGate::default(),
        &stamping(),
        li,
        &customer,
        &coupon(),
        "a",
    )
    .await
    .unwrap();
    let (dropped, _) = prepare_share(
        &db,
        &WriteGate::default(),
        &stamping(),
        li,
        &customer,
        &coupon(),
        "b",
    )
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

async fn open(
    app: &TestApp,
    token: &str,
    agent: &str,
    cookie: Option<&str>,
    head: bool,
) -> reqwest::Response {
    let url = app.url(&format!("/s/{token}"));
    let mut request = if head {
        app.http.head(url)
    } else {
        app.http.get(url)
    };
    request = request.header(reqwest::header::USER_AGENT, agent);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

/// `(client, visitor)` of the share's recorded clicks, oldest first, once there are `n`.
async fn clicks(
    db: &sea_orm::DatabaseConnection,
    share_id: i64,
    n: usize,
) -> Vec<(String, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use server::entity::share_click;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let rows = share_click::Entity::find()
            .filter(share_click::Column::ShareId.eq(share_id))
            .order_by_asc(share_click::Column::Id)
            .all(db)
            .await
            .unwrap();
        if rows.len() >= n || tokio::time::Instant::now() > deadline {
            return rows.into_iter().map(|r| (r.client, r.visitor)).collect();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_short_link_redirects_to_the_stamped_target_and_counts_opens_by_client() {
    const CHROME: &str =
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36";
    let setup = setup().await;
    let db = setup.app.db().await;
    let customer = Recipient::Customer("wmCUSTOMER0003".into());
    let (share, _) = prepare_share(
        &db,
        &WriteGate::default(),
        &stamping(),
        &setup.li.0,
        &customer,
        &coupon(),
        "s",
    )
    .await
    .unwrap();

    let first = open(&setup.app, &share.token, CHROME, None, false).await;
    assert_eq!(first.status(), StatusCode::FOUND);
    assert_eq!(
        first.headers()["location"],
        share.link.as_str(),
        "the stamped target"
    );
    let visitor = tests::guide_session::set_cookie(&first, "gd_v")
        .expect("a visitor cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let again = open(&setup.app, &share.token, CHROME, Some(&visitor), false).await;
    assert_eq!(again.status(), StatusCode::FOUND);
    assert!(
        tests::guide_session::set_cookie(&again, "gd_v").is_none(),
        "known visitor"
    );
    for (agent, head) in [
        (
            "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 wxwork/4.1.30",
            false,
        ),
        (
            "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 NetType/WIFI",
            false,
        ),
        ("facebookexternalhit/1.1", false),
        (CHROME, true),
    ] {
        let response = open(&setup.app, &share.token, agent, None, head).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{agent}");
    }
    let recorded = clicks(&db, share.id, 6).await;
    let kinds: Vec<&str> = recorded.iter().map(|(client, _)| client.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "browser", "browser", "wecom", "wechat", "preview", "preview"
        ]
    );
    assert_eq!(recorded[0].1, recorded[1].1, "one visitor, twice");
    assert_eq!(format!("gd_v={}", recorded[0].1), visitor);
    assert_ne!(recorded[2].1, recorded[0].1);

    // Unknown, cancelled, or not a web page: a Chinese page, no redirect, nothing counted.
    let (cancelled, _) = prepare_share(
        &db,
        &WriteGate::default(),
        &stamping(),
        &setup.li.0,
        &customer,
        &coupon(),
        "c",
    )
    .await
    .unwrap();
    server::shares::cancel_share(
        &db,
        &WriteGate::default(),
        setup.li.0.guide_id,
        &cancelled.token,
    )
    .await
    .unwrap();
    let mini = SharedItem {
        kind: "product",
        id: "P-9".into(),
        target: "pages/product/detail.html?id=9".into(),
        coupon: None,
    };
    let (mini, _) = prepare_share(
        &db,
        &WriteGate::default(),
        &stamping(),
        &setup.li.0,
        &customer,
        &mini,
        "m",
    )
    .await
    .unwrap();
    for token in ["nosuchtoken", cancelled.token.as_str(), mini.token.as_str()] {
        let response = open(&setup.app, token, CHROME, None, false).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{token}");
        assert!(response.headers().get("location").is_none());
        assert!(response.text().await.unwrap().contains("链接不存在"));
    }
    // A share opened (and so kept in memory) and then cancelled by its guide stops at once.
    let (status, _) = report(&setup.app, &setup.li.1, &share.token, "sent").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = report(&setup.app, &setup.li.1, &share.token, "cancel").await;
    assert_eq!(status, StatusCode::CONFLICT, "a sent share stays sent");
    let (kept, _) = prepare_share(
        &db,
        &WriteGate::default(),
        &stamping(),
        &setup.li.0,
        &customer,
        &coupon(),
        "k",
    )
    .await
    .unwrap();
    let before = open(&setup.app, &kept.token, CHROME, None, false).await;
    assert_eq!(before.status(), StatusCode::FOUND);
    let (status, _) = report(&setup.app, &setup.li.1, &kept.token, "cancel").await;
    assert_eq!(status, StatusCode::OK);
    let after = open(&setup.app, &kept.token, CHROME, None, false).await;
    assert_eq!(
        after.status(),
        StatusCode::NOT_FOUND,
        "cancelled: no longer redirects"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        count_rows::<server::entity::share_click::Entity>(&db).await,
        7
    );
}
