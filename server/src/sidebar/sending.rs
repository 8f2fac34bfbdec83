//! `POST /api/v1/shares`: the guide sends something to the customer or group chat of the
//! open chat. The sender is the session's guide; a customer must be one they follow, a group
//! chat one WeCom says they own or are in (else 404); the share is prepared and stamped and
//! the `sendChatMessage` payloads answered.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;
use shared::share::{ShareRecipient, ShareRequest};

use crate::auth::{Guide, SignedIn};
use crate::config::{MallSettings, PublicUrl, StampSettings};
use crate::database::WriteGate;
use crate::directory::group_chats::GroupChats;
use crate::directory::scope::followed_member;
use crate::error::AppError;
use crate::error::SessionRefusals;
use crate::media::MediaLibrary;
use crate::shares::coupon_quota::QuotaLanes;
use crate::shares::send::{SendRequest, Sending, send_item};
use crate::shares::{Sender, ShareError};
use crate::stamp::Recipient;
use crate::wecom::client::WecomClient;

/// What `POST /api/v1/shares` needs from the server's configuration.
pub struct SendingSetup {
    pub gate: WriteGate,
    pub lanes: QuotaLanes,
    pub stamping: Option<StampSettings>,
    pub mall: MallSettings,
    pub media: MediaLibrary,
    pub chats: GroupChats,
    /// Sends under way at once in this process: a burst queues here, in order, instead of
    /// timing out in the connection pool's short wait (and starving the reads).
    pub permits: std::sync::Arc<tokio::sync::Semaphore>,
}

/// How long a send may queue for its turn before it is told the server is busy.
const SEND_QUEUE: std::time::Duration = std::time::Duration::from_secs(30);

/// `POST /api/v1/shares`: `201` with a new share, `200` with the one this idempotency key
/// already made, `409` when a quota or limit refuses it.
#[utoipa::path(request_body = shared::share::ShareRequest, post, path = "/api/v1/shares", tag = "sidebar",
    description = "Makes a stamped share of a coupon, product or material for a customer or chat: what the page hands to WeCom's JS-SDK, in order. The same `idempotency_key` gives back the same share.",
    responses(
        (status = 201, description = "A new share", body = shared::share::PreparedShare),
        (status = 200, description = "The share this idempotency key already made", body = shared::share::PreparedShare),
        (status = 400, description = "`invalid_idempotency_key`, `invalid_json`", body = shared::ApiError),
        (status = 404, description = "`not_found`: unknown item, or not this guide's customer or chat", body = shared::ApiError),
        (status = 409, description = "`coupon_quota`, `coupon_daily_limit`, `coupon_customer_limit`, `coupon_not_sendable`, `miniprogram_missing`, `mall_page_missing`, `idempotency_key_reused`", body = shared::ApiError),
        SessionRefusals,
        (status = 503, description = "`stamp_not_configured`, `sending_busy`, `media_unavailable`, `wecom_not_configured`, `database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn create_share(
    db: web::Data<DatabaseConnection>,
    setup: web::Data<SendingSetup>,
    public_url: web::Data<PublicUrl>,
    wecom: Option<web::Data<WecomClient>>,
    signed_in: SignedIn,
    body: web::Json<ShareRequest>,
) -> Result<HttpResponse, AppError> {
    let Some(stamping) = &setup.stamping else {
        return Err(AppError::Unavailable {
            code: "stamp_not_configured",
            message: "服务器未配置链接签名密钥（GUIDEDESK_STAMP_KEYS），暂不能发送".into(),
        });
    };
    if body.kind == "coupon" && setup.lanes.known_used_up(&body.id) {
        return Err(share_error(crate::shares::coupon_quota::quota_used_up()));
    }
    let _turn = tokio::time::timeout(SEND_QUEUE, setup.permits.acquire())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or(AppError::Unavailable {
            code: "sending_busy",
            message: "发送的人太多，请稍后再试".into(),
        })?;
    // Asked again: the quota may have run out while this send queued.
    if body.kind == "coupon" && setup.lanes.known_used_up(&body.id) {
        return Err(share_error(crate::shares::coupon_quota::quota_used_up()));
    }
    // The guide is re-read in turn too: a burst must not queue in the pool's short wait.
    let guide = signed_in.confirm().await?;
    let wecom = wecom.as_ref().map(|client| client.get_ref());
    let (recipient, member_id) = recipient(&db, &setup, wecom, &guide, &body.to).await?;
    let sending = Sending {
        db: db.get_ref(),
        gate: &setup.gate,
        lanes: &setup.lanes,
        stamping,
        mall: &setup.mall,
        public_url: public_url.as_str(),
        wecom,
        media: &setup.media,
    };
    let sender = Sender::now(db.get_ref(), guide.id, &guide.userid).await?;
    let request = SendRequest {
        kind: &body.kind,
        id: &body.id,
        idempotency_key: &body.idempotency_key,
        member_id,
    };
    match send_item(&sending, &sender, &recipient, &request).await {
        Ok((prepared, true)) => Ok(HttpResponse::Created().json(prepared)),
        Ok((prepared, false)) => Ok(HttpResponse::Ok().json(prepared)),
        Err(err) => Err(share_error(err)),
    }
}

/// The recipient, if the guide may send to it: a customer they follow (with the member whose
/// coupons count), or a group chat they own or are in.
async fn recipient(
    db: &DatabaseConnection,
    setup: &SendingSetup,
    wecom: Option<&WecomClient>,
    guide: &Guide,
    to: &ShareRecipient,
) -> Result<(Recipient, Option<i64>), AppError> {
    match to {
        ShareRecipient::Customer(id) => {
            let member_id = followed_member(db, guide.id, id).await?;
            Ok((Recipient::Customer(id.clone()), member_id))
        }
        ShareRecipient::Chat(id) => {
            let wecom = wecom.ok_or(AppError::Wecom(
                crate::wecom::client::WecomError::NotConfigured("WECOM_CORP_ID and WECOM_SECRET"),
            ))?;
            match setup.chats.chat_of(wecom, id, &guide.userid).await? {
                Some(_) => Ok((Recipient::Chat(id.clone()), None)),
                None => Err(AppError::NotFound),
            }
        }
    }
}

fn share_error(err: ShareError) -> AppError {
    match err {
        ShareError::Refused { code, message } => AppError::Conflict { code, message },
        ShareError::KeyReused => AppError::Conflict {
            code: "idempotency_key_reused",
            message: "这个发送编号已用于另一次发送，请刷新后重试".into(),
        },
        ShareError::BadKey => AppError::BadRequest {
            code: "invalid_idempotency_key",
            message: "idempotency_key 须为 1 到 64 个字符".into(),
        },
        ShareError::UnknownItem => AppError::NotFound,
        ShareError::WrongState(message) => AppError::Conflict {
            code: "share_state",
            message: message.into(),
        },
        ShareError::Database(err) => err.into(),
        other => AppError::Internal(other.into()),
    }
}
