//! `GET /api/v1/customers/{external_userid}/profile`: everything a guide needs before
//! replying, in one round trip and from local data only, so it answers even when WeCom is slow
//! or down. Two readers gather the same parts (`parts`): one statement on PostgreSQL
//! (`statement`), a query per part on SQLite (`composed`); the derived parts are worked out
//! here, once.

mod composed;
mod parts;
mod statement;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbBackend};
use shared::customer::{Churn, CustomerProfile, CustomerStatus, SpendingLevel};

pub use composed::{corp_tags, read as read_composed};
pub use parts::{ProfileParts, corp_tag_groups};
pub use statement::read as read_in_one_statement;

use crate::auth::SignedIn;
use crate::error::AppError;
use crate::error::SessionRefusals;
use parts::mall_tag_groups;

/// Orders shown on the profile.
const RECENT_ORDERS: u64 = 3;

#[utoipa::path(get, path = "/api/v1/customers/{external_userid}/profile", tag = "sidebar",
    description = "Who the customer is: contact, member, tags, status, recent orders.",
    params(("external_userid" = String, Path, description = "WeCom's id of the customer (a contact this guide follows or followed)")),
    responses(
        (status = 200, description = "The profile", body = shared::customer::CustomerProfile),
        (status = 404, description = "`not_found`: not a customer of this guide", body = shared::ApiError),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn customer_profile(
    db: web::Data<DatabaseConnection>,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let db = db.get_ref();
    let now = Utc::now();
    let parts = match db.get_database_backend() {
        // The statement reads only for an active guide: the guide is not re-read first.
        DbBackend::Postgres => {
            match read_in_one_statement(db, signed_in.guide_id, &path, now).await? {
                Some(parts) => Some(parts),
                // Nothing read: a guide refused since signing in is told so (and signed out);
                // otherwise the customer is not theirs.
                None => {
                    signed_in.confirm().await?;
                    None
                }
            }
        }
        _ => {
            let guide = signed_in.confirm().await?;
            read_composed(db, guide.id, &path, now).await?
        }
    };
    let parts = parts.ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(assemble(parts, now)))
}

/// The profile from its parts: the status derived, the tags grouped (corp tags first). Without
/// a member the member's parts are empty whichever reader read them.
pub fn assemble(parts: ProfileParts, now: DateTime<Utc>) -> CustomerProfile {
    let mut tag_groups = corp_tag_groups(parts.corp_tags);
    tag_groups.extend(mall_tag_groups(parts.mall_tags));
    let status = match parts.member {
        Some(_) => status(parts.spend_12m_fen, parts.last_order_at, now),
        None => CustomerStatus {
            churn: Churn::Unknown,
            days_since_last_order: None,
            spend_12m_fen: 0,
            spending_level: SpendingLevel::Nothing,
        },
    };
    CustomerProfile {
        contact: parts.contact,
        member: parts.member,
        exclusive_guide: parts.exclusive_guide,
        status,
        tag_groups,
        recent_orders: parts.recent_orders,
        usable_coupons: parts.usable_coupons,
    }
}

/// Churn from the days since the last order, spending level from twelve months' spend.
pub fn status(
    spend_12m_fen: i64,
    last_order: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> CustomerStatus {
    let days = last_order.map(|at| std::cmp::max((now - at).num_days(), 0));
    let churn = match days {
        None => Churn::Never,
        Some(0..=90) => Churn::Active,
        Some(91..=180) => Churn::Cooling,
        Some(181..=365) => Churn::Dormant,
        Some(_) => Churn::Churned,
    };
    let spending_level = match spend_12m_fen {
        500_000.. => SpendingLevel::High,
        100_000.. => SpendingLevel::Medium,
        1.. => SpendingLevel::Low,
        _ => SpendingLevel::Nothing,
    };
    CustomerStatus {
        churn,
        days_since_last_order: days,
        spend_12m_fen,
        spending_level,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_and_spending_follow_their_thresholds() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ago = |days: i64| Some(now - chrono::Duration::days(days));
        let cases = [
            (None, "never", None),
            (ago(0), "active", Some(0)),
            (ago(90), "active", Some(90)),
            (ago(91), "cooling", Some(91)),
            (ago(180), "cooling", Some(180)),
            (ago(181), "dormant", Some(181)),
            (ago(365), "dormant", Some(365)),
            (ago(366), "churned", Some(366)),
        ];
        for (last, churn, days) in cases {
            let got = status(0, last, now);
            // Compared as they go on the wire.
            assert_eq!(
                (
                    serde_json::to_value(got.churn).unwrap(),
                    got.days_since_last_order
                ),
                (serde_json::json!(churn), days)
            );
        }
        for (fen, level) in [
            (0, "none"),
            (1, "low"),
            (99_999, "low"),
            (100_000, "medium"),
            (499_999, "medium"),
            (500_000, "high"),
        ] {
            let got = serde_json::to_value(status(fen, None, now).spending_level).unwrap();
            assert_eq!(got, serde_json::json!(level), "{fen}");
        }
    }
}
