//! Welcome messages (欢迎语): when a customer adds a guide and WeCom's callback carries a
//! `WelcomeCode`, the inbox worker hands it here once the add is applied, and the configured
//! welcome (the guide's store's, else the brand's default: a text and one stamped material)
//! goes out through `externalcontact/send_welcome_msg`. WeCom takes a code for about 20
//! seconds and once: an add handed over later is recorded `late` without calling WeCom, a
//! refusal `failed`; neither is retried.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use sha2::Digest;
use tokio::sync::mpsc;

use super::send::short_link;
use super::{Sender, SharedItem, prepare_share, record_sent};
use crate::commerce::materials::active_material;
use crate::commerce::staff::current_store;
use crate::config::{MallSettings, StampSettings};
use crate::database::WriteGate;
use crate::entity::{guide, material, welcome_message, welcome_send};
use crate::media::{MediaError, MediaLibrary};
use crate::stamp::Recipient;
use crate::wecom::client::WecomClient;
use crate::wecom::outbound::{WelcomeMessage, WelcomeText};

/// WeCom's window for a welcome code.
const WINDOW_SECS: i64 = 20;

/// A customer who just added a guide, with the code to welcome them.
#[derive(Debug, Clone)]
pub struct NewContact {
    pub welcome_code: String,
    pub userid: String,
    pub external_userid: String,
    pub added_at: DateTime<Utc>,
}

/// What welcoming needs; one per server.
pub struct Welcomer {
    pub db: DatabaseConnection,
    pub gate: WriteGate,
    pub stamping: Option<StampSettings>,
    pub mall: MallSettings,
    pub public_url: String,
    pub wecom: WecomClient,
    pub media: MediaLibrary,
}

/// The inbox worker's side: hands over new contacts, never waiting.
#[derive(Clone)]
pub struct WelcomeFeed(mpsc::Sender<NewContact>);

impl std::fmt::Debug for WelcomeFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WelcomeFeed")
    }
}

impl WelcomeFeed {
    pub fn start(welcomer: Welcomer) -> Self {
        let (sender, mut receiver) = mpsc::channel::<NewContact>(1024);
        tokio::spawn(async move {
            while let Some(contact) = receiver.recv().await {
                if let Err(err) = welcome(&welcomer, &contact).await {
                    tracing::warn!(error = %err, "a welcome message could not be recorded");
                }
            }
        });
        Self(sender)
    }

    pub fn welcome(&self, contact: NewContact) {
        if self.0.try_send(contact).is_err() {
            tracing::warn!("welcome messages are behind: one was not sent");
        }
    }
}

async fn welcome(welcomer: &Welcomer, contact: &NewContact) -> Result<(), DbErr> {
    let db = &welcomer.db;
    let store = current_store(db, &contact.userid).await?;
    let Some(configured) = configured_for(db, store).await? else {
        return Ok(());
    };
    if Utc::now() - contact.added_at > Duration::seconds(WINDOW_SECS) {
        let why = "handed over after WeCom's 20-second window".to_owned();
        return record(db, contact, "late", Some(why), None).await;
    }
    let (attachments, share) = attachment(welcomer, contact, &configured, store).await?;
    let message = WelcomeMessage {
        welcome_code: contact.welcome_code.clone(),
        text: Some(WelcomeText {
            content: configured.content.clone(),
        }),
        attachments,
    };
    match welcomer.wecom.send_welcome(&message).await {
        Ok(()) => {
            if let Some((guide_id, token)) = &share {
                let _ = record_sent(db, *guide_id, token).await;
            }
            let token = share.map(|(_, token)| token);
            record(db, contact, "sent", None, token).await
        }
        Err(err) => {
            tracing::warn!(error = %err, "WeCom refused a welcome message; not retried");
            record(db, contact, "failed", Some(err.to_string()), None).await
        }
    }
}

/// The store's active welcome, else the brand's default.
async fn configured_for(
    db: &DatabaseConnection,
    store: Option<i64>,
) -> Result<Option<welcome_message::Model>, DbErr> {
    let active = welcome_message::Entity::find()
        .filter(welcome_message::Column::Active.eq(true))
        .order_by_desc(welcome_message::Column::SourceUpdatedAt)
        .all(db)
        .await?;
    let own = active
        .iter()
        .find(|w| store.is_some() && w.store_id == store);
    Ok(own
        .or_else(|| active.iter().find(|w| w.store_id.is_none()))
        .cloned())
}

/// The welcome's material as an attachment: a page as a link card through its stamped short
/// link (a share to the customer), an image by its WeCom media id; with the share, if any.
async fn attachment(
    welcomer: &Welcomer,
    contact: &NewContact,
    configured: &welcome_message::Model,
    store: Option<i64>,
) -> Result<(Vec<serde_json::Value>, Option<(i64, String)>), DbErr> {
    let db = &welcomer.db;
    let Some(material_id) = &configured.material_id else {
        return Ok((Vec::new(), None));
    };
    let Some(found) = active_material(db, material_id).await? else {
        return Ok((Vec::new(), None));
    };
    match found.kind.as_str() {
        "page" | "miniprogram" => stamped_attachment(welcomer, contact, &found, store).await,
        "image" => match welcomer
            .media
            .media_id(db, &welcomer.wecom, &found, Utc::now())
            .await
        {
            Ok(media_id) => Ok((
                vec![serde_json::json!({"msgtype": "image", "image": {"media_id": media_id}})],
                None,
            )),
            Err(err) => {
                tracing::warn!(error = %err, "a welcome's picture could not be uploaded; text only");
                Ok((Vec::new(), None))
            }
        },
        _ => Ok((Vec::new(), None)),
    }
}

