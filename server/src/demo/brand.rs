//! The demo brand's organisation for a seed: stores across regions, the guides and managers
//! of each store (WeCom members), and the corp tag catalogue.

use crate::wecom::api::{CorpTag, CorpTagGroup, Member};

use super::random::Rng;
use super::words::{self, MALLS, REGIONS, STREETS, TAG_GROUPS};

/// Streams of the seed, one per kind of thing generated.
pub mod domain {
    pub const STORES: u64 = 1;
    pub const STAFF: u64 = 2;
    pub const CUSTOMERS: u64 = 3;
    pub const WALK_IN_MEMBERS: u64 = 4;
}

#[derive(Debug, Clone)]
pub struct Store {
    pub id: String,
    pub name: String,
    pub region: usize,
    pub city: &'static str,
    pub address: String,
    /// How many customers it draws, relative to the others.
    pub weight: u32,
    /// Indexes into `Brand::staff`: its guides, then its manager.
    pub guides: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Staff {
    pub member: Member,
    pub store: usize,
    pub manager: bool,
}

#[derive(Debug, Clone)]
pub struct Brand {
    pub stores: Vec<Store>,
    pub staff: Vec<Staff>,
    pub tag_groups: Vec<CorpTagGroup>,
}

/// The first guide of the first store, whatever the seed: the README's demo walk-through
/// signs in as her.
pub const FIRST_GUIDE: (&str, &str) = ("guide.li", "李娜");

/// One store per this many customers (at least 8 stores).
const CUSTOMERS_PER_STORE: u64 = 2_500;

pub fn store_count(customers: u64) -> usize {
    usize::try_from(customers.div_ceil(CUSTOMERS_PER_STORE).max(8)).unwrap_or(8)
}

impl Brand {
    pub fn generate(seed: u64, customers: u64) -> Self {
        let mut stores = stores(seed, customers);
        let staff = staff(seed, &mut stores);
        Self {
            stores,
            staff,
            tag_groups: tag_catalogue(),
        }
    }

    /// A store for a customer, the bigger ones more often.
    pub fn pick_store(&self, rng: &mut Rng, weights: &[u32]) -> usize {
        rng.weighted(weights)
            .min(self.stores.len().saturating_sub(1))
    }

    pub fn store_weights(&self) -> Vec<u32> {
        self.stores.iter().map(|s| s.weight).collect()
    }

    pub fn tag_count(&self) -> usize {
        self.tag_groups.iter().map(|g| g.tag.len()).sum()
    }
}

pub fn tag_group_id(group: usize) -> String {
    format!("etDEMOG{:02}", group + 1)
}

pub fn tag_id(group: usize, tag: usize) -> String {
    format!("etDEMOT{:02}{:02}", group + 1, tag + 1)
}

/// The stores: the first ones cover every region, then they follow the regions' weights.
fn stores(seed: u64, customers: u64) -> Vec<Store> {
    let mut rng = Rng::stream(seed, domain::STORES, 0);
    let region_weights = [30, 20, 18, 10, 12, 5, 5];
    let mut names = std::collections::HashSet::new();
    let mut stores = Vec::new();
    for index in 0..store_count(customers) {
        let region = if index < REGIONS.len() {
            index
        } else {
            rng.weighted(&region_weights)
        };
        let (city, _province) = *rng.pick(REGIONS[region].cities);
        let mall = rng.pick(MALLS);
        let mut name = format!("{city}{mall}店");
        let mut branch = 2;
        while !names.insert(name.clone()) {
            name = format!("{city}{mall}{branch}号店");
            branch += 1;
        }
        let address = format!(
            "{city}市{}{}号{mall}{}层",
            rng.pick(STREETS),
            rng.between(1, 999),
            rng.between(1, 4)
        );
        stores.push(Store {
            id: format!("S{:04}", index + 1),
            name,
            region,
            city,
            address,
            weight: u32::try_from(rng.between(2, 6)).unwrap_or(3),
            guides: Vec::new(),
        });
    }

    stores
}

/// Three to six guides and a manager per store (the first store's first guide is always
/// 李娜, `guide.li`).
fn staff(seed: u64, stores: &mut [Store]) -> Vec<Staff> {
    let mut staff = Vec::new();
    for (index, store) in stores.iter_mut().enumerate() {
        let mut rng = Rng::stream(seed, domain::STAFF, index as u64);
        let guides = rng.between(3, 6);
        for n in 0..=guides {
            let manager = n == guides;
            let (userid, name) = if index == 0 && n == 0 {
                (FIRST_GUIDE.0.to_owned(), FIRST_GUIDE.1.to_owned())
            } else if manager {
                let female = rng.chance(0.7);
                (
                    format!("{}.manager", store.id.to_lowercase()),
                    words::person_name(&mut rng, female),
                )
            } else {
                let female = rng.chance(0.85);
                (
                    format!("{}.g{}", store.id.to_lowercase(), n + 1),
                    words::person_name(&mut rng, female),
                )
            };
            let department = 1000 + index as i64 + 1;
            store.guides.push(staff.len());
            staff.push(Staff {
                member: Member {
                    userid,
                    name,
                    department: vec![department],
                    main_department: Some(department),
                    position: Some(if manager { "店长" } else { "导购" }.into()),
                    mobile: None,
                    avatar: None,
                    status: 1,
                },
                store: index,
                manager,
            });
        }
    }

    staff
}

/// The corp tag catalogue WeCom holds.
fn tag_catalogue() -> Vec<CorpTagGroup> {
    TAG_GROUPS
        .iter()
        .enumerate()
        .map(|(g, group)| CorpTagGroup {
            group_id: tag_group_id(g),
            group_name: group.name.into(),
            order: g as i64 + 1,
            deleted: false,
            create_time: 1_640_995_200 + g as i64 * 86_400,
            tag: group
                .tags
                .iter()
                .enumerate()
                .map(|(t, name)| CorpTag {
                    id: tag_id(g, t),
                    name: (*name).into(),
                    order: t as i64 + 1,
                    deleted: false,
                    create_time: 1_640_995_200 + g as i64 * 86_400,
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_brand_has_stores_in_every_region_guides_per_store_and_a_big_catalogue() {
        let brand = Brand::generate(1, 20_000);
        assert_eq!(brand.stores.len(), 8);
        let regions: std::collections::HashSet<usize> =
            brand.stores.iter().map(|s| s.region).collect();
        assert_eq!(regions.len(), REGIONS.len());
        for store in &brand.stores {
            assert!((4..=7).contains(&store.guides.len()), "{store:?}");
            let managers = store.guides.iter().filter(|&&g| brand.staff[g].manager);
            assert_eq!(managers.count(), 1);
        }
        assert_eq!(brand.staff[0].member.userid, FIRST_GUIDE.0);
        let userids: std::collections::HashSet<&str> = brand
            .staff
            .iter()
            .map(|s| s.member.userid.as_str())
            .collect();
        assert_eq!(userids.len(), brand.staff.len());
        assert!(brand.tag_groups.len() >= 24 && brand.tag_count() >= 150);
        assert_eq!(store_count(1_000_000), 400);
        // Deterministic: the same seed, the same brand; another seed, another.
        let again = Brand::generate(1, 20_000);
        let names = |b: &Brand| b.stores.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&brand), names(&again));
        assert_ne!(names(&brand), names(&Brand::generate(2, 20_000)));
    }
}
