//! Crediting a paid order: the first of the policy's rules that names someone takes the paid
//! amount (or, with a split, the binding guide and the guide who served the sale share it by
//! largest remainder); a refund adds reversing rows in the same proportions. The rows are a
//! function of the order, the member's bindings and touches and the policy: crediting as
//! orders arrive and a replay write the same rows.

use chrono::{DateTime, Duration, Utc};

use super::split::largest_remainder;
use crate::config::{AttributionPolicy, CreditRule};
use crate::entity::{binding, order, touch};

/// Statuses of an order that was paid (a refunded order was paid, then reversed).
pub const PAID: &[&str] = &["paid", "shipped", "completed", "refunded"];

/// One ledger row before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRow {
    /// `credit` or `reversal`.
    pub entry: &'static str,
    pub amount_fen: i64,
    /// `binding`, `last_share`, `store` or `unattributed`.
    pub rule: &'static str,
    pub guide: Option<i64>,
    pub store: Option<i64>,
    pub binding: Option<i64>,
    pub share: Option<String>,
    pub touched_at: Option<DateTime<Utc>>,
    pub credited_at: DateTime<Utc>,
    /// Why, as the rule found it; the sentence for people is made when it is read.
    pub why: Why,
}

/// The evidence a rule found, for the reason sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    Binding {
        source: String,
        since: DateTime<Utc>,
    },
    LastShare {
        days: i64,
    },
    Store {
        home: bool,
    },
    Nobody,
}

/// What crediting one order looks at.
pub struct Evidence<'a> {
    pub order: &'a order::Model,
    /// The member's binding periods (none for a guest).
    pub bindings: &'a [binding::Model],
    /// The member's valid touches, and the order's own stamp's.
    pub touches: &'a [touch::Model],
    /// The member's home store.
    pub home_store: Option<i64>,
    /// Each guide's store now (for a binding made without one).
    pub guide_store: &'a dyn Fn(i64) -> Option<i64>,
}

/// The order's ledger rows; none when it was never paid.
pub fn credit_rows(policy: &AttributionPolicy, evidence: &Evidence<'_>) -> Vec<CreditRow> {
    let order = evidence.order;
    if !PAID.contains(&order.status.as_str()) {
        return Vec::new();
    }
    let paid_at = order.paid_at.unwrap_or(order.ordered_at);
    let bound = binding_at(policy, evidence, paid_at);
    let served = last_share(policy, evidence.touches, paid_at);
    let mut credits = Vec::new();
    for rule in &policy.rules {
        credits = match rule {
            CreditRule::Binding => bound
                .map(|b| vec![binding_row(b, evidence)])
                .unwrap_or_default(),
            CreditRule::LastShare => served
                .map(|t| vec![share_row(t, policy)])
                .unwrap_or_default(),
            CreditRule::Store => store_row(evidence).into_iter().collect(),
        };
        if credits.is_empty() {
            continue;
        }
        if *rule == CreditRule::Binding
            && let (Some((to_binding, to_served)), Some(touched)) = (policy.split, served)
            && touched.guide_id != bound.map(|b| b.guide_id)
        {
            credits.push(share_row(touched, policy));
            return amounts(credits, &[to_binding, to_served], order, paid_at);
        }
        break;
    }
    if credits.is_empty() {
        credits.push(nobody_row());
    }
    amounts(credits, &[1], order, paid_at)
}

/// The binding period covering `at`, if its guide may be credited for this order.
fn binding_at<'a>(
    policy: &AttributionPolicy,
    evidence: &Evidence<'a>,
    at: DateTime<Utc>,
) -> Option<&'a binding::Model> {
    let period = evidence
        .bindings
        .iter()
        .find(|b| b.started_at <= at && b.ended_at.is_none_or(|end| at < end))?;
    let store = period
        .store_id
        .or_else(|| (evidence.guide_store)(period.guide_id));
    let wrong_store = policy.store_must_match
        && evidence.order.store_id.is_some()
        && store != evidence.order.store_id;
    (!wrong_store).then_some(period)
}

