//! The decrypted callback payloads, parsed into a typed enum.
//!
//! WeCom writes values either as CDATA or as plain text (`<ChangeType>` comes both ways), and
//! newer apps receive fewer fields; so the XML is first flattened into "element name → text"
//! and each event then takes the fields it needs. A payload that is XML but not an event we
//! know becomes [`CallbackEvent::Unknown`] (stored and ignored, never failed).

use super::event_fields::Fields;
pub use super::event_fields::{EventError, top_level_text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackEvent {
    ExternalContact(ExternalContactChange),
    ExternalChat(ExternalChatChange),
    ExternalTag(ExternalTagChange),
    Contact(ContactChange),
    Message(PlainMessage),
    Unknown(UnknownEvent),
}

/// `Event=change_external_contact`: a guide and a customer gained or lost each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalContactChange {
    /// `add_external_contact`, or `add_half_external_contact` (`half`: the customer added
    /// the guide but the guide has not accepted yet).
    Added {
        user_id: String,
        external_user_id: String,
        /// The contact-me QR code's `state`: which store or campaign won the add.
        state: Option<String>,
        /// Present only if no chat has started; valid for 20 seconds.
        welcome_code: Option<String>,
        half: bool,
        create_time: i64,
    },
    /// `edit_external_contact`: a remark or tag changed; the details must be fetched.
    Edited {
        user_id: String,
        external_user_id: String,
        create_time: i64,
    },
    /// `del_external_contact`: the guide deleted the customer (`Source=DELETE_BY_TRANSFER`
    /// when a transfer moved the customer away).
    DeletedByGuide {
        user_id: String,
        external_user_id: String,
        by_transfer: bool,
        create_time: i64,
    },
    /// `del_follow_user`: the customer deleted the guide.
    DeletedByCustomer {
        user_id: String,
        external_user_id: String,
        create_time: i64,
    },
    /// `transfer_fail`: `customer_refused` or `customer_limit_exceed`.
    TransferFailed {
        user_id: String,
        external_user_id: String,
        reason: String,
        create_time: i64,
    },
}

/// `Event=change_external_chat`: a customer group chat was created, changed or dismissed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalChatChange {
    pub chat_id: String,
    /// `create`, `update` or `dismiss`.
    pub change_type: String,
    /// On update: `add_member`, `del_member`, `change_owner`, `change_name`, `change_notice`.
    pub update_detail: Option<String>,
    pub join_scene: Option<i64>,
    pub quit_scene: Option<i64>,
    pub member_change_count: Option<i64>,
    pub member_change_list: Vec<String>,
    pub create_time: i64,
}

/// `Event=change_external_tag`: the corp tag catalogue changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalTagChange {
    /// The tag's or the tag group's id.
    pub id: String,
    /// `tag` or `tag_group`.
    pub tag_type: String,
    /// `create`, `update`, `delete` or `shuffle`.
    pub change_type: String,
    pub create_time: i64,
}

/// `Event=change_contact`: a staff member (a guide, or someone who may become one) changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactChange {
    UserCreated(StaffFields),
    UserUpdated(StaffFields),
    UserDeleted { user_id: String, create_time: i64 },
}

/// What a create/update_user event carries; newer apps get only `UserID` and `Department`
/// and must fetch the rest with user/get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffFields {
    pub user_id: String,
    /// Set when the member's userid was changed.
    pub new_user_id: Option<String>,
    pub name: Option<String>,
    /// Comma-separated department ids, as WeCom sends them.
    pub department: Option<String>,
    pub main_department: Option<String>,
    pub position: Option<String>,
    pub mobile: Option<String>,
    /// 1 active, 2 disabled, 4 not yet activated, 5 left the company.
    pub status: Option<i64>,
    pub create_time: i64,
}

/// A message (text, image, ...) sent to the app, not an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainMessage {
    pub msg_type: String,
    pub from_user: String,
    pub content: Option<String>,
    pub msg_id: Option<String>,
    pub create_time: i64,
}

