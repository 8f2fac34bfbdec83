//! `GET /metrics`, parsed by a Prometheus text parser: requests counted by route pattern and
//! status (never a path's token), callbacks by kind and outcome, WeCom calls by endpoint and
//! errcode, sessions, ingest records, the inbox's backlog and the database pool; served on
//! its own address when `GUIDEDESK_METRICS_LISTEN` is set, and then not on the public one.

use std::time::Duration;

use prometheus_parse::{Sample, Scrape, Value};
use reqwest::StatusCode;
use serde_json::json;
use tests::app::{TestOptions, spawn_app_with};

use crate::attribution::{order, orders_through_the_ingest_api};
use crate::sending::{Brand, brand, customer_id, push_contact_added};

async fn scrape(http: &reqwest::Client, url: String) -> (Scrape, String) {
    let answer = http.get(url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let kind = answer.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let text = answer.text().await.unwrap();
    let parsed = Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).unwrap();
    (parsed, text)
}

/// The samples of `name` whose labels include every one of `labels`.
fn samples<'a>(scrape: &'a Scrape, name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .collect()
}

fn count(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    samples(scrape, name, labels)
        .iter()
        .map(|s| match s.value {
            Value::Counter(n) | Value::Gauge(n) | Value::Untyped(n) => n,
            _ => 0.0,
        })
        .sum()
}

async fn ingest_one_order(brand: &Brand) {
    let records = vec![order("O-METRICS", "M1", 100, json!({}))];
    let answer = orders_through_the_ingest_api(&brand.app, records).await;
    assert_eq!(answer.status(), StatusCode::OK);
}

async fn applied_callbacks(brand: &Brand) -> i64 {
    tests::sql::number(
        &brand.db,
        "SELECT COUNT(*) FROM callback_inbox WHERE status = 'done'",
    )
    .await
}

#[tokio::test]
async fn a_scrape_counts_what_happened_with_bounded_labels_only() {
    // Signs guide.li and guide.wang in through the simulated WeCom (token, OAuth, sessions).
    let brand = brand().await;
    let http = &brand.app.http;
    let token = "NoSuchShareToken42";
    let opened = http.get(brand.app.url(&format!("/s/{token}"))).send().await;
    assert_eq!(opened.unwrap().status(), StatusCode::NOT_FOUND);
    let lost = http.get(brand.app.url("/nowhere/wmSecret77")).send().await;
    assert_eq!(lost.unwrap().status(), StatusCode::NOT_FOUND);
    ingest_one_order(&brand).await;
    let before = applied_callbacks(&brand).await;
    push_contact_added(&brand, "guide.wang", &customer_id(1)).await;
    for _ in 0..100 {
        if applied_callbacks(&brand).await > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let (scraped, text) = scrape(http, brand.app.url("/metrics")).await;
    let requests = "guidedesk_http_requests_total";
    let pattern = [("route", "/s/:token"), ("status", "404"), ("method", "GET")];
    assert!(count(&scraped, requests, &pattern) >= 1.0, "{text}");
    assert!(count(&scraped, requests, &[("route", "unmatched")]) >= 1.0);
    let timed = samples(
        &scraped,
        "guidedesk_http_request_duration_seconds",
        &[("route", "/api/v1/ingest/:kind")],
    );
    assert!(!timed.is_empty(), "the ingest request is timed: {text}");
    let added = [
        ("kind", "change_external_contact/add_external_contact"),
        ("outcome", "done"),
    ];
    assert!(count(&scraped, "guidedesk_callbacks_total", &added) >= 1.0);
    let token_calls = [("endpoint", "cgi-bin/gettoken"), ("errcode", "0")];
    assert!(count(&scraped, "guidedesk_wecom_api_calls_total", &token_calls) >= 1.0);
    let refreshed = [("credential", "access_token")];
    assert!(
        count(
            &scraped,
            "guidedesk_wecom_credential_refreshes_total",
            &refreshed
        ) >= 1.0
    );
    assert!(
        count(
            &scraped,
            "guidedesk_sessions_total",
            &[("event", "started")]
        ) >= 2.0
    );
    let accepted = [("kind", "orders"), ("outcome", "accepted")];
    assert!(count(&scraped, "guidedesk_ingest_records_total", &accepted) >= 1.0);
    for gauge in [
        "guidedesk_inbox_waiting",
        "guidedesk_inbox_failed",
        "guidedesk_inbox_oldest_waiting_seconds",
        "guidedesk_db_pool_max_connections",
    ] {
        assert_eq!(samples(&scraped, gauge, &[]).len(), 1, "{gauge}: {text}");
    }
    assert!(count(&scraped, "guidedesk_db_pool_max_connections", &[]) >= 1.0);
    assert!(
        !samples(
            &scraped,
            "guidedesk_db_pool_connections",
            &[("state", "in_use")]
        )
        .is_empty()
    );
    // No path's token, customer id, session or WeCom credential reaches a label.
    let session = brand.li.0.split_once('=').unwrap().1;
    for secret in [token, "wmSecret77", "wmC0001", session, "access_token="] {
        assert!(!text.contains(secret), "{secret:?} in the scrape");
    }
}

#[tokio::test]
async fn metrics_on_their_own_address_are_not_served_on_the_public_one() {
    let app = spawn_app_with(TestOptions {
        env: vec![("GUIDEDESK_METRICS_LISTEN", "127.0.0.1:0".into())],
        ..TestOptions::default()
    })
    .await;
    let public = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    let port = app.metrics_port.expect("served apart");
    let apart = format!("http://127.0.0.1:{port}");
    let (scraped, text) = scrape(&app.http, format!("{apart}/metrics")).await;
    assert_eq!(
        samples(&scraped, "guidedesk_inbox_waiting", &[]).len(),
        1,
        "{text}"
    );
    // Only /metrics there: the API is not reachable through the private door.
    let health = app
        .http
        .get(format!("{apart}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::NOT_FOUND);
}
