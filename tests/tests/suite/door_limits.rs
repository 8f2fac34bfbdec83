//! The public doors under a flood: sign-in, the session check and the short links answer 429
//! with `Retry-After` past an address's allowance (other addresses, behind a trusted proxy,
//! and other routes carry on); the callback door sheds what it cannot take in at once with
//! 503, and every callback it acknowledged is stored, while the other doors refuse a flood.

use std::sync::Arc;

use reqwest::StatusCode;
use tests::app::{TestOptions, spawn_app_with};
use tests::wecom::{add_contact_event, event_request, spawn_callback_app};

async fn get(app: &tests::TestApp, path: &str, forwarded: Option<&str>) -> reqwest::Response {
    let mut request = app.http.get(app.url(path));
    if let Some(address) = forwarded {
        request = request.header("x-forwarded-for", format!("203.0.113.9, {address}"));
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn past_an_addresss_allowance_the_doors_answer_429_with_retry_after() {
    let app = spawn_app_with(TestOptions {
        env: vec![("GUIDEDESK_RATE_LIMIT_PER_IP", "4".into())],
        ..TestOptions::default()
    })
    .await;
    // The session check, the short link and sign-in's start share the address's allowance.
    for path in [
        "/api/v1/session",
        "/s/NoSuchToken",
        "/api/v1/session",
        "/s/Other",
    ] {
        let status = get(&app, path, None).await.status();
        assert!(status == 401 || status == 404, "{path}: {status}");
    }
    for path in ["/api/v1/session", "/s/NoSuchToken", "/auth/wecom/start"] {
        let refused = get(&app, path, None).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        let wait: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["code"], "rate_limited");
    }
    // Other routes are not limited.
    assert_eq!(get(&app, "/healthz", None).await.status(), StatusCode::OK);
    // Without a trusted proxy, a made-up X-Forwarded-For does not buy a new allowance.
    let spoofed = get(&app, "/api/v1/session", Some("198.51.100.7")).await;
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_allowance() {
    let app = spawn_app_with(TestOptions {
        env: vec![
            ("GUIDEDESK_RATE_LIMIT_PER_IP", "2".into()),
            ("GUIDEDESK_TRUST_X_FORWARDED_FOR", "true".into()),
        ],
        ..TestOptions::default()
    })
    .await;
    let one = Some("198.51.100.1");
    for _ in 0..2 {
        assert_eq!(get(&app, "/api/v1/session", one).await.status(), 401);
    }
    assert_eq!(get(&app, "/api/v1/session", one).await.status(), 429);
    let two = get(&app, "/api/v1/session", Some("198.51.100.2")).await;
    assert_eq!(two.status(), StatusCode::UNAUTHORIZED);
}

/// 300 callbacks at once with room for one at a time, while the short link is flooded from
/// the same address: every callback is answered 200 (stored) or 503 (shed, nothing read); the
/// shed ones sent again later, as WeCom does, and then all are stored, each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_callback_door_sheds_with_503_and_loses_no_acknowledged_callback() {
    const CALLBACKS: usize = 300;
    let app = Arc::new(
        spawn_callback_app(vec![
            ("GUIDEDESK_CALLBACK_MAX_IN_FLIGHT", "1".into()),
            ("GUIDEDESK_RATE_LIMIT_PER_IP", "10".into()),
            ("GUIDEDESK_INBOX_WORKER", "false".into()),
        ])
        .await,
    );
    let payloads: Vec<String> = (0..CALLBACKS)
        .map(|n| {
            add_contact_event(
                "guide.li",
                &format!("wmFLOOD{n:03}"),
                1_700_000_000 + n as i64,
            )
        })
        .collect();
    let flood = {
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let mut refused = 0;
            for _ in 0..100 {
                if get(&app, "/s/Flood", None).await.status() == StatusCode::TOO_MANY_REQUESTS {
                    refused += 1;
                }
            }
            refused
        })
    };
    let sent: Vec<_> = (0..CALLBACKS)
        .map(|n| {
            let (app, (query, body)) = (Arc::clone(&app), event_request(&payloads[n]));
            tokio::spawn(async move { (n, app.post_callback(&query, body).await.status()) })
        })
        .collect();
    let (mut acknowledged, mut waiting) = (0, Vec::new());
    for answer in sent {
        match answer.await.unwrap() {
            (_, StatusCode::OK) => acknowledged += 1,
            (n, StatusCode::SERVICE_UNAVAILABLE) => waiting.push(n),
            (n, other) => panic!("callback {n}: {other}"),
        }
    }
    let shed = waiting.len();
    // WeCom sends the shed ones again later, spread out: one at a time they are taken in.
    for attempt in 0..5 {
        let mut still = Vec::new();
        for n in waiting {
            let (query, body) = event_request(&payloads[n]);
            match app.post_callback(&query, body).await.status() {
                StatusCode::OK => acknowledged += 1,
                StatusCode::SERVICE_UNAVAILABLE => still.push(n),
                other => panic!("callback {n}, attempt {attempt}: {other}"),
            }
        }
        waiting = still;
    }
    assert!(waiting.is_empty(), "{} never taken in", waiting.len());
    assert_eq!(acknowledged, CALLBACKS);
    assert!(shed > 0, "one at a time, 300 at once: some were shed");
    assert_eq!(
        app.inbox().await.len(),
        CALLBACKS,
        "every acknowledged callback stored once"
    );
    assert!(
        flood.await.unwrap() >= 90,
        "the short link refused the flood meanwhile"
    );
}
