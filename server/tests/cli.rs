// Test code: a failed step should stop the test where it happened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The `guidedesk` binary as an operator runs it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn guidedesk(dir: &tempfile::TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_guidedesk"));
    command
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GUIDEDESK_LOG", "warn");
    command
}

/// The first line the child prints (the address it serves).
fn first_line(child: &mut std::process::Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line
}

/// Sends SIGTERM and waits (at most 30 s) for the child to exit.
fn stop_with_sigterm(child: &mut std::process::Child) -> std::process::ExitStatus {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the process did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_bad_value_stops_start_up_naming_the_key_without_echoing_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let output = guidedesk(&dir)
        .arg("serve")
        .env("GUIDEDESK_LISTEN", "not-an-address")
        .env("WECOM_CALLBACK_AES_KEY", "secret-but-too-short")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "configuration errors exit with 2"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("GUIDEDESK_LISTEN"), "{stderr}");
    assert!(stderr.contains("WECOM_CALLBACK_AES_KEY"), "{stderr}");
    assert!(
        !stderr.contains("secret-but-too-short"),
        "a secret is never echoed: {stderr}"
    );
    assert!(
        !dir.path().join("guidedesk.db").exists(),
        "nothing is created on bad config"
    );
}

#[test]
fn a_config_file_is_read_and_the_environment_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("guidedesk.toml");
    std::fs::write(&file, "listen = \"nowhere\"\n[wecom]\nagent_id = \"x\"\n").unwrap();
    let output = guidedesk(&dir)
        .args(["--config"])
        .arg(&file)
        .arg("serve")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`listen` in the config file"), "{stderr}");
    assert!(stderr.contains("WECOM_AGENT_ID"), "{stderr}");

    // With the bad values overridden by the environment, `migrate status` runs.
    let output = guidedesk(&dir)
        .args(["--config"])
        .arg(&file)
        .args(["migrate", "status"])
        .env("GUIDEDESK_LISTEN", "127.0.0.1:0")
        .env("WECOM_AGENT_ID", "1000002")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn migrate_reports_applies_and_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = guidedesk(&dir).args(args).output().unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, status, err) = run(&["migrate", "status"]);
    assert!(ok, "{err}");
    assert!(status.lines().all(|l| l.starts_with("pending")), "{status}");
    assert!(
        dir.path().join("guidedesk.db").exists(),
        "the default SQLite file is created"
    );

    let (ok, up, err) = run(&["migrate", "up"]);
    assert!(ok, "{err}");
    assert!(up.lines().all(|l| l.starts_with("applied")), "{up}");

    let (ok, down, err) = run(&["migrate", "down"]);
    assert!(ok, "{err}");
    let last = down.lines().last().unwrap();
    assert!(
        last.starts_with("pending"),
        "down rolls back exactly the last one: {down}"
    );
    assert_eq!(
        down.lines().filter(|l| l.starts_with("pending")).count(),
        1,
        "{down}"
    );

    let (ok, _, err) = run(&["migrate", "fresh"]);
    assert!(!ok && err.contains("--yes"), "fresh needs --yes: {err}");
}

#[test]
fn serve_prints_the_url_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = guidedesk(&dir)
        .arg("serve")
        .env("GUIDEDESK_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = first_line(&mut child);
    let url = line
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/sidebar/"),
        "{line}"
    );

    let health_url = url.replace("/sidebar/", "/healthz");
    let body = reqwest::blocking::get(&health_url).unwrap().text().unwrap();
    assert!(body.contains("\"ok\""), "{body}");

    let status = stop_with_sigterm(&mut child);
    assert!(status.success(), "a graceful stop exits 0: {status:?}");
}

