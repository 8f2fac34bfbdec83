//! The 优惠券 tab: the coupons a customer's member holds (so the guide does not send what
//! they have, and can remind them of one about to lapse), then the templates this guide could
//! send them now, each with its quota left and, when it cannot be sent, why.
//! A template is listed when it has not ended and is usable in the guide's store (no stores
//! listed: every store); one that starts later is listed as not yet sendable.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use shared::offer::{CustomerCoupons, HeldCoupon, SendableCoupon};

use super::coupon_quota::china_day;
use crate::entity::{
    coupon_grant, coupon_guide_day, coupon_template, coupon_template_store, share,
};
use crate::stamp::Recipient;
use crate::wire::time;

/// At most this many templates are listed (a brand runs a few dozen at a time).
const MAX_TEMPLATES: u64 = 200;

/// Who asks, for whom, and whether the brand has a claim page to send.
pub struct CouponAsker<'a> {
    pub guide_id: i64,
    pub store_id: Option<i64>,
    pub member_id: Option<i64>,
    pub recipient: &'a Recipient,
    pub claim_page: bool,
}

pub async fn customer_coupons(
    db: &impl ConnectionTrait,
    asker: &CouponAsker<'_>,
    now: DateTime<Utc>,
) -> Result<CustomerCoupons, DbErr> {
    let grants = match asker.member_id {
        Some(member_id) => member_grants(db, member_id).await?,
        None => Vec::new(),
    };
    let templates = templates_in_store(db, asker.store_id, now).await?;
    let held = held_coupons(db, &grants, now).await?;
    let counts = Counts::read(db, asker, &grants, now).await?;
    let mut sendable: Vec<SendableCoupon> = templates
        .iter()
        .map(|template| offer(template, &counts, asker.claim_page, now))
        .collect();
    sendable.sort_by(|a, b| {
        b.sendable
            .cmp(&a.sendable)
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(CustomerCoupons { held, sendable })
}

async fn member_grants(
    db: &impl ConnectionTrait,
    member_id: i64,
) -> Result<Vec<coupon_grant::Model>, DbErr> {
    coupon_grant::Entity::find()
        .filter(coupon_grant::Column::MemberId.eq(member_id))
        .order_by_desc(coupon_grant::Column::IssuedAt)
        .all(db)
        .await
}

/// The templates not ended, usable in `store_id` (or everywhere).
async fn templates_in_store(
    db: &impl ConnectionTrait,
    store_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<coupon_template::Model>, DbErr> {
    use sea_orm::QuerySelect;
    let templates = coupon_template::Entity::find()
        .filter(
            Expr::col(coupon_template::Column::ValidTo)
                .is_null()
                .or(Expr::col(coupon_template::Column::ValidTo).gt(now)),
        )
        .order_by_asc(coupon_template::Column::Name)
        .limit(MAX_TEMPLATES)
        .all(db)
        .await?;
    let ids: Vec<i64> = templates.iter().map(|t| t.id).collect();
    let mut stores: HashMap<i64, HashSet<i64>> = HashMap::new();
    for row in coupon_template_store::Entity::find()
        .filter(coupon_template_store::Column::TemplateId.is_in(ids))
        .all(db)
        .await?
    {
        stores
            .entry(row.template_id)
            .or_default()
            .insert(row.store_id);
    }
    Ok(templates
        .into_iter()
        .filter(|t| match stores.get(&t.id) {
            None => true,
            Some(listed) => store_id.is_some_and(|store| listed.contains(&store)),
        })
        .collect())
}

/// Usable first (soonest to lapse first), then used and lapsed, newest first.
async fn held_coupons(
    db: &impl ConnectionTrait,
    grants: &[coupon_grant::Model],
    now: DateTime<Utc>,
) -> Result<Vec<HeldCoupon>, DbErr> {
    let ids: Vec<i64> = grants.iter().map(|g| g.template_id).collect();
    let templates: HashMap<i64, coupon_template::Model> = coupon_template::Entity::find()
        .filter(coupon_template::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut held: Vec<(bool, Option<DateTime<Utc>>, HeldCoupon)> = grants
        .iter()
        .filter_map(|grant| {
            let template = templates.get(&grant.template_id)?;
            let status = held_status(grant, now);
            let usable = status == "usable";
            let expiring_soon = usable
                && grant
                    .expires_at
                    .is_some_and(|end| end - now < Duration::days(3));
            let coupon = HeldCoupon {
                id: grant.source_id.clone(),
                template_id: template.source_id.clone(),
                name: template.name.clone(),
                face: face(template),
                status: status.into(),
                issued_at: time(grant.issued_at),
                expires_at: grant.expires_at.map(time),
                used_at: grant.used_at.map(time),
                expiring_soon,
            };
            Some((usable, grant.expires_at, coupon))
        })
        .collect();
    // Usable ones by soonest end (no end last); the rest keep their newest-first order.
    held.sort_by(|a, b| match (a.0, b.0) {
        (true, true) => {
            a.1.unwrap_or(DateTime::<Utc>::MAX_UTC)
                .cmp(&b.1.unwrap_or(DateTime::<Utc>::MAX_UTC))
        }
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => std::cmp::Ordering::Equal,
    });
    Ok(held.into_iter().map(|(_, _, coupon)| coupon).collect())
}

fn held_status(grant: &coupon_grant::Model, now: DateTime<Utc>) -> &'static str {
    match grant.status.as_str() {
        "used" => "used",
        "expired" => "expired",
        _ if grant.expires_at.is_some_and(|end| end <= now) => "expired",
        _ => "usable",
    }
}

/// What limits each template for this guide and recipient.
struct Counts {
    /// The member's grants, by template.
    grants: HashMap<i64, i64>,
    /// Live, unclaimed sends to the recipient, by template source id.
    live: HashMap<String, i64>,
    /// This guide's sends today, by template.
    today: HashMap<i64, i64>,
}

impl Counts {
    async fn read(
        db: &impl ConnectionTrait,
        asker: &CouponAsker<'_>,
        grants: &[coupon_grant::Model],
        now: DateTime<Utc>,
    ) -> Result<Self, DbErr> {
        let mut by_template = HashMap::new();
        for grant in grants {
            *by_template.entry(grant.template_id).or_insert(0) += 1;
        }
        let mut live = HashMap::new();
        for sent in share::Entity::find()
            .filter(share::Column::Kind.eq("coupon"))
            .filter(share::Column::RecipientKind.eq(asker.recipient.kind()))
            .filter(share::Column::RecipientId.eq(asker.recipient.id()))
            .filter(share::Column::State.is_in(["prepared", "sent"]))
            .filter(share::Column::ClaimedAt.is_null())
            .all(db)
            .await?
        {
            *live.entry(sent.item_id).or_insert(0) += 1;
        }
        let today = coupon_guide_day::Entity::find()
            .filter(coupon_guide_day::Column::GuideId.eq(asker.guide_id))
            .filter(coupon_guide_day::Column::Day.eq(china_day(now)))
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.template_id, i64::from(row.used)))
            .collect();
        Ok(Self {
            grants: by_template,
            live,
            today,
        })
    }
}

fn offer(
    template: &coupon_template::Model,
    counts: &Counts,
    claim_page: bool,
    now: DateTime<Utc>,
) -> SendableCoupon {
    let quota_left = template
        .guide_quota
        .map(|quota| Ord::max(quota - template.guide_quota_used, 0));
    let daily_left = template.guide_daily_limit.map(|limit| {
        Ord::max(
            i64::from(limit) - counts.today.get(&template.id).copied().unwrap_or(0),
            0,
        )
    });
    let holds = counts.grants.get(&template.id).copied().unwrap_or(0)
        + counts.live.get(&template.source_id).copied().unwrap_or(0);
    let customer_left = Ord::max(i64::from(template.per_customer_limit) - holds, 0);
    let reason = if !claim_page {
        Some("品牌尚未配置领券页面，暂不能发券".to_owned())
    } else if let Some(from) = template.valid_from.filter(|from| *from > now) {
        Some(format!("{} 起可发", china_day(from)))
    } else if quota_left == Some(0) {
        Some("导购发券额度已用完".to_owned())
    } else if daily_left == Some(0) {
        Some("你今天的发券额度已用完".to_owned())
    } else if customer_left == 0 {
        Some(format!(
            "该客户已领取或已收到这张券（每人限 {} 张）",
            template.per_customer_limit
        ))
    } else {
        None
    };
    SendableCoupon {
        id: template.source_id.clone(),
        name: template.name.clone(),
        face: face(template),
        validity: validity(template),
        sendable: reason.is_none(),
        reason,
        quota_left,
        daily_left,
        customer_left,
    }
}

/// `满200减30`, `30元无门槛`, `8.5折`, `满300享8折` (per mille kept reads as 折 the way fen
/// read as yuan: 850 → `8.5`).
pub fn face(template: &coupon_template::Model) -> String {
    let threshold = (template.threshold_fen > 0).then(|| yuan(template.threshold_fen));
    match (template.kind.as_str(), threshold) {
        ("cash", Some(at)) => format!("满{at}减{}", yuan(template.value)),
        ("cash", None) => format!("{}元无门槛", yuan(template.value)),
        (_, Some(at)) => format!("满{at}享{}折", yuan(template.value)),
        (_, None) => format!("{}折", yuan(template.value)),
    }
}

/// `领取后7天内有效` or `有效期至 2026-12-31`.
pub fn validity(template: &coupon_template::Model) -> String {
    match template.valid_to {
        Some(to) if template.valid_days == 0 => format!("有效期至 {}", china_day(to)),
        _ if template.valid_days > 0 => format!("领取后{}天内有效", template.valid_days),
        _ => "长期有效".into(),
    }
}

/// Fen as yuan without trailing zeros: 3000 → `30`, 2950 → `29.5`, 1999 → `19.99`.
fn yuan(fen: i64) -> String {
    let whole = fen / 100;
    match fen % 100 {
        0 => whole.to_string(),
        cents if cents % 10 == 0 => format!("{whole}.{}", cents / 10),
        cents => format!("{whole}.{cents:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::yuan;

    #[test]
    fn yuan_drops_trailing_zeros() {
        assert_eq!(yuan(3000), "30");
        assert_eq!(yuan(2950), "29.5");
        assert_eq!(yuan(1999), "19.99");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(850), "8.5");
    }
}
