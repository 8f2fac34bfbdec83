//! The server's logs while guides sign in, get JS-SDK signatures (also while WeCom fails)
//! and sign out, captured from every thread: no session token, access token, ticket or
//! secret is ever written.
//!
//! Alone in its test binary: it installs the process-wide log subscriber.

use std::sync::{Arc, Mutex};

use reqwest::header::COOKIE;
use serde_json::json;
use tests::guide_session::{post_code, session_cookie, spawn_app_on};
use tests::simulator::{TestSimulator, fault};

#[derive(Clone, Default)]
struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn sessions_tokens_and_tickets_never_reach_the_servers_logs() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let code = simulator.oauth_code(json!({"userid": "guide.li"})).await;
    let signed_in = post_code(&app, &code).await;
    assert!(signed_in.status().is_success());
    let cookie = session_cookie(&signed_in).unwrap();
    let token = cookie.0.trim_start_matches("guidedesk_session=").to_owned();

    let page = app.url("/sidebar/?code=x");
    let config_path = format!(
        "/api/v1/jssdk/config?url={}",
        percent_encoding::utf8_percent_encode(&page, percent_encoding::NON_ALPHANUMERIC)
    );
    assert_eq!(app.get_as(&cookie, &config_path).await.0, 200);
    // The failing paths log too: WeCom busy, then a revoked token refreshed.
    simulator.inject(fault("cgi-bin/user/get", -1, 3)).await;
    let code = simulator.oauth_code(json!({"userid": "guide.wang"})).await;
    assert_eq!(post_code(&app, &code).await.status(), 503);
    simulator.revoke_tokens().await;
    let code = simulator.oauth_code(json!({"userid": "guide.wang"})).await;
    assert!(post_code(&app, &code).await.status().is_success());
    app.http
        .delete(app.url("/api/v1/session"))
        .header(COOKIE, &cookie.0)
        .send()
        .await
        .unwrap();
    assert_eq!(app.get_as(&cookie, "/api/v1/session").await.0, 401);

    let (corp_tickets, agent_tickets) = simulator.tickets().await;
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("guide signed in"),
        "the paths did log: {text}"
    );
    assert!(text.contains("/api/v1/jssdk/config"), "{text}");
    let mut secrets = vec![token, simulator.data.corp_secret.clone()];
    secrets.extend(corp_tickets);
    secrets.extend(agent_tickets);
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{secret} leaked into:\n{text}"
        );
    }
    assert!(
        !text.contains("simtoken-"),
        "an access token leaked into:\n{text}"
    );
}
