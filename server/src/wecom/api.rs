//! The WeCom endpoints GuideDesk uses, as typed requests and answers
//! (developer.work.weixin.qq.com; protocol notes sections 2 to 5).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::api_error::WecomError;

/// Checks `errcode` and reads the rest of the answer as `T`.
pub(super) fn decode<T: DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, WecomError> {
    let undecodable = |detail: String| WecomError::Decode {
        path: path.to_owned(),
        detail,
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|err| undecodable(err.to_string()))?;
    let code = value
        .get("errcode")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0);
    if code != 0 {
        let message = value
            .get("errmsg")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        return Err(WecomError::Api { code, message });
    }
    serde_json::from_value(value).map_err(|err| undecodable(err.to_string()))
}

#[derive(Debug, Deserialize)]
pub struct TokenAnswer {
    pub access_token: String,
    pub expires_in: u64,
}

#[derive(Debug, Deserialize)]
pub struct Ticket {
    pub ticket: String,
    pub expires_in: u64,
}

/// `auth/getuserinfo`: a member has `userid`; anyone else `openid` or `external_userid`.
#[derive(Default, Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct OAuthIdentity {
    #[serde(alias = "UserId")]
    pub userid: Option<String>,
    #[serde(alias = "OpenId")]
    pub openid: Option<String>,
    pub external_userid: Option<String>,
}

/// `user/get`. `status`: 1 active, 2 disabled, 4 not yet activated, 5 left the corp.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Member {
    pub userid: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub department: Vec<i64>,
    #[serde(default)]
    pub main_department: Option<i64>,
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub avatar: Option<String>,
    #[serde(default)]
    pub status: i64,
}

impl Member {
    pub const ACTIVE: i64 = 1;

    pub fn is_active(&self) -> bool {
        self.status == Self::ACTIVE
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct ExternalContact {
    pub external_userid: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub avatar: Option<String>,
    /// 1 a WeChat user, 2 a WeCom user.
    #[serde(rename = "type", default)]
    pub contact_type: i64,
    #[serde(default)]
    pub gender: i64,
    #[serde(default)]
    pub unionid: Option<String>,
    #[serde(default)]
    pub corp_name: Option<String>,
}

#[derive(Default, Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct FollowTag {
    pub group_name: Option<String>,
    pub tag_name: String,
    pub tag_id: Option<String>,
    /// 1 corp tag, 2 personal tag, 3 rule tag.
    #[serde(rename = "type")]
    pub tag_type: i64,
}

/// One staff member's side of the relation (`follow_user[]` of externalcontact/get,
/// `follow_info` of batch/get_by_user).
#[derive(Default, Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct FollowUser {
    pub userid: String,
    pub remark: Option<String>,
    pub description: Option<String>,
    pub createtime: i64,
    pub tags: Vec<FollowTag>,
    /// batch/get_by_user gives tag ids only.
    pub tag_id: Vec<String>,
    pub add_way: Option<i64>,
    pub state: Option<String>,
    /// Mobile numbers the guide recorded for the contact.
    pub remark_mobiles: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct ContactDetails {
    pub external_contact: ExternalContact,
    #[serde(default)]
    pub follow_user: Vec<FollowUser>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

#[derive(Default, Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ContactList {
    pub external_userid: Vec<String>,
}

#[derive(Default, Debug, Clone, Deserialize)]
#[serde(default)]
pub struct FollowUserList {
    pub follow_user: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BatchByUser<'a> {
    pub userid_list: &'a [String],
    #[serde(skip_serializing_if = "str::is_empty")]
    pub cursor: &'a str,
    pub limit: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct BatchContact {
    pub external_contact: ExternalContact,
    pub follow_info: FollowUser,
}

#[derive(Default, Debug, Clone, Deserialize)]
#[serde(default)]
pub struct BatchPage {
    pub external_contact_list: Vec<BatchContact>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct CorpTag {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub order: i64,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub create_time: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct CorpTagGroup {
    pub group_id: String,
    pub group_name: String,
    #[serde(default)]
    pub order: i64,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub create_time: i64,
    #[serde(default)]
    pub tag: Vec<CorpTag>,
}

#[derive(Default, Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CorpTagList {
    pub tag_group: Vec<CorpTagGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarkTag<'a> {
    pub userid: &'a str,
    pub external_userid: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub add_tag: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub remove_tag: &'a [String],
}

#[derive(Debug, Clone, Serialize)]
pub struct TransferCustomers<'a> {
    pub handover_userid: &'a str,
    pub takeover_userid: &'a str,
    pub external_userid: &'a [String],
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct TransferResult {
    pub external_userid: String,
    #[serde(default)]
    pub errcode: i64,
}

#[derive(Default, Debug, Clone, Deserialize)]
#[serde(default)]
pub struct TransferAnswer {
    pub customer: Vec<TransferResult>,
}

/// One customer in resigned/transfer_result: how their transfer stands.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct TransferProgress {
    pub external_userid: String,
    /// 1 done, 2 waiting, 3 refused by the customer, 4 the takeover's limit reached.
    pub status: i64,
    #[serde(default)]
    pub takeover_time: i64,
}

impl TransferProgress {
    pub const DONE: i64 = 1;
    pub const WAITING: i64 = 2;
    pub const REFUSED: i64 = 3;
    pub const LIMIT_EXCEEDED: i64 = 4;
}

#[derive(Default, Debug, Clone, Deserialize)]
#[serde(default)]
pub struct TransferResultPage {
    pub customer: Vec<TransferProgress>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Empty {}

/// WeCom's errcodes that callers act on (the rest are reported as they come).
pub mod errcode {
    /// user/get: no such member (or one deleted after leaving).
    pub const NO_SUCH_MEMBER: i64 = 60111;
    /// The external_userid is not (or no longer) a contact of the corp.
    pub const NOT_A_CONTACT: i64 = 84061;
    /// The external contact does not exist.
    pub const NO_SUCH_CONTACT: i64 = 40096;
}

/// WeCom takes at most this many customers per transfer call.
pub const TRANSFER_BATCH: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_http_200_with_an_errcode_is_an_error() {
        let err = decode::<TokenAnswer>(
            "cgi-bin/gettoken",
            br#"{"errcode":40013,"errmsg":"invalid corpid"}"#,
        )
        .unwrap_err();
        assert_eq!(err.errcode(), Some(40013));
        let ok: TokenAnswer = decode(
            "cgi-bin/gettoken",
            br#"{"errcode":0,"errmsg":"ok","access_token":"t","expires_in":7200}"#,
        )
        .unwrap();
        assert_eq!(ok.expires_in, 7200);
        assert!(matches!(
            decode::<TokenAnswer>("x", b"<html>").unwrap_err(),
            WecomError::Decode { .. }
        ));
    }
}
