//! What sending coupons and products needs:
//! - a template's guide sending quota (导购发券额度): `guide_quota` in all (none: no cap) and
//!   `guide_quota_used`, taken by a conditional update so it is never over-issued;
//!   `guide_daily_limit` per guide per day, counted in `coupon_guide_days`;
//! - `coupon_send_turns`: one row per template and recipient that a coupon send locks
//!   (`UPDATE`) before it counts the recipient's grants and live sends, so two guides sending
//!   the same coupon to one customer at once cannot both pass the per-customer limit;
//! - on a share: the end of its claim window (`claim_by`), the day its guide's daily quota
//!   was taken (`quota_day`, to give it back to that day), when it was claimed;
//! - on a grant: the share it was claimed through (the mall reports it);
//! - a SKU's stock (none: not tracked, treated as in stock).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, integer, integer_null, string, string_null,
    timestamp_with_time_zone_null,
};

use crate::schema_helpers::{add_columns, col, drop_columns, drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CouponTemplates {
    Table,
    GuideQuota,
    GuideQuotaUsed,
    GuideDailyLimit,
}

#[derive(DeriveIden)]
enum CouponGuideDays {
    Table,
    Id,
    TemplateId,
    GuideId,
    Day,
    Used,
}

#[derive(DeriveIden)]
enum CouponSendTurns {
    Table,
    Id,
    TemplateId,
    RecipientKind,
    RecipientId,
    Turns,
}

#[derive(DeriveIden)]
enum Shares {
    Table,
    ClaimBy,
    QuotaDay,
    ClaimedAt,
}

#[derive(DeriveIden)]
enum CouponGrants {
    Table,
    ShareToken,
}

#[derive(DeriveIden)]
enum ProductSkus {
    Table,
    Stock,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            CouponTemplates::Table,
            vec![
                big_integer_null(CouponTemplates::GuideQuota).to_owned(),
                big_integer(CouponTemplates::GuideQuotaUsed)
                    .default(0)
                    .to_owned(),
                integer_null(CouponTemplates::GuideDailyLimit).to_owned(),
            ],
        )
        .await?;
        create_counters(manager).await?;
        add_columns(
            manager,
            Shares::Table,
            vec![
                timestamp_with_time_zone_null(Shares::ClaimBy).to_owned(),
                string_null(Shares::QuotaDay).to_owned(),
                timestamp_with_time_zone_null(Shares::ClaimedAt).to_owned(),
            ],
        )
        .await?;
        // The sweep that gives back unclaimed coupons' quota reads live shares by deadline.
        index(
            manager,
            "idx_shares_claim_by",
            Shares::Table,
            vec![col(Shares::ClaimBy)],
            false,
        )
        .await?;
        add_columns(
            manager,
            CouponGrants::Table,
            vec![string_null(CouponGrants::ShareToken).to_owned()],
        )
        .await?;
        add_columns(
            manager,
            ProductSkus::Table,
            vec![big_integer_null(ProductSkus::Stock).to_owned()],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(
            manager,
            ProductSkus::Table,
            vec![ProductSkus::Stock.into_iden()],
        )
        .await?;
        drop_columns(
            manager,
            CouponGrants::Table,
            vec![CouponGrants::ShareToken.into_iden()],
        )
        .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_shares_claim_by")
                    .table(Shares::Table)
                    .to_owned(),
            )
            .await?;
        drop_columns(
            manager,
            Shares::Table,
            vec![
                Shares::ClaimBy.into_iden(),
                Shares::QuotaDay.into_iden(),
                Shares::ClaimedAt.into_iden(),
            ],
        )
        .await?;
        drop_tables(
            manager,
            vec![
                CouponSendTurns::Table.into_iden(),
                CouponGuideDays::Table.into_iden(),
            ],
        )
        .await?;
        drop_columns(
            manager,
            CouponTemplates::Table,
            vec![
                CouponTemplates::GuideQuota.into_iden(),
                CouponTemplates::GuideQuotaUsed.into_iden(),
                CouponTemplates::GuideDailyLimit.into_iden(),
            ],
        )
        .await
    }
}

async fn create_counters(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(CouponGuideDays::Table)
                .col(big_pk_auto(CouponGuideDays::Id))
                .col(big_integer(CouponGuideDays::TemplateId))
                .col(big_integer(CouponGuideDays::GuideId))
                // `YYYY-MM-DD`, the brand's (China's) calendar day.
                .col(string(CouponGuideDays::Day))
                .col(integer(CouponGuideDays::Used).default(0))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "ux_coupon_guide_days",
        CouponGuideDays::Table,
        vec![
            col(CouponGuideDays::TemplateId),
            col(CouponGuideDays::GuideId),
            col(CouponGuideDays::Day),
        ],
        true,
    )
    .await?;
    manager
        .create_table(
            Table::create()
                .table(CouponSendTurns::Table)
                .col(big_pk_auto(CouponSendTurns::Id))
                .col(big_integer(CouponSendTurns::TemplateId))
                .col(string(CouponSendTurns::RecipientKind))
                .col(string(CouponSendTurns::RecipientId))
                .col(big_integer(CouponSendTurns::Turns).default(0))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "ux_coupon_send_turns",
        CouponSendTurns::Table,
        vec![
            col(CouponSendTurns::TemplateId),
            col(CouponSendTurns::RecipientKind),
            col(CouponSendTurns::RecipientId),
        ],
        true,
    )
    .await
}
