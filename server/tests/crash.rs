// Test code: a failed step should stop the test where it happened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The server process is killed (SIGKILL) while it receives a burst of callbacks, and again
//! part-way through applying them; after a restart, every acknowledged callback is applied
//! exactly once.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};

mod common;
use common::{TestDb, runtime};
use server::config::Secret;
use server::wecom::crypto::CallbackCrypto;

const TOKEN: &str = "QDG6eK";
const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const CORP_ID: &str = "ww5823bf96d3bd56c7";
const EVENTS: usize = 600;
/// Concurrent senders in the burst.
const SENDERS: usize = 8;

fn guidedesk(db: &TestDb) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_guidedesk"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GUIDEDESK_LOG", "warn")
        .env("DATABASE_URL", &db.url)
        .env("GUIDEDESK_LISTEN", "127.0.0.1:0")
        .env("GUIDEDESK_SIDEBAR_DIR", "/nonexistent")
        .env("WECOM_CORP_ID", CORP_ID)
        .env("WECOM_CALLBACK_TOKEN", TOKEN)
        .env("WECOM_CALLBACK_AES_KEY", AES_KEY)
        // Short, so rows a killed server had claimed become due again within the test.
        .env("GUIDEDESK_INBOX_LEASE_SECS", "2");
    command
}

/// Starts `guidedesk serve` and returns it with its base URL.
fn serve(db: &TestDb, worker: bool) -> (Child, String) {
    let mut child = guidedesk(db)
        .arg("serve")
        .env("GUIDEDESK_INBOX_WORKER", worker.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .trim_end_matches("/sidebar/")
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "serve printed {line:?}"
    );
    (child, url)
}

fn kill(mut child: Child) {
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
}

/// An inbox row as `guidedesk inbox list --json` prints it.
#[derive(Debug)]
struct Row {
    status: String,
    payload: String,
    attempts: i64,
    applications: i64,
}

/// Every inbox row, read with `guidedesk inbox list --json`.
fn inbox(db: &TestDb) -> Vec<Row> {
    let output = guidedesk(db)
        .args(["inbox", "list", "--json", "--limit", "100000"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            Row {
                status: row["status"].as_str().unwrap().to_owned(),
                payload: row["payload"].as_str().unwrap().to_owned(),
                attempts: row["attempts"].as_i64().unwrap(),
                applications: row["applications"].as_i64().unwrap(),
            }
        })
        .collect()
}

fn add_event(i: usize) -> String {
    format!(
        "<xml><ToUserName>{CORP_ID}</ToUserName><CreateTime>{}</CreateTime><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType><UserID>guide{}</UserID><ExternalUserID>wmCRASH{i}</ExternalUserID></xml>",
        1_700_000_000 + i,
        i % 9
    )
}

fn sign(payload: &str) -> (String, String) {
    let crypto = CallbackCrypto::new(Secret::new(TOKEN), AES_KEY, CORP_ID).unwrap();
    let encrypt = crypto.encrypt(payload).unwrap();
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let signature = crypto.sign(&timestamp, "n", &encrypt);
    (
        format!("msg_signature={signature}&timestamp={timestamp}&nonce=n"),
        format!("<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"),
    )
}

/// Posts one callback; says whether the server acknowledged it (`200`). A refused
/// connection or one cut by the kill is not an acknowledgement.
fn try_deliver(client: &reqwest::blocking::Client, base: &str, payload: &str) -> bool {
    let (query, body) = sign(payload);
    client
        .post(format!("{base}/wecom/callback?{query}"))
        .body(body)
        .send()
        .is_ok_and(|response| response.status() == 200)
}

fn deliver(base: &str, payload: &str) {
    let client = reqwest::blocking::Client::new();
    assert!(try_deliver(&client, base, payload), "acknowledged");
}

fn count(rows: &[Row], status: &str) -> usize {
    rows.iter().filter(|row| row.status == status).count()
}

/// Which events the server acknowledged, filled in by the senders.
type Acknowledged = Arc<Vec<AtomicBool>>;

fn acknowledged_count(acknowledged: &Acknowledged) -> usize {
    acknowledged
        .iter()
        .filter(|ack| ack.load(Ordering::SeqCst))
        .count()
}

