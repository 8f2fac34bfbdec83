// Test code: a failed step should stop the test where it happened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The server process is killed (SIGKILL) with callbacks pending and mid-way through applying
//! them; after a restart, every acknowledged callback is applied exactly once.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use server::config::Secret;
use server::wecom::crypto::CallbackCrypto;

const TOKEN: &str = "QDG6eK";
const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const CORP_ID: &str = "ww5823bf96d3bd56c7";
const EVENTS: usize = 300;

/// A database for this test: SQLite in a temp dir, or a fresh PostgreSQL database.
struct TestDb {
    url: String,
    drop_sql: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

impl TestDb {
    fn create() -> Self {
        let dir = tempfile::tempdir().unwrap();
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|v| !v.is_empty())
        {
            None => Self {
                url: format!("sqlite://{}", dir.path().join("crash.db").display()),
                drop_sql: None,
                _dir: dir,
            },
            Some(admin) => {
                let name = format!("gd_crash_{}", uuid::Uuid::new_v4().simple());
                runtime().block_on(async {
                    let db = Database::connect(&admin).await.unwrap();
                    db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\""))
                        .await
                        .unwrap();
                    db.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                        .await
                        .unwrap();
                });
                let mut url = url::Url::parse(&admin).unwrap();
                url.set_path(&format!("/{name}"));
                let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                Self {
                    url: url.to_string(),
                    drop_sql: Some((admin, drop)),
                    _dir: dir,
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, sql)) = self.drop_sql.take() {
            runtime().block_on(async {
                if let Ok(db) = Database::connect(&admin).await {
                    let _ = db.execute_unprepared(&sql).await;
                }
            });
        }
    }
}

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

/// `(status, payload)` of every inbox row, read with `guidedesk inbox list --json`.
fn inbox(db: &TestDb) -> Vec<(String, String)> {
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
            (
                row["status"].as_str().unwrap().to_owned(),
                row["payload"].as_str().unwrap().to_owned(),
            )
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

fn deliver(base: &str, payload: &str) {
    let crypto = CallbackCrypto::new(Secret::new(TOKEN), AES_KEY, CORP_ID).unwrap();
    let encrypt = crypto.encrypt(payload).unwrap();
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let signature = crypto.sign(&timestamp, "n", &encrypt);
    let body = format!("<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>");
    let response = reqwest::blocking::Client::new()
        .post(format!(
            "{base}/wecom/callback?msg_signature={signature}&timestamp={timestamp}&nonce=n"
        ))
        .body(body)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200, "acknowledged");
}

fn count(rows: &[(String, String)], status: &str) -> usize {
    rows.iter().filter(|(s, _)| s == status).count()
}

#[test]
fn every_acknowledged_callback_is_applied_exactly_once_across_sigkills() {
    let db = TestDb::create();

    // 1. A receive-only server acknowledges every callback, then dies without a word.
    let (server, base) = serve(&db, false);
    for i in 0..EVENTS {
        deliver(&base, &add_event(i));
    }
    kill(server);
    let rows = inbox(&db);
    assert_eq!(
        count(&rows, "pending"),
        EVENTS,
        "every acknowledged callback survived the kill"
    );

    // 2. A server with the worker starts applying them and is killed part-way.
    let (server, _) = serve(&db, true);
    let started = Instant::now();
    while count(&inbox(&db), "done") == 0 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    kill(server);
    let between = inbox(&db);
    eprintln!(
        "killed mid-way: {} done, {} processing, {} pending",
        count(&between, "done"),
        count(&between, "processing"),
        count(&between, "pending")
    );

    // 3. After a restart everything is applied, once.
    let (server, _) = serve(&db, true);
    let started = Instant::now();
    let rows = loop {
        let rows = inbox(&db);
        if count(&rows, "done") == EVENTS || started.elapsed() > Duration::from_secs(60) {
            break rows;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    kill(server);
    assert_eq!(rows.len(), EVENTS, "one row per acknowledged callback");
    assert_eq!(
        count(&rows, "done"),
        EVENTS,
        "every row applied: {:?}",
        rows.iter().map(|r| &r.0).collect::<Vec<_>>()
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
