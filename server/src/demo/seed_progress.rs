//! The seed's progress (drawn by `crate::progress`), and where its time went.

use std::time::{Duration, Instant};

use super::SeedSummary;
use crate::progress::{ShowProgress, Unit};

/// Where the time went, said at the end (what to make faster next).
#[derive(Default)]
pub(super) struct Phases {
    pub(super) contacts: Duration,
    pub(super) members: Duration,
    pub(super) orders: Duration,
    pub(super) shipments: Duration,
    pub(super) events: Duration,
}

impl Phases {
    pub(super) fn add(&mut self, other: &Phases) {
        self.contacts += other.contacts;
        self.members += other.members;
        self.orders += other.orders;
        self.shipments += other.shipments;
        self.events += other.events;
    }
}

/// The seed's progress (customers seeded of those asked for), and where its time went.
pub(super) struct Progress {
    pub(super) phases: Phases,
    shown: Option<crate::progress::Progress>,
    started: Instant,
}

impl Progress {
    pub(super) fn new(enabled: bool, total: u64) -> Self {
        let shown = enabled.then(|| {
            let customers = Unit::Items("customers");
            crate::progress::Progress::start("seed", Some(total), customers, ShowProgress::Auto)
        });
        Self {
            phases: Phases::default(),
            shown,
            started: Instant::now(),
        }
    }

    pub(super) fn update(&mut self, summary: &SeedSummary) {
        if let Some(shown) = &self.shown {
            shown.set(summary.customers);
            shown.note(format!(
                "· {} members · {} orders",
                summary.members, summary.orders
            ));
        }
    }

    pub(super) fn finish(&self, summary: &SeedSummary) {
        let Some(shown) = &self.shown else {
            return;
        };
        shown.finish();
        let p = &self.phases;
        eprintln!(
            "seeded in {:.1} s: {} customers, {} members, {} orders; time in (summed over chunks in flight): contacts {:.1} s, \
             members {:.1} s, orders {:.1} s, shipments {:.1} s, events and coupons held {:.1} s",
            self.started.elapsed().as_secs_f64(),
            summary.customers,
            summary.members,
            summary.orders,
            p.contacts.as_secs_f64(),
            p.members.as_secs_f64(),
            p.orders.as_secs_f64(),
            p.shipments.as_secs_f64(),
            p.events.as_secs_f64(),
        );
    }
}
