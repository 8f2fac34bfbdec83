//! Signing a guide in the way the sidebar does: an OAuth code from the simulator, traded at
//! `POST /api/v1/session` for the session cookie.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};

use crate::TestApp;
use crate::simulator::TestSimulator;

/// A signed-in guide's cookie, ready for the `Cookie` header.
#[derive(Debug, Clone)]
pub struct SessionCookie(pub String);

/// Spawns an app whose WeCom is `simulator`, with extra configuration.
pub async fn spawn_app_on(
    simulator: &TestSimulator,
    extra: Vec<(&'static str, String)>,
) -> TestApp {
    crate::spawn_app_with(crate::TestOptions {
        env: simulated_wecom(simulator, extra),
        ..Default::default()
    })
    .await
}

/// Spawns an app whose WeCom is `simulator`, on an existing database (a seeded brand's).
pub async fn spawn_app_on_database(
    simulator: &TestSimulator,
    database_url: &str,
    extra: Vec<(&'static str, String)>,
) -> TestApp {
    crate::spawn_app_with(crate::TestOptions {
        env: simulated_wecom(simulator, extra),
        shared_database_url: Some(database_url.to_owned()),
        ..Default::default()
    })
    .await
}

fn simulated_wecom(
    simulator: &TestSimulator,
    extra: Vec<(&'static str, String)>,
) -> Vec<(&'static str, String)> {
    let mut env = simulator.app_env();
    // The server's own syncing stays off unless a test turns it on: it would call the
    // simulator behind the test's back.
    env.push(("GUIDEDESK_SYNC_AT", "off".into()));
    env.push(("GUIDEDESK_SYNC_QUEUE_SECS", "0".into()));
    env.extend(extra);
    env
}

/// `POST /api/v1/session` with a code for `identity`; the raw answer.
pub async fn post_code(app: &TestApp, code: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/session"))
        .json(&json!({ "code": code }))
        .send()
        .await
        .expect("POST /api/v1/session")
}

/// Signs `userid` in and returns the session cookie.
pub async fn sign_in(app: &TestApp, simulator: &TestSimulator, userid: &str) -> SessionCookie {
    let code = simulator.oauth_code(json!({ "userid": userid })).await;
    let response = post_code(app, &code).await;
    assert_eq!(response.status(), StatusCode::OK, "sign-in of {userid}");
    session_cookie(&response).unwrap_or_else(|| panic!("no session cookie for {userid}"))
}

/// The `guidedesk_session` cookie a response sets, as `name=value`.
pub fn session_cookie(response: &reqwest::Response) -> Option<SessionCookie> {
    set_cookie(response, "guidedesk_session")
        .map(|header| SessionCookie(header.split(';').next().unwrap_or_default().to_owned()))
        .filter(|cookie| cookie.0 != "guidedesk_session=")
}

/// The whole `Set-Cookie` header for the cookie `name`, attributes included.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

impl TestApp {
    /// A GET with the guide's cookie; the status and the JSON body.
    pub async fn get_as(&self, cookie: &SessionCookie, path: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(self.url(path))
            .header(COOKIE, &cookie.0)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }
}
