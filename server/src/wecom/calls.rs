//! The WeCom endpoints GuideDesk calls, one method each on the client (the request and
//! answer types are in `api`).

use super::api::*;
use super::client::{WecomClient, WecomError};

impl WecomClient {
    pub async fn oauth_identity(&self, code: &str) -> Result<OAuthIdentity, WecomError> {
        self.get("cgi-bin/auth/getuserinfo", &[("code", code)])
            .await
    }

    pub async fn member(&self, userid: &str) -> Result<Member, WecomError> {
        self.get("cgi-bin/user/get", &[("userid", userid)]).await
    }

    pub async fn contact(
        &self,
        external_userid: &str,
        cursor: &str,
    ) -> Result<ContactDetails, WecomError> {
        let mut query = vec![("external_userid", external_userid)];
        if !cursor.is_empty() {
            query.push(("cursor", cursor));
        }
        self.get("cgi-bin/externalcontact/get", &query).await
    }

    /// The members allowed to serve external contacts (客户联系 permission).
    pub async fn follow_users(&self) -> Result<Vec<String>, WecomError> {
        let list: FollowUserList = self
            .get("cgi-bin/externalcontact/get_follow_user_list", &[])
            .await?;
        Ok(list.follow_user)
    }

    pub async fn contact_ids(&self, userid: &str) -> Result<Vec<String>, WecomError> {
        let list: ContactList = self
            .get("cgi-bin/externalcontact/list", &[("userid", userid)])
            .await?;
        Ok(list.external_userid)
    }

    pub async fn contacts_by_user(
        &self,
        userids: &[String],
        cursor: &str,
        limit: u32,
    ) -> Result<BatchPage, WecomError> {
        self.post(
            "cgi-bin/externalcontact/batch/get_by_user",
            &BatchByUser {
                userid_list: userids,
                cursor,
                limit,
            },
        )
        .await
    }

    pub async fn corp_tags(&self) -> Result<Vec<CorpTagGroup>, WecomError> {
        let list: CorpTagList = self
            .post(
                "cgi-bin/externalcontact/get_corp_tag_list",
                &serde_json::json!({}),
            )
            .await?;
        Ok(list.tag_group)
    }

    pub async fn mark_tag(&self, request: &MarkTag<'_>) -> Result<(), WecomError> {
        let _: Empty = self
            .post("cgi-bin/externalcontact/mark_tag", request)
            .await?;
        Ok(())
    }

    /// How the transfers from `handover` to `takeover` stand, page by page.
    pub async fn transfer_results(
        &self,
        handover_userid: &str,
        takeover_userid: &str,
        cursor: &str,
    ) -> Result<TransferResultPage, WecomError> {
        self.post(
            "cgi-bin/externalcontact/resigned/transfer_result",
            &serde_json::json!({
                "handover_userid": handover_userid,
                "takeover_userid": takeover_userid,
                "cursor": cursor,
            }),
        )
        .await
    }

    pub async fn transfer_customers(
        &self,
        request: &TransferCustomers<'_>,
    ) -> Result<Vec<TransferResult>, WecomError> {
        let answer: TransferAnswer = self
            .post(
                "cgi-bin/externalcontact/resigned/transfer_customer",
                request,
            )
            .await?;
        Ok(answer.customer)
    }
}
