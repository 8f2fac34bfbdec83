//! `GET /api/v1/customers?q=`: the signed-in guide's own customers, to pick from or search.

use actix_web::{HttpResponse, web};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use shared::customer::{CustomerList, CustomerListItem, Relation};

use crate::auth::Guide;
use crate::entity::{customer, guide_customer};
use crate::error::AppError;
use crate::error::SessionRefusals;
use crate::wire::time;

const LIMIT: u64 = 50;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// Part of a name, remark or phone number.
    #[serde(default)]
    pub q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/customers", tag = "sidebar",
    description = "The guide's own customers, active first, newest first (at most 50).",
    params(Search),
    responses(
        (status = 200, description = "The customers", body = shared::customer::CustomerList),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn my_customers(
    db: web::Data<DatabaseConnection>,
    guide: Guide,
    query: web::Query<Search>,
) -> Result<HttpResponse, AppError> {
    let mut select = guide_customer::Entity::find()
        .find_also_related(customer::Entity)
        .filter(guide_customer::Column::GuideId.eq(guide.id))
        // `active` sorts before `lost`.
        .order_by_asc(guide_customer::Column::Status)
        .order_by_desc(guide_customer::Column::AddedAt)
        .order_by_desc(guide_customer::Column::Id)
        .limit(LIMIT);
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        // LIKE's own wildcards in the search text are matched literally.
        let escaped: String = q
            .chars()
            .take(40)
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let pattern = format!("%{escaped}%");
        select = select.filter(
            Expr::col((customer::Entity, customer::Column::Name))
                .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
                .or(
                    Expr::col((guide_customer::Entity, guide_customer::Column::Remark))
                        .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
                ),
        );
    }
    let customers = select
        .all(db.get_ref())
        .await?
        .into_iter()
        .filter_map(|(relation, customer)| {
            customer.map(|c| CustomerListItem {
                external_userid: c.external_userid,
                name: c.name,
                avatar: c.avatar,
                remark: relation.remark,
                relation: Relation::from_status(&relation.status),
                added_at: time(relation.added_at),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(CustomerList { customers }))
}
