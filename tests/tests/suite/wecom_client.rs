//! The WeCom API client against the simulator: one token for everyone, refreshed by one
//! caller, replaced when WeCom revokes it, errcodes retried or reported as WeCom's rules say.

use std::sync::Arc;
use std::time::Duration;

use server::cache::MemoryCache;
use server::wecom::client::WecomError;
use server::wecom_sim::Fault;
use tests::backends::{TestCacheNamespace, test_redis_url};
use tests::simulator::{TestSimulator, cache_for, fault};

async fn hundred_concurrent_calls_on_a_cold_cache_fetch_one_token(redis: Option<&str>) {
    let simulator = TestSimulator::start().await;
    let namespace = TestCacheNamespace::create();
    let client = simulator.client(cache_for(redis, &namespace.prefix).await);
    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.member("guide.li").await })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().name, "李娜");
    }
    assert_eq!(simulator.calls("cgi-bin/gettoken").await, 1);
    assert_eq!(simulator.calls("cgi-bin/user/get").await, 100);
}

#[tokio::test]
async fn hundred_concurrent_calls_fetch_one_token_in_process() {
    hundred_concurrent_calls_on_a_cold_cache_fetch_one_token(None).await;
}

#[tokio::test]
async fn hundred_concurrent_calls_fetch_one_token_with_redis() {
    let Some(url) = test_redis_url() else {
        tests::backends::without_backend("TEST_REDIS_URL");
        return;
    };
    hundred_concurrent_calls_on_a_cold_cache_fetch_one_token(Some(&url)).await;
}

#[tokio::test]
async fn two_replicas_sharing_one_redis_fetch_one_token() {
    let Some(url) = test_redis_url() else {
        tests::backends::without_backend("TEST_REDIS_URL");
        return;
    };
    let simulator = TestSimulator::start().await;
    let namespace = TestCacheNamespace::create();
    // Two clients, each with its own Redis connection, as two server processes have.
    let first = simulator.client(cache_for(Some(&url), &namespace.prefix).await);
    let second = simulator.client(cache_for(Some(&url), &namespace.prefix).await);
    let calls = (0..40).map(|i| {
        let client = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tokio::spawn(async move { client.access_token().await })
    });
    let tokens: Vec<String> = futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(|joined| joined.unwrap().unwrap())
        .collect();
    assert!(tokens.iter().all(|t| *t == tokens[0]), "one token for all");
    assert_eq!(simulator.calls("cgi-bin/gettoken").await, 1);
}

#[tokio::test]
async fn a_token_wecom_revokes_early_is_replaced_transparently() {
    let simulator = TestSimulator::start().await;
    let client = simulator.client(Arc::new(MemoryCache::new()));
    let before = client.access_token().await.unwrap();
    simulator.revoke_tokens().await;

    let member = client.member("guide.wang").await.unwrap();
    assert_eq!(member.name, "王芳");
    assert_ne!(client.access_token().await.unwrap(), before);
    assert_eq!(simulator.calls("cgi-bin/gettoken").await, 2);
    // The refused call and its one retry.
    assert_eq!(simulator.calls("cgi-bin/user/get").await, 2);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_before_wecom_refuses_it_or_when_it_does() {
    // Tokens live 1 s here, shorter than the refresh margin: each is cached for 1 s at most.
    let simulator = TestSimulator::start_with(
        server::wecom_sim::SimulatorData::sample(),
        Duration::from_secs(1),
    )
    .await;
    let client = simulator.client(Arc::new(MemoryCache::new()));
    client.member("guide.li").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.member("guide.li").await.unwrap();
    assert_eq!(simulator.calls("cgi-bin/gettoken").await, 2);
}

#[tokio::test]
async fn busy_answers_are_retried_at_most_three_times() {
    let simulator = TestSimulator::start().await;
    let client = simulator.client(Arc::new(MemoryCache::new()));
    simulator.inject(fault("cgi-bin/user/get", -1, 2)).await;
    assert_eq!(client.member("guide.li").await.unwrap().userid, "guide.li");
    assert_eq!(simulator.calls("cgi-bin/user/get").await, 3);

    simulator.inject(fault("cgi-bin/user/get", -1, 3)).await;
    let err = client.member("guide.li").await.unwrap_err();
    assert!(matches!(err, WecomError::Busy), "{err:?}");
    assert_eq!(simulator.calls("cgi-bin/user/get").await, 6);
}

#[tokio::test]
async fn rate_limited_calls_back_off_then_report_it() {
    let simulator = TestSimulator::start().await;
    let client = simulator.client(Arc::new(MemoryCache::new()));
    simulator
        .inject(fault("cgi-bin/externalcontact/list", 45009, 1))
        .await;
    assert_eq!(
        client.contact_ids("guide.li").await.unwrap(),
        ["wmSIM0001", "wmSIM0002"]
    );
    simulator
        .inject(fault("cgi-bin/externalcontact/list", 45009, 5))
        .await;
    let err = client.contact_ids("guide.li").await.unwrap_err();
    assert!(matches!(err, WecomError::RateLimited), "{err:?}");
    assert_eq!(err.errcode(), Some(45009));
}

#[tokio::test]
async fn other_errcodes_are_typed_errors_not_retried() {
    let simulator = TestSimulator::start().await;
    let client = simulator.client(Arc::new(MemoryCache::new()));
    let err = client.member("nobody").await.unwrap_err();
    assert_eq!(err.errcode(), Some(60111), "{err:?}");
    assert_eq!(simulator.calls("cgi-bin/user/get").await, 1);
}

#[tokio::test]
async fn a_wrong_secret_is_reported_and_nothing_is_cached() {
    let simulator = TestSimulator::start().await;
    let client = simulator.client_with_secret(Arc::new(MemoryCache::new()), "wrong-secret");
    let err = client.member("guide.li").await.unwrap_err();
    assert_eq!(err.errcode(), Some(40001), "{err:?}");
    assert!(!err.to_string().contains("wrong-secret"), "{err}");
    client.member("guide.li").await.unwrap_err();
    assert_eq!(
        simulator.calls("cgi-bin/gettoken").await,
        2,
        "no failure cached"
    );
}

#[tokio::test]
async fn a_slow_wecom_times_out_with_an_error_naming_no_token() {
    let simulator = TestSimulator::start().await;
    let client = simulator.client(Arc::new(MemoryCache::new()));
    let token = client.access_token().await.unwrap();
    simulator
        .inject(Fault {
            path: "cgi-bin/user/get".into(),
            errcode: 0,
            times: 1,
            delay_ms: 3_000,
            after: 0,
        })
        .await;
    let err = client.member("guide.li").await.unwrap_err();
    assert!(matches!(err, WecomError::Transport(_)), "{err:?}");
    assert!(!err.to_string().contains(&token), "{err}");
}

#[tokio::test]
async fn both_jssdk_tickets_are_cached_per_corp_and_app() {
    let simulator = TestSimulator::start().await;
    let client = simulator.client(Arc::new(MemoryCache::new()));
    let corp = client.corp_jsapi_ticket().await.unwrap();
    let agent = client.agent_jsapi_ticket().await.unwrap();
    assert_ne!(corp, agent);
    assert_eq!(client.corp_jsapi_ticket().await.unwrap(), corp);
    assert_eq!(client.agent_jsapi_ticket().await.unwrap(), agent);
    assert_eq!(simulator.calls("cgi-bin/get_jsapi_ticket").await, 1);
    assert_eq!(simulator.calls("cgi-bin/ticket/get").await, 1);
}
