//! CSV rows as records: the header names the fields, and child rows (an order's items, a
//! shipment's events, a product's SKUs) follow their parent on lines with the same `id`.

use std::io::Read;

use serde_json::{Map, Value};

use super::Row;
use crate::commerce::batch::Kind;

/// Which CSV columns hold child rows, and under which field the children go.
fn child_prefix(kind: Kind) -> Option<(&'static str, &'static str)> {
    match kind {
        Kind::Orders => Some(("item_", "items")),
        Kind::Shipments => Some(("event_", "events")),
        Kind::Products => Some(("sku_", "skus")),
        _ => None,
    }
}

pub(super) fn read_csv(
    reader: impl Read,
    kind: Kind,
    mut emit: impl FnMut(Row) -> bool,
) -> Result<(), String> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .buffer_capacity(256 * 1024)
        .from_reader(reader);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|err| format!("cannot read the header line: {err}"))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let id_column = headers
        .iter()
        .position(|h| h == "id")
        .ok_or_else(|| "the header has no `id` column".to_owned())?;
    let mut parents = Parents {
        children: child_prefix(kind),
        current: None,
    };
    let mut record = csv::StringRecord::new();
    loop {
        let row = match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => parents.take_line(&headers, &record, id_column),
            // A malformed line is a bad row, not the end of the import.
            Err(err) => parents
                .flush()
                .into_iter()
                .chain([Row {
                    line: err.position().map_or(0, |p| p.line()),
                    record: Err(format!("not valid CSV: {err}")),
                }])
                .collect(),
        };
        for finished in row {
            if !emit(finished) {
                return Ok(());
            }
        }
    }
    if let Some(last) = parents.flush() {
        emit(last);
    }
    Ok(())
}

/// The parent row being read: its child lines are gathered into it until a line with another
/// `id` starts the next one.
struct Parents {
    children: Option<(&'static str, &'static str)>,
    current: Option<(String, Row)>,
}

impl Parents {
    /// Takes a line; answers the rows it finished (the previous parent, when it starts a new
    /// one).
    fn take_line(
        &mut self,
        headers: &[String],
        record: &csv::StringRecord,
        id_column: usize,
    ) -> Vec<Row> {
        let line = record.position().map_or(0, |p| p.line());
        let id = record.get(id_column).unwrap_or_default().to_owned();
        let (parent, child) = csv_fields(headers, record, self.children.map(|c| c.0));
        if let (Some((current_id, row)), Some((_, field))) = (&mut self.current, self.children)
            && *current_id == id
            && !id.is_empty()
        {
            if let (Ok(Value::Object(map)), Some(child)) = (&mut row.record, child) {
                push_child(map, field, child);
            }
            return Vec::new();
        }
        let finished = self.flush();
        let mut map = parent;
        if let (Some((_, field)), Some(child)) = (self.children, child) {
            push_child(&mut map, field, child);
        }
        let record = Ok(Value::Object(map));
        self.current = Some((id, Row { line, record }));
        finished.into_iter().collect()
    }

    /// The parent being read, finished.
    fn flush(&mut self) -> Option<Row> {
        self.current.take().map(|(_, row)| row)
    }
}

fn push_child(map: &mut Map<String, Value>, field: &str, child: Map<String, Value>) {
    if let Value::Array(list) = map
        .entry(field.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        list.push(Value::Object(child));
    }
}

/// A CSV line as JSON fields: the parent's, and the child's (columns with the prefix).
fn csv_fields(
    headers: &[String],
    record: &csv::StringRecord,
    child_prefix: Option<&str>,
) -> (Map<String, Value>, Option<Map<String, Value>>) {
    let mut parent = Map::new();
    let mut child = Map::new();
    for (name, cell) in headers.iter().zip(record.iter()) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        match child_prefix.and_then(|prefix| name.strip_prefix(prefix)) {
            Some(field) => {
                child.insert(field.to_owned(), csv_value(field, cell));
            }
            None => {
                parent.insert(name.clone(), csv_value(name, cell));
            }
        }
    }
    (parent, (!child.is_empty()).then_some(child))
}

/// A cell typed by its column: counts and fen as numbers (a fraction stays text, so it is
/// refused, never rounded), flags as booleans, lists split on `|`, `details` as JSON.
fn csv_value(field: &str, cell: &str) -> Value {
    const COUNTS: &[&str] = &[
        "points",
        "quantity",
        "value",
        "valid_days",
        "total_stock",
        "per_customer_limit",
    ];
    if field.ends_with("_fen") || COUNTS.contains(&field) {
        return cell
            .parse::<i64>()
            .map_or_else(|_| Value::String(cell.to_owned()), Value::from);
    }
    match field {
        "active" | "on_sale" => match cell.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Value::Bool(true),
            "false" | "0" | "no" => Value::Bool(false),
            _ => Value::String(cell.to_owned()),
        },
        "store_ids" => Value::Array(
            cell.split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        "details" => serde_json::from_str(cell).unwrap_or_else(|_| Value::String(cell.to_owned())),
        // A member's tags: `group:name|group:name`; a tag without its group stays text, so the
        // row is refused with the field named.
        "tags" => cell
            .split('|')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| match t.split_once(':') {
                Some((group, name)) => {
                    serde_json::json!({"group": group.trim(), "name": name.trim()})
                }
                None => Value::String(t.to_owned()),
            })
            .collect::<Vec<_>>()
            .into(),
        _ => Value::String(cell.to_owned()),
    }
}
