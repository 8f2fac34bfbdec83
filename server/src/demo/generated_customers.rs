//! One customer of the demo brand, whole: the WeCom contact and the guides who follow them
//! (with tags), the loyalty member it is (linked by unionid, by a mobile the guide noted, or
//! explicitly), two years of orders with their parcels, and recent behaviour. Records are
//! the ingest API's, so they go through the same validation as the brand's own systems.

use chrono::{DateTime, Duration, Utc};

use crate::wecom::api::{ContactDetails, ExternalContact, FollowTag, FollowUser};

use super::brand::{Brand, domain};
use super::calendar::DAYS;
use super::member_history::member_history;
use super::random::Rng;
use super::words::{self, TAG_GROUPS};
use super::world::{Generated, LEVEL_WEIGHTS, MemberIdentity, World};

/// How a member is tied to their WeCom contact.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    Unionid,
    Mobile,
    Explicit,
}

/// An identifier that looks like WeCom's (letters and digits) and is unique to `serial`.
fn wecom_style_id(rng: &mut Rng, prefix: &str, random_len: usize, serial: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut id = String::from(prefix);
    for _ in 0..random_len {
        id.push(char::from(*rng.pick(ALPHABET)));
    }
    // The serial, in base 36, makes it unique whatever the random part.
    let mut tail = Vec::new();
    let mut n = serial;
    for _ in 0..7 {
        let digit = u8::try_from(n % 36).unwrap_or(0);
        tail.push(char::from(if digit < 10 {
            b'0' + digit
        } else {
            b'A' + digit - 10
        }));
        n /= 36;
    }
    id.extend(tail.into_iter().rev());
    id
}

/// The `index`th WeCom customer (0-based).
/// (Its draws run in one sequence whose order is the brand, the same for a seed: kept in one
/// read, a few lines over the house's 60.)
pub fn customer(world: &World<'_>, index: u64) -> Generated {
    let mut rng = Rng::stream(world.seed, domain::CUSTOMERS, index);
    let brand = world.brand;
    let female = rng.chance(0.78);
    let real_name = words::person_name(&mut rng, female);
    let store = brand.pick_store(&mut rng, &world.store_weights);
    let guides = &brand.stores[store].guides;
    // Managers serve a few customers of their own; guides most.
    let guide = if rng.chance(0.05) {
        guides[guides.len() - 1]
    } else {
        guides[usize::try_from(rng.below((guides.len() - 1).max(1) as u64)).unwrap_or(0)]
    };
    let external_userid = wecom_style_id(&mut rng, "wm", 23, index);
    let unionid = wecom_style_id(&mut rng, "o", 20, index);
    let level = rng.weighted(LEVEL_WEIGHTS);
    let is_member = rng.chance(0.88);
    let link = match rng.below(10) {
        0..=6 => Link::Unionid,
        7 | 8 => Link::Mobile,
        _ => Link::Explicit,
    };
    let mobile = words::mobile(&mut rng, index);
    let added_at = world.calendar.days_ago(&mut rng, DAYS - 1, 1);

    let mut follow_user = vec![follow(
        &mut rng,
        brand,
        guide,
        added_at,
        level,
        &real_name,
        (is_member && link == Link::Mobile).then_some(mobile.as_str()),
    )];
    if let Some(second) =
        second_follower(world, &mut rng, store, guide, added_at, level, &real_name)
    {
        follow_user.push(second);
    }
    let contact = ContactDetails {
        external_contact: ExternalContact {
            external_userid: external_userid.clone(),
            name: words::wechat_name(&mut rng, &real_name, female),
            avatar: None,
            contact_type: 1,
            gender: if female { 2 } else { 1 },
            unionid: Some(unionid.clone()),
            corp_name: None,
        },
        follow_user,
        next_cursor: None,
    };
    let mut generated = Generated {
        contact: Some(contact),
        ..Generated::default()
    };
    if is_member {
        let member_id = format!("M{:09}", index + 1);
        let identity = MemberIdentity {
            id: member_id,
            name: real_name,
            mobile,
            unionid: (link == Link::Unionid).then_some(unionid),
            external_userid: (link == Link::Explicit).then_some(external_userid),
            level,
            home_store: store,
        };
        member_history(world, &mut rng, identity, &mut generated);
    }
    generated
}

