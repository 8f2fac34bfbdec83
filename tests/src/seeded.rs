//! A demo brand (`guidedesk demo seed`) behind a running app and the WeCom simulator holding
//! the same corp: what the sidebar's tests open customers in.

use std::time::Duration;

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use server::demo::{SeedOptions, SeedSummary, seed};
use server::wecom_sim::SimulatorData;

use crate::TestApp;
use crate::backends::TestDatabase;
use crate::guide_session::spawn_app_on_database;
use crate::simulator::TestSimulator;

/// A connection to a test database, migrated.
pub async fn connect(database: &TestDatabase) -> DatabaseConnection {
    let settings = server::config::DatabaseSettings {
        url: server::config::Secret::new(database.url()),
        pool_size: 4,
    };
    let db = server::database::connect(&settings)
        .await
        .expect("connect to the test database");
    server::database::migrate(&db)
        .await
        .expect("migrate the test database");
    db
}

/// Seed options for `customers` customers with seed `seed`, up to a fixed day.
pub fn seed_options(customers: u64, seed: u64, simulator_data: &std::path::Path) -> SeedOptions {
    SeedOptions {
        customers,
        seed,
        last_day: NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date"),
        simulator_data: Some(simulator_data.to_owned()),
        only_if_empty: false,
        progress: false,
    }
}

/// Fields drop in order: the app stops before the simulator and the database go.
pub struct SeededBrand {
    pub app: TestApp,
    pub simulator: TestSimulator,
    pub summary: SeedSummary,
    pub db: DatabaseConnection,
    _database: TestDatabase,
    _dir: tempfile::TempDir,
}

/// Seeds `customers` customers (seed 1), starts the simulator on the seed's WeCom half and an
/// app on both.
pub async fn seeded_brand(customers: u64) -> SeededBrand {
    seeded_brand_with(customers, Vec::new()).await
}

/// The same, the app started with `extra` settings too.
pub async fn seeded_brand_with(customers: u64, extra: Vec<(&'static str, String)>) -> SeededBrand {
    let database = TestDatabase::create().await;
    let db = connect(&database).await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("wecom-sim.json");
    let summary = seed(&db, &seed_options(customers, 1, &file))
        .await
        .expect("seed the demo brand");
    let data = SimulatorData::from_file(&file).expect("the simulator's data");
    let simulator = TestSimulator::start_with(data, Duration::from_secs(7200)).await;
    let app = spawn_app_on_database(&simulator, database.url(), extra).await;
    SeededBrand {
        app,
        simulator,
        summary,
        db,
        _database: database,
        _dir: dir,
    }
}
