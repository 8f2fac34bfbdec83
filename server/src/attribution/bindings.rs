//! Each member's binding guide (专属导购) over time, rebuilt from the facts whenever one of them
//! changes (`binding_facts`): the WeCom adds of the member's customer (first guide to add
//! them), valid stamped touches, stamped purchases, completed transfers of a departed guide's
//! customers and bindings made by hand. The
//! history is a function of the facts in time order ([`fold`]), never of the order they
//! arrived in, so a late or repeated report gives the same bindings.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};

use super::binding_facts::{Fact, facts_of};
use crate::config::AttributionPolicy;
use crate::entity::{binding, touch};
use crate::reports::tally::Tally;

/// One period of a member's binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub guide: i64,
    pub store: Option<i64>,
    pub source: &'static str,
    pub evidence: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_by: Option<&'static str>,
}

/// The binding history the facts make under `policy`: the first fact binds; the binding
/// guide's own facts keep it alive; with a lock period, another guide's fact after `lock_days`
/// without the binding guide rebinds; a transfer moves the departed guide's binding; a binding
/// made by hand replaces the current one at once.
pub fn fold(policy: &AttributionPolicy, mut facts: Vec<Fact>) -> Vec<Period> {
    facts.sort_by(|a, b| (a.at, a.source, &a.evidence).cmp(&(b.at, b.source, &b.evidence)));
    let mut periods: Vec<Period> = Vec::new();
    let mut last_seen = DateTime::<Utc>::MIN_UTC;
    for fact in facts {
        let current = periods.last().filter(|p| p.ended_at.is_none());
        let binds = match (current, fact.from_guide) {
            (Some(now), Some(from)) => now.guide == from,
            (None, Some(_)) => false,
            (Some(now), None) if now.guide == fact.guide => {
                last_seen = fact.at;
                false
            }
            // A binding made by hand ends the current one whatever the lock.
            (Some(_), None) if fact.source == "manual" => true,
            (Some(_), None) => policy
                .lock_days
                .is_some_and(|days| fact.at > last_seen + Duration::days(days)),
            (None, None) => fact.source != "purchase" || policy.purchase_binds,
        };
        if !binds {
            continue;
        }
        if let Some(open) = periods.last_mut().filter(|p| p.ended_at.is_none()) {
            open.ended_at = Some(fact.at);
            open.ended_by = Some(match (fact.from_guide, fact.source) {
                (Some(_), _) => "transfer",
                (None, "manual") => "manual",
                (None, _) => "lock_lapsed",
            });
        }
        last_seen = fact.at;
        periods.push(Period {
            guide: fact.guide,
            store: fact.store,
            source: fact.source,
            evidence: fact.evidence,
            started_at: fact.at,
            ended_at: None,
            ended_by: None,
        });
    }
    periods
}

/// The members' bindings after a rebuild, and which of them changed.
pub struct Rebuilt {
    pub by_member: HashMap<i64, Vec<binding::Model>>,
    /// Members whose history is not what it was (their rows were replaced).
    pub changed: BTreeSet<i64>,
}

/// What makes two binding rows the same period.
type Shape = (
    i64,
    Option<i64>,
    String,
    Option<String>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
    i32,
);

fn model_shape(row: &binding::Model) -> Shape {
    (
        row.guide_id,
        row.store_id,
        row.source.clone(),
        row.evidence.clone(),
        row.started_at,
        row.ended_at,
        row.ended_by.clone(),
        row.policy_version,
    )
}

fn period_shape(period: &Period, version: i32) -> Shape {
    (
        period.guide,
        period.store,
        period.source.to_owned(),
        Some(period.evidence.clone()),
        period.started_at,
        period.ended_at,
        period.ended_by.map(str::to_owned),
        version,
    )
}

