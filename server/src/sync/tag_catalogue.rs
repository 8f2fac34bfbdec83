use chrono::Utc;
use sea_orm::DatabaseConnection;

use super::SyncError;
use crate::directory;
use crate::directory::tags::{CatalogueCounts, mirror_catalogue};
use crate::wecom::api::FollowUser;
use crate::wecom::client::WecomClient;

/// `guidedesk sync tags`: the corp tag catalogue, mirrored in one call and one transaction.
pub async fn sync_catalogue(
    db: &DatabaseConnection,
    wecom: &WecomClient,
) -> Result<CatalogueCounts, SyncError> {
    let groups = wecom.corp_tags().await?;
    let counts = mirror_catalogue(db, &groups, Utc::now()).await?;
    tracing::info!(
        groups = counts.groups,
        tags = counts.tags,
        deleted = counts.deleted,
        "tag catalogue synced"
    );
    Ok(counts)
}

/// Applies what WeCom says of one relation. A tag the catalogue does not know yet (created
/// since it was mirrored) brings a fresh copy of the catalogue once per run, then the
/// relation's tags are applied again.
pub async fn apply_follow(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    guide_id: i64,
    customer_id: i64,
    follow: &FollowUser,
    catalogue_refreshed: &mut bool,
) -> Result<(), SyncError> {
    let unknown = directory::record_followed(db, guide_id, customer_id, follow, Utc::now()).await?;
    if unknown.is_empty() {
        return Ok(());
    }
    if !*catalogue_refreshed {
        *catalogue_refreshed = true;
        sync_catalogue(db, wecom).await?;
        let still_unknown =
            directory::record_followed(db, guide_id, customer_id, follow, Utc::now()).await?;
        if still_unknown.is_empty() {
            return Ok(());
        }
    }
    tracing::warn!(?unknown, "tags WeCom reports are not in its catalogue");
    Ok(())
}
