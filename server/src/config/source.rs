//! Where raw values come from: the TOML file, flattened to `section.key`, overlaid by the
//! process environment.

use std::collections::BTreeMap;
use std::path::Path;

use super::keys::{ALL_KEYS, Key};
use super::validate::{parse_bool, parse_in_range, report};

/// The TOML file flattened to `section.key -> value as text`.
pub(super) fn read_toml(path: &Path, problems: &mut Vec<String>) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => {
            problems.push(format!(
                "config file {}: cannot read it: {err}",
                path.display()
            ));
            return values;
        }
    };
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(err) => {
            problems.push(format!(
                "config file {}: not valid TOML: {err}",
                path.display()
            ));
            return values;
        }
    };
    flatten_toml("", &table, &mut values, problems);
    for name in values.keys() {
        if !ALL_KEYS.iter().any(|key| key.toml == name) {
            problems.push(format!(
                "config file {}: unknown key `{name}` (see the README for the keys)",
                path.display()
            ));
        }
    }
    values
}

fn flatten_toml(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, String>,
    problems: &mut Vec<String>,
) {
    for (name, value) in table {
        let full = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match value {
            toml::Value::Table(inner) => flatten_toml(&full, inner, out, problems),
            toml::Value::String(text) => {
                out.insert(full, text.clone());
            }
            toml::Value::Integer(number) => {
                out.insert(full, number.to_string());
            }
            toml::Value::Boolean(flag) => {
                out.insert(full, flag.to_string());
            }
            _ => problems.push(format!(
                "config key `{full}`: expected a string or a number"
            )),
        }
    }
}

pub(super) struct RawValues<'a> {
    pub file: BTreeMap<String, String>,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl RawValues<'_> {
    /// The environment wins over the file; an empty environment variable counts as unset,
    /// because `FOO= cmd` is how people unset things in shell scripts.
    pub fn get(&self, key: &Key) -> Option<String> {
        (self.env)(key.env)
            .filter(|value| !value.is_empty())
            .or_else(|| self.file.get(key.toml).cloned())
    }

    /// A whole number in `min..=max`, or `default` when unset; a bad value is reported and
    /// the default stands in so the rest can still be checked.
    pub fn number(
        &self,
        key: &Key,
        default: i64,
        min: i64,
        max: i64,
        problems: &mut Vec<String>,
    ) -> i64 {
        match self.get(key).map(|value| parse_in_range(&value, min, max)) {
            None => default,
            Some(Ok(number)) => number,
            Some(Err(why)) => {
                report(problems, key, Err(why));
                default
            }
        }
    }

    /// `true`/`false` (or 1/0, yes/no, on/off), like [`RawValues::number`].
    pub fn flag(&self, key: &Key, default: bool, problems: &mut Vec<String>) -> bool {
        match self.get(key).map(|value| parse_bool(&value)) {
            None => default,
            Some(Ok(flag)) => flag,
            Some(Err(why)) => {
                report(problems, key, Err(why));
                default
            }
        }
    }
}