/// Any other payload: kept for the record and marked ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEvent {
    pub msg_type: Option<String>,
    pub event: Option<String>,
    pub change_type: Option<String>,
}

impl ExternalContactChange {
    /// The two ends of the relation: the member's userid and the customer's external userid.
    pub fn parties(&self) -> (&str, &str) {
        match self {
            Self::Added {
                user_id,
                external_user_id,
                ..
            }
            | Self::Edited {
                user_id,
                external_user_id,
                ..
            }
            | Self::DeletedByGuide {
                user_id,
                external_user_id,
                ..
            }
            | Self::DeletedByCustomer {
                user_id,
                external_user_id,
                ..
            }
            | Self::TransferFailed {
                user_id,
                external_user_id,
                ..
            } => (user_id, external_user_id),
        }
    }
}

impl CallbackEvent {
    /// A short name for logs and the inbox's `event_kind` column, e.g.
    /// `change_external_contact/add_external_contact`.
    pub fn kind(&self) -> String {
        match self {
            Self::ExternalContact(change) => {
                let change_type = match change {
                    ExternalContactChange::Added { half: false, .. } => "add_external_contact",
                    ExternalContactChange::Added { half: true, .. } => "add_half_external_contact",
                    ExternalContactChange::Edited { .. } => "edit_external_contact",
                    ExternalContactChange::DeletedByGuide { .. } => "del_external_contact",
                    ExternalContactChange::DeletedByCustomer { .. } => "del_follow_user",
                    ExternalContactChange::TransferFailed { .. } => "transfer_fail",
                };
                format!("change_external_contact/{change_type}")
            }
            Self::ExternalChat(change) => format!("change_external_chat/{}", change.change_type),
            Self::ExternalTag(change) => format!("change_external_tag/{}", change.change_type),
            Self::Contact(ContactChange::UserCreated(_)) => "change_contact/create_user".into(),
            Self::Contact(ContactChange::UserUpdated(_)) => "change_contact/update_user".into(),
            Self::Contact(ContactChange::UserDeleted { .. }) => "change_contact/delete_user".into(),
            Self::Message(message) => format!("message/{}", message.msg_type),
            Self::Unknown(unknown) => format!(
                "unknown/{}/{}",
                unknown
                    .event
                    .as_deref()
                    .or(unknown.msg_type.as_deref())
                    .unwrap_or("-"),
                unknown.change_type.as_deref().unwrap_or("-")
            ),
        }
    }
}

/// Parses a decrypted callback payload.
pub fn parse(xml: &str) -> Result<CallbackEvent, EventError> {
    let fields = Fields::read(xml)?;
    let reading = Reading {
        fields: &fields,
        event: fields.text("Event"),
        change_type: fields.text("ChangeType"),
        create_time: fields.number("CreateTime").unwrap_or(0),
    };
    let parsed = match (fields.text("MsgType"), reading.event, reading.change_type) {
        (Some("event"), Some("change_external_contact"), Some(change)) => {
            match external_contact(&reading, change)? {
                Some(change) => CallbackEvent::ExternalContact(change),
                None => reading.unknown(),
            }
        }
        (Some("event"), Some("change_external_chat"), Some(change)) => {
            CallbackEvent::ExternalChat(external_chat(&reading, change)?)
        }
        (Some("event"), Some("change_external_tag"), Some(change)) => {
            CallbackEvent::ExternalTag(ExternalTagChange {
                id: reading.need("Id")?,
                tag_type: fields.text("TagType").unwrap_or("tag").to_owned(),
                change_type: change.to_owned(),
                create_time: reading.create_time,
            })
        }
        (Some("event"), Some("change_contact"), Some(change @ ("create_user" | "update_user"))) => {
            let staff = staff_fields(&reading)?;
            CallbackEvent::Contact(if change == "create_user" {
                ContactChange::UserCreated(staff)
            } else {
                ContactChange::UserUpdated(staff)
            })
        }
        (Some("event"), Some("change_contact"), Some("delete_user")) => {
            CallbackEvent::Contact(ContactChange::UserDeleted {
                user_id: reading.need("UserID")?,
                create_time: reading.create_time,
            })
        }
        (Some(message), None, _) if message != "event" => CallbackEvent::Message(PlainMessage {
            msg_type: message.to_owned(),
            from_user: fields.text("FromUserName").unwrap_or_default().to_owned(),
            content: fields.text("Content").map(str::to_owned),
            msg_id: fields.text("MsgId").map(str::to_owned),
            create_time: reading.create_time,
        }),
        _ => reading.unknown(),
    };
    Ok(parsed)
}

