//! Load on `/wecom/callback`: distinct, validly signed events from a client on loopback
//! against a release `guidedesk serve`, beside a bare endpoint (`GET /healthz`) of the same
//! server in the same run. Run through `bash .ci/bench load`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use sea_orm::{ConnectionTrait, Database, Statement};
use tests::wecom::{AES_KEY, CORP_ID, TOKEN, add_contact_event, crypto, envelope, signed_query};

#[derive(Parser)]
struct Args {
    /// The database the server under test uses (fresh: its inbox is counted afterwards).
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 60_000)]
    requests: usize,
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    #[arg(long, default_value = "target/release/guidedesk")]
    server: String,
    /// Also run the inbox worker in the server under load (as production does).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    worker: bool,
}

struct Outcome {
    elapsed: Duration,
    latencies_us: Vec<u64>,
    failures: usize,
}

impl Outcome {
    fn per_second(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        let index = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us.get(index).copied().unwrap_or(0) as f64 / 1000.0
    }
}

/// Sends every request with `concurrency` connections; one client thread.
async fn run(
    client: &reqwest::Client,
    requests: Arc<Vec<reqwest::Request>>,
    concurrency: usize,
) -> Outcome {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, requests, next) = (client.clone(), Arc::clone(&requests), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(request) = requests.get(i).and_then(|r| r.try_clone()) else {
                    break;
                };
                let sent = Instant::now();
                match client.execute(request).await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        latencies.push(sent.elapsed().as_micros() as u64);
                    }
                    _ => failures += 1,
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies_us = Vec::new();
    let mut failures = 0;
    for worker in workers {
        let (latencies, failed) = worker.await.expect("load worker");
        latencies_us.extend(latencies);
        failures += failed;
    }
    let elapsed = started.elapsed();
    latencies_us.sort_unstable();
    Outcome {
        elapsed,
        latencies_us,
        failures,
    }
}

fn report(name: &str, outcome: &Outcome) {
    println!(
        "{name:<28} {:>9.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>7.2} ms   failures {}",
        outcome.per_second(),
        outcome.percentile(0.50),
        outcome.percentile(0.99),
        outcome.percentile(1.0),
        outcome.failures
    );
}

fn main() {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let mut server = Command::new(&args.server)
        .arg("serve")
        .env("DATABASE_URL", &args.database_url)
        .env("GUIDEDESK_LISTEN", "127.0.0.1:0")
        .env("GUIDEDESK_LOG", "warn")
        .env(
            "GUIDEDESK_DATABASE_POOL_SIZE",
            std::env::var("LOAD_POOL_SIZE").unwrap_or_else(|_| "32".into()),
        )
        .env("GUIDEDESK_INBOX_WORKER", args.worker.to_string())
        .env("WECOM_CORP_ID", CORP_ID)
        .env("WECOM_CALLBACK_TOKEN", TOKEN)
        .env("WECOM_CALLBACK_AES_KEY", AES_KEY)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server (build it with cargo build --release first)");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("server URL");
    let base = line
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .trim_end_matches("/sidebar/")
        .to_owned();

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()
        .expect("client");
    let health: Vec<_> = (0..args.requests)
        .map(|_| {
            client
                .get(format!("{base}/healthz"))
                .build()
                .expect("request")
        })
        .collect();
    // Distinct events, encrypted and signed before the clock starts.
    let crypto = crypto();
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let callbacks: Vec<_> = (0..args.requests)
        .map(|i| {
            let payload = add_contact_event(
                &format!("guide{}", i % 500),
                &format!("wmLOAD{i}"),
                1_700_000_000 + i as i64,
            );
            let encrypt = crypto.encrypt(&payload).expect("encrypt");
            let query = signed_query(&encrypt, &timestamp, &format!("n{i}"));
            client
                .post(format!("{base}/wecom/callback?{query}"))
                .header("content-type", "text/xml")
                .body(envelope(&encrypt))
                .build()
                .expect("request")
        })
        .collect();

    println!(
        "{} requests, {} connections, worker {}, database {}",
        args.requests,
        args.concurrency,
        if args.worker { "on" } else { "off" },
        server::config::redact_url(&args.database_url)
    );
    let (bare, stored) = runtime.block_on(async {
        let bare = run(&client, Arc::new(health), args.concurrency).await;
        let stored = run(&client, Arc::new(callbacks), args.concurrency).await;
        (bare, stored)
    });
    report("GET /healthz (bare 200)", &bare);
    report("POST /wecom/callback", &stored);
    println!(
        "callbacks / bare: {:.2}",
        stored.per_second() / bare.per_second()
    );

    let rows = runtime.block_on(async {
        let db = Database::connect(&args.database_url)
            .await
            .expect("database");
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) FROM callback_inbox",
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get_by_index::<i64>(0).expect("count")
    });
    println!(
        "inbox rows stored: {rows} of {} acknowledged",
        stored.latencies_us.len()
    );
    let _ = server.kill();
    let _ = server.wait();
    if rows as usize != stored.latencies_us.len() || stored.failures > 0 {
        eprintln!("not every callback was stored");
        std::process::exit(1);
    }
}
