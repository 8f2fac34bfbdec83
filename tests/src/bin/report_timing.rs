//! How long the reports take on a large brand, on PostgreSQL: a guide's month as the 业绩 tab
//! reads it (`my_month`) and a region's month by store (`report`, one region of 20), each
//! called `--runs` times in-process, p50 and p99. The brand is made here with SQL: `--stores`
//! stores, `--guides` guides, two years of the summary at one row per guide per day (what
//! 5,000,000 orders leave at most: the summary's size does not grow with the orders), and
//! 1,000 ledger rows a month for each timed guide. Run through `bash .ci/bench reports`.

use std::time::{Duration, Instant};

use clap::Parser;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use server::reports::audience::Breakdown;
use server::reports::figures::Reach;
use server::reports::my_month::{Reader, my_month};
use server::reports::tables::{Asked, Period, report};

#[derive(Parser)]
struct Args {
    /// A PostgreSQL server's admin URL; the database `--database` is made anew on it.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    admin_url: String,
    #[arg(long, default_value = "guidedesk_reports")]
    database: String,
    #[arg(long, default_value_t = 500)]
    stores: i64,
    #[arg(long, default_value_t = 5_000)]
    guides: i64,
    #[arg(long, default_value_t = 730)]
    days: i64,
    #[arg(long, default_value_t = 500)]
    runs: usize,
}

/// The guides timed (each with a month of ledger rows).
const TIMED: i64 = 50;

async fn execute(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn make_brand(args: &Args) -> DatabaseConnection {
    let admin = Database::connect(&args.admin_url).await.expect("admin");
    execute(
        &admin,
        &format!("DROP DATABASE IF EXISTS {}", args.database),
    )
    .await;
    execute(&admin, &format!("CREATE DATABASE {}", args.database)).await;
    let url = format!(
        "{}/{}",
        args.admin_url.rsplit_once('/').expect("a URL").0,
        args.database
    );
    let db = Database::connect(&url).await.expect("the brand's database");
    server::database::migrate(&db).await.expect("migrations");
    let (stores, guides, days) = (args.stores, args.guides, args.days);
    execute(&db, &format!("INSERT INTO stores (source_id, name, region, status, created_at, updated_at)
        SELECT 'S' || i, '门店' || i, '区域' || (i % 20), 'open', now(), now() FROM generate_series(1, {stores}) i")).await;
    execute(&db, &format!("INSERT INTO guides (wecom_userid, name, status, created_at, updated_at)
        SELECT 'guide' || i, '导购' || i, 'active', now(), now() FROM generate_series(1, {guides}) i")).await;
    // Guide g works at store g % stores + 1; the last day is 2026-11-30.
    execute(&db, &format!("INSERT INTO report_days (day, guide_id, store_id, shares, clicks, visits,
        carts, orders, sales_fen, refunds_fen, new_bindings)
        SELECT to_char(date '2026-11-30' - d, 'YYYY-MM-DD'), g, g % {stores} + 1,
          (random() * 8)::bigint, (random() * 6)::bigint, (random() * 10)::bigint, (random() * 3)::bigint,
          (random() * 4)::bigint, (random() * 200000)::bigint, (random() * 10000)::bigint, (random() * 2)::bigint
        FROM generate_series(0, {days} - 1) d, generate_series(1, {guides}) g")).await;
    execute(&db, &format!("INSERT INTO orders (source_id, channel, status, total_fen, discount_fen, paid_fen,
        ordered_at, paid_at, refunded_fen, source_updated_at, created_at, updated_at)
        SELECT 'O' || i, 'online', 'paid', 10000, 0, 10000, t, t, 0, t, t, t
        FROM generate_series(1, {TIMED} * 1000) i,
          LATERAL (SELECT timestamptz '2026-10-31 16:00:00+00' + (i % 1000) * interval '43 minutes' AS t) x")).await;
    execute(&db, &format!("INSERT INTO order_credits (order_id, entry, line, amount_fen, rule, reason,
        guide_id, store_id, policy_version, credited_at)
        SELECT o.id, 'credit', 1, 10000, 'binding', '专属导购（首次添加企业微信）', (o.id - 1) / 1000 + 1,
          ((o.id - 1) / 1000 + 1) % {stores} + 1, 1, o.paid_at FROM orders o")).await;
    execute(&db, "ANALYZE").await;
    db
}

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    )
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let started = Instant::now();
    let db = make_brand(&args).await;
    println!(
        "brand: {} stores, {} guides, {} summary rows, made in {:.0} s",
        args.stores,
        args.guides,
        args.guides * args.days,
        started.elapsed().as_secs_f64()
    );
    // The baseline: one round trip to the same database (`SELECT 1`).
    let mut round_trip = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let at = Instant::now();
        execute(&db, "SELECT 1").await;
        round_trip.push(at.elapsed());
    }
    println!(
        "baseline, SELECT 1, {} calls: {}",
        args.runs,
        percentiles(round_trip)
    );
    let month = Period::month_of(chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("a day"));
    let mut guide_month = Vec::with_capacity(args.runs);
    for run in 0..args.runs {
        let guide = run as i64 % TIMED + 1;
        let reader = Reader {
            guide,
            store: Some(guide % args.stores + 1),
            commission_bp: 300,
        };
        let at = Instant::now();
        let answer = my_month(&db, &reader, &month)
            .await
            .expect("a guide's month");
        guide_month.push(at.elapsed());
        assert_eq!(answer.days.len(), 30);
    }
    println!(
        "a guide's month (业绩 tab), {} calls: {}",
        args.runs,
        percentiles(guide_month)
    );
    let mut region_month = Vec::with_capacity(args.runs);
    for run in 0..args.runs {
        let region = format!("区域{}", run % 20);
        let asked = Asked {
            breakdown: Breakdown::Stores,
            reach: Reach::default(),
            period: &month,
            region: Some(&region),
            commission_bp: 300,
        };
        let at = Instant::now();
        let answer = report(&db, asked).await.expect("a region's month");
        region_month.push(at.elapsed());
        assert_eq!(answer.rows.len() as i64, args.stores / 20);
    }
    println!(
        "a region's month by store, {} calls: {}",
        args.runs,
        percentiles(region_month)
    );
}
