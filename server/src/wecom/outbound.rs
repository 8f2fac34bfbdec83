//! What GuideDesk sends through WeCom besides reads: temporary media (images and files the
//! guides send), group chat details (who may send to a chat), application messages to a
//! member (the radar's text cards) and welcome messages. Types and one method per endpoint.

use serde::{Deserialize, Serialize};

use super::api::decode;
use super::client::{WecomClient, WecomError};

/// `media/upload`'s answer: the media id, valid three days.
#[derive(Debug, Clone, Deserialize)]
pub struct UploadedMedia {
    pub media_id: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GroupChat {
    pub chat_id: String,
    #[serde(default)]
    pub name: String,
    pub owner: String,
    #[serde(default)]
    pub member_list: Vec<GroupChatMember>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GroupChatMember {
    pub userid: String,
    /// 1 a member of the corp, 2 an external contact.
    #[serde(rename = "type")]
    pub member_type: i64,
}

impl GroupChat {
    /// Whether the corp member `userid` owns the chat or is in it.
    pub fn has_member(&self, userid: &str) -> bool {
        self.owner == userid
            || self
                .member_list
                .iter()
                .any(|m| m.member_type == 1 && m.userid == userid)
    }
}

#[derive(Deserialize)]
struct GroupChatAnswer {
    group_chat: GroupChat,
}

/// An application text card to a member (`message/send`).
#[derive(Debug, Clone, Serialize)]
pub struct TextCard {
    pub title: String,
    /// May carry `<div class="gray|normal|highlight">` lines.
    pub description: String,
    pub url: String,
    pub btntxt: String,
}

/// `externalcontact/send_welcome_msg`'s body.
#[derive(Debug, Clone, Serialize)]
pub struct WelcomeMessage {
    pub welcome_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<WelcomeText>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WelcomeText {
    pub content: String,
}

#[derive(Deserialize)]
struct Empty {}

impl WecomClient {
    /// Uploads `bytes` as temporary media of `media_type` (`image` or `file`).
    pub async fn upload_media(
        &self,
        media_type: &str,
        filename: &str,
        bytes: Vec<u8>,
    ) -> Result<UploadedMedia, WecomError> {
        let bytes = self
            .with_token_raw("cgi-bin/media/upload", &[("type", media_type)], |request| {
                let part =
                    reqwest::multipart::Part::bytes(bytes.clone()).file_name(filename.to_owned());
                request.multipart(reqwest::multipart::Form::new().part("media", part))
            })
            .await?;
        decode("cgi-bin/media/upload", &bytes)
    }

    pub async fn group_chat(&self, chat_id: &str) -> Result<GroupChat, WecomError> {
        let answer: GroupChatAnswer = self
            .post(
                "cgi-bin/externalcontact/groupchat/get",
                &serde_json::json!({"chat_id": chat_id, "need_name": 1}),
            )
            .await?;
        Ok(answer.group_chat)
    }

    /// A text card from the app to the member `userid`.
    pub async fn send_text_card(&self, userid: &str, card: &TextCard) -> Result<(), WecomError> {
        let agentid = self.agent_id().unwrap_or_default();
        let _: Empty = self
            .post(
                "cgi-bin/message/send",
                &serde_json::json!({"touser": userid, "msgtype": "textcard",
                    "agentid": agentid, "textcard": card}),
            )
            .await?;
        Ok(())
    }

    pub async fn send_welcome(&self, message: &WelcomeMessage) -> Result<(), WecomError> {
        let _: Empty = self
            .post("cgi-bin/externalcontact/send_welcome_msg", message)
            .await?;
        Ok(())
    }
}
