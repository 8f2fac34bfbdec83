use serde::{Deserialize, Serialize};

/// A share's state, as `POST /api/v1/shares/{token}/sent` and `…/cancel` answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShareRecipient {
    Customer(String),
    Chat(String),
}

/// `201` (new) or `200` (the same idempotency key again): what to send, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
///
/// Read through [`FlatMessage`], not serde's internally tagged enum: that one buffers every
/// field into serde's `Content` tree first, and its code alone was a tenth of what the
/// sending tabs added to the sidebar's WASM. The wire format is the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "msgtype", rename_all = "lowercase", try_from = "FlatMessage")]
pub enum ChatMessage {
    Text { text: TextBody },
    Image { image: MediaBody },
    File { file: MediaBody },
    News { news: NewsBody },
    Miniprogram { miniprogram: MiniprogramBody },
}

/// A payload as it arrives: its `msgtype` and whichever body came with it.
#[derive(Deserialize)]
struct FlatMessage {
    msgtype: String,
    text: Option<TextBody>,
    image: Option<MediaBody>,
    file: Option<MediaBody>,
    news: Option<NewsBody>,
    miniprogram: Option<MiniprogramBody>,
}

impl TryFrom<FlatMessage> for ChatMessage {
    type Error = String;

    fn try_from(flat: FlatMessage) -> Result<Self, Self::Error> {
        let missing = || format!("missing field `{}`", flat.msgtype);
        match flat.msgtype.as_str() {
            "text" => flat.text.map(|text| Self::Text { text }),
            "image" => flat.image.map(|image| Self::Image { image }),
            "file" => flat.file.map(|file| Self::File { file }),
            "news" => flat.news.map(|news| Self::News { news }),
            "miniprogram" => flat
                .miniprogram
                .map(|miniprogram| Self::Miniprogram { miniprogram }),
            other => return Err(format!("unknown msgtype `{other}`")),
        }
        .ok_or_else(missing)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextBody {
    pub content: String,
}

/// A WeCom temporary media id (valid three days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MediaBody {
    pub mediaid: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewsBody {
    pub link: String,
    pub title: String,
    pub desc: String,
    #[serde(rename = "imgUrl")]
    pub img_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MiniprogramBody {
    pub appid: String,
    pub title: String,
    #[serde(rename = "imgUrl")]
    pub img_url: String,
    pub page: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_reads_back_as_written() {
        let messages = vec![
            ChatMessage::Text {
                text: TextBody {
                    content: "您好".into(),
                },
            },
            ChatMessage::Image {
                image: MediaBody {
                    mediaid: "m1".into(),
                },
            },
            ChatMessage::File {
                file: MediaBody {
                    mediaid: "m2".into(),
                },
            },
            ChatMessage::News {
                news: NewsBody {
                    link: "https://a/s/t".into(),
                    title: "t".into(),
                    desc: "d".into(),
                    img_url: "https://a/i.png".into(),
                },
            },
            ChatMessage::Miniprogram {
                miniprogram: MiniprogramBody {
                    appid: "wx1".into(),
                    title: "t".into(),
                    img_url: "https://a/i.png".into(),
                    page: "pages/p.html?x=1".into(),
                },
            },
        ];
        let json = serde_json::to_string(&messages).unwrap();
        assert!(json.starts_with(r#"[{"msgtype":"text","text":{"content":"您好"}}"#));
        let read: Vec<ChatMessage> = serde_json::from_str(&json).unwrap();
        assert_eq!(read, messages);
    }

    #[test]
    fn a_payload_without_its_body_or_of_an_unknown_type_is_refused() {
        let missing =
            serde_json::from_str::<ChatMessage>(r#"{"msgtype":"news","text":{"content":"x"}}"#);
        assert!(
            missing
                .unwrap_err()
                .to_string()
                .contains("missing field `news`")
        );
        let unknown = serde_json::from_str::<ChatMessage>(r#"{"msgtype":"video","video":{}}"#);
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .contains("unknown msgtype `video`")
        );
    }
}
