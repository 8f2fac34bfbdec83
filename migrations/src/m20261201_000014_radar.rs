//! The radar (营销雷达): when a share last told its guide that someone opened it, so that a
//! guide hears of a share at most once an hour however often it is opened.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::timestamp_with_time_zone_null;

use crate::schema_helpers::{add_columns, drop_columns};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Shares {
    Table,
    RadarAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            Shares::Table,
            vec![timestamp_with_time_zone_null(Shares::RadarAt).to_owned()],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(manager, Shares::Table, vec![Shares::RadarAt.into_iden()]).await
    }
}
