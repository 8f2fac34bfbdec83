//! The server's logs (human-readable lines) while guides sign in, get JS-SDK signatures (also
//! while WeCom fails) and sign out, captured from every thread: no session token, access
//! token, ticket or secret is ever written. `json_logs.rs` checks the JSON lines.
//!
//! Alone in its test binary: it installs the process-wide log subscriber.

use server::log_lines::{LogFormat, install_logging};
use tests::log_capture::{CapturedLogs, assert_nothing_secret, sign_in_paths};
use tests::simulator::TestSimulator;

#[tokio::test]
async fn sessions_tokens_and_tickets_never_reach_the_servers_logs() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    install_logging(LogFormat::Text, "trace", move || writer.clone());

    let simulator = TestSimulator::start().await;
    let secrets = sign_in_paths(&simulator).await;

    let text = logs.text();
    assert!(
        text.contains("guide signed in"),
        "the paths did log: {text}"
    );
    assert!(text.contains("/api/v1/jssdk/config"), "{text}");
    assert_nothing_secret(&text, &secrets);
}
