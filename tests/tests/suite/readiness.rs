//! `/readyz` names the dependency that is down, and recovers when it is back. The dependency
//! is taken down through a proxy, so the shared PostgreSQL and Redis keep serving the other
//! tests. These run when the suite runs on PostgreSQL / Redis (TEST_DATABASE_URL,
//! TEST_REDIS_URL); on SQLite there is no server to lose.

use std::time::Duration;

use reqwest::StatusCode;
use shared::Readiness;
use tests::backends::{test_database_url, test_redis_url};
use tests::{TestApp, TestOptions, spawn_app_with};

/// Polls `/readyz` until it gives `want` (the pool notices a dead server on its next use).
async fn readiness_becomes(app: &TestApp, want: StatusCode) -> Readiness {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (status, readiness) = app.readiness().await;
        if status == want {
            return readiness;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz stayed {status} ({readiness:?}), expected {want}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn check<'a>(readiness: &'a Readiness, name: &str) -> &'a shared::ReadinessCheck {
    readiness
        .checks
        .iter()
        .find(|c| c.name == name)
        .expect(name)
}

#[tokio::test]
async fn readyz_is_503_naming_the_database_while_postgres_is_down_and_200_when_back() {
    if test_database_url().is_none() {
        tests::backends::without_backend("TEST_DATABASE_URL (PostgreSQL)");
        return;
    }
    let app = spawn_app_with(TestOptions {
        proxy_database: true,
        ..Default::default()
    })
    .await;
    readiness_becomes(&app, StatusCode::OK).await;

    app.database_proxy.as_ref().unwrap().take_down();
    let down = readiness_becomes(&app, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(!down.ready);
    let database = check(&down, "database");
    assert!(!database.ok);
    assert!(
        database.error.as_deref().unwrap().contains("database"),
        "{database:?}"
    );
    assert!(check(&down, "cache").ok, "only the database is down");
    // The process itself is still alive.
    assert_eq!(app.health().await.status, "ok");

    app.database_proxy.as_ref().unwrap().bring_up();
    let back = readiness_becomes(&app, StatusCode::OK).await;
    assert!(back.ready);
}

#[tokio::test]
async fn readyz_is_503_naming_the_cache_while_redis_is_down_and_200_when_back() {
    if test_redis_url().is_none() {
        tests::backends::without_backend("TEST_REDIS_URL");
        return;
    }
    let app = spawn_app_with(TestOptions {
        proxy_cache: true,
        ..Default::default()
    })
    .await;
    readiness_becomes(&app, StatusCode::OK).await;

    app.cache_proxy.as_ref().unwrap().take_down();
    let down = readiness_becomes(&app, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(!check(&down, "cache").ok);
    assert!(check(&down, "database").ok, "only the cache is down");

    app.cache_proxy.as_ref().unwrap().bring_up();
    readiness_becomes(&app, StatusCode::OK).await;
}
