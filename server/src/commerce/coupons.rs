//! Coupon templates: cash (fen off) or discount (the share of the price kept, in per mille:
//! 850 is 85折), a threshold, a validity (fixed dates or days from issue), stock, a limit per
//! customer and the stores where they are usable (none listed: all).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::Deserialize;

use super::record::{
    RecordError, check_fen, check_id, check_one_of, check_text, id_by_source, invalid,
    resolve_store_ids, upsert_if_newer,
};
use crate::entity::{coupon_template, coupon_template_store};

/// `coupon-templates`: a kind of coupon the brand issues.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponTemplateRecord {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    pub name: String,
    /// `cash` or `discount`.
    pub kind: String,
    /// Cash: fen off. Discount: per mille of the price kept (1 to 999).
    pub value: i64,
    #[serde(default)]
    pub threshold_fen: i64,
    #[serde(default)]
    pub valid_from: Option<DateTime<Utc>>,
    #[serde(default)]
    pub valid_to: Option<DateTime<Utc>>,
    /// Days a grant stays valid from its issue, when not fixed dates.
    #[serde(default)]
    pub valid_days: i32,
    #[serde(default)]
    pub total_stock: i64,
    #[serde(default = "one")]
    pub per_customer_limit: i32,
    #[serde(default)]
    pub store_ids: Vec<String>,
    /// The guides' sending quota (导购发券额度) in all; absent: no cap.
    #[serde(default)]
    pub guide_quota: Option<i64>,
    /// Sends per guide per day; absent: no daily cap.
    #[serde(default)]
    pub guide_daily_limit: Option<i32>,
}

fn one() -> i32 {
    1
}

pub async fn apply(
    db: &impl ConnectionTrait,
    record: CouponTemplateRecord,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    check(&record)?;
    let store_ids = resolve_store_ids(db, &record.store_ids).await?;
    let source_id = record.id.clone();
    let written = upsert_if_newer::<coupon_template::Entity>(
        db,
        template_row(record, now),
        coupon_template::Column::SourceId,
        coupon_template::Column::SourceUpdatedAt,
        vec![
            coupon_template::Column::Name,
            coupon_template::Column::Kind,
            coupon_template::Column::Value,
            coupon_template::Column::ThresholdFen,
            coupon_template::Column::ValidFrom,
            coupon_template::Column::ValidTo,
            coupon_template::Column::ValidDays,
            coupon_template::Column::TotalStock,
            coupon_template::Column::PerCustomerLimit,
            coupon_template::Column::GuideQuota,
            coupon_template::Column::GuideDailyLimit,
            coupon_template::Column::SourceUpdatedAt,
            coupon_template::Column::UpdatedAt,
        ],
    )
    .await?;
    if !written {
        return Ok(());
    }
    let Some(template_id) = id_by_source::<coupon_template::Entity, _>(
        db,
        coupon_template::Column::SourceId,
        &source_id,
        |t| t.id,
    )
    .await?
    else {
        return Ok(());
    };
    replace_stores(db, template_id, store_ids).await?;
    Ok(())
}

fn check(record: &CouponTemplateRecord) -> Result<(), RecordError> {
    check_id("id", &record.id)?;
    check_text("name", &record.name, 100)?;
    check_one_of("kind", &record.kind, &["cash", "discount"])?;
    match record.kind.as_str() {
        "cash" if record.value <= 0 => {
            return Err(invalid(
                "invalid_amount",
                "a cash coupon's `value` is fen above 0",
            ));
        }
        "discount" if !(1..=999).contains(&record.value) => {
            return Err(invalid(
                "invalid_field",
                "a discount coupon's `value` is the per mille kept, 1 to 999 (850 = 85折)",
            ));
        }
        _ => {}
    }
    check_fen("threshold_fen", record.threshold_fen)?;
    if record.valid_days < 0 || record.total_stock < 0 || record.per_customer_limit < 1 {
        return Err(invalid(
            "invalid_field",
            "`valid_days` and `total_stock` are 0 or more, `per_customer_limit` 1 or more",
        ));
    }
    if record.guide_quota.is_some_and(|quota| quota < 0)
        || record.guide_daily_limit.is_some_and(|limit| limit < 0)
    {
        return Err(invalid(
            "invalid_field",
            "`guide_quota` and `guide_daily_limit` are 0 or more (absent: no cap)",
        ));
    }
    if let (Some(from), Some(to)) = (record.valid_from, record.valid_to)
        && to <= from
    {
        return Err(invalid(
            "invalid_field",
            "`valid_to` must be after `valid_from`",
        ));
    }
    Ok(())
}

fn template_row(record: CouponTemplateRecord, now: DateTime<Utc>) -> coupon_template::ActiveModel {
    coupon_template::ActiveModel {
        source_id: Set(record.id),
        name: Set(record.name),
        kind: Set(record.kind),
        value: Set(record.value),
        threshold_fen: Set(record.threshold_fen),
        valid_from: Set(record.valid_from),
        valid_to: Set(record.valid_to),
        valid_days: Set(record.valid_days),
        total_stock: Set(record.total_stock),
        per_customer_limit: Set(record.per_customer_limit),
        guide_quota: Set(record.guide_quota),
        guide_quota_used: Set(0),
        guide_daily_limit: Set(record.guide_daily_limit),
        source_updated_at: Set(record.updated_at),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// The stores the template applies in are those of the version just written (none: all).
async fn replace_stores(
    db: &impl ConnectionTrait,
    template_id: i64,
    store_ids: Vec<i64>,
) -> Result<(), DbErr> {
    coupon_template_store::Entity::delete_many()
        .filter(coupon_template_store::Column::TemplateId.eq(template_id))
        .exec(db)
        .await?;
    if !store_ids.is_empty() {
        let rows = store_ids
            .into_iter()
            .map(|store_id| coupon_template_store::ActiveModel {
                template_id: Set(template_id),
                store_id: Set(store_id),
                ..Default::default()
            });
        coupon_template_store::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