/// The latest valid touch with a guide within `last_share_days` before `at`.
fn last_share<'a>(
    policy: &AttributionPolicy,
    touches: &'a [touch::Model],
    at: DateTime<Utc>,
) -> Option<&'a touch::Model> {
    let since = at - Duration::days(policy.last_share_days);
    touches
        .iter()
        .filter(|t| t.guide_id.is_some() && t.touched_at >= since && t.touched_at <= at)
        .max_by(|a, b| {
            (a.touched_at, &a.source_kind, &a.source_id).cmp(&(
                b.touched_at,
                &b.source_kind,
                &b.source_id,
            ))
        })
}

fn binding_row(period: &binding::Model, evidence: &Evidence<'_>) -> CreditRow {
    CreditRow {
        rule: "binding",
        guide: Some(period.guide_id),
        store: period
            .store_id
            .or_else(|| (evidence.guide_store)(period.guide_id)),
        binding: Some(period.id),
        why: Why::Binding {
            source: period.source.clone(),
            since: period.started_at,
        },
        ..empty_row()
    }
}

fn share_row(touched: &touch::Model, policy: &AttributionPolicy) -> CreditRow {
    CreditRow {
        rule: "last_share",
        guide: touched.guide_id,
        store: touched.store_id,
        share: touched.share_token.clone(),
        touched_at: Some(touched.touched_at),
        why: Why::LastShare {
            days: policy.last_share_days,
        },
        ..empty_row()
    }
}

fn store_row(evidence: &Evidence<'_>) -> Option<CreditRow> {
    let (store, home) = match (evidence.order.store_id, evidence.home_store) {
        (Some(store), _) => (store, false),
        (None, Some(home)) => (home, true),
        (None, None) => return None,
    };
    Some(CreditRow {
        rule: "store",
        store: Some(store),
        why: Why::Store { home },
        ..empty_row()
    })
}

fn nobody_row() -> CreditRow {
    CreditRow {
        rule: "unattributed",
        why: Why::Nobody,
        ..empty_row()
    }
}

fn empty_row() -> CreditRow {
    CreditRow {
        entry: "credit",
        amount_fen: 0,
        rule: "",
        guide: None,
        store: None,
        binding: None,
        share: None,
        touched_at: None,
        credited_at: DateTime::<Utc>::MIN_UTC,
        why: Why::Nobody,
    }
}

