//! Fresh, isolated storage for each test, and its clean-up.

use sea_orm::{ConnectionTrait, Database};
use url::Url;

pub fn test_database_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

pub fn test_redis_url() -> Option<String> {
    std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

/// What a test that needs PostgreSQL or Redis does without it: skips, said on stderr, when the
/// run is SQLite-only by choice (`TEST_BACKENDS=sqlite`, as `.ci/test`'s first pass says);
/// otherwise fails, so that a plain `cargo test` cannot report it as passed.
pub fn without_backend(needs: &str) {
    if std::env::var("TEST_BACKENDS").as_deref() == Ok("sqlite") {
        eprintln!("skipped (TEST_BACKENDS=sqlite): needs {needs}");
    } else {
        panic!(
            "this test needs {needs}: set it (see the README, Tests), or TEST_BACKENDS=sqlite to skip it"
        );
    }
}

/// Notes, in the file `TEST_BACKEND_USERS` names, that the running test stores in the
/// backend the environment chooses (SQLite or PostgreSQL, in-process cache or Redis).
/// `.ci/test` runs its second pass, on PostgreSQL + Redis, over exactly the tests so noted
/// in its first: a test that touches neither would only repeat itself.
///
/// The test is named by its thread, which libtest names after it; storage made on any other
/// thread could not be traced to its test, so that is refused.
pub fn note_backend_use() {
    let Ok(path) = std::env::var("TEST_BACKEND_USERS") else {
        return;
    };
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("main");
    assert!(
        name != "main" && !name.starts_with("tokio-"),
        "test storage must be created on the test's own thread (it was on {name:?})"
    );
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("TEST_BACKEND_USERS={path}: {e}"));
    std::io::Write::write_all(&mut file, format!("{name}\n").as_bytes())
        .unwrap_or_else(|e| panic!("TEST_BACKEND_USERS={path}: {e}"));
}

pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// A database that exists for one test.
pub enum TestDatabase {
    Sqlite {
        url: String,
        _dir: tempfile::TempDir,
    },
    Postgres {
        url: String,
        admin_url: String,
        name: String,
    },
}

impl TestDatabase {
    /// A SQLite file in a temp dir, or a new PostgreSQL database when `TEST_DATABASE_URL`
    /// names a server.
    pub async fn create() -> Self {
        note_backend_use();
        match test_database_url() {
            Some(admin_url) => Self::create_postgres(&admin_url).await,
            None => Self::create_sqlite(),
        }
    }

    pub fn create_sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("guidedesk.db").display());
        Self::Sqlite { url, _dir: dir }
    }

    pub async fn create_postgres(admin_url: &str) -> Self {
        let name = unique_name("gd_test");
        let admin = Database::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but unreachable: {e}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create the test database");
        admin.close().await.ok();
        let mut url = Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        Self::Postgres {
            url: url.to_string(),
            admin_url: admin_url.to_owned(),
            name,
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }

    /// Drops a PostgreSQL test database (terminating the app's pooled connections).
    /// Runs on its own thread and runtime because it is called from `Drop`.
    fn drop_postgres(admin_url: String, name: String) {
        let done = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let Ok(runtime) = runtime else { return };
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    if let Err(e) = admin.execute_unprepared(&sql).await {
                        eprintln!("could not drop test database {name}: {e}");
                    }
                    admin.close().await.ok();
                }
            });
        });
        let _ = done.join();
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Self::Postgres {
            admin_url, name, ..
        } = self
        {
            Self::drop_postgres(std::mem::take(admin_url), std::mem::take(name));
        }
    }
}

/// A key prefix that exists for one test; its Redis keys are deleted afterwards.
pub struct TestCacheNamespace {
    pub redis_url: Option<String>,
    pub prefix: String,
}

impl TestCacheNamespace {
    pub fn create() -> Self {
        note_backend_use();
        Self {
            redis_url: test_redis_url(),
            prefix: unique_name("gdtest"),
        }
    }
}

impl Drop for TestCacheNamespace {
    fn drop(&mut self) {
        let Some(url) = self.redis_url.clone() else {
            return;
        };
        let pattern = format!("{}:*", self.prefix);
        let done = std::thread::spawn(move || {
            let Ok(client) = redis::Client::open(url) else {
                return;
            };
            let Ok(mut connection) = client.get_connection() else {
                return;
            };
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(&pattern)
                .query(&mut connection)
                .unwrap_or_default();
            if !keys.is_empty() {
                let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(keys).query(&mut connection);
            }
        });
        let _ = done.join();
    }
}
