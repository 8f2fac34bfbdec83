//! What the `guidedesk` binary's tests share: a database for one test (SQLite in a temp dir,
//! or a fresh PostgreSQL database when `TEST_DATABASE_URL` names a server), noted for
//! `.ci/test`'s second pass. Each test binary uses part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use sea_orm::{ConnectionTrait, Database};

/// A database for this test: SQLite in a temp dir, or a fresh PostgreSQL database.
pub struct TestDb {
    pub url: String,
    drop_sql: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// As `tests::backends::note_backend_use` (this crate cannot link that one): tells `.ci/test`
/// that this test stores in the backend the environment chooses, so its PostgreSQL pass runs it.
fn note_backend_use() {
    if let Ok(path) = std::env::var("TEST_BACKEND_USERS") {
        let name = std::thread::current().name().unwrap_or("main").to_owned();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        std::io::Write::write_all(&mut file, format!("{name}\n").as_bytes()).unwrap();
    }
}

impl TestDb {
    pub fn create() -> Self {
        note_backend_use();
        let dir = tempfile::tempdir().unwrap();
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|v| !v.is_empty())
        {
            None => Self {
                url: format!("sqlite://{}", dir.path().join("test.db").display()),
                drop_sql: None,
                _dir: dir,
            },
            Some(admin) => {
                let name = format!("gd_cli_{}", uuid::Uuid::new_v4().simple());
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
