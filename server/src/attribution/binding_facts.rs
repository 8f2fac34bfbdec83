//! What may bind a member to a guide, read for a rebuild of their bindings: the WeCom adds of
//! the member's customers, completed transfers of those customers, valid stamped touches
//! (a stamped order is a purchase) and bindings made by hand.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};

use crate::directory::transfer_status;
use crate::entity::{customer_transfer, guide_customer, manual_binding, member_customer, touch};

/// Something that may bind a member to a guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub at: DateTime<Utc>,
    /// `wecom_add`, `stamped_touch`, `purchase`, `transfer` or `manual`.
    pub source: &'static str,
    pub guide: i64,
    pub store: Option<i64>,
    /// The share token, relation, transfer or hand-made binding behind it.
    pub evidence: String,
    /// For a transfer: the departed guide whose bindings move.
    pub from_guide: Option<i64>,
}

/// Every fact of `members`, by member (in no particular order: [`super::bindings::fold`]
/// sorts them).
pub async fn facts_of(
    txn: &DatabaseTransaction,
    members: &[i64],
    touches: &HashMap<i64, Vec<touch::Model>>,
) -> Result<HashMap<i64, Vec<Fact>>, DbErr> {
    let mut facts = wecom_facts(txn, members).await?;
    for (member, list) in touches {
        let own = facts.entry(*member).or_default();
        own.extend(list.iter().filter_map(touch_fact));
    }
    for chunk in members.chunks(500) {
        for by_hand in manual_binding::Entity::find()
            .filter(manual_binding::Column::MemberId.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            facts.entry(by_hand.member_id).or_default().push(Fact {
                at: by_hand.bound_at,
                source: "manual",
                guide: by_hand.guide_id,
                store: None,
                evidence: format!("manual:{}", by_hand.id),
                from_guide: None,
            });
        }
    }
    Ok(facts)
}

fn touch_fact(touched: &touch::Model) -> Option<Fact> {
    Some(Fact {
        at: touched.touched_at,
        source: if touched.kind == "order" {
            "purchase"
        } else {
            "stamped_touch"
        },
        guide: touched.guide_id?,
        store: touched.store_id,
        evidence: touched.share_token.clone().unwrap_or_default(),
        from_guide: None,
    })
}

/// The members linked to each WeCom customer of `members`.
async fn members_by_customer(
    txn: &DatabaseTransaction,
    members: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, DbErr> {
    let mut member_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in members.chunks(500) {
        for link in member_customer::Entity::find()
            .filter(member_customer::Column::MemberId.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            member_of
                .entry(link.customer_id)
                .or_default()
                .push(link.member_id);
        }
    }
    Ok(member_of)
}

/// The WeCom adds of the members' customers and the completed transfers of those customers.
async fn wecom_facts(
    txn: &DatabaseTransaction,
    members: &[i64],
) -> Result<HashMap<i64, Vec<Fact>>, DbErr> {
    let member_of = members_by_customer(txn, members).await?;
    let customers: Vec<i64> = member_of
        .keys()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut facts: HashMap<i64, Vec<Fact>> = HashMap::new();
    // A customer's fact is each linked member's.
    let mut add = |customer: i64, fact: Fact| {
        for member in member_of.get(&customer).into_iter().flatten() {
            facts.entry(*member).or_default().push(fact.clone());
        }
    };
    for chunk in customers.chunks(500) {
        for relation in guide_customer::Entity::find()
            .filter(guide_customer::Column::CustomerId.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            let fact = Fact {
                at: relation.added_at,
                source: "wecom_add",
                guide: relation.guide_id,
                store: None,
                evidence: format!("relation:{}", relation.id),
                from_guide: None,
            };
            add(relation.customer_id, fact);
        }
        for moved in customer_transfer::Entity::find()
            .filter(customer_transfer::Column::CustomerId.is_in(chunk.to_vec()))
            .filter(customer_transfer::Column::Status.eq(transfer_status::DONE))
            .all(txn)
            .await?
        {
            let Some(to) = moved.takeover_guide_id else {
                continue;
            };
            let fact = Fact {
                at: moved.updated_at,
                source: "transfer",
                guide: to,
                store: None,
                evidence: format!("transfer:{}", moved.id),
                from_guide: Some(moved.handover_guide_id),
            };
            add(moved.customer_id, fact);
        }
    }
    Ok(facts)
}