/// The paid amount over the credit rows by `weights`, and a refund's reversal the same way.
fn amounts(
    mut credits: Vec<CreditRow>,
    weights: &[i64],
    order: &order::Model,
    paid_at: DateTime<Utc>,
) -> Vec<CreditRow> {
    let parts = largest_remainder(order.paid_fen, weights);
    for (row, part) in credits.iter_mut().zip(&parts) {
        row.amount_fen = *part;
        row.credited_at = paid_at;
    }
    if order.refunded_fen > 0 {
        let back = largest_remainder(-order.refunded_fen, &parts);
        let refunded_at = order.refunded_at.unwrap_or(order.source_updated_at);
        let reversals: Vec<CreditRow> = credits
            .iter()
            .zip(back)
            .map(|(row, amount)| CreditRow {
                entry: "reversal",
                amount_fen: amount,
                credited_at: refunded_at,
                ..row.clone()
            })
            .collect();
        credits.extend(reversals);
    }
    credits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: i64, secs: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_767_225_600 + secs, 0).unwrap() + Duration::days(days)
    }

    fn paid(paid_fen: i64, store: Option<i64>) -> order::Model {
        order::Model {
            id: 1,
            source_id: "O1".into(),
            member_id: Some(1),
            channel: "online".into(),
            store_id: store,
            status: "paid".into(),
            total_fen: paid_fen,
            discount_fen: 0,
            paid_fen,
            ordered_at: at(10, 0),
            paid_at: Some(at(10, 0)),
            completed_at: None,
            refunded_fen: 0,
            refunded_at: None,
            source_updated_at: at(10, 0),
            created_at: at(10, 0),
            updated_at: at(10, 0),
        }
    }

    fn bound(guide: i64, store: Option<i64>) -> binding::Model {
        binding::Model {
            id: 5,
            member_id: 1,
            guide_id: guide,
            store_id: store,
            source: "wecom_add".into(),
            evidence: None,
            started_at: at(0, 0),
            ended_at: None,
            ended_by: None,
            policy_version: 1,
        }
    }

    fn touched(guide: i64, when: DateTime<Utc>) -> touch::Model {
        touch::Model {
            id: 9,
            source_kind: "event".into(),
            source_id: format!("E{}", when.timestamp()),
            member_id: Some(1),
            kind: "browse_product".into(),
            touched_at: when,
            stamp: String::new(),
            valid: true,
            refusal: None,
            share_token: Some("tok".into()),
            guide_id: Some(guide),
            store_id: Some(guide * 10),
            created_at: when,
        }
    }

    /// Entry, rule, guide, store, amount.
    type Line = (&'static str, &'static str, Option<i64>, Option<i64>, i64);

    fn rows(
        policy: &AttributionPolicy,
        order: &order::Model,
        bindings: &[binding::Model],
        touches: &[touch::Model],
        home: Option<i64>,
    ) -> Vec<Line> {
        let evidence = Evidence {
            order,
            bindings,
            touches,
            home_store: home,
            guide_store: &|_| None,
        };
        credit_rows(policy, &evidence)
            .into_iter()
            .map(|r| (r.entry, r.rule, r.guide, r.store, r.amount_fen))
            .collect()
    }

    #[test]
    fn a_split_of_odd_fen_adds_up_and_its_refund_reverses_the_same_way() {
        let policy = AttributionPolicy {
            split: Some((70, 30)),
            ..AttributionPolicy::default()
        };
        let mut order = paid(10_001, Some(20));
        order.refunded_fen = 3_333;
        let got = rows(
            &policy,
            &order,
            &[bound(1, Some(10))],
            &[touched(2, at(9, 0))],
            None,
        );
        assert_eq!(
            got,
            [
                ("credit", "binding", Some(1), Some(10), 7_001),
                ("credit", "last_share", Some(2), Some(20), 3_000),
                ("reversal", "binding", Some(1), Some(10), -2_333),
                ("reversal", "last_share", Some(2), Some(20), -1_000),
            ]
        );
        // The same guide on both sides: no split.
        let same = rows(
            &policy,
            &paid(101, None),
            &[bound(1, None)],
            &[touched(1, at(9, 0))],
            None,
        );
        assert_eq!(same, [("credit", "binding", Some(1), None, 101)]);
    }

    #[test]
    fn a_binding_guide_of_another_store_is_passed_over_when_the_store_must_match() {
        let policy = AttributionPolicy {
            store_must_match: true,
            ..AttributionPolicy::default()
        };
        let order = paid(500, Some(20));
        assert_eq!(
            rows(&policy, &order, &[bound(1, Some(10))], &[], None),
            [("credit", "store", None, Some(20), 500)]
        );
        assert_eq!(
            rows(&policy, &order, &[bound(1, Some(20))], &[], None),
            [("credit", "binding", Some(1), Some(20), 500)]
        );
    }

    #[test]
    fn the_last_share_counts_up_to_exactly_its_window() {
        let policy = AttributionPolicy {
            rules: vec![CreditRule::LastShare, CreditRule::Store],
            ..AttributionPolicy::default()
        };
        let order = paid(300, None);
        let edge = rows(&policy, &order, &[], &[touched(2, at(3, 0))], Some(70));
        assert_eq!(edge, [("credit", "last_share", Some(2), Some(20), 300)]);
        let late = rows(&policy, &order, &[], &[touched(2, at(3, -1))], Some(70));
        assert_eq!(late, [("credit", "store", None, Some(70), 300)]);
        let after_payment = rows(&policy, &order, &[], &[touched(2, at(10, 1))], None);
        assert_eq!(after_payment, [("credit", "unattributed", None, None, 300)]);
    }

    #[test]
    fn an_unpaid_or_cancelled_order_credits_nothing() {
        for status in ["created", "cancelled"] {
            let mut order = paid(300, Some(20));
            order.status = status.into();
            assert!(
                rows(
                    &AttributionPolicy::default(),
                    &order,
                    &[bound(1, None)],
                    &[],
                    None
                )
                .is_empty()
            );
        }
    }
}
