//! Tag edits from the sidebar: the catalogue a guide picks from, and adding or removing corp
//! tags on a customer through WeCom (write-through: WeCom first; if it refuses or cannot be
//! reached, nothing changes here and the guide is told why).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use shared::customer::{Tag, TagCatalogue, TagEdit, TagGroup};

use super::profile::{corp_tag_groups, corp_tags};
use crate::auth::Guide;
use crate::directory::relation_status;
use crate::directory::scope::followed_customer;
use crate::directory::tags::{MarkTagError, Marker, mark_tags};
use crate::entity::{tag, tag_group};
use crate::error::SessionRefusals;
use crate::error::{AppError, configured_wecom};
use crate::wecom::client::WecomClient;

/// Tags one edit may name (WeCom's own limit per call is far above what a guide taps).
const MAX_TAGS_PER_EDIT: usize = 50;

/// `GET /api/v1/tags`: live groups and tags, in WeCom's order.
#[utoipa::path(get, path = "/api/v1/tags", tag = "sidebar",
    description = "The corp's live tag groups and tags, in WeCom's order.",
    responses(
        (status = 200, description = "The catalogue", body = shared::customer::TagCatalogue),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn catalogue(
    db: web::Data<DatabaseConnection>,
    _guide: Guide,
) -> Result<HttpResponse, AppError> {
    let db = db.get_ref();
    let groups = tag_group::Entity::find()
        .filter(tag_group::Column::Deleted.eq(false))
        .order_by_asc(tag_group::Column::SortOrder)
        .order_by_asc(tag_group::Column::Id)
        .all(db)
        .await?;
    let tags = tag::Entity::find()
        .filter(tag::Column::Deleted.eq(false))
        .order_by_asc(tag::Column::SortOrder)
        .order_by_asc(tag::Column::Id)
        .all(db)
        .await?;
    let groups = groups
        .into_iter()
        .map(|group| TagGroup {
            tags: tags
                .iter()
                .filter(|t| t.group_id == group.id)
                .map(|t| Tag {
                    tag_id: t.wecom_tag_id.clone(),
                    name: t.name.clone(),
                })
                .collect(),
            group_id: group.wecom_group_id,
            name: group.name,
            source: "wecom".into(),
        })
        .filter(|group| !group.tags.is_empty())
        .collect();
    Ok(HttpResponse::Ok().json(TagCatalogue { groups }))
}

/// What adding or removing tags can be refused with, for the API description.
#[derive(utoipa::IntoResponses)]
pub enum TagEditRefusals {
    /// `invalid_tags` (1 to 50 ids), `unknown_tag` (not in the catalogue), `invalid_json`
    #[response(status = 400)]
    Invalid(shared::ApiError),
    /// `not_signed_in`, `session_expired`
    #[response(status = 401)]
    SignedOut(shared::ApiError),
    /// `customer_lost`: no longer this guide's contact; `guide_disabled`, `guide_resigned`
    #[response(status = 403)]
    Refused(shared::ApiError),
    /// `not_found`: not a customer of this guide
    #[response(status = 404)]
    NotTheirs(shared::ApiError),
    /// `wecom_error`
    #[response(status = 502)]
    WecomRefused(shared::ApiError),
    /// `database_unavailable`
    #[response(status = 503)]
    Unavailable(shared::ApiError),
}

/// `POST /api/v1/customers/{external_userid}/tags`: adds tags; answers the customer's tags now.
#[utoipa::path(request_body = shared::customer::TagEdit, post, path = "/api/v1/customers/{external_userid}/tags", tag = "sidebar",
    description = "Marks the customer with tags in WeCom (as this guide); answers the customer's tags now.",
    params(("external_userid" = String, Path, description = "WeCom's id of the customer (a contact this guide follows or followed)")),
    responses(
        (status = 200, description = "The customer's tags now", body = Vec<shared::customer::TagGroup>),
        TagEditRefusals,
    ),
    security(("session" = [])))]
pub async fn add_tags(
    db: web::Data<DatabaseConnection>,
    wecom: Option<web::Data<WecomClient>>,
    guide: Guide,
    path: web::Path<String>,
    body: web::Json<TagEdit>,
) -> Result<HttpResponse, AppError> {
    let wecom = configured_wecom(&wecom)?;
    edit(&db, wecom, guide, &path, body.into_inner(), Change::Add).await
}

/// `DELETE /api/v1/customers/{external_userid}/tags`: removes tags; answers the tags now.
#[utoipa::path(request_body = shared::customer::TagEdit, delete, path = "/api/v1/customers/{external_userid}/tags", tag = "sidebar",
    description = "Removes tags in WeCom (as this guide); answers the customer's tags now.",
    params(("external_userid" = String, Path, description = "WeCom's id of the customer (a contact this guide follows or followed)")),
    responses(
        (status = 200, description = "The customer's tags now", body = Vec<shared::customer::TagGroup>),
        TagEditRefusals,
    ),
    security(("session" = [])))]
pub async fn remove_tags(
    db: web::Data<DatabaseConnection>,
    wecom: Option<web::Data<WecomClient>>,
    guide: Guide,
    path: web::Path<String>,
    body: web::Json<TagEdit>,
) -> Result<HttpResponse, AppError> {
    let wecom = configured_wecom(&wecom)?;
    edit(&db, wecom, guide, &path, body.into_inner(), Change::Remove).await
}

enum Change {
    Add,
    Remove,
}

async fn edit(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    guide: Guide,
    external_userid: &str,
    edit: TagEdit,
    change: Change,
) -> Result<HttpResponse, AppError> {
    let followed = followed_customer(db, guide.id, external_userid).await?;
    if followed.relation.status != relation_status::ACTIVE {
        return Err(AppError::Forbidden {
            code: "customer_lost",
            message: "该客户已不在你的好友列表中，无法修改标签".into(),
        });
    }
    let mut ids = edit.tag_ids;
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_TAGS_PER_EDIT {
        return Err(AppError::BadRequest {
            code: "invalid_tags",
            message: format!("请选择 1 到 {MAX_TAGS_PER_EDIT} 个标签"),
        });
    }
    let (add, remove) = match change {
        Change::Add => (ids, Vec::new()),
        Change::Remove => (Vec::new(), ids),
    };
    let marker = Marker {
        guide_id: guide.id,
        userid: &guide.userid,
    };
    mark_tags(
        db,
        wecom,
        marker,
        external_userid,
        &add,
        &remove,
        Utc::now(),
    )
    .await
    .map_err(refusal)?;
    Ok(HttpResponse::Ok().json(corp_tag_groups(corp_tags(db, followed.relation.id).await?)))
}

/// What the guide is told when the tags could not be changed.
fn refusal(err: MarkTagError) -> AppError {
    match err {
        MarkTagError::NotFollowed => AppError::NotFound,
        MarkTagError::NothingToMark => AppError::BadRequest {
            code: "invalid_tags",
            message: "请选择要添加或移除的标签".into(),
        },
        MarkTagError::UnknownTag(_) => AppError::BadRequest {
            code: "unknown_tag",
            message: "标签不存在或已被删除，请刷新标签列表".into(),
        },
        MarkTagError::Wecom(err) => AppError::Wecom(err),
        MarkTagError::Database(err) => AppError::Database(err),
    }
}
