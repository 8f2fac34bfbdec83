//! A decrypted payload flattened into "element name → text" (and lists of items): read
//! directly in the shape WeCom sends, by the XML parser otherwise.

use std::borrow::Cow;

use quick_xml::events::Event as XmlEvent;
use quick_xml::reader::Reader;

/// Why a payload could not be read as an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("the payload is not well-formed XML: {0}")]
    NotXml(String),
    #[error("the {kind} event has no {field}")]
    MissingField { kind: String, field: &'static str },
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
pub(super) struct Fields<'a> {
    text: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    lists: Vec<(Cow<'a, str>, Vec<Cow<'a, str>>)>,
}

impl<'a> Fields<'a> {
    pub(super) fn read(xml: &'a str) -> Result<Self, EventError> {
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

    /// One loop over the parser's events with its few states (depth, the list being read, the
    /// text being gathered): split up, the states would be passed back and forth, so it stays
    /// whole past the house's 60 lines.
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
    pub(super) fn text(&self, name: &str) -> Option<&str> {
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

    pub(super) fn number(&self, name: &str) -> Option<i64> {
        self.text(name).and_then(|v| v.parse().ok())
    }

    pub(super) fn list(&self, name: &str) -> Vec<String> {
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

    /// The add event exactly as WeCom's documentation shows it.
    const OFFICIAL_ADD: &str = "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID><State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>";

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
}