/// Rebuilds the bindings of `members` from their facts. A member whose history comes out as
/// it was keeps its rows (and their ids, which the ledger's evidence names); the others' rows
/// are replaced.
pub async fn rebuild(
    txn: &DatabaseTransaction,
    policy: &AttributionPolicy,
    version: i32,
    members: &[i64],
    touches: &HashMap<i64, Vec<touch::Model>>,
) -> Result<Rebuilt, DbErr> {
    let mut facts = facts_of(txn, members, touches).await?;
    let mut by_member = stored(txn, members).await?;
    let mut changed = BTreeSet::new();
    let mut rows = Vec::new();
    for member in members {
        let periods = fold(policy, facts.remove(member).unwrap_or_default());
        let now: Vec<Shape> = by_member
            .get(member)
            .into_iter()
            .flatten()
            .map(model_shape)
            .collect();
        let wanted: Vec<Shape> = periods.iter().map(|p| period_shape(p, version)).collect();
        if now == wanted {
            continue;
        }
        changed.insert(*member);
        rows.extend(periods.into_iter().map(|period| binding::ActiveModel {
            member_id: Set(*member),
            guide_id: Set(period.guide),
            store_id: Set(period.store),
            source: Set(period.source.into()),
            evidence: Set(Some(period.evidence)),
            started_at: Set(period.started_at),
            ended_at: Set(period.ended_at),
            ended_by: Set(period.ended_by.map(str::to_owned)),
            policy_version: Set(version),
            ..Default::default()
        }));
    }
    let changed_list: Vec<i64> = changed.iter().copied().collect();
    let replaced = replace(txn, &changed_list, rows).await?;
    for member in &changed_list {
        by_member.remove(member);
    }
    by_member.extend(replaced);
    Ok(Rebuilt { by_member, changed })
}

/// The members' stored bindings, each member's in time order.
async fn stored(
    txn: &DatabaseTransaction,
    members: &[i64],
) -> Result<HashMap<i64, Vec<binding::Model>>, DbErr> {
    let mut found: HashMap<i64, Vec<binding::Model>> = HashMap::new();
    for chunk in members.chunks(500) {
        for row in binding::Entity::find()
            .filter(binding::Column::MemberId.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            found.entry(row.member_id).or_default().push(row);
        }
    }
    for periods in found.values_mut() {
        periods.sort_by_key(|p| (p.started_at, p.id));
    }
    Ok(found)
}