#[test]
fn wecom_sim_serves_the_sample_corp_until_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = guidedesk(&dir)
        .args(["wecom-sim", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = first_line(&mut child);
    let base = line
        .split_whitespace()
        .find(|word| word.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line}"))
        .to_owned();

    let token: serde_json::Value = reqwest::blocking::get(format!(
        "{base}cgi-bin/gettoken?corpid=wwsimcorp0000000001&corpsecret=sim-corp-secret"
    ))
    .unwrap()
    .json()
    .unwrap();
    assert_eq!(token["errcode"], 0, "{token}");
    let access_token = token["access_token"].as_str().unwrap();
    let member: serde_json::Value = reqwest::blocking::get(format!(
        "{base}cgi-bin/user/get?access_token={access_token}&userid=guide.li"
    ))
    .unwrap()
    .json()
    .unwrap();
    assert_eq!(member["name"], "李娜", "{member}");
    let refused: serde_json::Value =
        reqwest::blocking::get(format!("{base}cgi-bin/user/get?userid=guide.li"))
            .unwrap()
            .json()
            .unwrap();
    assert_eq!(
        refused["errcode"], 41001,
        "HTTP 200, errcode set: {refused}"
    );

    stop_with_sigterm(&mut child);
}

#[test]
fn sync_mirrors_the_simulated_corp_with_progress_lines_off_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut simulator = guidedesk(&dir)
        .args(["wecom-sim", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = first_line(&mut simulator);
    let base = line
        .split_whitespace()
        .find(|word| word.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line}"))
        .to_owned();
    let with_wecom = |command: &mut Command| {
        command
            .env("WECOM_API_BASE", &base)
            .env("WECOM_CORP_ID", "wwsimcorp0000000001")
            .env("WECOM_SECRET", "sim-corp-secret")
            .env("WECOM_AGENT_ID", "1000002");
    };

    let mut sync = guidedesk(&dir);
    with_wecom(&mut sync);
    let output = sync.args(["sync", "contacts"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("3 guides, 4 contacts, 0 relations no longer in WeCom"),
        "{stdout}"
    );
    // indicatif's figures as plain lines (the last always written), no bar.
    let last = stderr
        .lines()
        .rfind(|line| line.starts_with("sync: "))
        .unwrap_or_default();
    assert!(
        last.starts_with("sync: 3/3 guides · ") && last.contains("· 100% ·"),
        "plain progress lines when stderr is not a terminal: {stderr}"
    );
    assert!(last.ends_with("· 4 contacts"), "{stderr}");
    assert!(!stderr.contains("[##"), "no bar in a log: {stderr}");
    assert!(!stderr.contains('\r'), "no bar redraws in a log: {stderr}");

    let mut tags = guidedesk(&dir);
    with_wecom(&mut tags);
    let output = tags.args(["sync", "tags"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("2 groups, 4 tags"), "{stdout}");

    let output = guidedesk(&dir).args(["sync", "status"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("contacts done"), "{stdout}");
    assert!(stdout.contains("3/3 guides, 4 contacts"), "{stdout}");

    let output = guidedesk(&dir).args(["sync", "contacts"]).output().unwrap();
    assert!(!output.status.success(), "no WeCom app configured");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("WECOM_CORP_ID"), "{stderr}");

    stop_with_sigterm(&mut simulator);
}

#[test]
fn import_reports_bad_lines_and_exits_non_zero_when_any_was_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("stores.csv"),
        "id,updated_at,name,city\nS1,2026-01-01T00:00:00Z,上海店,上海\nS2,2026-01-01T00:00:00Z,,北京\n",
    )
    .unwrap();
    let output = guidedesk(&dir)
        .args(["import", "stores", "stores.csv"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "a refused row fails the command");
    assert!(
        stdout.contains("2 records, 1 accepted, 1 refused"),
        "{stdout}"
    );
    assert!(stderr.contains("line 3 [S2]"), "{stderr}");
    let last = stderr
        .lines()
        .rfind(|line| line.starts_with("import: "))
        .unwrap_or_default();
    assert!(
        last.contains("· 100% ·") && last.ends_with("· 2 records"),
        "plain progress lines: {stderr}"
    );

    std::fs::write(
        dir.path().join("fixed.csv"),
        "id,updated_at,name,city\nS2,2026-01-01T00:00:00Z,北京店,北京\n",
    )
    .unwrap();
    let output = guidedesk(&dir)
        .args(["import", "stores", "fixed.csv"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let output = guidedesk(&dir)
        .args(["import", "planets", "fixed.csv"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown kind `planets`"));
    let output = guidedesk(&dir)
        .args(["import", "stores", "stores.txt"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("--format csv|jsonl"));
}

#[test]
fn attribution_replay_is_a_dry_run_unless_applied_and_names_what_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = guidedesk(&dir).args(args).output().unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["attribution", "replay", "--from", "2026-01-01"]);
    assert!(ok, "{err}");
    assert!(out.contains("0 orders of 0 members"), "{out}");
    assert!(
        out.contains("policy version 1: dry run, nothing written"),
        "{out}"
    );
    assert!(out.contains("no guide's credit changes"), "{out}");
    let (ok, out, err) = run(&[
        "attribution",
        "replay",
        "--from",
        "2026-01-01T00:00:00+08:00",
        "--apply",
    ]);
    assert!(ok && out.contains(": applied"), "{out}{err}");
    let (ok, _, err) = run(&["attribution", "replay", "--from", "January"]);
    assert!(!ok && err.contains("not YYYY-MM-DD"), "{err}");
    let (ok, _, err) = run(&[
        "attribution",
        "replay",
        "--from",
        "2026-01-01",
        "--policy",
        "99",
    ]);
    assert!(!ok && err.contains("no policy version 99"), "{err}");
}

#[test]
fn stamp_verify_says_what_a_genuine_link_says_and_refuses_forged_foreign_and_expired_ones() {
    use server::stamp::{ParamNames, Recipient, Stamp, StampKeys, stamp_link};
    let dir = tempfile::tempdir().unwrap();
    let old = "k1:a-retired-but-still-configured-key-000001";
    let current = "k2:the-current-stamp-key-of-this-brand-00002";
    let configured = format!("{current},{old}");
    let now = chrono::Utc::now().timestamp();
    let stamp = Stamp {
        share: "Q7fK2mZ9xL4pW8rT3vN6bY1c".into(),
        recipient: Recipient::Chat("wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA".into()),
        staff: "guide.li".into(),
        guide: 12,
        store: Some(3),
        issued_at: now,
    };
    let sign = |keys: &str, stamp: &Stamp| {
        let keys = StampKeys::parse(keys).unwrap();
        stamp_link(
            "https://mall.example.com/activity?id=5",
            stamp,
            &keys,
            &ParamNames::default(),
        )
        .unwrap()
    };
    let verify = |link: &str| {
        let output = guidedesk(&dir)
            .env("GUIDEDESK_STAMP_KEYS", &configured)
            .args(["stamp", "verify", link])
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };

    for keys in [current, old] {
        let (ok, out, err) = verify(&sign(keys, &stamp));
        assert!(ok, "{err}");
        for expected in [
            "genuine: signed with key",
            "share     Q7fK2mZ9xL4pW8rT3vN6bY1c",
            "chat      wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA",
            "staff     guide.li",
            "guide     12",
            "store     3",
        ] {
            assert!(out.contains(expected), "{expected:?} in {out}");
        }
    }
    let genuine = sign(current, &stamp);
    let refused = [
        (
            genuine.replace("gd_guide=12", "gd_guide=13"),
            "forged or altered",
        ),
        (
            sign("k2:another-deployments-key-of-the-same-id-03", &stamp),
            "forged or altered",
        ),
        (
            sign("k9:a-key-this-deployment-never-had-00000004", &stamp),
            "which this server does not have",
        ),
        (
            sign(
                current,
                &Stamp {
                    issued_at: now - 91 * 86_400,
                    ..stamp.clone()
                },
            ),
            "stamps are accepted for 90 days",
        ),
        (
            "https://mall.example.com/activity?id=5".into(),
            "carries no stamp",
        ),
    ];
    for (link, why) in refused {
        let (ok, _, err) = verify(&link);
        assert!(!ok, "{link} was accepted");
        assert!(
            err.contains("not genuine") && err.contains(why),
            "{why:?} in {err}"
        );
        assert!(!err.contains("the-current-stamp-key"), "no secret in {err}");
    }

    let output = guidedesk(&dir)
        .args(["stamp", "verify", &genuine])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("GUIDEDESK_STAMP_KEYS"));
}

/// Short-link opens are written off the request path, a second at a time: a graceful stop
/// (SIGTERM) right after a burst still writes every one of them.
#[test]
fn every_short_link_open_is_written_when_the_server_stops_right_after_a_burst() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database};
    use server::config::StampSettings;
    use server::shares::{Sender, SharedItem, prepare_share};
    use server::stamp::{ParamNames, Recipient, StampKeys};
    const OPENS: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    // SQLite, and PostgreSQL in .ci/test's second pass.
    let test_db = common::TestDb::create();
    let database = test_db.url.clone();
    let mut child = guidedesk(&dir)
        .arg("serve")
        .env("DATABASE_URL", &database)
        .env("GUIDEDESK_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = first_line(&mut child);
    let base = line
        .split_whitespace()
        .last()
        .unwrap()
        .replace("/sidebar/", "");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(Database::connect(&database)).unwrap();
    let token = runtime.block_on(async {
        let now = chrono::Utc::now();
        let guide = server::entity::guide::ActiveModel {
            wecom_userid: Set("guide.li".into()),
            name: Set("李娜".into()),
            status: Set("active".into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
        let stamping = StampSettings {
            keys: StampKeys::parse("k1:the-stamp-key-of-the-test-brand-000000001").unwrap(),
            params: ParamNames::default(),
            max_age_secs: 86_400,
        };
        let sender = Sender::now(&db, guide.id, "guide.li").await.unwrap();
        let item = SharedItem {
            kind: "material",
            id: "M-1".into(),
            target: "https://mall.example.com/activity/winter".into(),
            coupon: None,
        };
        let customer = Recipient::Customer("wmCUSTOMER".into());
        let (share, _) = prepare_share(
            &db,
            &server::database::WriteGate::default(),
            &stamping,
            &sender,
            &customer,
            &item,
            "k",
        )
        .await
        .unwrap();
        share.token
    });
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..OPENS {
        let response = client.get(format!("{base}/s/{token}")).send().unwrap();
        assert_eq!(response.status(), 302);
    }
    let status = stop_with_sigterm(&mut child);
    assert!(status.success(), "{status:?}");
    let written = runtime.block_on(async {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) FROM share_clicks",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    });
    assert_eq!(
        written, OPENS as i64,
        "every open written before the process ended"
    );
}
