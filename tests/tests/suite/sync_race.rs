//! Contact syncs started at the same moment (the nightly run, `guidedesk sync contacts`,
//! another replica): exactly one runs, on SQLite and on PostgreSQL; and the nightly lock in
//! Redis lets one replica of two reconcile a night.
//!
//! Raced for real: a multi-threaded runtime, contenders released together by a barrier.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};
use server::cache::{MemoryCache, RedisCache, SharedCache};
use server::entity::sync_run;
use server::progress::ShowProgress;
use server::sync::schedule::{Tonight, reconcile_tonight};
use server::sync::{ContactSyncSummary, SyncError, SyncOptions, sync_contacts};
use server::wecom::client::WecomClient;
use tests::backends::TestCacheNamespace;
use tests::guide_session::spawn_app_on;
use tests::simulator::TestSimulator;
use tokio::sync::Barrier;

const CONTENDERS: usize = 6;

const FAST: SyncOptions = SyncOptions {
    calls_per_sec: 1000,
    restart: false,
};

/// Starts `CONTENDERS` contact syncs at the same moment; returns their outcomes.
async fn race(
    db: &DatabaseConnection,
    wecom: &WecomClient,
) -> Vec<Result<ContactSyncSummary, SyncError>> {
    let start = Arc::new(Barrier::new(CONTENDERS));
    let contenders: Vec<_> = (0..CONTENDERS)
        .map(|_| {
            let (db, wecom, start) = (db.clone(), wecom.clone(), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                sync_contacts(&db, &wecom, FAST, ShowProgress::Quiet).await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for contender in contenders {
        outcomes.push(contender.await.expect("a contender panicked"));
    }
    outcomes
}

/// Exactly one outcome is a run (resumed or not, as `resumed` says); every other one is
/// `AlreadyRunning`, naming that run.
fn exactly_one_ran(outcomes: &[Result<ContactSyncSummary, SyncError>], resumed: bool) -> i64 {
    let ran: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(
        ran.len(),
        1,
        "exactly one of {CONTENDERS} ran: {outcomes:?}"
    );
    assert_eq!(ran[0].resumed, resumed, "{:?}", ran[0]);
    for outcome in outcomes {
        match outcome {
            Ok(_) => {}
            Err(SyncError::AlreadyRunning { run_id }) => assert_eq!(*run_id, ran[0].run_id),
            Err(other) => panic!("a loser failed otherwise than AlreadyRunning: {other}"),
        }
    }
    ran[0].run_id
}

async fn runs(db: &DatabaseConnection) -> Vec<(i64, String)> {
    let mut runs: Vec<_> = sync_run::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|run| (run.id, run.status))
        .collect();
    runs.sort();
    runs
}

/// An unfinished run left by a process that stopped: `failed`, or `running` but silent for
/// ten minutes (its process was killed).
async fn leave_unfinished(db: &DatabaseConnection, status: &str) -> i64 {
    let long_ago = Utc::now() - chrono::Duration::minutes(10);
    sync_run::ActiveModel {
        kind: Set("contacts".into()),
        status: Set(status.into()),
        position: Set(r#"{"guides":["guide.li","guide.wang"],"next":1,"cursor":""}"#.into()),
        guides_total: Set(2),
        guides_done: Set(1),
        contacts_seen: Set(0),
        started_at: Set(long_ago),
        updated_at: Set(long_ago),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contact_syncs_started_at_the_same_moment_run_once() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let db = app.db().await;
    let wecom = simulator.client(Arc::new(MemoryCache::new()));
    let backend = app.backend_description();

    // Nothing to resume: one plans a new run, the others are refused.
    let first = exactly_one_ran(&race(&db, &wecom).await, false);
    assert_eq!(runs(&db).await, [(first, "done".into())], "{backend}");

    // A failed run to resume: one resumes it.
    let failed = leave_unfinished(&db, "failed").await;
    let resumed = exactly_one_ran(&race(&db, &wecom).await, true);
    assert_eq!(resumed, failed, "{backend}");

    // A run whose process died: one takes it over.
    let stalled = leave_unfinished(&db, "running").await;
    let taken_over = exactly_one_ran(&race(&db, &wecom).await, true);
    assert_eq!(taken_over, stalled, "{backend}");

    assert_eq!(
        runs(&db).await,
        [first, failed, stalled].map(|id| (id, "done".to_owned())),
        "{backend}: three runs, each done once, no other row"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_sharing_redis_reconcile_a_night_once() {
    let namespace = TestCacheNamespace::create();
    let Some(url) = &namespace.redis_url else {
        tests::backends::without_backend("TEST_REDIS_URL");
        return;
    };
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let db = app.db().await;
    let wecom = simulator.client(Arc::new(MemoryCache::new()));
    // Each replica has its own connection to Redis.
    let mut replicas: Vec<SharedCache> = Vec::new();
    for _ in 0..2 {
        let cache = RedisCache::connect(url, &namespace.prefix).await.unwrap();
        replicas.push(Arc::new(cache));
    }

    for (day, expected_runs) in [(2, 1), (3, 2)] {
        let night = NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
        let start = Arc::new(Barrier::new(replicas.len()));
        let nights: Vec<_> = replicas
            .iter()
            .map(|cache| {
                let (db, wecom, cache) = (db.clone(), wecom.clone(), Arc::clone(cache));
                let start = Arc::clone(&start);
                tokio::spawn(async move {
                    start.wait().await;
                    reconcile_tonight(&db, &wecom, &cache, night).await
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for replica in nights {
            outcomes.push(replica.await.unwrap());
        }
        let ran = outcomes
            .iter()
            .filter(|o| matches!(o, Tonight::Ran(_)))
            .count();
        let others = outcomes
            .iter()
            .filter(|o| matches!(o, Tonight::TakenByAnotherReplica))
            .count();
        assert_eq!((ran, others), (1, 1), "night {night}: {outcomes:?}");
        assert_eq!(runs(&db).await.len(), expected_runs, "one run per night");
    }
}
