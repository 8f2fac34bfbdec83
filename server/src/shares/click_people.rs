//! The people a batch of clicks adds to the reports: the first open of a share by a visitor
//! (not a preview fetcher drawing the link's card) counts once, on its guide's day; opening
//! it again, or from another tab, does not.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::clicks::{Click, ClientKind};
use crate::entity::{share, share_click};
use crate::reports::tally::Tally;

/// Counts the batch's new people; call before the batch is inserted, in its transaction.
pub async fn count_people(db: &impl ConnectionTrait, clicks: &[Click]) -> Result<(), DbErr> {
    let mut first: BTreeMap<(i64, &str), &Click> = BTreeMap::new();
    for click in clicks.iter().filter(|c| c.client != ClientKind::Preview) {
        let seen = first
            .entry((click.share_id, &click.visitor))
            .or_insert(click);
        if click.at < seen.at {
            *seen = click;
        }
    }
    if first.is_empty() {
        return Ok(());
    }
    let share_ids: HashSet<i64> = first.keys().map(|(share, _)| *share).collect();
    let visitors: HashSet<&str> = first.keys().map(|(_, visitor)| *visitor).collect();
    let share_ids: Vec<i64> = share_ids.into_iter().collect();
    let before: HashSet<(i64, String)> = share_click::Entity::find()
        .select_only()
        .column(share_click::Column::ShareId)
        .column(share_click::Column::Visitor)
        .filter(share_click::Column::ShareId.is_in(share_ids.clone()))
        .filter(share_click::Column::Visitor.is_in(visitors))
        .filter(share_click::Column::Client.ne(ClientKind::Preview.as_str()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let owners: HashMap<i64, (i64, Option<i64>)> = share::Entity::find()
        .select_only()
        .column(share::Column::Id)
        .column(share::Column::GuideId)
        .column(share::Column::StoreId)
        .filter(share::Column::Id.is_in(share_ids))
        .into_tuple::<(i64, i64, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, guide, store)| (id, (guide, store)))
        .collect();
    let mut tally = Tally::default();
    for ((share_id, visitor), click) in first {
        let Some((guide, store)) = owners.get(&share_id) else {
            continue;
        };
        if !before.contains(&(share_id, visitor.to_owned())) {
            tally.add(click.at, Some(*guide), *store, |c| c.clicks += 1);
        }
    }
    tally.write(db).await
}
