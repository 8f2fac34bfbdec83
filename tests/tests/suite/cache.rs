//! One suite, run against the in-process cache and against Redis (TEST_REDIS_URL).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use server::cache::{Cache, MemoryCache, RedisCache};
use tests::backends::{TestCacheNamespace, test_redis_url};

async fn the_cache_contract_holds(cache: Arc<dyn Cache>) {
    let kind = cache.kind();
    let hour = Duration::from_secs(3600);

    assert_eq!(
        cache.get("absent").await.unwrap(),
        None,
        "{kind}: a missing key reads as None"
    );

    cache.set("greeting", "你好", hour).await.unwrap();
    assert_eq!(
        cache.get("greeting").await.unwrap().as_deref(),
        Some("你好"),
        "{kind}: set/get"
    );
    cache.set("greeting", "再见", hour).await.unwrap();
    assert_eq!(
        cache.get("greeting").await.unwrap().as_deref(),
        Some("再见"),
        "{kind}: overwrite"
    );

    assert!(
        cache.set_if_absent("lock", "a", hour).await.unwrap(),
        "{kind}: first taker wins"
    );
    assert!(
        !cache.set_if_absent("lock", "b", hour).await.unwrap(),
        "{kind}: second is refused"
    );
    assert_eq!(
        cache.get("lock").await.unwrap().as_deref(),
        Some("a"),
        "{kind}: value kept"
    );

    assert!(
        cache.delete("lock").await.unwrap(),
        "{kind}: delete says it removed the key"
    );
    assert!(
        !cache.delete("lock").await.unwrap(),
        "{kind}: deleting again removes nothing"
    );
    assert!(
        cache.set_if_absent("lock", "c", hour).await.unwrap(),
        "{kind}: free after delete"
    );

    // Expiry: a short TTL, then well past it.
    cache
        .set("short", "x", Duration::from_millis(150))
        .await
        .unwrap();
    assert!(
        cache
            .set_if_absent("short-lock", "x", Duration::from_millis(150))
            .await
            .unwrap()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        cache.get("short").await.unwrap(),
        None,
        "{kind}: expired keys are gone"
    );
    assert!(
        cache.set_if_absent("short-lock", "y", hour).await.unwrap(),
        "{kind}: an expired lock can be taken again"
    );
    assert!(
        !cache.delete("short").await.unwrap(),
        "{kind}: an expired key is not 'removed'"
    );

    // Many tasks race for one lock, released together on several threads: exactly one wins.
    let racers_count = 64;
    let start = Arc::new(tokio::sync::Barrier::new(racers_count));
    let mut racers = Vec::new();
    for i in 0..racers_count {
        let (cache, start) = (Arc::clone(&cache), Arc::clone(&start));
        racers.push(tokio::spawn(async move {
            start.wait().await;
            cache
                .set_if_absent("race", &i.to_string(), Duration::from_secs(60))
                .await
                .unwrap()
        }));
    }
    let mut winners = 0;
    for racer in racers {
        winners += usize::from(racer.await.unwrap());
    }
    assert_eq!(
        winners, 1,
        "{kind}: exactly one of {racers_count} concurrent set_if_absent wins"
    );

    cache.ping().await.unwrap();
}

// Multi-threaded: on one thread the in-process cache's racers could never interleave.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_in_process_cache_keeps_the_contract() {
    the_cache_contract_holds(Arc::new(MemoryCache::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_redis_cache_keeps_the_contract() {
    let namespace = TestCacheNamespace::create();
    let Some(url) = &namespace.redis_url else {
        tests::backends::without_backend("TEST_REDIS_URL");
        return;
    };
    let cache = RedisCache::connect(url, &namespace.prefix).await.unwrap();
    the_cache_contract_holds(Arc::new(cache)).await;
}

#[tokio::test]
async fn redis_keys_are_namespaced_by_the_prefix() {
    let (first, second) = (TestCacheNamespace::create(), TestCacheNamespace::create());
    let Some(url) = &first.redis_url else {
        tests::backends::without_backend("TEST_REDIS_URL");
        return;
    };
    let a = RedisCache::connect(url, &first.prefix).await.unwrap();
    let b = RedisCache::connect(url, &second.prefix).await.unwrap();
    a.set("token", "from-a", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        b.get("token").await.unwrap(),
        None,
        "another prefix does not see it"
    );
    assert!(
        b.set_if_absent("token", "from-b", Duration::from_secs(60))
            .await
            .unwrap()
    );
    assert_eq!(a.get("token").await.unwrap().as_deref(), Some("from-a"));

    let client = redis::Client::open(url.as_str()).unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let stored: Option<String> = redis::cmd("GET")
        .arg(format!("{}:token", first.prefix))
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(
        stored.as_deref(),
        Some("from-a"),
        "stored under `{{prefix}}:{{key}}`"
    );
}

/// A private redis-server on a free port, so restarting it disturbs no other test.
struct PrivateRedis {
    port: u16,
    child: Child,
    dir: Option<tempfile::TempDir>,
}

impl PrivateRedis {
    fn start_on(port: u16, dir: tempfile::TempDir) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (it runs on every machine of this project)");
        Self {
            port,
            child,
            dir: Some(dir),
        }
    }

    async fn wait_until_up(&self) {
        let client = redis::Client::open(format!("redis://127.0.0.1:{}", self.port)).unwrap();
        for _ in 0..100 {
            if let Ok(mut c) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING")
                    .query_async::<String>(&mut c)
                    .await
                    .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("private redis-server did not start");
    }

    fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.dir.take().expect("data dir")
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_redis_cache_reconnects_after_redis_restarts() {
    if test_redis_url().is_none() {
        tests::backends::without_backend("TEST_REDIS_URL (and redis-server, which comes with it)");
        return;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redis = PrivateRedis::start_on(port, tempfile::tempdir().unwrap());
    redis.wait_until_up().await;
    let cache = RedisCache::connect(&format!("redis://127.0.0.1:{port}"), "restart")
        .await
        .unwrap();
    cache
        .set("before", "1", Duration::from_secs(60))
        .await
        .unwrap();

    let dir = redis.stop();
    assert!(
        cache.ping().await.is_err(),
        "a stopped Redis is reported, not hidden"
    );

    let redis = PrivateRedis::start_on(port, dir);
    redis.wait_until_up().await;
    // The command that meets the dead connection may fail; the manager reconnects after it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if cache
            .set("after", "2", Duration::from_secs(60))
            .await
            .is_ok()
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the cache never reconnected"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(cache.get("after").await.unwrap().as_deref(), Some("2"));
    drop(redis);
}
