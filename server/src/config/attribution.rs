//! The brand's crediting policy: how a member is bound to a guide (专属导购) and in which order
//! the rules credit a paid order. A changed policy is a new version (the ledger's rows say
//! which version credited them, and a replay can apply any version).

use serde::{Deserialize, Serialize};

use super::keys::*;
use super::source::RawValues;
use super::validate::report;

/// The rules a paid order is credited by, tried in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditRule {
    /// The member's binding guide at the time of payment.
    Binding,
    /// The guide whose stamped share the member touched last within `last_share_days`.
    LastShare,
    /// The order's store (the member's home store for an online order without one).
    Store,
}

/// Serialised as it is stored, canonical (field order fixed): equal policies, equal text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributionPolicy {
    /// `None`: the first binding is permanent. `Some(n)`: a binding that saw no interaction
    /// of its guide for `n` days lapses, and the next touch may bind another guide.
    pub lock_days: Option<i64>,
    /// Whether a stamped purchase binds a member who has no binding guide.
    pub purchase_binds: bool,
    /// Whether the binding guide is credited only for orders of their own store.
    pub store_must_match: bool,
    pub rules: Vec<CreditRule>,
    /// How far back a stamped share still counts for `last_share`.
    pub last_share_days: i64,
    /// `Some((binding %, served %))`: when the binding guide and the guide who served the
    /// sale (the last share's) differ, the amount is split between them.
    pub split: Option<(i64, i64)>,
}

impl Default for AttributionPolicy {
    fn default() -> Self {
        Self {
            lock_days: None,
            purchase_binds: true,
            store_must_match: false,
            rules: vec![
                CreditRule::Binding,
                CreditRule::LastShare,
                CreditRule::Store,
            ],
            last_share_days: 7,
            split: None,
        }
    }
}

impl AttributionPolicy {
    /// The stored form.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

pub(super) fn attribution(raw: &RawValues<'_>, problems: &mut Vec<String>) -> AttributionPolicy {
    let defaults = AttributionPolicy::default();
    let lock = raw.number(&BINDING_LOCK_DAYS, 0, 0, 3650, problems);
    let rules = match raw.get(&CREDIT_RULES) {
        None => defaults.rules,
        Some(text) => {
            let parsed = parse_rules(&text);
            report(problems, &CREDIT_RULES, parsed.clone().map(|_| ()));
            parsed.unwrap_or(defaults.rules)
        }
    };
    let split = raw.get(&CREDIT_SPLIT).and_then(|text| {
        let parsed = parse_split(&text);
        report(problems, &CREDIT_SPLIT, parsed.clone().map(|_| ()));
        parsed.ok()
    });
    AttributionPolicy {
        lock_days: (lock > 0).then_some(lock),
        purchase_binds: raw.flag(&PURCHASE_BINDS, true, problems),
        store_must_match: raw.flag(&BINDING_STORE_MUST_MATCH, false, problems),
        rules,
        last_share_days: raw.number(&LAST_SHARE_DAYS, 7, 0, 365, problems),
        split,
    }
}

/// `binding,last_share,store`: each rule at most once, at least one.
fn parse_rules(text: &str) -> Result<Vec<CreditRule>, String> {
    let mut rules = Vec::new();
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let rule = match word {
            "binding" => CreditRule::Binding,
            "last_share" => CreditRule::LastShare,
            "store" => CreditRule::Store,
            other => {
                return Err(format!(
                    "`{other}` is not a rule (binding, last_share, store)"
                ));
            }
        };
        if rules.contains(&rule) {
            return Err(format!("`{word}` is named twice"));
        }
        rules.push(rule);
    }
    if rules.is_empty() {
        return Err("names no rule".into());
    }
    Ok(rules)
}

/// `70,30`: two whole percentages adding up to 100.
fn parse_split(text: &str) -> Result<(i64, i64), String> {
    let parts: Vec<Result<i64, _>> = text.split(',').map(|p| p.trim().parse::<i64>()).collect();
    match parts.as_slice() {
        [Ok(binding), Ok(served)] if *binding >= 0 && *served >= 0 && binding + served == 100 => {
            Ok((*binding, *served))
        }
        _ => Err(format!(
            "`{text}` is not two percentages adding up to 100, like 70,30"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_and_splits_are_read_strictly() {
        assert_eq!(
            parse_rules("last_share, store").unwrap(),
            vec![CreditRule::LastShare, CreditRule::Store]
        );
        assert!(parse_rules("binding,binding").is_err());
        assert!(parse_rules("guide").is_err());
        assert!(parse_rules(" , ").is_err());
        assert_eq!(parse_split("70,30").unwrap(), (70, 30));
        assert!(parse_split("70,20").is_err());
        assert!(parse_split("-10,110").is_err());
        assert!(parse_split("100").is_err());
    }

    #[test]
    fn the_stored_form_names_every_field_in_a_fixed_order() {
        assert_eq!(
            AttributionPolicy::default().canonical(),
            r#"{"lock_days":null,"purchase_binds":true,"store_must_match":false,"rules":["binding","last_share","store"],"last_share_days":7,"split":null}"#
        );
    }
}