/// A second guide for about one customer in eight: usually a colleague in the same store,
/// sometimes another store's.
fn second_follower(
    world: &World<'_>,
    rng: &mut Rng,
    store: usize,
    guide: usize,
    added_at: DateTime<Utc>,
    level: usize,
    real_name: &str,
) -> Option<FollowUser> {
    let brand = world.brand;
    if !rng.chance(0.12) {
        return None;
    }
    let other_store = if rng.chance(0.7) {
        store
    } else {
        brand.pick_store(rng, &world.store_weights)
    };
    let candidates = &brand.stores[other_store].guides;
    let second = *rng.pick(candidates);
    if second == guide {
        return None;
    }
    let later = added_at + Duration::days(rng.between(1, 200));
    let at = later.min(world.calendar.until - Duration::hours(1));
    Some(follow(rng, brand, second, at, level, real_name, None))
}

/// The `index`th member who buys in the stores but never added a guide on WeCom.
pub fn walk_in_member(world: &World<'_>, index: u64) -> Generated {
    let mut rng = Rng::stream(world.seed, domain::WALK_IN_MEMBERS, index);
    let female = rng.chance(0.75);
    let identity = MemberIdentity {
        id: format!("MW{:08}", index + 1),
        name: words::person_name(&mut rng, female),
        // Serials above every customer's keep the numbers apart.
        mobile: words::mobile(&mut rng, 50_000_000 + index),
        unionid: None,
        external_userid: None,
        level: rng.weighted(&LEVEL_WEIGHTS[..3]),
        home_store: world.brand.pick_store(&mut rng, &world.store_weights),
    };
    let mut generated = Generated::default();
    member_history(world, &mut rng, identity, &mut generated);
    generated
}

fn follow(
    rng: &mut Rng,
    brand: &Brand,
    staff: usize,
    added_at: DateTime<Utc>,
    level: usize,
    real_name: &str,
    noted_mobile: Option<&str>,
) -> FollowUser {
    let staff_member = &brand.staff[staff];
    let store = &brand.stores[staff_member.store];
    // The level tag agrees with the member's level; then a handful of other groups.
    let mut tags = vec![tag(brand, 0, level)];
    let extra = rng.between(2, 6);
    let mut groups_used = vec![0];
    for _ in 0..extra {
        let group = 1 + usize::try_from(rng.below((TAG_GROUPS.len() - 1) as u64)).unwrap_or(0);
        if groups_used.contains(&group) {
            continue;
        }
        groups_used.push(group);
        let values = TAG_GROUPS[group].tags.len();
        let count = if TAG_GROUPS[group].exclusive {
            1
        } else {
            rng.between(1, 2)
        };
        let first = usize::try_from(rng.below(values as u64)).unwrap_or(0);
        for k in 0..usize::try_from(count).unwrap_or(1) {
            tags.push(tag(brand, group, (first + k) % values));
        }
    }
    FollowUser {
        userid: staff_member.member.userid.clone(),
        remark: rng.chance(0.4).then(|| real_name.to_owned()),
        description: rng.chance(0.15).then(|| format!("{}到店客户", store.name)),
        createtime: added_at.timestamp(),
        tags,
        tag_id: Vec::new(),
        // 1: scanned the guide's QR code; 3: a contact card shared; 9: at a store event.
        add_way: Some(*rng.pick(&[1, 1, 1, 3, 9])),
        state: Some(format!("{}-{}", store.id, staff_member.member.userid)),
        remark_mobiles: noted_mobile.map(|m| vec![m.to_owned()]).unwrap_or_default(),
    }
}

fn tag(brand: &Brand, group: usize, tag: usize) -> FollowTag {
    let catalogue_group = &brand.tag_groups[group];
    let catalogue_tag = &catalogue_group.tag[tag.min(catalogue_group.tag.len() - 1)];
    FollowTag {
        group_name: Some(catalogue_group.group_name.clone()),
        tag_name: catalogue_tag.name.clone(),
        tag_id: Some(catalogue_tag.id.clone()),
        tag_type: 1,
    }
}
