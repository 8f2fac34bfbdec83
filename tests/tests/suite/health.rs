use reqwest::StatusCode;
use shared::ApiError;
use tests::spawn_app;

#[tokio::test]
async fn healthz_says_the_process_is_alive_with_its_version() {
    let app = spawn_app().await;
    let health = app.health().await;
    assert_eq!(health.status, "ok");
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn readyz_is_ready_when_database_and_cache_answer() {
    let app = spawn_app().await;
    let (status, readiness) = app.readiness().await;
    assert_eq!(
        status,
        StatusCode::OK,
        "on {}: {readiness:?}",
        app.backend_description()
    );
    assert!(readiness.ready);
    let names: Vec<_> = readiness.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["database", "cache"]);
    assert!(readiness.checks.iter().all(|c| c.ok && c.error.is_none()));
}

#[tokio::test]
async fn an_unknown_route_answers_404_with_the_error_body() {
    let app = spawn_app().await;
    let (status, error): (_, ApiError) = app.get_json("/no/such/thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error.code, "not_found");
    assert!(!error.message.is_empty());
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    let generated = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(generated.len(), 32, "a fresh uuid: {generated}");

    let too_long = "a".repeat(65);
    let cases = [
        ("edge-7f3a_01", Some("edge-7f3a_01")),
        ("has spaces", None),
        ("../../etc/passwd", None),
        (too_long.as_str(), None),
    ];
    for (incoming, kept) in cases {
        let response = app
            .http
            .get(app.url("/healthz"))
            .header("x-request-id", incoming)
            .send()
            .await
            .unwrap();
        let echoed = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        match kept {
            Some(expected) => assert_eq!(echoed, expected, "a sane id is kept"),
            None => assert_ne!(echoed, incoming, "{incoming:?} must be replaced"),
        }
    }
}
