use std::time::Duration;

use tokio::time::{Interval, MissedTickBehavior, interval};

/// Spaces WeCom calls evenly: at most `calls_per_sec`, never a burst to catch up.
pub struct Pacer {
    interval: Interval,
}

impl Pacer {
    pub fn new(calls_per_sec: u32) -> Self {
        let period = Duration::from_secs(1) / calls_per_sec.max(1);
        let mut interval = interval(period);
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self { interval }
    }

    /// Waits until the next call may go.
    pub async fn ready(&mut self) {
        self.interval.tick().await;
    }
}
