use serde::{Deserialize, Serialize};

/// A share's state, as `POST /api/v1/shares/{token}/sent` and `…/cancel` answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareStatus {
    pub token: String,
    /// `prepared`, `sent`, `cancelled` or `lapsed` (a coupon unclaimed in its window).
    pub state: String,
    /// RFC 3339, when the page reported it sent.
    pub sent_at: Option<String>,
    pub cancelled_at: Option<String>,
}

/// `POST /api/v1/shares`: send something to the customer or group chat of the open chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    pub to: ShareRecipient,
    /// `coupon`, `product` or `material`.
    pub kind: String,
    /// The coupon template's, product's or material's id (the brand's source id).
    pub id: String,
    /// The page's id for this tap: the same key gives back the same share.
    pub idempotency_key: String,
}

/// `{"customer": EXTERNAL_USERID}` or `{"chat": CHAT_ID}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareRecipient {
    Customer(String),
    Chat(String),
}

/// `201` (new) or `200` (the same idempotency key again): what to send, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreparedShare {
    pub token: String,
    /// The short link (`/s/{token}`) when what is sent is a web page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// `sendChatMessage` payloads, in the order to send them.
    pub messages: Vec<ChatMessage>,
    /// `prepared`, `sent`, `cancelled` or `lapsed`.
    pub state: String,
}

/// One `wx.invoke('sendChatMessage', …)` payload, exactly as the JS-SDK takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "msgtype", rename_all = "lowercase")]
pub enum ChatMessage {
    Text { text: TextBody },
    Image { image: MediaBody },
    File { file: MediaBody },
    News { news: NewsBody },
    Miniprogram { miniprogram: MiniprogramBody },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextBody {
    pub content: String,
}

/// A WeCom temporary media id (valid three days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaBody {
    pub mediaid: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsBody {
    pub link: String,
    pub title: String,
    pub desc: String,
    #[serde(rename = "imgUrl")]
    pub img_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiniprogramBody {
    pub appid: String,
    pub title: String,
    #[serde(rename = "imgUrl")]
    pub img_url: String,
    pub page: String,
}