/// A payload being read: its fields and what every event kind takes from them.
struct Reading<'f, 'a> {
    fields: &'f Fields<'a>,
    event: Option<&'f str>,
    change_type: Option<&'f str>,
    create_time: i64,
}

impl Reading<'_, '_> {
    /// A field the event cannot do without.
    fn need(&self, field: &'static str) -> Result<String, EventError> {
        self.fields
            .text(field)
            .map(str::to_owned)
            .ok_or_else(|| EventError::MissingField {
                kind: format!(
                    "{}/{}",
                    self.event.unwrap_or("-"),
                    self.change_type.unwrap_or("-")
                ),
                field,
            })
    }

    fn optional(&self, field: &str) -> Option<String> {
        self.fields.text(field).map(str::to_owned)
    }

    /// The payload as an event we do not know (stored and ignored, never failed).
    fn unknown(&self) -> CallbackEvent {
        CallbackEvent::Unknown(UnknownEvent {
            msg_type: self.optional("MsgType"),
            event: self.event.map(str::to_owned),
            change_type: self.change_type.map(str::to_owned),
        })
    }
}

/// A change of a guide's customer; `None` for a change type we do not know.
fn external_contact(
    reading: &Reading<'_, '_>,
    change: &str,
) -> Result<Option<ExternalContactChange>, EventError> {
    let user_id = reading.need("UserID")?;
    let external_user_id = reading.need("ExternalUserID")?;
    let create_time = reading.create_time;
    Ok(Some(match change {
        "add_external_contact" | "add_half_external_contact" => ExternalContactChange::Added {
            user_id,
            external_user_id,
            state: reading.optional("State"),
            welcome_code: reading.optional("WelcomeCode"),
            half: change == "add_half_external_contact",
            create_time,
        },
        "edit_external_contact" => ExternalContactChange::Edited {
            user_id,
            external_user_id,
            create_time,
        },
        "del_external_contact" => ExternalContactChange::DeletedByGuide {
            user_id,
            external_user_id,
            by_transfer: reading.fields.text("Source") == Some("DELETE_BY_TRANSFER"),
            create_time,
        },
        "del_follow_user" => ExternalContactChange::DeletedByCustomer {
            user_id,
            external_user_id,
            create_time,
        },
        "transfer_fail" => ExternalContactChange::TransferFailed {
            user_id,
            external_user_id,
            reason: reading
                .fields
                .text("FailReason")
                .unwrap_or("unknown")
                .to_owned(),
            create_time,
        },
        _ => return Ok(None),
    }))
}

fn external_chat(
    reading: &Reading<'_, '_>,
    change: &str,
) -> Result<ExternalChatChange, EventError> {
    let fields = reading.fields;
    Ok(ExternalChatChange {
        chat_id: reading.need("ChatId")?,
        change_type: change.to_owned(),
        update_detail: reading.optional("UpdateDetail"),
        join_scene: fields.number("JoinScene"),
        quit_scene: fields.number("QuitScene"),
        member_change_count: fields.number("MemChangeCnt"),
        member_change_list: fields.list("MemChangeList"),
        create_time: reading.create_time,
    })
}

