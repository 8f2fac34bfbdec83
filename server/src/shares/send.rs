//! `POST /api/v1/shares`'s flow, one straight line: find what is sent and what its messages
//! say (`items`: a coupon template usable now in the guide's store, a product on sale there,
//! a material of the library, with the brand's page for it), [`prepare_share`] (stamp, store,
//! quotas), and write the `sendChatMessage` payloads the page sends, in order.

use chrono::Utc;
use sea_orm::DatabaseConnection;
use shared::share::{ChatMessage, PreparedShare};

use super::coupon_quota::{QuotaLanes, refuse_if_used_up};
use super::items::{coupon_item, material_item, product_item};
use super::messages::{Piece, chat_messages};
use super::{Sender, ShareError, prepare_share};
use crate::config::{MallSettings, StampSettings};
use crate::database::WriteGate;
use crate::media::MediaLibrary;
use crate::stamp::Recipient;
use crate::wecom::client::WecomClient;

/// What a send needs besides who sends what to whom.
pub struct Sending<'a> {
    pub db: &'a DatabaseConnection,
    pub gate: &'a WriteGate,
    pub lanes: &'a QuotaLanes,
    pub stamping: &'a StampSettings,
    pub mall: &'a MallSettings,
    /// Where the short links live (`{public_url}/s/{token}`).
    pub public_url: &'a str,
    /// For images and files (uploaded as WeCom media); `None` when WeCom is not configured.
    pub wecom: Option<&'a WecomClient>,
    pub media: &'a MediaLibrary,
}

/// What the guide asked to send.
pub struct SendRequest<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub idempotency_key: &'a str,
    /// The recipient's member (a customer's), whose coupons count towards its limit.
    pub member_id: Option<i64>,
}

/// The share (`true`: created now) and what the page sends. A coupon found used up, wherever
/// the flow found it, is remembered in its lane, so the rest of a burst is refused at once.
pub async fn send_item(
    sending: &Sending<'_>,
    sender: &Sender,
    recipient: &Recipient,
    request: &SendRequest<'_>,
) -> Result<(PreparedShare, bool), ShareError> {
    let sent = share_item(sending, sender, recipient, request).await;
    if let Err(ShareError::Refused {
        code: "coupon_quota",
        ..
    }) = &sent
    {
        sending.lanes.note_used_up(request.id).await;
    }
    sent
}

async fn share_item(
    sending: &Sending<'_>,
    sender: &Sender,
    recipient: &Recipient,
    request: &SendRequest<'_>,
) -> Result<(PreparedShare, bool), ShareError> {
    let now = Utc::now();
    let store = sender.store;
    let (item, pieces) = match request.kind {
        "coupon" => coupon_item(sending, store, request, now).await?,
        "product" => product_item(sending, store, request.id).await?,
        "material" => material_item(sending, request.id, now).await?,
        _ => return Err(ShareError::UnknownItem),
    };
    // A coupon's sends queue in its lane here, before they take a connection.
    let _lane = match &item.coupon {
        Some(hold) => {
            let lane = sending.lanes.enter(hold.template_id).await;
            refuse_if_used_up(sending.db, hold.template_id).await?;
            Some(lane)
        }
        None => None,
    };
    let (share, created) = prepare_share(
        sending.db,
        sending.gate,
        sending.stamping,
        sender,
        recipient,
        &item,
        request.idempotency_key,
    )
    .await?;
    let web = share.link.starts_with("https://") || share.link.starts_with("http://");
    let link = web.then(|| short_link(sending.public_url, &share.token));
    let messages = chat_messages(&pieces, link.as_deref(), &share.link);
    let link = link.filter(|_| has_news(&messages));
    let prepared = PreparedShare {
        token: share.token,
        link,
        messages,
        state: share.state,
    };
    Ok((prepared, created))
}

fn has_news(messages: &[ChatMessage]) -> bool {
    messages
        .iter()
        .any(|message| matches!(message, ChatMessage::News { .. }))
}

pub fn short_link(public_url: &str, token: &str) -> String {
    format!("{}/s/{token}", public_url.trim_end_matches('/'))
}

/// Pieces are built before the share so that nothing is stored for what cannot be sent.
pub(super) type Built = (super::SharedItem, Vec<Piece>);
