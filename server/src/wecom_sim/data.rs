//! What the simulated corp holds: the app's credentials, members, external contacts with
//! their followers, and the corp tag catalogue. Loaded from a JSON file, or the small
//! built-in corp the tests and the demo start from.

use serde::{Deserialize, Serialize};

use crate::wecom::api::{
    ContactDetails, CorpTag, CorpTagGroup, ExternalContact, FollowTag, FollowUser, Member,
};
use crate::wecom::outbound::{GroupChat, GroupChatMember};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimulatorData {
    pub corp_id: String,
    pub corp_secret: String,
    pub agent_id: i64,
    #[serde(default)]
    pub members: Vec<Member>,
    #[serde(default)]
    pub contacts: Vec<ContactDetails>,
    #[serde(default)]
    pub tag_groups: Vec<CorpTagGroup>,
    /// Customer group chats (客户群), for `externalcontact/groupchat/get`.
    #[serde(default)]
    pub group_chats: Vec<GroupChat>,
    /// Where pushed callbacks go (the app's callback URL, Token and EncodingAESKey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<super::push::CallbackTarget>,
}

impl SimulatorData {
    pub fn from_file(path: &std::path::Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        Ok(serde_json::from_str(&text)?)
    }

    pub fn member(&self, userid: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.userid == userid)
    }

    pub fn contact(&self, external_userid: &str) -> Option<&ContactDetails> {
        self.contacts
            .iter()
            .find(|c| c.external_contact.external_userid == external_userid)
    }

    pub fn contact_mut(&mut self, external_userid: &str) -> Option<&mut ContactDetails> {
        self.contacts
            .iter_mut()
            .find(|c| c.external_contact.external_userid == external_userid)
    }

    pub fn tag(&self, tag_id: &str) -> Option<(&CorpTagGroup, &CorpTag)> {
        self.tag_groups.iter().find_map(|group| {
            group
                .tag
                .iter()
                .find(|tag| tag.id == tag_id && !tag.deleted)
                .map(|tag| (group, tag))
        })
    }

    /// A small corp: two stores' guides, a manager who left, a disabled member, customers
    /// followed by one or two guides, and two tag groups.
    /// (Data more than logic: the corp spelled out whole reads better than split; over the
    /// house's 60 lines on purpose.)
    pub fn sample() -> Self {
        let member =
            |userid: &str, name: &str, department: i64, position: &str, status: i64| Member {
                userid: userid.into(),
                name: name.into(),
                department: vec![department],
                main_department: Some(department),
                position: Some(position.into()),
                mobile: None,
                avatar: None,
                status,
            };
        let tag = |id: &str, name: &str, order: i64| CorpTag {
            id: id.into(),
            name: name.into(),
            order,
            deleted: false,
            create_time: 1_700_000_000,
        };
        let group = |id: &str, name: &str, order: i64, tag: Vec<CorpTag>| CorpTagGroup {
            group_id: id.into(),
            group_name: name.into(),
            order,
            deleted: false,
            create_time: 1_700_000_000,
            tag,
        };
        let follow = |userid: &str, createtime: i64, tags: &[(&str, &str, &str)]| FollowUser {
            userid: userid.into(),
            remark: None,
            description: None,
            createtime,
            tags: tags
                .iter()
                .map(|(group, name, id)| FollowTag {
                    group_name: Some((*group).into()),
                    tag_name: (*name).into(),
                    tag_id: Some((*id).into()),
                    tag_type: 1,
                })
                .collect(),
            tag_id: Vec::new(),
            add_way: Some(1),
            state: Some("store-0101".into()),
            remark_mobiles: Vec::new(),
        };
        let contact =
            |id: &str, name: &str, unionid: &str, follow_user: Vec<FollowUser>| ContactDetails {
                external_contact: ExternalContact {
                    external_userid: id.into(),
                    name: name.into(),
                    avatar: None,
                    contact_type: 1,
                    gender: 2,
                    unionid: Some(unionid.into()),
                    corp_name: None,
                },
                follow_user,
                next_cursor: None,
            };
        Self {
            corp_id: "wwsimcorp0000000001".into(),
            corp_secret: "sim-corp-secret".into(),
            agent_id: 1_000_002,
            members: vec![
                member("guide.li", "李娜", 101, "导购", 1),
                member("guide.wang", "王芳", 101, "导购", 1),
                member("guide.zhao", "赵磊", 102, "导购", 1),
                member("manager.chen", "陈静", 101, "店长", 5),
                member("guide.sun", "孙丽", 102, "导购", 2),
            ],
            contacts: vec![
                contact(
                    "wmSIM0001",
                    "张小姐",
                    "oUNION0001",
                    vec![follow(
                        "guide.li",
                        1_700_000_100,
                        &[("会员等级", "金卡", "etVIPGOLD")],
                    )],
                ),
                contact(
                    "wmSIM0002",
                    "刘先生",
                    "oUNION0002",
                    vec![
                        follow("guide.li", 1_700_000_200, &[]),
                        follow("guide.wang", 1_700_000_300, &[("兴趣", "护肤", "etSKIN")]),
                    ],
                ),
                contact(
                    "wmSIM0003",
                    "周女士",
                    "oUNION0003",
                    vec![follow("guide.zhao", 1_700_000_400, &[])],
                ),
            ],
            tag_groups: vec![
                group(
                    "etGROUPVIP",
                    "会员等级",
                    1,
                    vec![tag("etVIPGOLD", "金卡", 1), tag("etVIPSILVER", "银卡", 2)],
                ),
                group(
                    "etGROUPINTEREST",
                    "兴趣",
                    2,
                    vec![tag("etSKIN", "护肤", 1), tag("etMAKEUP", "彩妆", 2)],
                ),
            ],
            group_chats: sample_group_chats(),
            callback: None,
        }
    }
}

/// guide.li's customer group, with two of the sample customers in it.
pub fn sample_group_chats() -> Vec<GroupChat> {
    let member = |userid: &str, member_type: i64| GroupChatMember {
        userid: userid.into(),
        member_type,
    };
    vec![GroupChat {
        chat_id: "wrSIMCHAT0001".into(),
        name: "南京西路店会员福利群".into(),
        owner: "guide.li".into(),
        member_list: vec![
            member("guide.li", 1),
            member("wmSIM0001", 2),
            member("wmSIM0002", 2),
        ],
    }]
}
