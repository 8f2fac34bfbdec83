//! `GET /api/v1/orders/{id}/credit`: who an order is credited to and why, for a guide who
//! follows (or followed) its customer or is credited on it.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;
use shared::credit::{CreditEvidence, CreditLine, OrderCredit, Party};

use crate::attribution::ledger::order_credits;
use crate::auth::Guide;
use crate::commerce::order_history::find_order;
use crate::directory::scope::guide_follows_member;
use crate::error::AppError;
use crate::error::SessionRefusals;

#[utoipa::path(get, path = "/api/v1/orders/{id}/credit", tag = "sidebar",
    description = "Who the order is credited to, row by row (reversing rows negative), with the reason; rows of this guide are `mine`.",
    params(("id" = String, Path, description = "The order's id as the sidebar got it")),
    responses(
        (status = 200, description = "The credit rows", body = shared::credit::OrderCredit),
        (status = 404, description = "`not_found`: no such order, or neither credited to this guide nor their customer's", body = shared::ApiError),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn order_credit(
    db: web::Data<DatabaseConnection>,
    guide: Guide,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let db = db.get_ref();
    let id: i64 = path.parse().map_err(|_| AppError::NotFound)?;
    let found = find_order(db, id).await?.ok_or(AppError::NotFound)?;
    let rows = order_credits(db, found.id).await?;
    let credited_here = rows
        .iter()
        .any(|(row, _, _)| row.guide_id == Some(guide.id));
    let follows = match found.member_id {
        Some(member) => guide_follows_member(db, guide.id, member).await?,
        None => false,
    };
    if !credited_here && !follows {
        return Err(AppError::NotFound);
    }
    let credits = rows
        .into_iter()
        .map(|(row, guide_name, store_name)| CreditLine {
            mine: row.guide_id == Some(guide.id),
            amount_fen: row.amount_fen,
            rule: row.rule,
            reason: row.reason,
            guide: row.guide_id.map(|id| Party {
                id,
                name: guide_name.unwrap_or_default(),
            }),
            store: row.store_id.map(|id| Party {
                id,
                name: store_name.unwrap_or_default(),
            }),
            evidence: CreditEvidence {
                entry: row.entry,
                binding_id: row.binding_id,
                share_token: row.share_token,
                touched_at: row.touched_at.map(|at| at.to_rfc3339()),
                policy_version: row.policy_version,
                credited_at: row.credited_at.to_rfc3339(),
            },
        })
        .collect();
    Ok(HttpResponse::Ok().json(OrderCredit { credits }))
}