/// `SENDERS` threads deliver events `0..EVENTS` as fast as the server takes them, each event
/// once, recording which were acknowledged.
fn start_burst(base: &str, acknowledged: &Acknowledged) -> Vec<std::thread::JoinHandle<()>> {
    let next = Arc::new(AtomicUsize::new(0));
    (0..SENDERS)
        .map(|_| {
            let (base, next, acknowledged) =
                (base.to_owned(), Arc::clone(&next), Arc::clone(acknowledged));
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(20))
                    .build()
                    .unwrap();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= EVENTS {
                        break;
                    }
                    if try_deliver(&client, &base, &add_event(i)) {
                        acknowledged[i].store(true, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect()
}

/// Polls the inbox until `enough` holds (at most `within`), then returns the rows.
fn inbox_when(db: &TestDb, within: Duration, enough: impl Fn(&[Row]) -> bool) -> Vec<Row> {
    let started = Instant::now();
    loop {
        let rows = inbox(db);
        if enough(&rows) || started.elapsed() > within {
            return rows;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Kills a server while it receives a burst of callbacks and applies them; has every event
/// the burst did not get acknowledged delivered again (as WeCom retries), with some
/// acknowledged ones repeated; kills the next server part-way through applying the backlog;
/// then checks, after a last restart, that each event was stored once and applied once.
///
/// "Applied once" is judged by `applications`, which the worker bumps in the transaction of
/// the effects, not by counting rows whose writes are idempotent anyway. "Mid-way" is asserted:
/// a kill that landed after the work was done fails the test.
#[test]
fn every_acknowledged_callback_is_applied_exactly_once_across_sigkills_under_load() {
    let db = TestDb::create();

    // 1. Killed while receiving (and applying) a burst.
    let (server, base) = serve(&db, true);
    let acknowledged: Acknowledged =
        Arc::new((0..EVENTS).map(|_| AtomicBool::new(false)).collect());
    let senders = start_burst(&base, &acknowledged);
    let started = Instant::now();
    while acknowledged_count(&acknowledged) < EVENTS / 3
        && started.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    kill(server);
    for sender in senders {
        sender.join().unwrap();
    }
    let after_first = inbox(&db);
    let acked: Vec<usize> = (0..EVENTS)
        .filter(|i| acknowledged[*i].load(Ordering::SeqCst))
        .collect();
    eprintln!(
        "first kill, while receiving: {} of {EVENTS} acknowledged, {} stored, {} applied",
        acked.len(),
        after_first.len(),
        count(&after_first, "done")
    );
    assert!(
        acked.len() < EVENTS,
        "the kill landed while callbacks were arriving (all {EVENTS} were acknowledged before it)"
    );
    let stored: HashSet<&str> = after_first.iter().map(|row| row.payload.as_str()).collect();
    let lost: Vec<usize> = acked
        .iter()
        .copied()
        .filter(|i| !stored.contains(add_event(*i).as_str()))
        .collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    let applied_first = count(&after_first, "done");
    assert!(
        applied_first > 0 && applied_first < after_first.len(),
        "the kill landed while stored callbacks were being applied: {applied_first} of {} applied",
        after_first.len()
    );

    // 2. WeCom delivers again what it saw no answer to (and, as it may, a few it did).
    let (server, base) = serve(&db, false);
    for i in (0..EVENTS)
        .filter(|i| !acked.contains(i))
        .chain(acked.iter().copied().take(50))
    {
        deliver(&base, &add_event(i));
    }
    kill(server);
    assert_eq!(
        inbox(&db).len(),
        EVENTS,
        "one row per event, retries collapsed"
    );

    // 3. Killed part-way through applying the backlog.
    let (server, _) = serve(&db, true);
    inbox_when(&db, Duration::from_secs(30), |rows| {
        count(rows, "done") > applied_first
    });
    kill(server);
    let after_second = inbox(&db);
    let applied_second = count(&after_second, "done");
    eprintln!(
        "second kill, while applying: {applied_second} of {EVENTS} applied, {} in progress",
        count(&after_second, "processing")
    );
    assert!(
        applied_second > applied_first && applied_second < EVENTS,
        "the kill landed part-way through the backlog: {applied_first} then {applied_second} of {EVENTS} applied"
    );

    // 4. After a restart everything is applied, each row once.
    let (server, _) = serve(&db, true);
    let rows = inbox_when(&db, Duration::from_secs(60), |rows| {
        count(rows, "done") == EVENTS
    });
    kill(server);
    assert_eq!(rows.len(), EVENTS, "one row per event");
    let unsettled: Vec<&Row> = rows.iter().filter(|row| row.status != "done").collect();
    assert!(unsettled.is_empty(), "every row applied: {unsettled:?}");
    let twice: Vec<&Row> = rows.iter().filter(|row| row.applications != 1).collect();
    assert!(twice.is_empty(), "each row applied exactly once: {twice:?}");
    eprintln!(
        "claimed more than once (a kill took their first claim): {}",
        rows.iter().filter(|row| row.attempts > 1).count()
    );

    let (relations, history) = runtime().block_on(async {
        let conn = Database::connect(&db.url).await.unwrap();
        let scalar = |sql: &'static str| {
            let conn = &conn;
            async move {
                let row = conn
                    .query_one_raw(sea_orm::Statement::from_string(
                        conn.get_database_backend(),
                        sql,
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                row.try_get_by_index::<i64>(0).unwrap()
            }
        };
        (
            scalar("SELECT COUNT(*) FROM guide_customers").await,
            scalar("SELECT COUNT(*) FROM follow_history").await,
        )
    });
    assert_eq!(relations, EVENTS as i64, "one relation per add");
    assert_eq!(history, EVENTS as i64, "each add recorded once");
}

#[test]
fn inbox_retry_makes_a_row_due_again_and_refuses_an_unknown_id() {
    let db = TestDb::create();
    let (server, base) = serve(&db, false);
    deliver(&base, &add_event(1));
    kill(server);

    let output = guidedesk(&db)
        .args(["inbox", "list", "--status", "pending"])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&output.stdout);
    assert!(
        listing.contains("change_external_contact/add_external_contact"),
        "{listing}"
    );
    let id = listing.split_whitespace().next().unwrap().to_owned();

    let output = guidedesk(&db)
        .args(["inbox", "retry", &id])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = guidedesk(&db)
        .args(["inbox", "retry", "987654"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no inbox row 987654"));
}
