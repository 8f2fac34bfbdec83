//! The decrypted callback payloads, parsed into a typed enum.
//!
//! WeCom writes values either as CDATA or as plain text (`<ChangeType>` comes both ways), and
//! newer apps receive fewer fields; so the XML is first flattened into "element name → text"
//! and each event then takes the fields it needs. A payload that is XML but not an event we
//! know becomes [`CallbackEvent::Unknown`] (stored and ignored, never failed).

use std::borrow::Cow;

use quick_xml::events::Event as XmlEvent;
use quick_xml::reader::Reader;

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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("the payload is not well-formed XML: {0}")]
    NotXml(String),
    #[error("the {kind} event has no {field}")]
    MissingField { kind: String, field: &'static str },
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
    let msg_type = fields.text("MsgType");
    let event = fields.text("Event");
    let change_type = fields.text("ChangeType");
    let unknown = || {
        CallbackEvent::Unknown(UnknownEvent {
            msg_type: msg_type.map(str::to_owned),
            event: event.map(str::to_owned),
            change_type: change_type.map(str::to_owned),
        })
    };
    let need = |field: &'static str| {
        fields
            .text(field)
            .map(str::to_owned)
            .ok_or_else(|| EventError::MissingField {
                kind: format!("{}/{}", event.unwrap_or("-"), change_type.unwrap_or("-")),
                field,
            })
    };
    let create_time = fields.number("CreateTime").unwrap_or(0);

    let parsed = match (msg_type, event, change_type) {
        (Some("event"), Some("change_external_contact"), Some(change)) => {
            let user_id = need("UserID")?;
            let external_user_id = need("ExternalUserID")?;
            let change = match change {
                "add_external_contact" | "add_half_external_contact" => {
                    ExternalContactChange::Added {
                        user_id,
                        external_user_id,
                        state: fields.text("State").map(str::to_owned),
                        welcome_code: fields.text("WelcomeCode").map(str::to_owned),
                        half: change == "add_half_external_contact",
                        create_time,
                    }
                }
                "edit_external_contact" => ExternalContactChange::Edited {
                    user_id,
                    external_user_id,
                    create_time,
                },
                "del_external_contact" => ExternalContactChange::DeletedByGuide {
                    user_id,
                    external_user_id,
                    by_transfer: fields.text("Source") == Some("DELETE_BY_TRANSFER"),
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
                    reason: fields.text("FailReason").unwrap_or("unknown").to_owned(),
                    create_time,
                },
                _ => return Ok(unknown()),
            };
            CallbackEvent::ExternalContact(change)
        }
        (Some("event"), Some("change_external_chat"), Some(change)) => {
            CallbackEvent::ExternalChat(ExternalChatChange {
                chat_id: need("ChatId")?,
                change_type: change.to_owned(),
                update_detail: fields.text("UpdateDetail").map(str::to_owned),
                join_scene: fields.number("JoinScene"),
                quit_scene: fields.number("QuitScene"),
                member_change_count: fields.number("MemChangeCnt"),
                member_change_list: fields.list("MemChangeList"),
                create_time,
            })
        }
        (Some("event"), Some("change_external_tag"), Some(change)) => {
            CallbackEvent::ExternalTag(ExternalTagChange {
                id: need("Id")?,
                tag_type: fields.text("TagType").unwrap_or("tag").to_owned(),
                change_type: change.to_owned(),
                create_time,
            })
        }
        (Some("event"), Some("change_contact"), Some(change @ ("create_user" | "update_user"))) => {
            let staff = StaffFields {
                user_id: need("UserID")?,
                new_user_id: fields.text("NewUserID").map(str::to_owned),
                name: fields.text("Name").map(str::to_owned),
                department: fields.text("Department").map(str::to_owned),
                main_department: fields.text("MainDepartment").map(str::to_owned),
                position: fields.text("Position").map(str::to_owned),
                mobile: fields.text("Mobile").map(str::to_owned),
                status: fields.number("Status"),
                create_time,
            };
            CallbackEvent::Contact(if change == "create_user" {
                ContactChange::UserCreated(staff)
            } else {
                ContactChange::UserUpdated(staff)
            })
        }
        (Some("event"), Some("change_contact"), Some("delete_user")) => {
            CallbackEvent::Contact(ContactChange::UserDeleted {
                user_id: need("UserID")?,
                create_time,
            })
        }
        (Some(message), None, _) if message != "event" => CallbackEvent::Message(PlainMessage {
            msg_type: message.to_owned(),
            from_user: fields.text("FromUserName").unwrap_or_default().to_owned(),
            content: fields.text("Content").map(str::to_owned),
            msg_id: fields.text("MsgId").map(str::to_owned),
            create_time,
        }),
        _ => unknown(),
    };
    Ok(parsed)
}

