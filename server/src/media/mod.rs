//! Images and files the guides send, as WeCom wants them: a temporary media id. The server
//! fetches the material from the brand's address, keeps the content's SHA-256 on the
//! material, and uploads each content once per `FRESH`: WeCom keeps a media id three days,
//! so one older than 60 hours is uploaded again before it can expire mid-send. The same
//! picture in two materials is uploaded once.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use sha2::Digest;

use crate::entity::{material, wecom_media};
use crate::wecom::client::{WecomClient, WecomError};

/// A media id younger than this is sent as it is; older, the content is uploaded again.
const FRESH_HOURS: i64 = 60;
/// WeCom's limit for files (images: 10 MB, checked by WeCom itself).
const MAX_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("the material has no address to fetch it from")]
    NoAddress,
    #[error("the material could not be fetched: {0}")]
    Fetch(String),
    #[error("the material is larger than WeCom takes (20 MB)")]
    TooLarge,
    #[error(transparent)]
    Wecom(#[from] WecomError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Fetches and uploads materials; one per server.
#[derive(Clone)]
pub struct MediaLibrary {
    http: reqwest::Client,
}

impl Default for MediaLibrary {
    fn default() -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(15))
                .redirect(reqwest::redirect::Policy::limited(3))
                .build()
                .unwrap_or_default(),
        }
    }
}

impl MediaLibrary {
    /// The WeCom media id of the image or file `material`, uploaded now if need be.
    pub async fn media_id(
        &self,
        db: &DatabaseConnection,
        wecom: &WecomClient,
        material: &material::Model,
        now: DateTime<Utc>,
    ) -> Result<String, MediaError> {
        if let Some(hash) = &material.content_hash
            && let Some(media_id) = fresh(db, hash, now).await?
        {
            return Ok(media_id);
        }
        let url = material.url.as_deref().ok_or(MediaError::NoAddress)?;
        let bytes = self.fetch(url).await?;
        let hash = hex::encode(sha2::Sha256::digest(&bytes));
        remember_hash(db, material.id, &hash).await?;
        let media_type = if material.kind == "image" {
            "image"
        } else {
            "file"
        };
        let name = file_name(url, &material.title, media_type);
        let media_id = upload_once(db, wecom, media_type, name, &hash, bytes, now).await?;
        tracing::info!(material = %material.source_id, media_type, "material ready in WeCom");
        Ok(media_id)
    }

    /// The WeCom media id of the picture at `url` (a welcome's mini-program cover, which WeCom
    /// takes only as a media id), uploaded now unless the same picture is fresh there.
    pub async fn picture_media_id(
        &self,
        db: &DatabaseConnection,
        wecom: &WecomClient,
        url: &str,
        title: &str,
        now: DateTime<Utc>,
    ) -> Result<String, MediaError> {
        let bytes = self.fetch(url).await?;
        let hash = hex::encode(sha2::Sha256::digest(&bytes));
        let name = file_name(url, title, "image");
        upload_once(db, wecom, "image", name, &hash, bytes, now).await
    }

    async fn fetch(&self, url: &str) -> Result<Vec<u8>, MediaError> {
        let fail = |err: reqwest::Error| MediaError::Fetch(err.without_url().to_string());
        let mut response = self.http.get(url).send().await.map_err(fail)?;
        if !response.status().is_success() {
            return Err(MediaError::Fetch(format!("HTTP {}", response.status())));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(fail)? {
            if bytes.len() + chunk.len() > MAX_BYTES {
                return Err(MediaError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

/// `bytes` (of content `hash`) as a WeCom media id: the fresh one if this content has one.
async fn upload_once(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    media_type: &str,
    name: String,
    hash: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<String, MediaError> {
    if let Some(media_id) = fresh(db, hash, now).await? {
        return Ok(media_id);
    }
    let uploaded = wecom.upload_media(media_type, &name, bytes).await?;
    store(db, hash, media_type, &uploaded.media_id, now).await?;
    Ok(uploaded.media_id)
}

async fn fresh(
    db: &DatabaseConnection,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbErr> {
    Ok(wecom_media::Entity::find()
        .filter(wecom_media::Column::ContentHash.eq(hash))
        .filter(wecom_media::Column::UploadedAt.gt(now - Duration::hours(FRESH_HOURS)))
        .one(db)
        .await?
        .map(|media| media.media_id))
}

async fn remember_hash(db: &DatabaseConnection, material_id: i64, hash: &str) -> Result<(), DbErr> {
    material::Entity::update_many()
        .col_expr(material::Column::ContentHash, Expr::value(hash))
        .filter(material::Column::Id.eq(material_id))
        .exec(db)
        .await?;
    Ok(())
}

async fn store(
    db: &DatabaseConnection,
    hash: &str,
    media_type: &str,
    media_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = wecom_media::ActiveModel {
        content_hash: Set(hash.into()),
        media_type: Set(media_type.into()),
        media_id: Set(media_id.into()),
        uploaded_at: Set(Some(now)),
        ..Default::default()
    };
    wecom_media::Entity::insert(row)
        .on_conflict(
            OnConflict::column(wecom_media::Column::ContentHash)
                .update_columns([
                    wecom_media::Column::MediaId,
                    wecom_media::Column::MediaType,
                    wecom_media::Column::UploadedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The file's name as WeCom shows it: the address's last segment, or the title.
fn file_name(url: &str, title: &str, media_type: &str) -> String {
    let last = url
        .split(['?', '#'])
        .next()
        .and_then(|path| path.rsplit('/').next())
        .filter(|name| !name.is_empty() && name.contains('.'));
    match last {
        Some(name) => name.to_owned(),
        None if media_type == "image" => format!("{title}.jpg"),
        None => title.to_owned(),
    }
}
