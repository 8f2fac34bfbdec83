//! Which customer group chats (客户群) a guide may send to: those WeCom says they own or are
//! in (`externalcontact/groupchat/get`), never a chat id taken on the page's word. Answers
//! are kept five minutes: a guide sends several things to one chat in a row.

use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use crate::wecom::client::{WecomClient, WecomError};
use crate::wecom::outbound::GroupChat;

const KEEP: Duration = Duration::from_secs(300);
/// WeCom's `invalid chat_id`.
const INVALID_CHAT_ID: i64 = 40050;

#[derive(Clone)]
pub struct GroupChats {
    cache: Cache<String, Option<Arc<GroupChat>>>,
}

impl Default for GroupChats {
    fn default() -> Self {
        Self {
            cache: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(KEEP)
                .build(),
        }
    }
}

impl GroupChats {
    /// The chat, when the member `userid` owns it or is in it; `None` for a chat WeCom does
    /// not know or that is not theirs.
    pub async fn chat_of(
        &self,
        wecom: &WecomClient,
        chat_id: &str,
        userid: &str,
    ) -> Result<Option<Arc<GroupChat>>, WecomError> {
        if chat_id.is_empty() || chat_id.len() > 64 {
            return Ok(None);
        }
        let fetch = async {
            match wecom.group_chat(chat_id).await {
                Ok(chat) => Ok(Some(Arc::new(chat))),
                Err(WecomError::Api { code, .. }) if code == INVALID_CHAT_ID => Ok(None),
                Err(err) => Err(err),
            }
        };
        let chat = self
            .cache
            .try_get_with(chat_id.to_owned(), fetch)
            .await
            .map_err(|err: Arc<WecomError>| WecomError::Transport(err.to_string()))?;
        Ok(chat.filter(|chat| chat.has_member(userid)))
    }
}
