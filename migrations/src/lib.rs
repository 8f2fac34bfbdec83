//! The GuideDesk schema, one migration per step. Every migration runs on SQLite and
//! PostgreSQL and has a `down`; `tests/tests/suite/migrations.rs` runs them up, down and up again on
//! both. The server applies pending migrations when it starts (`guidedesk migrate` for by hand).

pub use sea_orm_migration::prelude::MigratorTrait;
use sea_orm_migration::prelude::{MigrationTrait, async_trait};

mod m20261122_000001_directory;
mod m20261122_000002_tags;
mod m20261122_000003_callback_inbox;
mod m20261122_000004_callback_effects;
mod m20261122_000005_sync_runs;
mod m20261122_000006_commerce;
mod m20261122_000007_member_tags;
mod m20261123_000008_shipment_newest;
mod m20261201_000009_exactly_once;
mod m20261201_000010_shares;
mod m20261201_000011_share_clicks;
mod m20261201_000012_coupon_quotas;
mod m20261201_000013_materials;
mod m20261201_000014_radar;
mod m20261201_000015_welcome;
mod m20261202_000016_attribution;
mod m20261202_000017_report_days;
mod m20261202_000018_manual_bindings;
mod schema_helpers;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_directory::Migration),
            Box::new(m20261122_000002_tags::Migration),
            Box::new(m20261122_000003_callback_inbox::Migration),
            Box::new(m20261122_000004_callback_effects::Migration),
            Box::new(m20261122_000005_sync_runs::Migration),
            Box::new(m20261122_000006_commerce::Migration),
            Box::new(m20261122_000007_member_tags::Migration),
            Box::new(m20261123_000008_shipment_newest::Migration),
            Box::new(m20261201_000009_exactly_once::Migration),
            Box::new(m20261201_000010_shares::Migration),
            Box::new(m20261201_000011_share_clicks::Migration),
            Box::new(m20261201_000012_coupon_quotas::Migration),
            Box::new(m20261201_000013_materials::Migration),
            Box::new(m20261201_000014_radar::Migration),
            Box::new(m20261201_000015_welcome::Migration),
            Box::new(m20261202_000016_attribution::Migration),
            Box::new(m20261202_000017_report_days::Migration),
            Box::new(m20261202_000018_manual_bindings::Migration),
        ]
    }
}