/// The members' bindings become `rows`; read back with their ids, by member.
async fn replace(
    txn: &DatabaseTransaction,
    members: &[i64],
    rows: Vec<binding::ActiveModel>,
) -> Result<HashMap<i64, Vec<binding::Model>>, DbErr> {
    let mut tally = Tally::default();
    let mut count = |period: &binding::Model, sign: i64| {
        tally.add(
            period.started_at,
            Some(period.guide_id),
            period.store_id,
            |c| c.new_bindings += sign,
        )
    };
    for chunk in members.chunks(500) {
        let gone = binding::Entity::delete_many()
            .filter(binding::Column::MemberId.is_in(chunk.to_vec()))
            .exec_with_returning(txn)
            .await?;
        gone.iter().for_each(|period| count(period, -1));
    }
    for chunk in rows.chunks(500) {
        binding::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    let rebuilt = if rows.is_empty() {
        HashMap::new()
    } else {
        stored(txn, members).await?
    };
    rebuilt
        .values()
        .flatten()
        .for_each(|period| count(period, 1));
    tally.write(txn).await?;
    Ok(rebuilt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap() + Duration::days(n)
    }

    fn fact(at: i64, source: &'static str, guide: i64) -> Fact {
        Fact {
            at: day(at),
            source,
            guide,
            store: Some(guide * 10),
            evidence: format!("{source}@{at}"),
            from_guide: None,
        }
    }

    fn guides(periods: &[Period]) -> Vec<(i64, &'static str, Option<&'static str>)> {
        periods
            .iter()
            .map(|p| (p.guide, p.source, p.ended_by))
            .collect()
    }

    fn locked(days: i64) -> AttributionPolicy {
        AttributionPolicy {
            lock_days: Some(days),
            ..AttributionPolicy::default()
        }
    }

    #[test]
    fn the_first_touch_binds_for_good_without_a_lock_period() {
        let periods = fold(
            &AttributionPolicy::default(),
            vec![fact(0, "wecom_add", 1), fact(400, "stamped_touch", 2)],
        );
        assert_eq!(guides(&periods), [(1, "wecom_add", None)]);
        assert_eq!(periods[0].store, Some(10));
    }

    #[test]
    fn a_lapsed_lock_lets_the_next_touch_rebind_and_interaction_keeps_it() {
        let facts = vec![
            fact(0, "wecom_add", 1),
            fact(20, "stamped_touch", 2),
            fact(25, "stamped_touch", 1),
            fact(50, "stamped_touch", 2),
            fact(54, "purchase", 2),
        ];
        // Guide 1 touched on day 25: guide 2's touch on day 50 is inside the 30 days.
        assert_eq!(
            guides(&fold(&locked(30), facts.clone())),
            [(1, "wecom_add", None)]
        );
        // With 20 days, day 50 is past day 25 + 20: guide 2 binds from then on.
        let periods = fold(&locked(20), facts);
        assert_eq!(
            guides(&periods),
            [
                (1, "wecom_add", Some("lock_lapsed")),
                (2, "stamped_touch", None)
            ]
        );
        assert_eq!(periods[0].ended_at, Some(day(50)));
        assert_eq!(periods[1].started_at, day(50));
    }

    #[test]
    fn a_purchase_binds_an_unbound_member_only_when_the_policy_says_so() {
        let facts = vec![fact(0, "purchase", 2), fact(3, "wecom_add", 1)];
        let off = AttributionPolicy {
            purchase_binds: false,
            ..AttributionPolicy::default()
        };
        assert_eq!(guides(&fold(&off, facts.clone())), [(1, "wecom_add", None)]);
        assert_eq!(
            guides(&fold(&AttributionPolicy::default(), facts)),
            [(2, "purchase", None)]
        );
    }

    #[test]
    fn a_binding_made_by_hand_replaces_the_current_one_whatever_the_lock() {
        let facts = vec![
            fact(0, "wecom_add", 1),
            fact(5, "manual", 2),
            fact(6, "stamped_touch", 1),
            fact(7, "manual", 2),
        ];
        // Permanent first touch: only a transfer or a hand could move it; the hand does, at
        // once, and guide 1's touch the next day does not take it back.
        let periods = fold(&AttributionPolicy::default(), facts);
        assert_eq!(
            guides(&periods),
            [(1, "wecom_add", Some("manual")), (2, "manual", None)]
        );
        assert_eq!(periods[1].started_at, day(5));
    }

    #[test]
    fn a_transfer_moves_the_departed_guides_binding_and_no_other() {
        let moved = Fact {
            from_guide: Some(1),
            ..fact(9, "transfer", 3)
        };
        let other = Fact {
            from_guide: Some(7),
            ..fact(10, "transfer", 4)
        };
        let periods = fold(
            &AttributionPolicy::default(),
            vec![fact(0, "wecom_add", 1), moved, other],
        );
        assert_eq!(
            guides(&periods),
            [(1, "wecom_add", Some("transfer")), (3, "transfer", None)]
        );
    }

    #[test]
    fn the_order_facts_arrive_in_changes_nothing() {
        let facts = vec![
            fact(0, "wecom_add", 1),
            fact(40, "stamped_touch", 2),
            fact(41, "stamped_touch", 3),
            fact(90, "purchase", 1),
            fact(90, "stamped_touch", 2),
        ];
        let expected = fold(&locked(30), facts.clone());
        let mut reversed = facts.clone();
        reversed.reverse();
        assert_eq!(fold(&locked(30), reversed), expected);
        let mut twice = facts.clone();
        twice.extend(facts);
        assert_eq!(fold(&locked(30), twice), expected);
    }
}
