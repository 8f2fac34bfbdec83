//! The stamp an event or an order may carry (the parameters of a link a guide sent, exactly as
//! the mall received them), and what a batch wrote that crediting must look at. Commerce does
//! not read stamps: it keeps them as received and tells whoever credits sales
//! ([`AfterBatch`]), in the batch's own transaction, so that a stored order is never left
//! uncredited by a crash between the two.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, DbErr};
use serde_json::Value;

use super::record::{RecordError, invalid};

/// A stamp's text is at most this long (nine parameters and a signature fit in a tenth).
const MAX_STAMP_BYTES: usize = 2048;

/// A stamped event or order, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// `event` or `order`.
    pub source_kind: &'static str,
    /// The mall's id of the event or order.
    pub source_id: String,
    pub member_id: Option<i64>,
    /// The event's kind, or `order`.
    pub kind: String,
    pub at: DateTime<Utc>,
    /// The parameters as a query string (`a=1&b=2`).
    pub stamp: String,
}

/// What one batch wrote that crediting must look at.
#[derive(Debug, Default)]
pub struct BatchEffects {
    pub stamped: Vec<Stamped>,
    /// Orders whose new version was written: their local ids and members.
    pub orders: Vec<(i64, Option<i64>)>,
}

/// Told of every batch's effects before it commits (attribution registers one).
#[async_trait::async_trait]
pub trait AfterBatch: Send + Sync {
    async fn written(&self, txn: &DatabaseTransaction, effects: BatchEffects) -> Result<(), DbErr>;
}

/// Nothing to do after a batch (no crediting configured: tests of commerce alone, tools).
pub struct NothingAfter;

#[async_trait::async_trait]
impl AfterBatch for NothingAfter {
    async fn written(&self, _: &DatabaseTransaction, _: BatchEffects) -> Result<(), DbErr> {
        Ok(())
    }
}

/// A record's `stamp` as a query string: given as the query string (with or without its
/// `?`, or the whole link) or as an object of name → value.
pub fn stamp_text(stamp: &Option<Value>) -> Result<Option<String>, RecordError> {
    let text = match stamp {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => match text.split_once('?') {
            Some((_, query)) => query.to_owned(),
            None => text.clone(),
        },
        Some(Value::Object(params)) => {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in params {
                let value = match value {
                    Value::String(text) => text.clone(),
                    Value::Number(number) => number.to_string(),
                    _ => return Err(not_a_stamp()),
                };
                query.append_pair(name, &value);
            }
            query.finish()
        }
        Some(_) => return Err(not_a_stamp()),
    };
    if text.len() > MAX_STAMP_BYTES {
        return Err(invalid("invalid_field", "`stamp` is over 2 KiB"));
    }
    Ok(Some(text.split('#').next().unwrap_or_default().to_owned()))
}

fn not_a_stamp() -> RecordError {
    invalid(
        "invalid_field",
        "`stamp` must be the stamped link's query string or an object of parameter → text",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stamp_is_read_as_the_query_string_however_it_was_given() {
        let as_link = stamp_text(&Some(json!(
            "https://m.example.com/p/1?gd_share=a&gd_at=5#top"
        )));
        assert_eq!(as_link.unwrap().as_deref(), Some("gd_share=a&gd_at=5"));
        let as_query = stamp_text(&Some(json!("gd_share=a&gd_at=5")));
        assert_eq!(as_query.unwrap().as_deref(), Some("gd_share=a&gd_at=5"));
        let as_object = stamp_text(&Some(json!({"gd_share": "a b", "gd_at": 5})));
        assert_eq!(as_object.unwrap().as_deref(), Some("gd_at=5&gd_share=a+b"));
        assert_eq!(stamp_text(&None).unwrap(), None);
        assert!(stamp_text(&Some(json!([1]))).is_err());
        assert!(stamp_text(&Some(json!({"gd_share": {"x": 1}}))).is_err());
        assert!(stamp_text(&Some(json!("x".repeat(3000)))).is_err());
    }
}
