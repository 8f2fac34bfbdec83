//! What every generated customer shares: the brand, its calendar and products, and the
//! weights draws are made with; and what one customer's generation yields.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::brand::Brand;
use super::calendar::Calendar;
use super::catalogue::Product;
use crate::wecom::api::ContactDetails;

/// What does not change from one customer to the next.
pub struct World<'a> {
    pub seed: u64,
    pub brand: &'a Brand,
    pub calendar: &'a Calendar,
    pub products: &'a [Product],
    pub(super) product_weights: Vec<u32>,
    pub(super) store_weights: Vec<u32>,
}

impl<'a> World<'a> {
    pub fn new(
        seed: u64,
        brand: &'a Brand,
        calendar: &'a Calendar,
        products: &'a [Product],
    ) -> Self {
        Self {
            seed,
            brand,
            calendar,
            products,
            product_weights: products.iter().map(|p| p.weight).collect(),
            store_weights: brand.store_weights(),
        }
    }
}

/// Everything generated for one customer (or one member who never added a guide).
#[derive(Default)]
pub struct Generated {
    pub contact: Option<ContactDetails>,
    pub member: Option<Value>,
    pub orders: Vec<Value>,
    pub shipments: Vec<Value>,
    pub events: Vec<Value>,
    pub grants: Vec<Value>,
}

pub(super) const LEVELS: &[&str] = &["普通会员", "银卡", "金卡", "铂金卡", "黑钻卡"];
pub(super) const LEVEL_WEIGHTS: &[u32] = &[50, 25, 15, 7, 3];

/// A moment as the brand's systems write it.
pub(super) fn rfc3339(moment: DateTime<Utc>) -> String {
    moment.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Who a member is, drawn before their history.
pub(super) struct MemberIdentity {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) mobile: String,
    pub(super) unionid: Option<String>,
    pub(super) external_userid: Option<String>,
    pub(super) level: usize,
    pub(super) home_store: usize,
}
