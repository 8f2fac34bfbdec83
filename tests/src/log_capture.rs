//! Logs captured in memory, and the sign-in paths whose logs must never show a secret: the
//! log tests (one binary per log subscriber, each installs it process-wide) share both.

use std::sync::{Arc, Mutex};

use reqwest::header::COOKIE;
use serde_json::json;

use crate::guide_session::{post_code, session_cookie, spawn_app_on};
use crate::simulator::{TestSimulator, fault};

/// What a log subscriber writes, kept in memory.
#[derive(Clone, Default)]
pub struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("logs").clone()).expect("UTF-8 logs")
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("logs").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// guide.li signs in, gets JS-SDK signatures and signs out; guide.wang's sign-in meets a busy
/// WeCom, then a revoked token. Returns what must never be logged: the session token, the
/// corp secret and every ticket.
pub async fn sign_in_paths(simulator: &TestSimulator) -> Vec<String> {
    let app = spawn_app_on(simulator, vec![]).await;
    let code = simulator.oauth_code(json!({"userid": "guide.li"})).await;
    let signed_in = post_code(&app, &code).await;
    assert!(signed_in.status().is_success());
    let cookie = session_cookie(&signed_in).expect("session cookie");
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
        .expect("sign out");
    assert_eq!(app.get_as(&cookie, "/api/v1/session").await.0, 401);

    let (corp_tickets, agent_tickets) = simulator.tickets().await;
    let mut secrets = vec![token, simulator.data.corp_secret.clone()];
    secrets.extend(corp_tickets);
    secrets.extend(agent_tickets);
    secrets
}

/// Fails if any of `secrets`, or any access token of the simulator, is in `text`.
pub fn assert_nothing_secret(text: &str, secrets: &[String]) {
    for secret in secrets {
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
