//! The reports' summary: one row per day (China), guide and store, with what happened on it
//! (shares sent, people who opened them, stamped visits and carts, credited orders, sales and
//! refunds, new bindings). Kept up to date as shares, clicks, touches, bindings and credit
//! rows are written, so that a report reads a few hundred rows instead of the orders.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, string_len};

use crate::schema_helpers::{col, drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReportDays {
    Table,
    Day,
    GuideId,
    StoreId,
    Shares,
    Clicks,
    Visits,
    Carts,
    Orders,
    SalesFen,
    RefundsFen,
    NewBindings,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let counter = |name: ReportDays| big_integer(name).default(0).to_owned();
        manager
            .create_table(
                Table::create()
                    .table(ReportDays::Table)
                    // `YYYY-MM-DD` in China's time: ISO days sort and compare as text.
                    .col(string_len(ReportDays::Day, 10))
                    // 0 for none (a store's own credit, a sale credited to no one): a key
                    // column cannot be NULL and still conflict.
                    .col(big_integer(ReportDays::GuideId))
                    .col(big_integer(ReportDays::StoreId))
                    .col(counter(ReportDays::Shares))
                    .col(counter(ReportDays::Clicks))
                    .col(counter(ReportDays::Visits))
                    .col(counter(ReportDays::Carts))
                    .col(counter(ReportDays::Orders))
                    .col(counter(ReportDays::SalesFen))
                    .col(counter(ReportDays::RefundsFen))
                    .col(counter(ReportDays::NewBindings))
                    .primary_key(
                        Index::create()
                            .col(ReportDays::Day)
                            .col(ReportDays::GuideId)
                            .col(ReportDays::StoreId),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_report_days_guide",
            ReportDays::Table,
            vec![col(ReportDays::GuideId), col(ReportDays::Day)],
            false,
        )
        .await?;
        index(
            manager,
            "idx_report_days_store",
            ReportDays::Table,
            vec![col(ReportDays::StoreId), col(ReportDays::Day)],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, vec![ReportDays::Table.into_iden()]).await
    }
}
