//! `materials`: the brand's material library (素材库) that guides send from the 素材 tab: an
//! activity page (`page`: `url`), a mini-program page (`miniprogram`: `page`, `appid?`), an
//! `image` or `file` (`url` where the server fetches it from), or a script (`text`: `content`
//! and an optional `attachment_id`, another material sent after it).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use serde::Deserialize;

use super::record::{RecordError, check_id, check_one_of, check_text, invalid, upsert_if_newer};
use crate::entity::material;

pub const KINDS: &[&str] = &["page", "miniprogram", "image", "file", "text"];

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialRecord {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub appid: Option<String>,
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub attachment_id: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

pub async fn apply(
    db: &impl ConnectionTrait,
    record: MaterialRecord,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    check(&record)?;
    upsert_if_newer::<material::Entity>(
        db,
        material_row(record, now),
        material::Column::SourceId,
        material::Column::SourceUpdatedAt,
        vec![
            material::Column::Kind,
            material::Column::Title,
            material::Column::GroupName,
            material::Column::Url,
            material::Column::Page,
            material::Column::Appid,
            material::Column::ImageUrl,
            material::Column::Description,
            material::Column::Content,
            material::Column::AttachmentId,
            material::Column::Active,
            // A newer version may point at new content: fetched again at its next send.
            material::Column::ContentHash,
            material::Column::SourceUpdatedAt,
            material::Column::UpdatedAt,
        ],
    )
    .await?;
    Ok(())
}

fn check(record: &MaterialRecord) -> Result<(), RecordError> {
    check_id("id", &record.id)?;
    check_one_of("kind", &record.kind, KINDS)?;
    check_text("title", &record.title, 100)?;
    if let Some(group) = &record.group {
        check_text("group", group, 50)?;
    }
    for (field, value) in [("url", &record.url), ("image_url", &record.image_url)] {
        if value.as_ref().is_some_and(|url| !is_http(url)) {
            return Err(invalid(
                "invalid_field",
                format!("`{field}` must be an http:// or https:// address"),
            ));
        }
    }
    let needs = |field: &str, value: &Option<String>| match value {
        Some(value) if !value.trim().is_empty() => Ok(()),
        _ => Err(invalid(
            "invalid_field",
            format!("a `{}` material needs `{field}`", record.kind),
        )),
    };
    match record.kind.as_str() {
        "page" | "image" | "file" => needs("url", &record.url)?,
        "miniprogram" => {
            needs("page", &record.page)?;
            let page = record.page.as_deref().unwrap_or_default();
            if !page
                .split('?')
                .next()
                .unwrap_or_default()
                .ends_with(".html")
            {
                return Err(invalid(
                    "invalid_field",
                    "a mini-program `page` ends in .html (WeCom's rule), e.g. pages/x/index.html?a=1",
                ));
            }
        }
        _ => {
            needs("content", &record.content)?;
            check_text(
                "content",
                record.content.as_deref().unwrap_or_default(),
                2000,
            )?;
        }
    }
    if record.attachment_id.is_some() && record.kind != "text" {
        return Err(invalid(
            "invalid_field",
            "only a script (`text`) has an `attachment_id`",
        ));
    }
    Ok(())
}

fn is_http(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

fn material_row(record: MaterialRecord, now: DateTime<Utc>) -> material::ActiveModel {
    material::ActiveModel {
        source_id: Set(record.id),
        kind: Set(record.kind),
        title: Set(record.title),
        group_name: Set(record.group),
        url: Set(record.url),
        page: Set(record.page),
        appid: Set(record.appid),
        image_url: Set(record.image_url),
        description: Set(record.description),
        content: Set(record.content),
        attachment_id: Set(record.attachment_id),
        active: Set(record.active),
        content_hash: Set(None),
        source_updated_at: Set(record.updated_at),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// The library as the 素材 tab lists it: active materials whose title, text or group holds
/// `q` (ignoring case), by group then title; at most 300.
pub async fn library(
    db: &impl ConnectionTrait,
    q: Option<&str>,
) -> Result<Vec<material::Model>, sea_orm::DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let mut query = material::Entity::find()
        .filter(material::Column::Active.eq(true))
        .order_by_asc(material::Column::GroupName)
        .order_by_asc(material::Column::Title)
        .limit(300);
    if let Some(words) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let like = |column: material::Column| {
            Expr::expr(Func::lower(Expr::col(column))).like(super::record::containing(words))
        };
        query = query.filter(
            Condition::any()
                .add(like(material::Column::Title))
                .add(like(material::Column::Content))
                .add(like(material::Column::GroupName)),
        );
    }
    query.all(db).await
}

/// The active material `source_id`.
pub async fn active_material(
    db: &impl ConnectionTrait,
    source_id: &str,
) -> Result<Option<material::Model>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    material::Entity::find()
        .filter(material::Column::SourceId.eq(source_id))
        .filter(material::Column::Active.eq(true))
        .one(db)
        .await
}

/// `welcome-messages`: the text (and optional material) a customer receives on adding a
/// guide: a store's own (`store_id`), or the brand's default (no `store_id`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WelcomeRecord {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub store_id: Option<String>,
    pub content: String,
    #[serde(default)]
    pub material_id: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

pub async fn apply_welcome(
    db: &impl ConnectionTrait,
    record: WelcomeRecord,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    use crate::entity::welcome_message;
    check_id("id", &record.id)?;
    check_text("content", &record.content, 4000)?;
    let store_id = match &record.store_id {
        Some(store) => super::record::resolve_store_ids(db, std::slice::from_ref(store))
            .await?
            .pop(),
        None => None,
    };
    let row = welcome_message::ActiveModel {
        source_id: Set(record.id),
        store_id: Set(store_id),
        content: Set(record.content),
        material_id: Set(record.material_id),
        active: Set(record.active),
        source_updated_at: Set(record.updated_at),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    upsert_if_newer::<welcome_message::Entity>(
        db,
        row,
        welcome_message::Column::SourceId,
        welcome_message::Column::SourceUpdatedAt,
        vec![
            welcome_message::Column::StoreId,
            welcome_message::Column::Content,
            welcome_message::Column::MaterialId,
            welcome_message::Column::Active,
            welcome_message::Column::SourceUpdatedAt,
            welcome_message::Column::UpdatedAt,
        ],
    )
    .await?;
    Ok(())
}
