//! Every migration goes up, down and up again, on SQLite and (with TEST_DATABASE_URL) on
//! PostgreSQL, through the server's own connection code.

use migrations::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;
use sea_orm_migration::{MigrationStatus, SchemaManager};
use server::config::{DatabaseSettings, Secret};
use tests::backends::{TestDatabase, test_database_url};

const TABLES: &[&str] = &[
    "stores",
    "guides",
    "customers",
    "guide_customers",
    "tag_groups",
    "tags",
    "guide_customer_tags",
    "callback_inbox",
    "follow_history",
    "wecom_sync_queue",
    "customer_transfers",
    "member_tags",
    "shares",
    "share_clicks",
    "coupon_guide_days",
    "coupon_send_turns",
    "materials",
    "wecom_media",
    "welcome_messages",
    "welcome_sends",
];

async fn connect(database: &TestDatabase) -> DatabaseConnection {
    let settings = DatabaseSettings {
        url: Secret::new(database.url()),
        pool_size: 2,
    };
    server::database::connect(&settings).await.expect("connect")
}

async fn existing_tables(db: &DatabaseConnection) -> Vec<&'static str> {
    let manager = SchemaManager::new(db);
    let mut present = Vec::new();
    for table in TABLES {
        if manager.has_table(*table).await.expect("has_table") {
            present.push(*table);
        }
    }
    present
}

async fn applied_count(db: &DatabaseConnection) -> usize {
    Migrator::get_migration_with_status(db)
        .await
        .expect("status")
        .iter()
        .filter(|m| m.status() == MigrationStatus::Applied)
        .count()
}

async fn every_migration_goes_up_down_and_up_again(database: TestDatabase) {
    let db = connect(&database).await;
    let total = Migrator::migrations().len();
    assert!(total >= 4);

    Migrator::up(&db, None).await.expect("up");
    assert_eq!(existing_tables(&db).await, TABLES, "every table after up");
    assert_eq!(applied_count(&db).await, total);

    // One step at a time, so each migration's own `down` is exercised.
    for remaining in (0..total).rev() {
        Migrator::down(&db, Some(1)).await.expect("down one step");
        assert_eq!(applied_count(&db).await, remaining);
    }
    assert!(
        existing_tables(&db).await.is_empty(),
        "no table left after down"
    );

    Migrator::up(&db, None).await.expect("up again");
    assert_eq!(
        existing_tables(&db).await,
        TABLES,
        "every table after up again"
    );
    assert_eq!(applied_count(&db).await, total);
}

#[tokio::test]
async fn migrations_go_up_down_up_on_sqlite() {
    every_migration_goes_up_down_and_up_again(TestDatabase::create_sqlite()).await;
}

#[tokio::test]
async fn migrations_go_up_down_up_on_postgres() {
    let Some(admin) = test_database_url() else {
        tests::backends::without_backend("TEST_DATABASE_URL (PostgreSQL)");
        return;
    };
    every_migration_goes_up_down_and_up_again(TestDatabase::create_postgres(&admin).await).await;
}

/// Replicas started at once migrate one at a time (PostgreSQL's advisory lock): all four
/// start, and the schema is there once.
#[tokio::test]
async fn replicas_starting_together_all_migrate() {
    let database = TestDatabase::create().await;
    if !database.url().starts_with("postgres") {
        return; // SQLite: one file, one server
    }
    let mut starts = Vec::new();
    for _ in 0..4 {
        let db = connect(&database).await;
        starts.push(tokio::spawn(
            async move { server::database::migrate(&db).await },
        ));
    }
    for start in starts {
        start.await.unwrap().expect("every replica migrates");
    }
    let db = connect(&database).await;
    assert_eq!(existing_tables(&db).await, TABLES);
    let pending = Migrator::get_pending_migrations(&db).await.unwrap();
    assert!(pending.is_empty());
}
