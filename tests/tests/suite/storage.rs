//! The connection settings the server promises: on SQLite, WAL, a busy timeout and foreign
//! keys enforced; the same schema constraints on PostgreSQL.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use server::config::{DatabaseSettings, Secret};
use tests::backends::TestDatabase;

async fn migrated(database: &TestDatabase) -> DatabaseConnection {
    let settings = DatabaseSettings {
        url: Secret::new(database.url()),
        pool_size: 2,
    };
    let db = server::database::connect(&settings).await.expect("connect");
    server::database::migrate(&db).await.expect("migrate");
    db
}

async fn pragma(db: &DatabaseConnection, name: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            format!("PRAGMA {name}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0)
        .map(|n| n.to_string())
        .or_else(|_| row.try_get_by_index::<String>(0))
        .unwrap()
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys_on() {
    let database = TestDatabase::create_sqlite();
    let db = migrated(&database).await;
    assert_eq!(pragma(&db, "journal_mode").await, "wal");
    assert_eq!(pragma(&db, "foreign_keys").await, "1");
    assert_eq!(pragma(&db, "busy_timeout").await, "5000");
}

#[tokio::test]
async fn a_relation_to_a_guide_that_does_not_exist_is_refused() {
    let database = TestDatabase::create().await;
    let db = migrated(&database).await;
    let backend = db.get_database_backend();
    let insert = "INSERT INTO guide_customers (guide_id, customer_id, added_at, created_at, updated_at) \
                  VALUES (424242, 434343, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
    let result = db
        .execute_raw(Statement::from_string(backend, insert))
        .await;
    let error = result
        .expect_err("a dangling foreign key must be refused")
        .to_string();
    assert!(error.to_lowercase().contains("foreign key"), "{error}");
}

#[tokio::test]
async fn the_same_follow_relation_cannot_be_stored_twice() {
    let database = TestDatabase::create().await;
    let db = migrated(&database).await;
    let backend = db.get_database_backend();
    for sql in [
        "INSERT INTO guides (wecom_userid, name, created_at, updated_at) VALUES ('zhangsan', '张三', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO customers (external_userid, name, created_at, updated_at) VALUES ('wmA', '李四', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    ] {
        db.execute_raw(Statement::from_string(backend, sql))
            .await
            .unwrap();
    }
    let relate = "INSERT INTO guide_customers (guide_id, customer_id, added_at, created_at, updated_at) \
                  SELECT g.id, c.id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP \
                  FROM guides g, customers c WHERE g.wecom_userid = 'zhangsan' AND c.external_userid = 'wmA'";
    db.execute_raw(Statement::from_string(backend, relate))
        .await
        .unwrap();
    let twice = db
        .execute_raw(Statement::from_string(backend, relate))
        .await;
    assert!(twice.is_err(), "the (guide, customer) pair is unique");
}
