//! `GUIDEDESK_LOG_FORMAT=json`: every line is a JSON object; a request's lines carry the id
//! its response's `X-Request-Id` header gives; and, as in the text format (`session_logs.rs`),
//! no session token, access token, ticket or secret is ever written.
//!
//! Alone in its test binary: it installs the process-wide log subscriber.

use serde_json::Value;
use server::log_lines::{LogFormat, install_logging};
use tests::guide_session::spawn_app_on;
use tests::log_capture::{CapturedLogs, assert_nothing_secret, sign_in_paths};
use tests::simulator::TestSimulator;

#[tokio::test]
async fn json_lines_carry_the_request_id_and_no_secret() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    install_logging(LogFormat::Json, "trace", move || writer.clone());

    let simulator = TestSimulator::start().await;
    let secrets = sign_in_paths(&simulator).await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let answer = app.http.get(app.url("/healthz")).send().await.unwrap();
    let id = answer.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let text = logs.text();
    let lines: Vec<Value> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["message"] == "guide signed in"),
        "{text}"
    );
    let served: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "served" && l["span"]["request_id"] == id.as_str())
        .collect();
    assert_eq!(served.len(), 1, "one line for the request {id}: {text}");
    assert_eq!(served[0]["span"]["path"], "/healthz");
    assert_eq!(served[0]["status"], 200);
    assert_nothing_secret(&text, &secrets);
}