fn staff_fields(reading: &Reading<'_, '_>) -> Result<StaffFields, EventError> {
    Ok(StaffFields {
        user_id: reading.need("UserID")?,
        new_user_id: reading.optional("NewUserID"),
        name: reading.optional("Name"),
        department: reading.optional("Department"),
        main_department: reading.optional("MainDepartment"),
        position: reading.optional("Position"),
        mobile: reading.optional("Mobile"),
        status: reading.fields.number("Status"),
        create_time: reading.create_time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The add event exactly as WeCom's documentation shows it.
    const OFFICIAL_ADD: &str = "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID><State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>";

    fn contact_event(change: &str, extra: &str) -> String {
        format!(
            "<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>1700000000</CreateTime><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>{change}</ChangeType><UserID>lisi</UserID><ExternalUserID>wmCUST</ExternalUserID>{extra}</xml>"
        )
    }

    #[test]
    fn the_documented_add_event_parses_with_state_and_welcome_code() {
        let event = parse(OFFICIAL_ADD).unwrap();
        assert_eq!(
            event,
            CallbackEvent::ExternalContact(ExternalContactChange::Added {
                user_id: "zhangsan".into(),
                external_user_id: "woAJ2GCAAAXtWyujaWJHDDGi0mAAAA".into(),
                state: Some("teststate".into()),
                welcome_code: Some("WELCOMECODE".into()),
                half: false,
                create_time: 1_403_610_513,
            })
        );
        assert_eq!(event.kind(), "change_external_contact/add_external_contact");
    }

    #[test]
    fn every_contact_change_type_parses_from_plain_text_too() {
        let cases: Vec<(String, ExternalContactChange)> = vec![
            (
                contact_event("add_half_external_contact", ""),
                ExternalContactChange::Added {
                    user_id: "lisi".into(),
                    external_user_id: "wmCUST".into(),
                    state: None,
                    welcome_code: None,
                    half: true,
                    create_time: 1_700_000_000,
                },
            ),
            (
                contact_event("edit_external_contact", ""),
                ExternalContactChange::Edited {
                    user_id: "lisi".into(),
                    external_user_id: "wmCUST".into(),
                    create_time: 1_700_000_000,
                },
            ),
            (
                contact_event(
                    "del_external_contact",
                    "<Source>DELETE_BY_TRANSFER</Source>",
                ),
                ExternalContactChange::DeletedByGuide {
                    user_id: "lisi".into(),
                    external_user_id: "wmCUST".into(),
                    by_transfer: true,
                    create_time: 1_700_000_000,
                },
            ),
            (
                contact_event("del_external_contact", ""),
                ExternalContactChange::DeletedByGuide {
                    user_id: "lisi".into(),
                    external_user_id: "wmCUST".into(),
                    by_transfer: false,
                    create_time: 1_700_000_000,
                },
            ),
            (
                contact_event("del_follow_user", ""),
                ExternalContactChange::DeletedByCustomer {
                    user_id: "lisi".into(),
                    external_user_id: "wmCUST".into(),
                    create_time: 1_700_000_000,
                },
            ),
            (
                contact_event(
                    "transfer_fail",
                    "<FailReason><![CDATA[customer_refused]]></FailReason>",
                ),
                ExternalContactChange::TransferFailed {
                    user_id: "lisi".into(),
                    external_user_id: "wmCUST".into(),
                    reason: "customer_refused".into(),
                    create_time: 1_700_000_000,
                },
            ),
        ];
        for (xml, expected) in cases {
            assert_eq!(
                parse(&xml).unwrap(),
                CallbackEvent::ExternalContact(expected),
                "{xml}"
            );
        }
    }

    #[test]
    fn chat_tag_and_staff_events_parse() {
        let chat = "<xml><MsgType>event</MsgType><Event>change_external_chat</Event><ChatId>wrCHAT</ChatId><ChangeType>update</ChangeType><UpdateDetail>add_member</UpdateDetail><JoinScene>1</JoinScene><MemChangeCnt>2</MemChangeCnt><MemChangeList><Item>wmA</Item><Item>wmB</Item></MemChangeList><CreateTime>5</CreateTime></xml>";
        let CallbackEvent::ExternalChat(chat) = parse(chat).unwrap() else {
            panic!("chat")
        };
        assert_eq!(chat.member_change_list, ["wmA", "wmB"]);
        assert_eq!(
            (chat.join_scene, chat.member_change_count),
            (Some(1), Some(2))
        );

        let tag = "<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_tag]]></Event><Id><![CDATA[etTAG]]></Id><TagType><![CDATA[tag_group]]></TagType><ChangeType><![CDATA[delete]]></ChangeType></xml>";
        assert_eq!(parse(tag).unwrap().kind(), "change_external_tag/delete");

        let created = "<xml><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>create_user</ChangeType><UserID>wangwu</UserID><Name>王&amp;五</Name><Department>1,2</Department><Status>1</Status></xml>";
        let CallbackEvent::Contact(ContactChange::UserCreated(staff)) = parse(created).unwrap()
        else {
            panic!("created")
        };
        assert_eq!(
            staff.name.as_deref(),
            Some("王&五"),
            "entities are resolved"
        );
        assert_eq!(staff.department.as_deref(), Some("1,2"));
        assert_eq!(staff.status, Some(1));

        // Newer apps receive only UserID and Department.
        let sparse = "<xml><MsgType>event</MsgType><Event>change_contact</Event><ChangeType><![CDATA[update_user]]></ChangeType><UserID>wangwu</UserID><NewUserID>wangwu2</NewUserID><Department>3</Department></xml>";
        let CallbackEvent::Contact(ContactChange::UserUpdated(staff)) = parse(sparse).unwrap()
        else {
            panic!("updated")
        };
        assert_eq!(
            (staff.new_user_id.as_deref(), staff.name),
            (Some("wangwu2"), None)
        );

        let deleted = "<xml><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>delete_user</ChangeType><UserID>wangwu</UserID></xml>";
        assert_eq!(parse(deleted).unwrap().kind(), "change_contact/delete_user");
    }

    #[test]
    fn messages_and_unknown_events_are_recognised_not_failed() {
        let text = "<xml><ToUserName>ww1</ToUserName><FromUserName>zhangsan</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content><![CDATA[你好]]></Content><MsgId>42</MsgId></xml>";
        let CallbackEvent::Message(message) = parse(text).unwrap() else {
            panic!("message")
        };
        assert_eq!(
            (message.content.as_deref(), message.msg_id.as_deref()),
            (Some("你好"), Some("42"))
        );

        for unknown in [
            "<xml><MsgType>event</MsgType><Event>change_school_contact</Event><ChangeType>x</ChangeType></xml>",
            "<xml><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>create_party</ChangeType><Id>3</Id></xml>",
            &contact_event("some_future_change", ""),
            "<xml><Foo>bar</Foo></xml>",
        ] {
            assert!(
                matches!(parse(unknown).unwrap(), CallbackEvent::Unknown(_)),
                "{unknown}"
            );
        }
    }

    #[test]
    fn malformed_payloads_are_errors() {
        let missing = "<xml><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType><UserID>a</UserID></xml>";
        assert!(matches!(
            parse(missing),
            Err(EventError::MissingField {
                field: "ExternalUserID",
                ..
            })
        ));
        for broken in [
            "",
            "not xml at all",
            "<xml><a>1</a>",
            "<xml></xml><xml></xml>",
            "<xml><a>&bogus;</a></xml>",
            "<xml><a></b></xml>",
        ] {
            assert!(
                matches!(parse(broken), Err(EventError::NotXml(_))),
                "{broken:?} -> {:?}",
                parse(broken)
            );
        }
    }
}
