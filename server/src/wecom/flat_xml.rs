//! The shape WeCom sends its XML in: `<xml>` holding only flat children, each `<Name>` with a
//! CDATA section or plain text (no entities, no carriage returns) and its `</Name>`, separated
//! by nothing but whitespace. Such a document is well-formed by construction and reads the same
//! as through the XML parser (property tests in `callback` and `events` hold both readings to
//! it), at a fraction of the cost: the parser validates every event's text as UTF-8 again and
//! walks it event by event, a 1-2 KB ciphertext included. Any other shape gives `None`, and the
//! caller lets the parser decide.

/// Hands each child of `<xml>` to `visit` as `(name, raw value)`, in document order. `None`
/// if the document is not in the flat shape, or `visit` gave up on it (returned `false`).
pub fn for_each_child<'a>(
    xml: &'a str,
    mut visit: impl FnMut(&'a str, &'a str) -> bool,
) -> Option<()> {
    let mut rest = xml.strip_prefix("<xml>")?.strip_suffix("</xml>")?;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Some(());
        }
        let open = rest.strip_prefix('<')?;
        let end_of_name = memchr::memchr(b'>', open.as_bytes())?;
        let name = open.get(..end_of_name)?;
        let content = open.get(end_of_name + 1..)?;
        let mut chars = name.chars();
        if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return None;
        }
        let (value, after) = match content.strip_prefix("<![CDATA[") {
            Some(cdata) => {
                // memmem is SIMD; `str::split_once` with a string pattern walks the
                // ciphertext a byte at a time.
                let end = memchr::memmem::find(cdata.as_bytes(), b"]]>")?;
                (cdata.get(..end)?, cdata.get(end + 3..)?)
            }
            None => {
                let end = memchr::memchr(b'<', content.as_bytes())?;
                let value = content.get(..end)?;
                if memchr::memchr(b'&', value.as_bytes()).is_some() {
                    return None;
                }
                (value, content.get(end..)?)
            }
        };
        if memchr::memchr(b'\r', value.as_bytes()).is_some() {
            return None;
        }
        rest = after
            .strip_prefix("</")?
            .strip_prefix(name)?
            .strip_prefix('>')?;
        if !visit(name, value) {
            return None;
        }
    }
}
