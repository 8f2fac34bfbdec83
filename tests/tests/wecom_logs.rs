//! The WeCom client's logs, captured: no token, ticket or secret is ever written.
//!
//! Alone in its test binary on purpose: tracing caches per call site whether anyone listens,
//! and a test elsewhere in the same process reaching a call site first (with no subscriber on
//! its thread) would hide that site from this test's subscriber.

use std::sync::Arc;

use server::cache::MemoryCache;
use tests::log_capture::CapturedLogs;
use tests::simulator::{TestSimulator, fault};

#[tokio::test]
async fn tokens_tickets_and_the_secret_never_reach_the_logs() {
    use tracing_subscriber::util::SubscriberInitExt;
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let _capture = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish()
        .set_default();

    let simulator = TestSimulator::start().await;
    let client = simulator.client(Arc::new(MemoryCache::new()));
    let mut secrets = vec![simulator.data.corp_secret.clone()];
    secrets.push(client.access_token().await.unwrap());
    secrets.push(client.corp_jsapi_ticket().await.unwrap());
    secrets.push(client.agent_jsapi_ticket().await.unwrap());
    // The paths that log: a refused token, busy and rate-limited retries, a timeout.
    simulator.revoke_tokens().await;
    simulator.inject(fault("cgi-bin/user/get", -1, 1)).await;
    simulator.inject(fault("cgi-bin/user/get", 45009, 1)).await;
    client.member("guide.li").await.unwrap();
    secrets.push(client.access_token().await.unwrap());

    let text = logs.text();
    assert!(
        text.contains("refreshing it once"),
        "the paths did log: {text}"
    );
    assert!(text.contains("retrying"), "{text}");
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{secret} leaked into:\n{text}"
        );
    }
}
