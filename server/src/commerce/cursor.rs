//! Keyset paging: a page ends at (time, id) and the next starts strictly after it, so a page
//! costs the same however deep the guide scrolls, and rows arriving meanwhile never shift it.

use std::fmt;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef};

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    pub fn new(at: DateTime<Utc>, id: i64) -> Self {
        Self { at, id }
    }

    /// `{unix microseconds}.{id}`, as [`Cursor`]'s `Display` writes it.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let invalid = || AppError::BadRequest {
            code: "invalid_cursor",
            message: "翻页参数无效，请从第一页重新加载".into(),
        };
        let (micros, id) = text.split_once('.').ok_or_else(invalid)?;
        let micros: i64 = micros.parse().map_err(|_| invalid())?;
        let id: i64 = id.parse().map_err(|_| invalid())?;
        let at = DateTime::from_timestamp_micros(micros).ok_or_else(invalid)?;
        Ok(Self { at, id })
    }
}

/// Rows after `cursor` in newest-first order: older, or as old with a smaller id. Columns are
/// given with their table, so the condition holds on a joined read too.
pub fn after(cursor: Cursor, at: impl IntoColumnRef + Clone, id: impl IntoColumnRef) -> Expr {
    Expr::col(at.clone())
        .lt(cursor.at)
        .or(Expr::col(at).eq(cursor.at).and(Expr::col(id).lt(cursor.id)))
}

/// A page read with one row more than `size`: keeps `size` rows and, when the extra row was
/// there, answers the cursor of the last row kept.
pub fn split_page<T>(rows: &mut Vec<T>, size: u64, key: impl Fn(&T) -> Cursor) -> Option<String> {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    if rows.len() <= size {
        return None;
    }
    rows.truncate(size);
    rows.last().map(|last| key(last).to_string())
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.at.timestamp_micros(), self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote_and_refuses_anything_else() {
        let at = DateTime::from_timestamp_micros(1_763_800_000_123_456).unwrap();
        let cursor = Cursor::new(at, 42);
        assert_eq!(Cursor::parse(&cursor.to_string()).unwrap(), cursor);
        for bad in ["", "1", "x.1", "1.x", "1.2.3", "99999999999999999999.1"] {
            assert!(Cursor::parse(bad).is_err(), "{bad:?}");
        }
    }
}