/// The text of one child of the root element (the envelope's `Encrypt`, say), borrowed from
/// the document when it is one text or CDATA chunk.
pub fn top_level_text<'a>(xml: &'a str, name: &str) -> Result<Option<Cow<'a, str>>, EventError> {
    let mut fields = Fields::read(xml)?;
    Ok(fields
        .text_index(name)
        .map(|index| fields.text.swap_remove(index).1))
}

/// The payload flattened: each child of the root as text, and lists (`<MemChangeList>
/// <Item>a</Item><Item>b</Item></MemChangeList>`) as their items' texts. Names and values
/// borrow from the payload where they can (one text or CDATA chunk, nothing to trim away), so
/// a typical event is read without allocating per element; a handful of fields, so a list
/// beats a hash map.
#[derive(Debug, PartialEq, Eq)]
struct Fields<'a> {
    text: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    lists: Vec<(Cow<'a, str>, Vec<Cow<'a, str>>)>,
}

impl<'a> Fields<'a> {
    fn read(xml: &'a str) -> Result<Self, EventError> {
        match Self::read_simple(xml) {
            Some(fields) => Ok(fields),
            None => Self::read_with_parser(xml),
        }
    }

    /// The payload in the shape WeCom sends (see [`super::flat_xml`]), read directly (the whole
    /// event parse went from 0.99 to 0.56 µs with it, `callback_stage/parse_event`); `None` for
    /// any other shape (lists, attributes, entities, a declaration), which the parser then
    /// reads. A property test holds both readings equal.
    fn read_simple(xml: &'a str) -> Option<Self> {
        let mut text: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::with_capacity(16);
        super::flat_xml::for_each_child(xml, |name, value| {
            // The first occurrence of a field wins, as in the parser's reading.
            if !text.iter().any(|(known, _)| known == name) {
                text.push((Cow::Borrowed(name), Cow::Borrowed(value.trim())));
            }
            true
        })?;
        Some(Self {
            text,
            lists: Vec::new(),
        })
    }

    fn read_with_parser(xml: &'a str) -> Result<Self, EventError> {
        let mut reader = Reader::from_str(xml);
        let mut text: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::with_capacity(16);
        let mut lists: Vec<(Cow<'a, str>, Vec<Cow<'a, str>>)> = Vec::new();
        // How many elements are open (the root is 1). quick-xml checks that every end tag
        // matches its start, so the names need not be kept on a stack.
        let mut depth = 0usize;
        // The items of the root child being read, if it is a list.
        let mut items: Vec<Cow<'a, str>> = Vec::new();
        let mut current: Option<Cow<'a, str>> = None;
        let mut saw_root = false;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| EventError::NotXml(e.to_string()))?;
            match event {
                XmlEvent::Start(_) => {
                    if depth == 0 {
                        if saw_root {
                            return Err(EventError::NotXml("more than one root element".into()));
                        }
                        saw_root = true;
                    }
                    depth += 1;
                    current = None;
                }
                XmlEvent::Empty(start) if depth == 1 => {
                    let name = within(xml, start.name().into_inner());
                    if !text.iter().any(|(known, _)| *known == name) {
                        text.push((name, Cow::Borrowed("")));
                    }
                }
                XmlEvent::Text(chunk) => append(&mut current, chunk.xml10_content()),
                XmlEvent::CData(chunk) => append(&mut current, chunk.into_inner()),
                XmlEvent::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => predefined_entity(&reference),
                        Err(_) => None,
                    };
                    let Some(c) = resolved else {
                        return Err(EventError::NotXml("an unknown entity reference".into()));
                    };
                    current
                        .get_or_insert_with(|| Cow::Owned(String::new()))
                        .to_mut()
                        .push(c);
                }
                XmlEvent::End(end) => {
                    depth = depth
                        .checked_sub(1)
                        .ok_or_else(|| EventError::NotXml("an end tag without a start".into()))?;
                    let value = trim(current.take().unwrap_or(Cow::Borrowed("")));
                    match depth {
                        // A child of the root. The first occurrence of a field wins, as WeCom
                        // never repeats one.
                        1 => {
                            let name = within(xml, end.name().into_inner());
                            if !items.is_empty() && !lists.iter().any(|(known, _)| *known == name) {
                                lists.push((name.clone(), std::mem::take(&mut items)));
                            }
                            items.clear();
                            if !text.iter().any(|(known, _)| *known == name) {
                                text.push((name, value));
                            }
                        }
                        2 => items.push(value),
                        _ => {}
                    }
                }
                XmlEvent::Eof => break,
                _ => {}
            }
        }
        if !saw_root || depth != 0 {
            return Err(EventError::NotXml(
                "the document is empty or not closed".into(),
            ));
        }
        Ok(Self { text, lists })
    }

    /// A non-empty text value.
    fn text(&self, name: &str) -> Option<&str> {
        self.text_index(name)
            .and_then(|index| self.text.get(index))
            .map(|(_, value)| value.as_ref())
    }

    /// Where the value named `name` is, if it is not empty (each name is kept once).
    fn text_index(&self, name: &str) -> Option<usize> {
        self.text
            .iter()
            .position(|(known, value)| known == name && !value.is_empty())
    }

    fn number(&self, name: &str) -> Option<i64> {
        self.text(name).and_then(|v| v.parse().ok())
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.lists
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, items)| items.iter().map(|item| item.clone().into_owned()).collect())
            .unwrap_or_default()
    }
}