/// A page as a link card through its stamped short link, a mini-program page as a
/// mini-program card with its stamped path; either a share to the customer.
async fn stamped_attachment(
    welcomer: &Welcomer,
    contact: &NewContact,
    found: &material::Model,
    store: Option<i64>,
) -> Result<(Vec<serde_json::Value>, Option<(i64, String)>), DbErr> {
    let db = &welcomer.db;
    let guide = guide::Entity::find()
        .filter(guide::Column::WecomUserid.eq(contact.userid.as_str()))
        .one(db)
        .await?;
    let target = if found.kind == "miniprogram" {
        &found.page
    } else {
        &found.url
    };
    let (Some(guide), Some(target)) = (guide, target) else {
        return Ok((Vec::new(), None));
    };
    let sender = Sender {
        guide_id: guide.id,
        staff_userid: contact.userid.clone(),
        store,
    };
    let item = SharedItem {
        kind: "material",
        id: found.source_id.clone(),
        target: target.clone(),
        coupon: None,
    };
    let Some(share) = welcome_share(welcomer, contact, &sender, &item).await? else {
        return Ok((Vec::new(), None));
    };
    let picture = found
        .image_url
        .clone()
        .or_else(|| welcomer.mall.card_image_url.clone());
    let card = if found.kind == "miniprogram" {
        miniprogram_card(welcomer, found, picture, &share.link).await?
    } else {
        Some(serde_json::json!({"msgtype": "link", "link": {
            "title": found.title,
            "picurl": picture.unwrap_or_default(),
            "desc": found.description.clone().unwrap_or_default(),
            "url": short_link(&welcomer.public_url, &share.token),
        }}))
    };
    Ok(match card {
        Some(card) => (vec![card], Some((guide.id, share.token))),
        None => (Vec::new(), None),
    })
}

/// The welcome's share to the new contact, one per welcome code; none if it cannot be made.
async fn welcome_share(
    welcomer: &Welcomer,
    contact: &NewContact,
    sender: &Sender,
    item: &SharedItem,
) -> Result<Option<crate::entity::share::Model>, DbErr> {
    let Some(stamping) = &welcomer.stamping else {
        return Ok(None);
    };
    let key = format!(
        "welcome:{}",
        &hex::encode(sha2::Sha256::digest(contact.welcome_code.as_bytes()))[..40]
    );
    let recipient = Recipient::Customer(contact.external_userid.clone());
    let shared = prepare_share(
        &welcomer.db,
        &welcomer.gate,
        stamping,
        sender,
        &recipient,
        item,
        &key,
    )
    .await;
    Ok(shared.ok().map(|(share, _)| share))
}

/// WeCom takes a welcome's mini-program card only with its cover as a media id
/// (`pic_media_id`): without an appid or a cover that uploads, the welcome goes as text.
async fn miniprogram_card(
    welcomer: &Welcomer,
    found: &material::Model,
    picture: Option<String>,
    stamped_page: &str,
) -> Result<Option<serde_json::Value>, DbErr> {
    let brand_appid = welcomer
        .mall
        .miniprogram
        .as_ref()
        .map(|mp| mp.appid.clone());
    let (Some(appid), Some(picture)) = (found.appid.clone().or(brand_appid), picture) else {
        tracing::warn!(material = %found.source_id, "a welcome's mini-program has no appid or cover; text only");
        return Ok(None);
    };
    let uploaded = welcomer
        .media
        .picture_media_id(
            &welcomer.db,
            &welcomer.wecom,
            &picture,
            &found.title,
            Utc::now(),
        )
        .await;
    match uploaded {
        Ok(pic_media_id) => Ok(Some(
            serde_json::json!({"msgtype": "miniprogram", "miniprogram": {
                "title": found.title,
                "pic_media_id": pic_media_id,
                "appid": appid,
                "page": stamped_page,
            }}),
        )),
        Err(MediaError::Database(err)) => Err(err),
        Err(err) => {
            tracing::warn!(error = %err, "a welcome's mini-program cover could not be uploaded; text only");
            Ok(None)
        }
    }
}

async fn record(
    db: &DatabaseConnection,
    contact: &NewContact,
    state: &str,
    error: Option<String>,
    share_token: Option<String>,
) -> Result<(), DbErr> {
    let row = welcome_send::ActiveModel {
        welcome_code: Set(contact.welcome_code.clone()),
        staff_userid: Set(contact.userid.clone()),
        external_userid: Set(contact.external_userid.clone()),
        state: Set(state.into()),
        error: Set(error),
        share_token: Set(share_token),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    welcome_send::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(welcome_send::Column::WelcomeCode)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
