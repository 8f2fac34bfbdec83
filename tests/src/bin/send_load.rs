//! Concurrent sends through `shares::send::send_item` (what `POST /api/v1/shares` runs after
//! its checks) on one database: coupon sends at a single hot template (quota, daily and
//! per-customer checks, the template's row lock, the lane) beside product sends (the same
//! share, stamp and transaction, no quota) in the same run, each to a distinct customer.
//! Run through `bash .ci/bench sends`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Parser;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::json;
use server::commerce::batch::{Kind, apply_batch};
use server::config::{DatabaseSettings, MallSettings, Secret, StampSettings};
use server::database::WriteGate;
use server::media::MediaLibrary;
use server::shares::coupon_quota::QuotaLanes;
use server::shares::send::{SendRequest, Sending, send_item};
use server::shares::{Sender, ShareError};
use server::stamp::{ParamNames, Recipient, StampKeys};

#[derive(Parser)]
struct Args {
    /// An empty database (migrated here).
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 4_000)]
    sends: usize,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let db = server::database::connect(&DatabaseSettings {
        url: Secret::new(args.database_url.clone()),
        pool_size: 20,
    })
    .await?;
    server::database::migrate(&db).await?;
    let guide_id = seed(&db, args.sends).await?;
    let sender = Sender::now(&db, guide_id, "guide.bench").await?;
    let setup = Arc::new(Setup::new(&db));
    let products = run(&setup, &sender, "product", "P-BENCH", &args).await;
    let coupons = run(&setup, &sender, "coupon", "CT-HOT", &args).await;
    for (name, (elapsed, done, refused, p99)) in [("product", products), ("coupon", coupons)] {
        println!(
            "{name} sends: {done} in {:.2} s = {:.0}/s, p99 {:.1} ms, refused {refused}",
            elapsed.as_secs_f64(),
            done as f64 / elapsed.as_secs_f64(),
            p99.as_secs_f64() * 1000.0
        );
    }
    let ratio = (coupons.1 as f64 / coupons.0.as_secs_f64())
        / (products.1 as f64 / products.0.as_secs_f64());
    println!("coupon sends at one hot template / product sends: {ratio:.2}");
    let issued = count(
        &db,
        "SELECT guide_quota_used FROM coupon_templates WHERE source_id = 'CT-HOT'",
    )
    .await;
    println!("quota taken {issued} for {} coupon sends", coupons.1);
    Ok(())
}

struct Setup {
    db: DatabaseConnection,
    gate: WriteGate,
    lanes: QuotaLanes,
    stamping: StampSettings,
    mall: MallSettings,
    media: MediaLibrary,
}

impl Setup {
    fn new(db: &DatabaseConnection) -> Self {
        Self {
            db: db.clone(),
            gate: WriteGate::for_database(db),
            lanes: QuotaLanes::default(),
            stamping: StampSettings {
                keys: StampKeys::parse("k1:the-stamp-key-of-the-bench-brand-00000001")
                    .expect("key"),
                params: ParamNames::default(),
                max_age_secs: 86_400,
            },
            mall: MallSettings {
                coupon_url: Some("https://mall.example.com/coupon?t={id}".into()),
                product_url: Some("https://mall.example.com/p/{id}".into()),
                ..MallSettings::default()
            },
            media: MediaLibrary::default(),
        }
    }
}

/// `sends` sends of `kind` `id`, `concurrency` at a time, each to its own customer: the time,
/// the sends made, the refused, the p99 latency.
async fn run(
    setup: &Arc<Setup>,
    sender: &Sender,
    kind: &'static str,
    id: &'static str,
    args: &Args,
) -> (Duration, usize, usize, Duration) {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (setup, sender, next, total) = (
                Arc::clone(setup),
                sender.clone(),
                Arc::clone(&next),
                args.sends,
            );
            tokio::spawn(async move {
                let (mut done, mut refused, mut latencies) = (0, 0, Vec::new());
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n >= total {
                        break (done, refused, latencies);
                    }
                    let began = Instant::now();
                    match one_send(&setup, &sender, kind, id, n).await {
                        Ok(()) => done += 1,
                        Err(ShareError::Refused { .. }) => refused += 1,
                        Err(err) => panic!("send {n}: {err}"),
                    }
                    latencies.push(began.elapsed());
                }
            })
        })
        .collect();
    let (mut done, mut refused, mut latencies) = (0, 0, Vec::new());
    for worker in workers {
        let (d, r, l) = worker.await.expect("a worker");
        done += d;
        refused += r;
        latencies.extend(l);
    }
    latencies.sort();
    let p99 = latencies
        .get(latencies.len() * 99 / 100)
        .copied()
        .unwrap_or_default();
    (started.elapsed(), done, refused, p99)
}

async fn one_send(
    setup: &Setup,
    sender: &Sender,
    kind: &str,
    id: &str,
    n: usize,
) -> Result<(), ShareError> {
    let sending = Sending {
        db: &setup.db,
        gate: &setup.gate,
        lanes: &setup.lanes,
        stamping: &setup.stamping,
        mall: &setup.mall,
        public_url: "http://127.0.0.1:8080",
        wecom: None,
        media: &setup.media,
    };
    let request = SendRequest {
        kind,
        id,
        idempotency_key: &format!("{kind}-{n}"),
        member_id: None,
    };
    let recipient = Recipient::Customer(format!("wmBENCH{n:06}"));
    send_item(&sending, sender, &recipient, &request)
        .await
        .map(|_| ())
}

/// A store, the bench guide on its staff, a hot coupon (quota enough for every send), a
/// product; the guide's id.
async fn seed(db: &DatabaseConnection, sends: usize) -> anyhow::Result<i64> {
    let now = Utc::now();
    let at = "2026-01-01T00:00:00Z";
    apply_batch(
        db,
        Kind::Stores,
        vec![json!({"id": "S1", "updated_at": at, "name": "压测店"})],
        now,
        &server::commerce::stamped::NothingAfter,
    )
    .await?;
    apply_batch(db, Kind::Staff, vec![json!({"id": "E1", "updated_at": at, "wecom_userid": "guide.bench", "store_id": "S1", "role": "guide"})], now, &server::commerce::stamped::NothingAfter).await?;
    apply_batch(
        db,
        Kind::CouponTemplates,
        vec![json!({"id": "CT-HOT", "updated_at": at, "name": "热门券",
        "kind": "cash", "value": 1000, "valid_days": 7, "guide_quota": sends})],
        now,
        &server::commerce::stamped::NothingAfter,
    )
    .await?;
    apply_batch(
        db,
        Kind::Products,
        vec![json!({"id": "P-BENCH", "updated_at": at, "title": "压测商品", "price_fen": 9900})],
        now,
        &server::commerce::stamped::NothingAfter,
    )
    .await?;
    db.execute_unprepared(
        "INSERT INTO guides (wecom_userid, name, status, created_at, updated_at) \
         VALUES ('guide.bench', '压测', 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    )
    .await?;
    Ok(count(
        db,
        "SELECT id FROM guides WHERE wecom_userid = 'guide.bench'",
    )
    .await)
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let backend = db.get_database_backend();
    db.query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get_by_index::<i64>(0).ok())
        .unwrap_or_default()
}