/// `part` as a borrow of `xml` with `xml`'s lifetime. quick-xml hands out element names only
/// for as long as its event lives, although, reading from a `&str`, they point into the
/// document; finding them there again saves a `String` per element. Anything not inside
/// `xml` (never the case for a `&str` reader) is copied.
fn within<'a>(xml: &'a str, part: &str) -> Cow<'a, str> {
    let offset = (part.as_ptr() as usize).wrapping_sub(xml.as_ptr() as usize);
    match xml.get(offset..offset.saturating_add(part.len())) {
        Some(slice) if std::ptr::eq(slice.as_ptr(), part.as_ptr()) => Cow::Borrowed(slice),
        _ => Cow::Owned(part.to_owned()),
    }
}

/// Adds a chunk of an element's text; only a second chunk makes the value owned.
fn append<'a>(current: &mut Option<Cow<'a, str>>, chunk: Cow<'a, str>) {
    match current {
        None => *current = Some(chunk),
        Some(existing) => existing.to_mut().push_str(&chunk),
    }
}

/// Trims without copying a borrowed value.
fn trim(value: Cow<'_, str>) -> Cow<'_, str> {
    match value {
        Cow::Borrowed(text) => Cow::Borrowed(text.trim()),
        Cow::Owned(text) if text.trim().len() == text.len() => Cow::Owned(text),
        Cow::Owned(text) => Cow::Owned(text.trim().to_owned()),
    }
}

fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    #[test]
    fn wecoms_shape_is_read_directly_and_the_rest_by_the_parser() {
        let direct = Fields::read_simple(OFFICIAL_ADD).expect("WeCom's own shape");
        assert_eq!(Fields::read_with_parser(OFFICIAL_ADD).unwrap(), direct);
        for other in [
            "<?xml version=\"1.0\"?><xml><A>1</A></xml>",
            "<xml><A x=\"1\">1</A></xml>",
            "<xml><A>&amp;</A></xml>",
            "<xml><A>1\r\n</A></xml>",
            "<xml><List><Item>a</Item></List></xml>",
            "<xml><A/></xml>",
            "<root><A>1</A></root>",
        ] {
            assert!(Fields::read_simple(other).is_none(), "{other}");
        }
    }

    proptest! {
        /// Whatever the direct reading accepts, the XML parser reads the same way.
        #[test]
        fn the_direct_reading_agrees_with_the_parser(
            parts in proptest::collection::vec(
                (
                    prop_oneof!["UserID", "ChangeType", "[A-Za-z][A-Za-z0-9_]{0,6}", ".{0,4}"],
                    prop_oneof!["[A-Za-z0-9_ ]{0,12}", ".{0,8}", "[<>&\\]\\[! \r\n\t]{0,6}"],
                    any::<bool>(),
                    prop_oneof!["", " ", "\n", "x", "<!-- c -->"],
                ),
                0..6,
            )
        ) {
            let mut body = String::from("<xml>");
            for (name, value, cdata, gap) in &parts {
                body.push_str(gap);
                if *cdata {
                    body.push_str(&format!("<{name}><![CDATA[{value}]]></{name}>"));
                } else {
                    body.push_str(&format!("<{name}>{value}</{name}>"));
                }
            }
            body.push_str("</xml>");
            if let Some(direct) = Fields::read_simple(&body) {
                prop_assert_eq!(Fields::read_with_parser(&body).ok(), Some(direct), "{}", body);
            }
        }
    }

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
