//! Attribution: the stamped touches the mall reports (a visit, a cart, an order carrying a
//! share's stamp), each member's binding guide (专属导购) and its history, the credit ledger
//! (every paid order's amount split among guides or its store, with why; refunds reversed),
//! and the versions of the brand's crediting policy.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, integer, string, string_null, text,
    text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

use crate::schema_helpers::{add_columns, col, drop_columns, drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Touches {
    Table,
    Id,
    SourceKind,
    SourceId,
    MemberId,
    Kind,
    TouchedAt,
    Stamp,
    Valid,
    Refusal,
    ShareToken,
    GuideId,
    StoreId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Bindings {
    Table,
    Id,
    MemberId,
    GuideId,
    StoreId,
    Source,
    Evidence,
    StartedAt,
    EndedAt,
    EndedBy,
    PolicyVersion,
}

#[derive(DeriveIden)]
enum OrderCredits {
    Table,
    Id,
    OrderId,
    Entry,
    Line,
    AmountFen,
    Rule,
    Reason,
    GuideId,
    StoreId,
    BindingId,
    ShareToken,
    TouchedAt,
    PolicyVersion,
    CreditedAt,
}

#[derive(DeriveIden)]
enum AttributionPolicies {
    Table,
    Version,
    Policy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    RefundedFen,
    RefundedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        touches(manager).await?;
        bindings(manager).await?;
        order_credits(manager).await?;
        manager
            .create_table(
                Table::create()
                    .table(AttributionPolicies::Table)
                    .col(integer(AttributionPolicies::Version).primary_key())
                    // The policy as canonical JSON: a changed policy is a new version.
                    .col(text(AttributionPolicies::Policy))
                    .col(timestamp_with_time_zone(AttributionPolicies::CreatedAt))
                    .to_owned(),
            )
            .await?;
        add_columns(
            manager,
            Orders::Table,
            vec![
                big_integer(Orders::RefundedFen).default(0).to_owned(),
                timestamp_with_time_zone_null(Orders::RefundedAt).to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(
            manager,
            Orders::Table,
            vec![
                Orders::RefundedAt.into_iden(),
                Orders::RefundedFen.into_iden(),
            ],
        )
        .await?;
        drop_tables(
            manager,
            vec![
                AttributionPolicies::Table.into_iden(),
                OrderCredits::Table.into_iden(),
                Bindings::Table.into_iden(),
                Touches::Table.into_iden(),
            ],
        )
        .await
    }
}

/// One row per stamped event or order the mall reported, valid or not (with why not).
async fn touches(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Touches::Table)
                .col(big_pk_auto(Touches::Id))
                // `event` or `order`, and the mall's id of it: a repeated report is one touch.
                .col(string(Touches::SourceKind))
                .col(string(Touches::SourceId))
                .col(big_integer_null(Touches::MemberId))
                // The event's kind (`browse_product`, `add_to_cart`, …) or `order`.
                .col(string(Touches::Kind))
                .col(timestamp_with_time_zone(Touches::TouchedAt))
                // The stamp's parameters as received, as a query string.
                .col(text(Touches::Stamp))
                .col(boolean(Touches::Valid))
                .col(text_null(Touches::Refusal))
                .col(string_null(Touches::ShareToken))
                .col(big_integer_null(Touches::GuideId))
                .col(big_integer_null(Touches::StoreId))
                .col(timestamp_with_time_zone(Touches::CreatedAt))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "idx_touches_source",
        Touches::Table,
        vec![col(Touches::SourceKind), col(Touches::SourceId)],
        true,
    )
    .await?;
    index(
        manager,
        "idx_touches_member_time",
        Touches::Table,
        vec![col(Touches::MemberId), col(Touches::TouchedAt)],
        false,
    )
    .await
}

/// A member's binding guide over time: the open row (no `ended_at`) is the current one.
async fn bindings(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Bindings::Table)
                .col(big_pk_auto(Bindings::Id))
                .col(big_integer(Bindings::MemberId))
                .col(big_integer(Bindings::GuideId))
                .col(big_integer_null(Bindings::StoreId))
                // `wecom_add`, `stamped_touch`, `purchase`, `transfer` or `manual`.
                .col(string(Bindings::Source))
                // The share token, order id or transfer that made it.
                .col(string_null(Bindings::Evidence))
                .col(timestamp_with_time_zone(Bindings::StartedAt))
                .col(timestamp_with_time_zone_null(Bindings::EndedAt))
                .col(string_null(Bindings::EndedBy))
                .col(integer(Bindings::PolicyVersion))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "idx_bindings_member",
        Bindings::Table,
        vec![col(Bindings::MemberId), col(Bindings::StartedAt)],
        false,
    )
    .await?;
    index(
        manager,
        "idx_bindings_guide",
        Bindings::Table,
        vec![col(Bindings::GuideId), col(Bindings::StartedAt)],
        false,
    )
    .await
}

/// The credit ledger: each paid order's rows add up to its paid amount; a refund's
/// reversing rows (negative) to minus the refunded amount.
async fn order_credits(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(OrderCredits::Table)
                .col(big_pk_auto(OrderCredits::Id))
                .col(big_integer(OrderCredits::OrderId))
                // `credit` or `reversal`, and the row's number within it.
                .col(string(OrderCredits::Entry))
                .col(integer(OrderCredits::Line))
                .col(big_integer(OrderCredits::AmountFen))
                // `binding`, `last_share`, `store`, `unattributed`.
                .col(string(OrderCredits::Rule))
                .col(text(OrderCredits::Reason))
                .col(big_integer_null(OrderCredits::GuideId))
                .col(big_integer_null(OrderCredits::StoreId))
                .col(big_integer_null(OrderCredits::BindingId))
                .col(string_null(OrderCredits::ShareToken))
                .col(timestamp_with_time_zone_null(OrderCredits::TouchedAt))
                .col(integer(OrderCredits::PolicyVersion))
                // The payment's (or the refund's) time: the day it counts on.
                .col(timestamp_with_time_zone(OrderCredits::CreditedAt))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "idx_order_credits_order",
        OrderCredits::Table,
        vec![
            col(OrderCredits::OrderId),
            col(OrderCredits::Entry),
            col(OrderCredits::Line),
        ],
        true,
    )
    .await?;
    index(
        manager,
        "idx_order_credits_guide",
        OrderCredits::Table,
        vec![col(OrderCredits::GuideId), col(OrderCredits::CreditedAt)],
        false,
    )
    .await
}
