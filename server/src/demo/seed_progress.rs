//! The seed's progress lines, and where its time went.

use std::time::{Duration, Instant};

use super::SeedSummary;

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

/// Plain progress lines, every few seconds.
pub(super) struct Progress {
    pub(super) phases: Phases,
    enabled: bool,
    total: u64,
    started: Instant,
    last: Instant,
}

impl Progress {
    pub(super) fn new(enabled: bool, total: u64) -> Self {
        let now = Instant::now();
        Self {
            phases: Phases::default(),
            enabled,
            total,
            started: now,
            last: now,
        }
    }

    pub(super) fn update(&mut self, done: u64, summary: &SeedSummary) {
        if !self.enabled || self.last.elapsed() < Duration::from_secs(3) {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = done as f64 / secs;
        let eta = (self.total.saturating_sub(done)) as f64 / rate.max(0.001);
        eprintln!(
            "customers {done}/{} ({:.0}%), {:.0}/s, orders {}, about {:.0} s to go",
            self.total,
            done as f64 * 100.0 / self.total.max(1) as f64,
            rate,
            summary.orders,
            eta
        );
    }

    pub(super) fn finish(&self, summary: &SeedSummary) {
        if self.enabled {
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
}
